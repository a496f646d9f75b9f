/**
 * guardProvider / withoutFrames: what the dynamic-provider host prints for a failed method
 * (`${e}: ${e.stack}`) is the error's name and message once, and everything else the host and
 * the engine read from the error (class, fields, a partial create's id, properties, reasons) is
 * kept. The engine-level proof is test/engine/error-output.test.ts.
 */
import * as apim from "../../provider/apim-certificate/provider";
import { GUARDED_METHODS, guardProvider, isGuarded, withoutFrames } from "../../provider/dynamic/guard";
import { AzureCertsError, AzureRequestError } from "../../provider/transport";

/** The line the dynamic-provider host logs for a failed check, diff, read or delete. */
const hostLine = (e: unknown) => `${e}: ${(e as Error).stack}`;

function azureError(): AzureRequestError {
  return new AzureRequestError("GET https://x/certificates/c gave up after 2 attempts", {
    kind: "status",
    method: "GET",
    url: "https://x/certificates/c",
    status: 503,
    service: { code: "ServiceUnavailable" },
    requestId: "req-1",
    attempts: 2,
    elapsedMs: 10,
  });
}

describe("withoutFrames", () => {
  it("makes the host's line read name: message, once, with no frame", () => {
    const e = withoutFrames(azureError());
    expect(hostLine(e)).toBe("AzureRequestError: GET https://x/certificates/c gave up after 2 attempts");
    expect(e.stack).not.toMatch(/\n\s+at /);
  });

  it("keeps the class, name and fields of an AzureRequestError", () => {
    const original = azureError();
    const e = withoutFrames(original);
    expect(e).toBe(original);
    expect(e).toBeInstanceOf(AzureRequestError);
    expect(AzureRequestError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({
      name: "AzureRequestError",
      kind: "status",
      status: 503,
      code: "ServiceUnavailable",
    });
    expect((e as AzureRequestError).requestId).toBe("req-1");
  });

  it("keeps a partial create's id, properties and reasons", () => {
    const partial = Object.assign(new Error("fetched nothing"), {
      id: "/x",
      properties: { a: 1 },
      reasons: ["r"],
    });
    const e = withoutFrames(partial) as typeof partial;
    expect(e).toMatchObject({ message: "fetched nothing", id: "/x", properties: { a: 1 }, reasons: ["r"] });
    expect(hostLine(e)).toBe("Error: fetched nothing");
  });

  it("keeps an AzureCertsError's code, request id and cause; a frozen one is still recognised", () => {
    const cause = azureError();
    const e = withoutFrames(
      new AzureCertsError("CertificateChangedElsewhere", "changed elsewhere", { cause }),
    );
    expect(hostLine(e)).toBe("AzureCertsError: changed elsewhere");
    expect(e).toMatchObject({ code: "CertificateChangedElsewhere", requestId: "req-1" });
    expect(e.cause).toBe(cause);
    const copy = withoutFrames(
      Object.freeze(new AzureCertsError("PolicyManagedElsewhere", "m", { requestId: "r" })),
    );
    expect(hostLine(copy)).toBe("AzureCertsError: m");
    expect(AzureCertsError.isInstance(copy)).toBe(true);
    expect(copy).toMatchObject({ code: "PolicyManagedElsewhere", requestId: "r" });
  });

  it("turns anything else thrown into an Error with its text", () => {
    const e = withoutFrames("plain text");
    expect(e).toBeInstanceOf(Error);
    expect(hostLine(e)).toBe("Error: plain text");
  });
});

describe("guardProvider", () => {
  it("guards every provider method ApimCertificate's module exports, under the same names", () => {
    for (const name of GUARDED_METHODS) {
      expect(typeof (apim as Record<string, unknown>)[name]).toBe("function");
      expect(isGuarded((apim as Record<string, unknown>)[name])).toBe(true);
    }
  });

  it("rethrows without frames, logs the stack at debug level only", async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const mod: Record<string, unknown> = {
        configure: async () => undefined,
        read: async () => {
          throw azureError();
        },
      };
      guardProvider(mod);
      guardProvider(mod); // twice is harmless
      const read = mod.read as () => Promise<unknown>;
      const configure = mod.configure as (req: unknown) => Promise<void>;

      await configure({ config: { get: () => undefined } });
      const quiet = await read().catch((e: unknown) => e);
      expect(hostLine(quiet)).toBe(
        "AzureRequestError: GET https://x/certificates/c gave up after 2 attempts",
      );
      expect(writes).toEqual([]);

      await configure({
        config: { get: (k: string) => (k === "azure-certs:logLevel" ? "debug" : undefined) },
      });
      const logged = await read().catch((e: unknown) => e);
      expect(logged).toBeInstanceOf(AzureRequestError);
      expect(writes.join("")).toMatch(
        /^\[pulumi-azure-certs\] debug: read failed: AzureRequestError: GET .*\n\s+at /,
      );
    } finally {
      spy.mockRestore();
    }
  });
});
