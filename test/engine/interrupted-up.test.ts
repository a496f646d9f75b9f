/**
 * A `pulumi up` killed while it creates certificates (SIGKILL of the CLI, as a CI runner that is
 * stopped does), then the recovery the README gives: every certificate ends in state, and none is
 * left orphaned in API Management.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliProject } from "../harness/cli-project";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { makePfx } from "../harness/certs";
import { repoRoot } from "../harness/pulumi-cli";

const N = 8;
const SERVICE = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg1", serviceName: "killed" };
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/killed`;
const ids = Array.from({ length: N }, (_, i) => `k${String(i).padStart(2, "0")}`);

let azure: EmulatedAzure;
let project: CliProject;
let dir: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inApim = () =>
  ids.filter((id) => azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: id }));
const appliedPuts = () =>
  azure.requests().filter((r) => r.route === "apim.certificate.put" && r.status >= 200 && r.status < 300)
    .length;

async function inState(): Promise<string[]> {
  const { stdout } = await project.pulumi("stack", "export");
  const deployment = JSON.parse(stdout).deployment;
  return (deployment.resources ?? [])
    .filter((r: { type: string }) => r.type.endsWith("azure-certs:ApimCertificate"))
    .map((r: { urn: string }) => r.urn.split("::").pop())
    .sort();
}

/** SIGKILLs every process whose working directory is `dir` (Linux: /proc/<pid>/cwd). */
function killProcessesIn(dir: string): void {
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`) === fs.realpathSync(dir)) process.kill(Number(pid), "SIGKILL");
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
}

beforeAll(async () => {
  azure = await startEmulatedAzure();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pac-killed-"));
  for (const id of ids) {
    const pfx = makePfx({ cn: `${id}.contoso.com` });
    fs.writeFileSync(path.join(dir, `${id}.pfx`), Buffer.from(pfx.data, "base64"));
    fs.writeFileSync(path.join(dir, `${id}.pass`), pfx.password);
  }
  project = await CliProject.create(path.join(repoRoot, "test", "fixtures", "interrupted-project"), {
    ...azure.env,
    INTERRUPTED_PFX_DIR: dir,
    INTERRUPTED_SERVICE_ID: serviceId,
  });
  await project.setConfig(azure.config);
}, 180_000);
afterAll(async () => {
  await project?.pulumi("cancel", "--yes").catch(() => undefined);
  await project?.dispose();
  await azure?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it("recovers from a pulumi up killed mid-create: every certificate in state, none orphaned", async () => {
  // Two creates answer at once; the next ones are made in API Management but answered late, so
  // that the kill falls between Azure making them and state recording them.
  azure.emu.admin.addFault({ route: "apim.certificate.put", kind: "delay", delayMs: 0, times: 2 });
  azure.emu.admin.addFault({ route: "apim.certificate.put", kind: "slow-answer", delayMs: 4000, times: 100 });
  const up = project.spawn(["up", "--yes", "--skip-preview", "--parallel", "2"]);
  const exited = new Promise((r) => up.on("exit", r));
  const started = Date.now();
  while (appliedPuts() < 4 && Date.now() - started < 60_000) await sleep(20);
  expect(appliedPuts()).toBeGreaterThanOrEqual(4);
  process.kill(up.pid!, "SIGKILL");
  await exited;
  // The language host and the provider outlive the CLI (the CLI starts them in process groups of
  // their own, so killing its group does not reach them); stop them as the runner would, found by
  // their working directory: the folder of the program's compiled main.
  await sleep(500);
  killProcessesIn(path.join(repoRoot, "dist", "test", "fixtures", "interrupted-project"));
  up.stdout?.destroy();
  up.stderr?.destroy();
  azure.emu.admin.clearFaults();
  // The killed CLI left its lock on the stack.
  await expect(project.pulumi("up", "--yes", "--skip-preview")).rejects.toThrow(
    /the stack is currently locked/,
  );
  await project.pulumi("cancel", "--yes");
  const orphans = inApim().length - (await inState()).length;
  expect(orphans).toBeGreaterThanOrEqual(1);

  // Without the recovery, the next up refuses the orphans, saying how to recover.
  const refused = await project.pulumi("up", "--yes", "--skip-preview").then(
    () => "",
    (e: Error) => e.message,
  );
  expect(refused).toMatch(
    /already exists and holds exactly this resource's certificate .*interrupted `pulumi up` .*pulumi refresh --clear-pending-creates --yes.*PULUMI_AZURE_CERTS_ADOPT_IDENTICAL=true pulumi up/s,
  );

  // The README's recovery (after `pulumi cancel`, above).
  await project.pulumi("refresh", "--clear-pending-creates", "--yes");
  await project.pulumiWith({ PULUMI_AZURE_CERTS_ADOPT_IDENTICAL: "true" }, "up", "--yes", "--skip-preview");
  expect(await inState()).toEqual(ids);
  expect(inApim()).toEqual(ids);
  const { stdout } = await project.pulumi("preview", "--expect-no-changes");
  expect(stdout).not.toMatch(/to create|to update|to delete/);

  await project.pulumi("destroy", "--yes", "--skip-preview");
  expect(inApim()).toEqual([]);
}, 300_000);
