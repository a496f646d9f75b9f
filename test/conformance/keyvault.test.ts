/**
 * @azure/keyvault-certificates and @azure/keyvault-secrets, at their default service versions
 * (2025-07-01 and 2026-04-01), through @azure/identity, against the emulated vault.
 */
import { CertificateClient, KnownKeyUsageTypes } from "@azure/keyvault-certificates";
import { SecretClient } from "@azure/keyvault-secrets";
import { createSelfSignedPfx } from "../../emulator";
import { type Conformance, all, jwtPayload, startConformance } from "./helpers";

let c: Conformance;
let certs: CertificateClient;
let secrets: SecretClient;

beforeAll(async () => {
  c = await startConformance();
  // Against https://localhost:PORT the challenge's resource (vault.azure.net) is not the host.
  const options = { disableChallengeResourceVerification: true, additionalPolicies: [c.recorder] };
  certs = new CertificateClient(c.vaultUrl, c.credential, options);
  secrets = new SecretClient(c.vaultUrl, c.credential, options);
});

afterAll(() => c.stop());

const fast = { intervalInMs: 1 };
const create = (name: string, policy: Parameters<CertificateClient["beginCreateCertificate"]>[1]) =>
  certs.beginCreateCertificate(name, policy, fast).then((p) => p.pollUntilDone());
const apiVersionOf = (url: string) => new URL(url).searchParams.get("api-version");

describe("certificates at the client's default service version", () => {
  test("create and get; the default api-version is served (was 400 'not recognized')", async () => {
    const made = await create("web", {
      issuerName: "Self",
      subject: "CN=web.contoso.com",
      subjectAlternativeNames: { dnsNames: ["web.contoso.com"] },
      keyUsage: [KnownKeyUsageTypes.DigitalSignature, KnownKeyUsageTypes.KeyEncipherment],
      validityInMonths: 12,
    });
    expect(made.name).toBe("web");
    const got = await certs.getCertificate("web");
    expect(got.properties.version).toBe(made.properties.version);
    expect(got.policy?.subject).toBe("CN=web.contoso.com");
    expect(got.policy?.subjectAlternativeNames?.dnsNames).toEqual(["web.contoso.com"]);
    expect(got.cer?.length).toBeGreaterThan(100);
    expect(got.properties.preserveCertificateOrder).toBe(false);
    expect(c.seen.every((s) => apiVersionOf(s.url) === "2025-07-01")).toBe(true);
  });

  test("SAN ipAddresses and uris are kept (2025-07-01 defines them)", async () => {
    await create("ips", {
      issuerName: "Self",
      subject: "CN=svc",
      subjectAlternativeNames: {
        ipAddresses: ["10.0.0.1", "::1"],
        uniformResourceIdentifiers: ["spiffe://contoso/svc"],
      },
    });
    const policy = await certs.getCertificatePolicy("ips");
    expect(policy.subjectAlternativeNames).toMatchObject({
      ipAddresses: ["10.0.0.1", "::1"],
      uniformResourceIdentifiers: ["spiffe://contoso/svc"],
    });
  });

  test("the create answer's Location names the request's api-version (was always 7.4)", async () => {
    c.seen.length = 0;
    await create("located", { issuerName: "Self", subject: "CN=located" });
    const answer = c.seen.find((s) => s.method === "POST" && s.url.includes("/certificates/located/create"));
    expect(answer?.status).toBe(202);
    expect(apiVersionOf(answer!.headers.location)).toBe("2025-07-01");
  });

  test("a partial policy update (the SDK sends sans: {}) keeps the SANs (were cleared)", async () => {
    // Only the subject and validity given: the SDK still sends "x509_props":{"sans":{},...}.
    await certs.updateCertificatePolicy("web", { subject: "CN=web.contoso.com", validityInMonths: 24 });
    const policy = await certs.getCertificatePolicy("web");
    expect(policy.validityInMonths).toBe(24);
    expect(policy.subject).toBe("CN=web.contoso.com");
    expect(policy.subjectAlternativeNames?.dnsNames).toEqual(["web.contoso.com"]);
  });

  test("import a PFX, then versions", async () => {
    const pfx = await createSelfSignedPfx({ subject: "CN=imported", dnsNames: ["imported.contoso.com"] });
    const imported = await certs.importCertificate("imported", pfx.pfx, { password: pfx.password });
    expect(imported.policy?.issuerName).toBe("Unknown");
    expect(imported.policy?.subjectAlternativeNames?.dnsNames).toEqual(["imported.contoso.com"]);
    await create("web", { issuerName: "Self", subject: "CN=web.contoso.com" });
    const versions = await all(certs.listPropertiesOfCertificateVersions("web"));
    expect(versions).toHaveLength(2);
  });

  test("updateCertificateProperties: tags and enabled (was 405)", async () => {
    const updated = await certs.updateCertificateProperties("web", "", {
      tags: { team: "edge" },
      enabled: false,
    });
    expect(updated.properties.tags).toEqual({ team: "edge" });
    expect(updated.properties.enabled).toBe(false);
    expect((await certs.getCertificate("web")).properties.enabled).toBe(false);
    await certs.updateCertificateProperties("web", "", { enabled: true });
  });

  test("lists page by maxresults with a nextLink (was one page, maxresults ignored)", async () => {
    const pages: string[][] = [];
    // The client passes its options to the generated operation, which sends `maxresults` (byPage's
    // maxPageSize is not used); the public options type does not declare it.
    const options = { maxresults: 2 } as Parameters<CertificateClient["listPropertiesOfCertificates"]>[0];
    for await (const page of certs.listPropertiesOfCertificates(options).byPage())
      pages.push(page.map((p) => p.name ?? ""));
    expect(pages.map((p) => p.length)).toEqual([2, 2]);
    expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
    const names = pages.flat();
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["web", "ips", "located", "imported"]));
    const next = c.seen.filter((s) => s.url.includes("%24skiptoken") || s.url.includes("$skiptoken"));
    expect(next.length).toBeGreaterThan(0);
  });

  test("delete, deleted list (was 404), recover, delete again, purge", async () => {
    const deleting = await certs.beginDeleteCertificate("imported", fast);
    const deleted = await deleting.pollUntilDone();
    expect(deleted.recoveryId).toBe(`${c.vaultUrl}/deletedcertificates/imported`);
    const listed = await all(certs.listDeletedCertificates());
    expect(listed.map((d) => d.name)).toEqual(["imported"]);
    expect(listed[0].recoveryId).toBe(`${c.vaultUrl}/deletedcertificates/imported`);
    const recovering = await certs.beginRecoverDeletedCertificate("imported", fast);
    expect((await recovering.pollUntilDone()).name).toBe("imported");
    await (await certs.beginDeleteCertificate("imported", fast)).pollUntilDone();
    await certs.purgeDeletedCertificate("imported");
    expect(await all(certs.listDeletedCertificates())).toEqual([]);
  });

  test("certificate contacts: set, get, delete (were taken for a certificate named 'contacts')", async () => {
    const set = await certs.setContacts([{ email: "ops@contoso.com", name: "Ops" }]);
    expect(set).toEqual([{ email: "ops@contoso.com", name: "Ops", phone: undefined }]);
    expect(await certs.getContacts()).toEqual(set);
    await certs.deleteContacts();
    await expect(certs.getContacts()).rejects.toMatchObject({ statusCode: 404 });
  });

  test("the token presented is a v1.0 token (iss sts.windows.net, appid), as Entra gives Key Vault", () => {
    const bearer = c.seen.find((s) => s.authorization)?.authorization ?? "";
    expect(jwtPayload(bearer.replace(/^Bearer /, ""))).toMatchObject({
      aud: "https://vault.azure.net",
      iss: `https://sts.windows.net/${c.emu.tenantId}/`,
      appid: c.emu.clientId,
      ver: "1.0",
    });
  });
});

describe("secrets at the client's default service version (2026-04-01)", () => {
  test("get, list, versions of the certificates' managed secrets", async () => {
    c.seen.length = 0;
    const secret = await secrets.getSecret("web");
    expect(secret.properties.contentType).toBe("application/x-pkcs12");
    expect(secret.properties.managed).toBe(true);
    expect(secret.value?.length).toBeGreaterThan(100);
    const versions = await all(secrets.listPropertiesOfSecretVersions("web"));
    expect(versions).toHaveLength(2);
    expect(secret.properties.previousVersion).toBe(versions[0].version);
    const listed = (await all(secrets.listPropertiesOfSecrets())).map((s) => s.name);
    expect(listed).toEqual(expect.arrayContaining(["web", "ips", "located"]));
    expect(c.seen.every((s) => apiVersionOf(s.url) === "2026-04-01")).toBe(true);
  });
});
