import { EngineStack } from "../harness/engine";
import { Echo } from "../fixtures/echo";

describe("a dynamic resource through the real engine (Automation API, inline program)", () => {
  let s: EngineStack;
  let message = "hello";

  beforeAll(async () => {
    s = await EngineStack.create({
      program: async () => {
        const e = new Echo("e1", { message });
        return { length: e.length, greeting: e.greeting };
      },
      config: { "echo:greeting": { value: "from-config" } },
    });
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it("previews, creates, updates in place, refreshes and destroys", async () => {
    const pre = await s.preview();
    expect(pre.changeSummary.create).toBe(2); // the stack and the resource

    const up1 = await s.up();
    expect(up1.outputs.length.value).toBe(5);
    // configure() received the stack configuration in the provider process.
    expect(up1.outputs.greeting.value).toBe("from-config");

    const unchanged = await s.preview();
    expect(unchanged.changeSummary.same).toBe(2);

    message = "hello, world";
    const up2 = await s.up();
    expect(up2.summary.resourceChanges?.update).toBe(1);
    expect(up2.outputs.length.value).toBe(12);

    const ref = await s.refresh();
    expect(ref.summary.result).toBe("succeeded");

    const state = JSON.parse(s.rawState());
    const echo = state.checkpoint.latest.resources.find((r: { type: string }) =>
      r.type.endsWith("azure-certs:Echo"),
    );
    expect(echo.type).toBe("pulumi-nodejs:dynamic/azure-certs:Echo");

    const d = await s.destroy();
    expect(d.summary.resourceChanges?.delete).toBe(2);
  });

  it("reports check failures naming the property at preview", async () => {
    message = "";
    await expect(s.preview()).rejects.toThrow(/message must be a non-empty string/);
    message = "hello";
  });
});
