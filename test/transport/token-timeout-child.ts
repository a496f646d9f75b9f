/**
 * Run by token-timeouts.emulator.test.ts in a Node process of its own (loaded through a TypeScript
 * require hook): one ARM call through the process-wide transport, as a provider makes it, while the
 * emulator's token endpoint holds every answer back far longer than `requestTimeoutMs`. After the
 * call fails, nothing is left to do: the process must exit by itself, long before the emulator
 * would answer. It prints one JSON line on exit: how the call failed and how long the process
 * lived on after the failure.
 *
 * Environment: CHILD_CONFIG (stack configuration as JSON), CHILD_PATH (the ARM path to GET), and
 * NODE_EXTRA_CA_CERTS (the emulator's CA).
 */
import { configureTransport, getTransport } from "../../provider/transport";

// The transport loads @azure/identity at its first token request; loaded up front, the child's
// one-second limits are spent on token requests only, however busy the machine.
require("@azure/identity");

interface ChildReport {
  outcome: "failed" | "succeeded";
  kind?: unknown;
  attempts?: unknown;
  message?: string;
  /** Milliseconds from the failure of the call to the process' `exit` event. */
  lingeredMs?: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CHILD_CONFIG ?? "{}") as Record<string, unknown>;
  configureTransport(config, { env: {} });
  let report: ChildReport;
  try {
    await getTransport().arm({
      method: "GET",
      path: process.env.CHILD_PATH ?? "/",
      apiVersion: "2024-05-01",
    });
    report = { outcome: "succeeded" };
  } catch (e) {
    const err = e as { kind?: unknown; attempts?: unknown; message?: string };
    report = { outcome: "failed", kind: err.kind, attempts: err.attempts, message: err.message };
  }
  const finishedAt = Date.now();
  process.on("exit", () => {
    process.stdout.write(`${JSON.stringify({ ...report, lingeredMs: Date.now() - finishedAt })}\n`);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exitCode = 2;
});
