import {
  AzureCertsError,
  AzureRequestError,
  isConflict,
  isNotFound,
  isPreconditionFailed,
  parseServiceError,
  redactUrl,
} from "../../provider/transport";
import type { AzureRequestErrorInit } from "../../provider/transport/errors";
import { describePath } from "../../provider/transport/messages";
import { SecretScrubber } from "../../provider/transport/redaction";

const init = { kind: "status" as const, method: "GET", url: "https://x", attempts: 1, elapsedMs: 5 };

describe("AzureRequestError", () => {
  test("is recognised by instanceof, by name and by isInstance, also as a copy from another module", () => {
    const e = new AzureRequestError("boom", { ...init, status: 404, service: { code: "ResourceNotFound" } });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(AzureRequestError);
    expect(e.name).toBe("AzureRequestError");
    expect(AzureRequestError.isInstance(e)).toBe(true);
    // What another copy of the package would throw: same name, another class.
    const foreign = Object.assign(new Error("x"), { name: "AzureRequestError", kind: "status", status: 412 });
    expect(AzureRequestError.isInstance(foreign)).toBe(true);
    expect(isPreconditionFailed(foreign)).toBe(true);
    expect(AzureRequestError.isInstance(new Error("x"))).toBe(false);
    expect(AzureRequestError.isInstance("AzureRequestError")).toBe(false);
  });

  test("predicates answer for their status only", () => {
    const of = (status: number) => new AzureRequestError("x", { ...init, status });
    expect(isNotFound(of(404))).toBe(true);
    expect(isNotFound(of(412))).toBe(false);
    expect(isPreconditionFailed(of(412))).toBe(true);
    expect(isConflict(of(409))).toBe(true);
    expect(isNotFound(new Error("404"))).toBe(false);
    // A refused request is not a 404 even if a status were attached.
    expect(isNotFound(new AzureRequestError("x", { ...init, kind: "refused", status: 404 }))).toBe(false);
  });
});

describe("AzureCertsError, the family", () => {
  const request = (extra: Partial<AzureRequestErrorInit> = {}) =>
    new AzureRequestError("PUT failed with 412", {
      ...init,
      status: 412,
      service: { code: "PreconditionFailed" },
      requestId: "req-412",
      correlationId: "corr-412",
      ...extra,
    });

  test("has a code, a name, and the request ids of the Azure answer that caused it", () => {
    const cause = request();
    const e = new AzureCertsError("CertificateChangedElsewhere", cause.message, { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: "AzureCertsError",
      code: "CertificateChangedElsewhere",
      message: "PUT failed with 412",
      requestId: "req-412",
      correlationId: "corr-412",
    });
    expect(e.cause).toBe(cause);
    expect(new AzureCertsError("PolicyManagedElsewhere", "m", { requestId: "r" }).requestId).toBe("r");
    expect(new AzureCertsError("InvalidResourceId", "m")).not.toHaveProperty("cause");
  });

  test("AzureRequestError is one of it, with Azure's code, else its kind's", () => {
    const e = request();
    expect(e).toBeInstanceOf(AzureCertsError);
    expect(AzureCertsError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ code: "PreconditionFailed", requestId: "req-412", correlationId: "corr-412" });
    const codes = (["status", "network", "timeout", "deadline", "authentication", "refused"] as const).map(
      (kind) => new AzureRequestError("x", { ...init, kind }).code,
    );
    expect(codes).toEqual([
      "HttpError",
      "NetworkError",
      "RequestTimeout",
      "DeadlineExceeded",
      "AuthenticationFailed",
      "RequestRefused",
    ]);
  });

  test("isInstance works across copies of the module, where instanceof does not", () => {
    let copy!: typeof import("../../provider/transport/errors");
    jest.isolateModules(() => {
      copy = require("../../provider/transport/errors");
    });
    expect(copy.AzureCertsError).not.toBe(AzureCertsError);
    const theirs = new copy.AzureCertsError("PolicyManagedElsewhere", "m");
    const theirRequest = new copy.AzureRequestError("x", init);
    expect(theirs).not.toBeInstanceOf(AzureCertsError);
    expect(AzureCertsError.isInstance(theirs)).toBe(true);
    expect(AzureCertsError.isInstance(theirRequest)).toBe(true);
    expect(AzureRequestError.isInstance(theirRequest)).toBe(true);
    expect(AzureRequestError.isInstance(theirs)).toBe(false);
    expect(copy.AzureCertsError.isInstance(new AzureCertsError("X", "m"))).toBe(true);
  });

  test("is recognised by name without the marker (a plain copy), and nothing else is", () => {
    const plain = Object.assign(new Error("m"), { name: "AzureCertsError", code: "CertificateNotFound" });
    expect(AzureCertsError.isInstance(plain)).toBe(true);
    expect(AzureRequestError.isInstance(plain)).toBe(false);
    expect(AzureCertsError.isInstance(new Error("m"))).toBe(false);
    expect(AzureCertsError.isInstance({ code: "CertificateNotFound" })).toBe(false);
    expect(AzureCertsError.isInstance(null)).toBe(false);
  });
});

describe("parseServiceError", () => {
  test("ARM: code, message and field details", () => {
    expect(
      parseServiceError({
        error: {
          code: "ValidationError",
          message: "One or more fields contain incorrect values:",
          details: [{ code: "ValidationError", target: "password", message: "The password is incorrect." }],
        },
      }),
    ).toEqual({
      code: "ValidationError",
      message: "One or more fields contain incorrect values:",
      details: ["password: The password is incorrect."],
    });
  });

  test("Key Vault: code, message and inner code", () => {
    expect(
      parseServiceError(
        '{"error":{"code":"Forbidden","message":"Caller is not authorized","innererror":{"code":"ForbiddenByPolicy"}}}',
      ),
    ).toEqual({ code: "Forbidden", message: "Caller is not authorized", innerCode: "ForbiddenByPolicy" });
  });

  test("Entra ID: error and error_description", () => {
    expect(
      parseServiceError({ error: "invalid_client", error_description: "AADSTS7000215: Invalid secret" }),
    ).toEqual({ code: "invalid_client", message: "AADSTS7000215: Invalid secret" });
  });

  test("anything else yields nothing and never throws", () => {
    expect(parseServiceError("<html>Bad gateway</html>")).toEqual({});
    expect(parseServiceError(undefined)).toEqual({});
    expect(parseServiceError([1, 2])).toEqual({});
  });
});

describe("redactUrl", () => {
  test("keeps the path and api-version, hides every other query value, user info and fragment", () => {
    expect(
      redactUrl(
        "https://user:pw@management.azure.com/subscriptions/s/x?api-version=2024-05-01&$skipToken=abc&sig=secret#frag",
      ),
    ).toBe("https://management.azure.com/subscriptions/s/x?api-version=2024-05-01&%24skipToken=***&sig=***");
    expect(redactUrl("not a url?token=abc")).toBe("not a url");
  });
});

describe("SecretScrubber", () => {
  test("removes known values (also URL-encoded and JSON-escaped), JWTs, bearer headers and long base64", () => {
    const s = new SecretScrubber();
    s.add('p@ss w"rd', undefined, "ab");
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2lnbmF0dXJl";
    const text = [
      'password p@ss w"rd',
      `encoded ${encodeURIComponent('p@ss w"rd')}`,
      `json ${JSON.stringify('p@ss w"rd')}`,
      `token ${jwt}`,
      "header Bearer abcdefghijklmnop",
      `pfx ${"MIIKUQIBAzCCCg8GCSqGSIb3DQEHAaCCCgAEggn8MIIJ+DCCBK8GCSqGSIb3".repeat(4)}`,
    ].join("\n");
    const out = s.scrub(text, ["extra-secret-value"]);
    expect(out).not.toContain("p@ss");
    expect(out).not.toContain("eyJ");
    expect(out).not.toContain("abcdefghijklmnop");
    expect(out).not.toContain("MIIKUQ");
    expect(s.scrub("the extra-secret-value", ["extra-secret-value"])).toBe("the [redacted]");
  });

  test("short secrets are scrubbed too, as whole words, so that a one-letter secret does not shred the text", () => {
    const s = new SecretScrubber();
    s.add("ab", "x", "7");
    expect(s.scrub("password ab, short ab stays? no: about abc")).toBe(
      "password [redacted], short [redacted] stays? no: about abc",
    );
    expect(s.scrub("pin 7 of 17 for x-ray box x")).toBe(
      "pin [redacted] of 17 for [redacted]-ray box [redacted]",
    );
    expect(s.scrub('"ab"', ["z"])).toBe('"[redacted]"');
    expect(s.scrub("z is extra", ["z"])).toBe("[redacted] is extra");
  });

  test("names do not make secrets: identifiers and URIs in a message are kept", () => {
    const s = new SecretScrubber();
    s.add("Sup3r-Secret-Value");
    expect(
      s.scrub("Cannot read https://demo.vault.azure.net/secrets/web (secretIdentifier): Sup3r-Secret-Value"),
    ).toBe("Cannot read https://demo.vault.azure.net/secrets/web (secretIdentifier): [redacted]");
  });
});

describe("describePath", () => {
  test("names an APIM certificate by its ARM path", () => {
    expect(
      describePath(
        "arm",
        "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/certificates/web/refreshSecret?api-version=2024-05-01",
      ),
    ).toBe(
      'certificate "web" of Microsoft.ApiManagement/service "apim" (resource group "rg", subscription sub)',
    );
  });

  test("names a Key Vault certificate, its policy or a version", () => {
    expect(describePath("keyVault", "/certificates/web/policy", "https://v.vault.azure.net")).toBe(
      'certificate "web" (its policy) in vault https://v.vault.azure.net',
    );
    expect(describePath("keyVault", "/certificates/web/abc123")).toBe('version abc123 of certificate "web"');
    expect(describePath("keyVault", "/")).toBeUndefined();
  });
});
