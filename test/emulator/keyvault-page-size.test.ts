/**
 * `keyVaultPageSize`: a vault that answers lists in smaller pages than it could when the request
 * gives no `maxresults` (Key Vault documents "up to 25"), so that a client has to follow `nextLink`.
 */
import { startEmulator } from "../../emulator";
import { type TestEmulator, startTestEmulator } from "./helpers";

let t: TestEmulator;
let vault: string;
let token: string;

beforeAll(async () => {
  t = await startTestEmulator({ keyVaultPageSize: 2 });
  vault = t.emu.vaults.demo;
  token = await t.vaultToken();
  for (const name of ["alpha", "bravo", "charlie", "delta", "echo"]) {
    const r = await t.http.post(
      `${vault}/certificates/${name}/create?api-version=7.4`,
      { policy: { issuer: { name: "Self" }, x509_props: { subject: `CN=${name}` } } },
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(r.status).toBe(202);
  }
});

afterAll(() => t.stop());

type Page = { status: number; data: { value: Array<{ id: string }>; nextLink: string | null } };

async function walk(first: string): Promise<{ pages: number[]; names: string[] }> {
  const pages: number[] = [];
  const names: string[] = [];
  let next: string | null = first;
  while (next) {
    const r: Page = await t.http.get(next, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    pages.push(r.data.value.length);
    names.push(...r.data.value.map((c) => c.id.split("/").pop()!));
    next = r.data.nextLink;
  }
  return { pages, names };
}

test("without maxresults, lists come in pages of keyVaultPageSize linked by nextLink", async () => {
  expect(await walk(`${vault}/certificates?api-version=7.4`)).toEqual({
    pages: [2, 2, 1],
    names: ["alpha", "bravo", "charlie", "delta", "echo"],
  });
  expect((await walk(`${vault}/secrets?api-version=2025-07-01`)).pages).toEqual([2, 2, 1]);
});

test("maxresults still decides when given", async () => {
  expect((await walk(`${vault}/certificates?api-version=7.4&maxresults=3`)).pages).toEqual([3, 2]);
  expect((await walk(`${vault}/certificates?api-version=7.4&maxresults=25`)).pages).toEqual([5]);
});

test("a page size outside 1-25 is refused at start", async () => {
  for (const keyVaultPageSize of [0, 26, 2.5])
    await expect(startEmulator({ keyVaultPageSize })).rejects.toThrow(
      /keyVaultPageSize must be an integer from 1 to 25/,
    );
});
