/**
 * ApimCertificate through the real engine (Automation API, inline programs) against the emulator.
 */
import axios from "axios";
import { ApimCertificate } from "../../provider";
import { EngineStack } from "../harness/engine";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { makePfx, opensslFacts, type TestPfx } from "../harness/certs";
import { isoSeconds } from "../../provider/json-values";

const SERVICE = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg1", serviceName: "apim1" };
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;
const MUTATING = new Set(["PUT", "PATCH", "POST", "DELETE"]);
/** Calls that change something in Azure (token requests are POSTs but change nothing). */
const mutations = () => azure.requests().filter((r) => r.listener !== "token" && MUTATING.has(r.method));

let azure: EmulatedAzure;
beforeAll(async () => {
  azure = await startEmulatedAzure();
});
afterAll(async () => {
  await azure?.stop();
});

async function stackWith(program: () => Record<string, unknown>): Promise<EngineStack> {
  return EngineStack.create({
    program: async () => program(),
    config: azure.config,
    env: azure.env,
  });
}

describe("ApimCertificate from a PFX", () => {
  let pfx: TestPfx = makePfx({ cn: "api.contoso.com", daysValid: 400 });
  let stack: EngineStack;
  let urn: string;

  beforeAll(async () => {
    stack = await stackWith(() => {
      const cert = new ApimCertificate("tls", {
        serviceId,
        certificateId: "tls",
        data: pfx.data,
        password: pfx.password,
      });
      return {
        thumbprint: cert.thumbprint,
        expirationDate: cert.expirationDate,
        subject: cert.subject,
        urn: cert.urn,
      };
    });
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("creates the certificate: thumbprint and expiry equal openssl's reading of the same PFX", async () => {
    const up = await stack.up();
    const ref = opensslFacts(pfx);
    expect(up.outputs.thumbprint.value).toBe(ref.thumbprint);
    expect(up.outputs.expirationDate.value).toBe(isoSeconds(ref.notAfter));
    expect(up.outputs.subject.value).toBe("CN=api.contoso.com");
    expect(azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "tls" })?.thumbprint).toBe(
      ref.thumbprint,
    );
    urn = up.outputs.urn.value;
  });

  it("stores neither the PFX nor its password in plain text", () => {
    const raw = stack.rawState();
    expect(raw).not.toContain(pfx.password);
    expect(raw).not.toContain(pfx.data.slice(0, 64));
    expect(raw).toContain("ciphertext");
  });

  it("previews an unchanged stack without a single HTTP call", async () => {
    azure.clearLog();
    const pre = await stack.preview();
    expect(pre.changeSummary.same).toBe(2);
    expect(azure.requests()).toEqual([]);
  });

  it("shows no change for the same certificate re-exported with another password", async () => {
    const ref = opensslFacts(pfx);
    pfx = { ...pfx, ...reexport(pfx) };
    expect(opensslFacts(pfx).thumbprint).toBe(ref.thumbprint);
    const pre = await stack.preview();
    expect(pre.changeSummary.update ?? 0).toBe(0);
  });

  it("previews a new PFX with no mutating call, then updates in place with a new thumbprint", async () => {
    pfx = makePfx({ cn: "api.contoso.com", daysValid: 500 });
    const next = opensslFacts(pfx);
    azure.clearLog();
    const pre = await stack.stack.preview({ diff: true });
    expect(pre.changeSummary.update).toBe(1);
    // The new certificate's facts are known at preview, from the PFX itself.
    expect(pre.stdout).toContain(next.thumbprint);
    expect(pre.stdout).toContain(isoSeconds(next.notAfter));
    expect(mutations()).toEqual([]);

    const up = await stack.up();
    expect(up.summary.resourceChanges?.update).toBe(1);
    expect(up.summary.resourceChanges?.create ?? 0).toBe(0);
    expect(up.outputs.urn.value).toBe(urn);
    expect(up.outputs.thumbprint.value).toBe(opensslFacts(pfx).thumbprint);
    const puts = azure.requests().filter((r) => r.method === "PUT");
    expect(puts).toHaveLength(1);
  });

  it("drops a certificate deleted out of band on refresh", async () => {
    expect(azure.emu.admin.deleteApimCertificate({ ...SERVICE, certificateId: "tls" })).toBe(true);
    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges?.delete).toBe(1);
    const state = JSON.parse(stack.rawState());
    expect(state.checkpoint.latest.resources.map((r: { type: string }) => r.type)).not.toContain(
      "pulumi-nodejs:dynamic/azure-certs:ApimCertificate",
    );
  });

  it("recreates it on the next up, and destroy leaves nothing in the emulator", async () => {
    const up = await stack.up();
    expect(up.summary.resourceChanges?.create).toBe(1);
    await stack.destroy();
    expect(azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "tls" })).toBeUndefined();
  });

  it("destroys a certificate already deleted out of band (DELETE of a missing certificate is done)", async () => {
    await stack.up();
    expect(azure.emu.admin.deleteApimCertificate({ ...SERVICE, certificateId: "tls" })).toBe(true);
    azure.clearLog();
    const destroyed = await stack.destroy();
    expect(destroyed.summary.resourceChanges?.delete).toBe(2);
    const deletes = azure.requests().filter((r) => r.method === "DELETE");
    expect(deletes.map((r) => [r.status, r.ifMatch])).toEqual([[204, "*"]]);
  });
});

/** The same certificate and key in a new PFX with a new password. */
function reexport(pfx: TestPfx): TestPfx {
  return makePfx({ reuseCertificateOf: pfx, password: "another-password-42" });
}

describe("ApimCertificate from Key Vault", () => {
  let trigger = "v1";
  let stack: EngineStack;
  const ref = { ...SERVICE, certificateId: "gateway" };

  beforeAll(async () => {
    await azure.createKeyVaultCertificate("gateway");
    stack = await stackWith(() => {
      const cert = new ApimCertificate("gateway", {
        serviceId,
        certificateId: "gateway",
        keyVault: { secretIdentifier: `${azure.emu.vaults.demo}/secrets/gateway` },
        refreshTrigger: trigger,
      });
      return { thumbprint: cert.thumbprint, status: cert.keyVault.apply((k) => k?.lastStatus?.code) };
    });
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("creates it from the latest secret version", async () => {
    const up = await stack.up();
    const kv = azure.emu.admin.getKeyVaultCertificate("demo", "gateway")!;
    expect(up.outputs.thumbprint.value).toBe(kv.thumbprint);
    expect(up.outputs.status.value).toBe("Success");
  });

  it("follows a rotation in Key Vault through refreshSecret in one pulumi up", async () => {
    const rotated = await azure.emu.admin.rotateCertificate("demo", "gateway");
    trigger = rotated.latestVersion;
    azure.clearLog();
    const up = await stack.up();
    expect(up.summary.resourceChanges?.update).toBe(1);
    expect(up.outputs.thumbprint.value).toBe(rotated.thumbprint);
    const calls = mutations();
    expect(calls.map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`)).toEqual([
      "POST gateway/refreshSecret",
    ]);
    expect(azure.emu.admin.getApimCertificate(ref)?.thumbprint).toBe(rotated.thumbprint);
  });
});

describe("ApimCertificate and certificates that exist already", () => {
  const pfx = makePfx({ cn: "legacy.contoso.com" });
  const id = `${serviceId}/certificates/legacy`;
  const ref = { ...SERVICE, certificateId: "legacy" };
  let adopt = false;
  let stack: EngineStack;

  beforeAll(async () => {
    // Someone uploaded it by hand: a first stack creates it, then forgets it.
    const seed = await stackWith(() => {
      new ApimCertificate("legacy", {
        serviceId,
        certificateId: "legacy",
        data: pfx.data,
        password: pfx.password,
      });
      return {};
    });
    await seed.up();
    await seed.stack.workspace.removeStack("test", { force: true });
    expect(azure.emu.admin.getApimCertificate(ref)).toBeDefined();

    stack = await stackWith(() => {
      const cert = new ApimCertificate("legacy", {
        serviceId,
        certificateId: "legacy",
        data: pfx.data,
        password: pfx.password,
        importExisting: adopt,
      });
      const seen = ApimCertificate.get("legacy-read", id);
      return { thumbprint: cert.thumbprint, seenThumbprint: seen.thumbprint, seenSubject: seen.subject };
    });
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("refuses to adopt it silently, and says how to import it", async () => {
    azure.clearLog();
    await expect(stack.up()).rejects.toThrow(
      /already exists and holds exactly this resource's certificate \(thumbprint [0-9A-F]{40}\)\. It is not adopted silently\. If an interrupted `pulumi up` .*PULUMI_AZURE_CERTS_ADOPT_IDENTICAL=true pulumi up.* set importExisting: true on this resource/s,
    );
    expect(azure.requests().filter((r) => r.method === "PUT")).toEqual([]);
  });

  it("imports it with importExisting and reads it with ApimCertificate.get", async () => {
    adopt = true;
    azure.clearLog();
    const up = await stack.up();
    expect(up.outputs.thumbprint.value).toBe(opensslFacts(pfx).thumbprint);
    expect(up.outputs.seenThumbprint.value).toBe(opensslFacts(pfx).thumbprint);
    expect(up.outputs.seenSubject.value).toBe("CN=legacy.contoso.com");
    expect(mutations()).toEqual([]);
    const again = await stack.preview();
    expect(again.changeSummary.update ?? 0).toBe(0);
  });

  it("updates when only the ETag moved elsewhere (same certificate): a 412 on content it already had", async () => {
    azure.emu.admin.touchApimCertificate(ref);
    const newer = makePfx({ cn: "legacy.contoso.com", daysValid: 600 });
    Object.assign(pfx, newer);
    const up = await stack.up();
    expect(up.outputs.thumbprint.value).toBe(opensslFacts(newer).thumbprint);
  });

  it("reports a change made elsewhere (412) with what to do, then updates after a refresh", async () => {
    // Someone uploads another certificate under the same id.
    const theirs = makePfx({ cn: "someone-else.contoso.com" });
    const token = azure.emu.admin.issueToken({ audience: "https://management.azure.com" });
    await axios.put(
      `${azure.emu.armEndpoint}${id}?api-version=2024-05-01`,
      { properties: { data: theirs.data, password: theirs.password } },
      { headers: { Authorization: `Bearer ${token}` } },
    );
    const newer = makePfx({ cn: "legacy.contoso.com", daysValid: 700 });
    Object.assign(pfx, newer);
    await expect(stack.up()).rejects.toThrow(/412.*pulumi refresh/is);
    expect(azure.emu.admin.getApimCertificate(ref)?.subject).toBe("CN=someone-else.contoso.com");
    await stack.refresh();
    const up = await stack.up();
    expect(up.outputs.thumbprint.value).toBe(opensslFacts(newer).thumbprint);
  });
});

describe("ApimCertificate input errors at preview", () => {
  it("fails with the property named, before any HTTP call", async () => {
    const stack = await stackWith(() => {
      new ApimCertificate("bad", {
        serviceId,
        certificateId: "bad",
        keyVault: { secretIdentifier: `${azure.emu.vaults.demo}/certificates/gateway` },
      });
      return {};
    });
    try {
      azure.clearLog();
      await expect(stack.preview()).rejects.toThrow(
        /keyVault\.secretIdentifier.*is a \/certificates\/ URI; API Management reads the certificate through its secret: use https:\/\/localhost:\d+\/secrets\/gateway/s,
      );
      expect(azure.requests()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  it("warns at preview about a versioned secret id and a certificate that expires soon", async () => {
    const soon = makePfx({ cn: "soon.contoso.com", daysValid: 10 });
    const quiet = makePfx({ cn: "quiet.contoso.com", daysValid: 10 });
    const stack = await stackWith(() => {
      new ApimCertificate("soon", {
        serviceId,
        certificateId: "soon",
        data: soon.data,
        password: soon.password,
      });
      // 0 days turns the warning off.
      new ApimCertificate("quiet", {
        serviceId,
        certificateId: "quiet",
        data: quiet.data,
        password: quiet.password,
        expiryWarningDays: 0,
      });
      new ApimCertificate("pinned", {
        serviceId,
        certificateId: "pinned",
        keyVault: { secretIdentifier: `${azure.emu.vaults.demo}/secrets/gateway/0123456789abcdef` },
      });
      return {};
    });
    try {
      const pre = await stack.preview();
      expect(pre.stdout).toMatch(
        /the certificate CN=soon\.contoso\.com .* expires on .*in 10 days: renew it soon/,
      );
      expect(pre.stdout).toMatch(/names version 0123456789abcdef: API Management will not follow rotations/);
      expect(pre.stdout).not.toContain(soon.password);
      expect(pre.stdout).not.toContain("quiet.contoso.com");
    } finally {
      await stack.dispose();
    }
  });

  it("warns about a certificate that expires soon when it is unchanged, and about its replacement PFX at the update's preview", async () => {
    // The program opens no PFX: the warning reads the resource's outputs, which check() derives
    // (at a preview of an update too) and the state keeps; each preview must still show it.
    const soon = makePfx({ cn: "soon-kept.contoso.com", daysValid: 12 });
    const next = makePfx({ cn: "soon-next.contoso.com", daysValid: 9 });
    let current = soon;
    const stack = await stackWith(() => {
      new ApimCertificate("soon-kept", {
        serviceId,
        certificateId: "soon-kept",
        data: current.data,
        password: current.password,
      });
      return {};
    });
    try {
      const up = await stack.up();
      expect(up.stdout).toMatch(/the certificate CN=soon-kept\.contoso\.com .* in 12 days: renew it soon/);
      const unchanged = await stack.preview();
      expect(unchanged.changeSummary).toEqual({ same: 2 }); // the stack and the certificate
      expect(unchanged.stdout).toMatch(
        /the certificate CN=soon-kept\.contoso\.com .* in 12 days: renew it soon/,
      );
      // A rotation to another PFX that expires soon: its preview names the new certificate.
      current = next;
      const rotation = await stack.preview();
      expect(rotation.changeSummary).toEqual({ same: 1, update: 1 });
      expect(rotation.stdout).toMatch(
        /the certificate CN=soon-next\.contoso\.com .* in 9 days: renew it soon/,
      );
      expect(rotation.stdout).not.toContain("soon-kept.contoso.com");
    } finally {
      await stack.dispose();
    }
  });
});
