/**
 * Pulumi serializes providers with a V8 inspector session (`@pulumi/pulumi/runtime/closure/v8Hooks`)
 * that it connects once and never disconnects; in a jest worker it keeps the worker from exiting
 * ("A worker process has failed to exit gracefully"). Files that serialize providers (the engine
 * harness, the serialization guard) import this to disconnect it when the file is done.
 */
// Outside jest (npm run bench imports the engine harness) there is no afterAll and nothing to do.
if (typeof afterAll === "function") afterAll(releaseInspector);

async function releaseInspector(): Promise<void> {
  const hooks = require("@pulumi/pulumi/runtime/closure/v8Hooks") as {
    getSessionAsync(): Promise<{ disconnect(): void }>;
  };
  (await hooks.getSessionAsync()).disconnect();
}
