/**
 * @azure/arm-apimanagement at its default api-version (2024-05-01), through @azure/identity,
 * against the emulated ARM: every certificate operation.
 */
import { ApiManagementClient } from "@azure/arm-apimanagement";
import { CertificateClient } from "@azure/keyvault-certificates";
import { createSelfSignedPfx } from "../../emulator";
import { type Conformance, SUB, all, jwtPayload, startConformance } from "./helpers";

let c: Conformance;
let apim: ApiManagementClient;
const RG = "rg1";
const SERVICE = "apim1";

beforeAll(async () => {
  c = await startConformance();
  apim = new ApiManagementClient(c.credential, SUB, {
    // A custom ARM endpoint has no default scope: the client needs both.
    endpoint: c.emu.armEndpoint,
    credentialScopes: ["https://management.azure.com/.default"],
    additionalPolicies: [c.recorder],
  });
});

afterAll(() => c.stop());

describe("API Management certificates", () => {
  test("create from a PFX, get, entity tag, list with $top, stale If-Match, delete", async () => {
    const keyPfx = await createSelfSignedPfx({ subject: "CN=api.contoso.com" });
    const created = await apim.certificate.createOrUpdate(RG, SERVICE, "tls", {
      data: keyPfx.pfxBase64,
      password: keyPfx.password,
    });
    expect(created.thumbprint).toBe(keyPfx.thumbprint);
    expect(created.subject).toBe("CN=api.contoso.com");
    expect(created.eTag).toBeTruthy();

    const got = await apim.certificate.get(RG, SERVICE, "tls");
    expect(got.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SERVICE}/certificates/tls`,
    );
    expect(got.expirationDate).toBeInstanceOf(Date);
    const tag = await apim.certificate.getEntityTag(RG, SERVICE, "tls");
    expect(tag.eTag).toBe(got.eTag);

    const second = await createSelfSignedPfx({ subject: "CN=second", key: keyPfx.privateKey });
    await apim.certificate.createOrUpdate(RG, SERVICE, "second", {
      data: second.pfxBase64,
      password: second.password,
    });
    const pages: number[] = [];
    for await (const page of apim.certificate.listByService(RG, SERVICE, { top: 1 }).byPage())
      pages.push(page.length);
    expect(pages).toEqual([1, 1]);
    expect((await all(apim.certificate.listByService(RG, SERVICE))).map((x) => x.name).sort()).toEqual([
      "second",
      "tls",
    ]);

    await apim.certificate.createOrUpdate(
      RG,
      SERVICE,
      "tls",
      { data: second.pfxBase64, password: second.password },
      { ifMatch: got.eTag },
    );
    await expect(
      apim.certificate.createOrUpdate(
        RG,
        SERVICE,
        "tls",
        { data: keyPfx.pfxBase64, password: keyPfx.password },
        { ifMatch: got.eTag },
      ),
    ).rejects.toMatchObject({ statusCode: 412 });

    await apim.certificate.delete(RG, SERVICE, "second", "*");
    await expect(apim.certificate.get(RG, SERVICE, "second")).rejects.toMatchObject({ statusCode: 404 });
  });

  test("Key Vault-backed certificate, refreshSecret after a rotation", async () => {
    const certs = new CertificateClient(c.vaultUrl, c.credential, {
      disableChallengeResourceVerification: true,
    });
    await (
      await certs.beginCreateCertificate("kv-tls", { issuerName: "Self", subject: "CN=kv.contoso.com" })
    ).pollUntilDone();
    const secretIdentifier = `${c.vaultUrl}/secrets/kv-tls`;
    const created = await apim.certificate.createOrUpdate(RG, SERVICE, "kv-tls", {
      keyVault: { secretIdentifier },
    });
    expect(created.keyVault?.secretIdentifier).toBe(secretIdentifier);
    expect(created.subject).toBe("CN=kv.contoso.com");

    const rotated = await c.emu.admin.rotateCertificate("demo", "kv-tls");
    const refreshed = await apim.certificate.refreshSecret(RG, SERVICE, "kv-tls");
    expect(refreshed.thumbprint).toBe(rotated.thumbprint);
    expect(refreshed.keyVault?.lastStatus?.code).toBe("Success");

    const tag = await apim.certificate.getEntityTag(RG, SERVICE, "kv-tls");
    await apim.certificate.delete(RG, SERVICE, "kv-tls", tag.eTag!);
  });

  test("every call used api-version 2024-05-01 and a v1.0 ARM token", () => {
    const arm = c.seen.filter((s) => s.url.startsWith(c.emu.armEndpoint));
    expect(arm.length).toBeGreaterThan(5);
    expect(arm.every((s) => new URL(s.url).searchParams.get("api-version") === "2024-05-01")).toBe(true);
    expect(jwtPayload(arm[0].authorization!.replace(/^Bearer /, ""))).toMatchObject({
      aud: "https://management.azure.com",
      iss: `https://sts.windows.net/${c.emu.tenantId}/`,
      appid: c.emu.clientId,
      ver: "1.0",
    });
  });
});
