/**
 * One emulated Key Vault (data plane): certificates (create with issuer Self, import, get, versions,
 * list, delete with soft delete, recover, purge), their policies (get, PATCH: merge, or a replace
 * of each group or of the whole policy, see `KeyVaultSettings`), certificate properties (tags,
 * enabled), the deleted-certificate list, certificate contacts, and the managed secret view of each
 * certificate (get, list, versions) that API Management and the secrets SDK read. Lists page as Key
 * Vault pages (`maxresults` up to 25, `nextLink` with a `$skiptoken`). Each API version shows the
 * members it defines (see `KEY_VAULT_API_VERSIONS` in kv-policy.ts).
 */
import * as crypto from "node:crypto";
import {
  type Reply,
  type RequestContext,
  type Route,
  type Handler,
  header,
  isObject,
  parseJsonBody,
} from "./http";
import { type EntraIdentity, tokenClientId } from "./entra";
import {
  type CertificateFacts,
  type KeySpec,
  PkiError,
  buildCertificate,
  buildCsr,
  buildPfx,
  describeCertificate,
  describeKey,
  generateKey,
  keyMatchesCertificate,
  parseDistinguishedName,
  parsePem,
  parsePfx,
  toPemBundle,
} from "./pki";
import {
  type KvPolicy,
  type PolicyPatchSemantics,
  KEY_VAULT_API_VERSIONS,
  PolicyError,
  SAN_URIS_AND_IPS_SINCE,
  addMonths,
  applyCreateDefaults,
  applyPolicyPatch,
  checkPolicy,
  keySpecOf,
  parsePolicy,
  policyForImport,
  policyForVersion,
  versionAtLeast,
} from "./kv-policy";

export { KEY_VAULT_API_VERSIONS };
/** Page size of Key Vault lists without `maxresults`, and the largest `maxresults` accepted. */
export const KEY_VAULT_PAGE_SIZE = 25;
/** The version that introduced `preserveCertOrder`. */
const PRESERVE_CERT_ORDER_SINCE = "7.6";
/** The version that introduced the secret's `previousVersion`. */
const PREVIOUS_VERSION_SINCE = "2025-07-01";
/** Audiences Key Vault accepts: its resource URI (exactly, no trailing slash) and its app id. */
const KEY_VAULT_AUDIENCES = ["https://vault.azure.net", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"];
const PKCS12 = "application/x-pkcs12";
const PEM = "application/x-pem-file";
const RECOVERABLE_DAYS = 90;

/** A Key Vault error: status, code, message, and an optional inner error. */
export class KeyVaultFailure extends Error {
  override readonly name = "KeyVaultFailure";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly inner?: { code: string; message?: string },
  ) {
    super(message);
  }
}

/** Key Vault's error body. */
export function keyVaultError(
  status: number,
  code: string,
  message: string,
  inner?: { code: string; message?: string },
): Reply {
  return { status, body: { error: { code, message, ...(inner ? { innererror: inner } : {}) } } };
}

/** Hands out keys; with `reuse` each key kind is generated once (fast tests), else every time. */
export class KeySource {
  private readonly cache = new Map<string, Promise<crypto.KeyObject>>();
  constructor(private readonly reuse: boolean) {}

  get(spec: KeySpec): Promise<crypto.KeyObject> {
    if (!this.reuse) return generateKey(spec);
    const id = spec.kty === "RSA" ? `RSA-${spec.size}` : `EC-${spec.curve}`;
    let key = this.cache.get(id);
    if (!key) {
      key = generateKey(spec);
      this.cache.set(id, key);
    }
    return key;
  }
}

interface CertVersion {
  version: string;
  facts: CertificateFacts;
  chain: Buffer[];
  key: crypto.KeyObject;
  exportable: boolean;
  contentType: string;
  /** Built once per version: Key Vault serves the same secret bytes on every read. */
  secretValue: string;
  enabled: boolean;
  created: number;
  updated: number;
  tags?: Record<string, string>;
  /** 7.6 and later: whether the chain keeps the order it was given in. */
  preserveCertOrder?: boolean;
}

/** A certificate contact (CertificateContacts `contacts[]`). */
interface Contact {
  email?: string;
  name?: string;
  phone?: string;
}

interface CertEntity {
  name: string;
  policy: KvPolicy;
  policyCreated: number;
  policyUpdated: number;
  versions: CertVersion[];
  operation?: Record<string, unknown>;
}

interface DeletedEntity {
  entity: CertEntity;
  deletedDate: number;
  scheduledPurgeDate: number;
}

/** What API Management gets when it resolves a secret identifier. */
export type SecretResolution =
  | { ok: true; value: string; contentType: string; version: string }
  | { ok: false; code: string; message: string };

/** A summary of a certificate for the admin API. */
export interface KeyVaultCertificateInfo {
  name: string;
  id: string;
  latestVersion: string;
  versions: string[];
  x5t: string;
  thumbprint: string;
  subject: string;
  notAfter: string;
  policy: KvPolicy;
}

/** Settings shared by every vault of an emulator; the admin API changes them while it runs. */
export interface KeyVaultSettings {
  /** How PATCH /certificates/{name}/policy combines its body with the stored policy. */
  policyPatch: PolicyPatchSemantics;
  /**
   * Items per page of a list when the request gives no `maxresults` (1-25; default 25). Key Vault
   * may answer with fewer items than it could and a `nextLink`: clients must follow it.
   */
  pageSize?: number;
}

/** What a vault needs from the rest of the emulator. */
export interface VaultDeps {
  entra: EntraIdentity;
  authorityHost: string;
  keys: KeySource;
  /** Default: `{ policyPatch: "merge" }`. */
  settings?: KeyVaultSettings;
}

const now = (): number => Math.floor(Date.now() / 1000);
const secs = (d: Date): number => Math.floor(d.getTime() / 1000);
const newVersion = (): string => crypto.randomBytes(16).toString("hex");
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** One vault, served on its own HTTPS listener. */
export class KeyVault {
  private readonly certs = new Map<string, CertEntity>();
  private readonly deleted = new Map<string, DeletedEntity>();
  private contacts: Contact[] | undefined;

  constructor(
    readonly name: string,
    readonly baseUrl: string,
    private readonly deps: VaultDeps,
    readonly softDelete = true,
  ) {}

  private get recovery(): { recoveryLevel: string; recoverableDays: number } {
    return this.softDelete
      ? { recoveryLevel: "Recoverable+Purgeable", recoverableDays: RECOVERABLE_DAYS }
      : { recoveryLevel: "Purgeable", recoverableDays: 0 };
  }

  /** Routes of this vault's listener. */
  routes(): Route[] {
    const n = "([^/]+)";
    const r = (name: string, method: string, path: string, fn: Handler): Route => ({
      name,
      method,
      pattern: new RegExp(`^${path}/?$`, "i"),
      handler: this.guard(fn),
    });
    const v = (c: RequestContext): string => c.query.get("api-version") ?? "";
    return [
      // Before the certificate routes: "contacts" is not a certificate name here, as in Key Vault.
      r("kv.contacts.get", "GET", `/certificates/contacts`, () => this.getContacts()),
      r("kv.contacts.set", "PUT", `/certificates/contacts`, (c) => this.setContacts(parseJsonBody(c.body))),
      r("kv.contacts.delete", "DELETE", `/certificates/contacts`, () => this.deleteContacts()),
      r("kv.certificate.create", "POST", `/certificates/${n}/create`, (c) =>
        this.createCertificate(c.params[0], parseJsonBody(c.body), v(c)),
      ),
      r("kv.certificate.import", "POST", `/certificates/${n}/import`, (c) =>
        this.importCertificate(c.params[0], parseJsonBody(c.body), v(c)),
      ),
      r("kv.certificate.pending", "GET", `/certificates/${n}/pending`, (c) => this.pending(c.params[0])),
      r("kv.policy.get", "GET", `/certificates/${n}/policy`, (c) => ({
        status: 200,
        body: this.policyView(this.entity(c.params[0]), v(c)),
      })),
      r("kv.policy.update", "PATCH", `/certificates/${n}/policy`, (c) => ({
        status: 200,
        body: this.updatePolicy(c.params[0], parseJsonBody(c.body), undefined, v(c)),
      })),
      r("kv.certificate.versions", "GET", `/certificates/${n}/versions`, (c) =>
        this.listVersions(c.params[0], c),
      ),
      r("kv.certificate.list", "GET", `/certificates`, (c) => this.listCertificates(c)),
      r("kv.certificate.get", "GET", `/certificates/${n}(?:/([^/]*))?`, (c) => ({
        status: 200,
        body: this.certificateBundle(c.params[0], c.params[1] || undefined, v(c)),
      })),
      r("kv.certificate.update", "PATCH", `/certificates/${n}(?:/([^/]*))?`, (c) =>
        this.updateCertificate(c.params[0], c.params[1] || undefined, parseJsonBody(c.body), v(c)),
      ),
      r("kv.certificate.delete", "DELETE", `/certificates/${n}`, (c) =>
        this.deleteCertificate(c.params[0], v(c)),
      ),
      r("kv.secret.list", "GET", `/secrets`, (c) => this.listSecrets(c)),
      r("kv.secret.versions", "GET", `/secrets/${n}/versions`, (c) =>
        this.listSecretVersions(c.params[0], c),
      ),
      r("kv.secret.get", "GET", `/secrets/${n}(?:/([^/]*))?`, (c) =>
        this.secret(c.params[0], c.params[1] || undefined, v(c)),
      ),
      r("kv.deleted.list", "GET", `/deletedcertificates`, (c) => this.listDeleted(c)),
      r("kv.deleted.get", "GET", `/deletedcertificates/${n}`, (c) => ({
        status: 200,
        body: this.deletedBundle(this.deletedEntity(c.params[0]), v(c)),
      })),
      r("kv.deleted.purge", "DELETE", `/deletedcertificates/${n}`, (c) => this.purge(c.params[0])),
      r("kv.deleted.recover", "POST", `/deletedcertificates/${n}/recover`, (c) =>
        this.recover(c.params[0], v(c)),
      ),
    ];
  }

  /** Runs Key Vault's checks (token, api-version, names) before an operation and maps failures. */
  private guard(fn: Handler): Handler {
    return async (ctx) => {
      const denied = this.authorize(ctx);
      if (denied) return denied;
      const version = ctx.query.get("api-version");
      if (!version)
        return keyVaultError(400, "BadParameter", "The 'api-version' query parameter is required.");
      if (!(KEY_VAULT_API_VERSIONS as readonly string[]).includes(version))
        return keyVaultError(
          400,
          "BadParameter",
          `The specified version (${version}) is not recognized. Consider using the latest supported version (${KEY_VAULT_API_VERSIONS[KEY_VAULT_API_VERSIONS.length - 1]}).`,
        );
      if (ctx.params[0] !== undefined && ctx.params[0] !== "" && !NAME.test(ctx.params[0]))
        return keyVaultError(
          400,
          "BadParameter",
          `The request URI contains an invalid name: ${ctx.params[0]}`,
        );
      try {
        return await fn(ctx);
      } catch (e) {
        if (e instanceof KeyVaultFailure) return keyVaultError(e.status, e.code, e.message, e.inner);
        if (e instanceof PolicyError) return keyVaultError(400, "BadParameter", e.message);
        if (e instanceof SyntaxError)
          return keyVaultError(400, "BadParameter", `The request body is not valid JSON: ${e.message}`);
        throw e;
      }
    };
  }

  /** The challenge and 401 answers of Key Vault; `undefined` when the token is acceptable. */
  private authorize(ctx: RequestContext): Reply | undefined {
    const challenge = `Bearer authorization="${this.deps.authorityHost}/${this.deps.entra.tenantId}", resource="https://vault.azure.net"`;
    const unauthorized = (message: string): Reply => ({
      status: 401,
      headers: { "www-authenticate": challenge },
      body: { error: { code: "Unauthorized", message } },
    });
    const auth = header(ctx.headers, "authorization");
    const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m) return unauthorized("AKV10000: Request is missing a Bearer or PoP token.");
    const check = this.deps.entra.verify(m[1]);
    if (check.claims) {
      ctx.auth.audience = typeof check.claims.aud === "string" ? check.claims.aud : undefined;
      ctx.auth.clientId = tokenClientId(check.claims);
    }
    if (!check.ok) {
      switch (check.reason) {
        case "malformed":
          return unauthorized(
            "AKV10000: Request is missing a Bearer or PoP token (the bearer token is not a JWT).",
          );
        case "unknownKey":
          return unauthorized("AKV10046: Unable to resolve the key used for signature validation.");
        case "signature":
          return unauthorized("Invalid token signature: the token was not signed by the tenant's key.");
        case "expired":
          return unauthorized(
            `Token is expired: it expired at ${new Date((check.claims?.exp ?? 0) * 1000).toISOString()}.`,
          );
        default:
          return unauthorized("Token is not yet valid.");
      }
    }
    if (!KEY_VAULT_AUDIENCES.includes(check.claims.aud))
      return unauthorized(
        `AKV10022: Invalid audience. Expected ${KEY_VAULT_AUDIENCES[0]}, found: ${check.claims.aud}.`,
      );
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  private entity(name: string): CertEntity {
    const e = this.certs.get(name.toLowerCase());
    if (!e) throw this.notFound(name);
    return e;
  }

  private notFound(name: string): KeyVaultFailure {
    return new KeyVaultFailure(
      404,
      "CertificateNotFound",
      `A certificate with (name/id) ${name} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    );
  }

  private version(entity: CertEntity, version?: string): CertVersion {
    if (!version) return entity.versions[entity.versions.length - 1];
    const v = entity.versions.find((x) => x.version === version.toLowerCase());
    if (!v) throw this.notFound(`${entity.name}/${version}`);
    return v;
  }

  private deletedEntity(name: string): DeletedEntity {
    const d = this.deleted.get(name.toLowerCase());
    if (!d) throw new KeyVaultFailure(404, "CertificateNotFound", `Deleted Certificate not found: ${name}`);
    return d;
  }

  private assertNotDeleted(name: string): void {
    if (this.deleted.has(name.toLowerCase()))
      throw new KeyVaultFailure(
        409,
        "Conflict",
        `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.`,
        { code: "ObjectIsDeletedButRecoverable" },
      );
  }

  // -------------------------------------------------------------------------------------------
  // Views

  private attributes(v: CertVersion): Record<string, unknown> {
    return {
      enabled: v.enabled,
      nbf: secs(v.facts.notBefore),
      exp: secs(v.facts.notAfter),
      created: v.created,
      updated: v.updated,
      ...this.recovery,
    };
  }

  private policyView(entity: CertEntity, apiVersion: string): Record<string, unknown> {
    return {
      id: `${this.baseUrl}/certificates/${entity.name}/policy`,
      ...policyForVersion(entity.policy, apiVersion),
      attributes: {
        ...(entity.policy.attributes ?? { enabled: true }),
        created: entity.policyCreated,
        updated: entity.policyUpdated,
      },
    };
  }

  private bundle(entity: CertEntity, v: CertVersion, apiVersion: string): Record<string, unknown> {
    return {
      id: `${this.baseUrl}/certificates/${entity.name}/${v.version}`,
      kid: `${this.baseUrl}/keys/${entity.name}/${v.version}`,
      sid: `${this.baseUrl}/secrets/${entity.name}/${v.version}`,
      x5t: v.facts.x5t,
      cer: v.facts.der.toString("base64"),
      contentType: v.contentType,
      attributes: this.attributes(v),
      policy: this.policyView(entity, apiVersion),
      ...(v.tags ? { tags: v.tags } : {}),
      ...(versionAtLeast(apiVersion, PRESERVE_CERT_ORDER_SINCE)
        ? { preserveCertOrder: v.preserveCertOrder ?? false }
        : {}),
    };
  }

  private deletedBundle(d: DeletedEntity, apiVersion: string): Record<string, unknown> {
    const v = d.entity.versions[d.entity.versions.length - 1];
    return {
      recoveryId: `${this.baseUrl}/deletedcertificates/${d.entity.name}`,
      deletedDate: d.deletedDate,
      scheduledPurgeDate: d.scheduledPurgeDate,
      ...this.bundle(d.entity, v, apiVersion),
    };
  }

  /** GET /certificates/{name}[/{version}] (`apiVersion` default: the newest). */
  certificateBundle(
    name: string,
    version?: string,
    apiVersion: string = KEY_VAULT_API_VERSIONS[KEY_VAULT_API_VERSIONS.length - 1],
  ): Record<string, unknown> {
    const entity = this.entity(name);
    return this.bundle(entity, this.version(entity, version), apiVersion);
  }

  /**
   * One page of a list, as Key Vault pages: at most `maxresults` (1-25; default 25, or the
   * settings' `pageSize`) items in key order, and a `nextLink` back to the same path with the
   * request's api-version, the same `maxresults` and a `$skiptoken` naming the first item of the
   * next page (so items added or removed between pages neither repeat nor skip the others); `null`
   * on the last page.
   */
  private page(ctx: RequestContext, items: Array<{ key: string; value: unknown }>): Reply {
    const max = ctx.query.get("maxresults");
    let size = this.deps.settings?.pageSize ?? KEY_VAULT_PAGE_SIZE;
    if (max !== null) {
      size = Number(max);
      if (!/^\d+$/.test(max) || size < 1 || size > KEY_VAULT_PAGE_SIZE)
        throw new KeyVaultFailure(
          400,
          "BadParameter",
          `Invalid value '${max}' for maxresults: expected an integer from 1 to ${KEY_VAULT_PAGE_SIZE}.`,
        );
    }
    const token = ctx.query.get("$skiptoken");
    let marker = "";
    if (token !== null) {
      try {
        const parsed: unknown = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
        if (!isObject(parsed) || typeof parsed.NextMarker !== "string") throw new Error("no NextMarker");
        marker = parsed.NextMarker;
      } catch {
        throw new KeyVaultFailure(400, "BadParameter", `Invalid value '${token}' for $skiptoken.`);
      }
    }
    const sorted = [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rest = sorted.filter((i) => i.key >= marker);
    const value = rest.slice(0, size).map((i) => i.value);
    let nextLink: string | null = null;
    if (rest.length > size) {
      const next = Buffer.from(JSON.stringify({ NextMarker: rest[size].key })).toString("base64");
      const q = new URLSearchParams({ "api-version": ctx.query.get("api-version") ?? "" });
      q.set("$skiptoken", next);
      if (max !== null) q.set("maxresults", String(size));
      nextLink = `${this.baseUrl}${ctx.path.replace(/\/+$/, "")}?${q.toString().replace("%24skiptoken", "$skiptoken")}`;
    }
    return { status: 200, body: { value, nextLink } };
  }

  private item(e: CertEntity, v: CertVersion, versioned: boolean): Record<string, unknown> {
    return {
      id: `${this.baseUrl}/certificates/${e.name}${versioned ? `/${v.version}` : ""}`,
      x5t: v.facts.x5t,
      attributes: this.attributes(v),
      ...(v.tags ? { tags: v.tags } : {}),
    };
  }

  private listCertificates(ctx: RequestContext): Reply {
    return this.page(
      ctx,
      [...this.certs.values()].map((e) => ({
        key: e.name.toLowerCase(),
        value: this.item(e, e.versions[e.versions.length - 1], false),
      })),
    );
  }

  private listVersions(name: string, ctx: RequestContext): Reply {
    const e = this.entity(name);
    return this.page(
      ctx,
      e.versions.map((v, i) => ({ key: String(i).padStart(8, "0"), value: this.item(e, v, true) })),
    );
  }

  /** GET /deletedcertificates: DeletedCertificateItem, one per deleted certificate. */
  private listDeleted(ctx: RequestContext): Reply {
    return this.page(
      ctx,
      [...this.deleted.values()].map((d) => ({
        key: d.entity.name.toLowerCase(),
        value: {
          recoveryId: `${this.baseUrl}/deletedcertificates/${d.entity.name}`,
          deletedDate: d.deletedDate,
          scheduledPurgeDate: d.scheduledPurgeDate,
          ...this.item(d.entity, d.entity.versions[d.entity.versions.length - 1], false),
        },
      })),
    );
  }

  private secretItem(e: CertEntity, v: CertVersion, versioned: boolean): Record<string, unknown> {
    return {
      id: `${this.baseUrl}/secrets/${e.name}${versioned ? `/${v.version}` : ""}`,
      attributes: this.attributes(v),
      ...(v.tags ? { tags: v.tags } : {}),
      contentType: v.contentType,
      managed: true,
    };
  }

  /** GET /secrets: the managed secrets of the certificates (this vault holds no other secrets). */
  private listSecrets(ctx: RequestContext): Reply {
    return this.page(
      ctx,
      [...this.certs.values()].map((e) => ({
        key: e.name.toLowerCase(),
        value: this.secretItem(e, e.versions[e.versions.length - 1], false),
      })),
    );
  }

  private listSecretVersions(name: string, ctx: RequestContext): Reply {
    const e = this.certs.get(name.toLowerCase());
    if (!e) throw this.secretNotFound(name);
    return this.page(
      ctx,
      e.versions.map((v, i) => ({ key: String(i).padStart(8, "0"), value: this.secretItem(e, v, true) })),
    );
  }

  private secretNotFound(id: string): KeyVaultFailure {
    return new KeyVaultFailure(
      404,
      "SecretNotFound",
      `A secret with (name/id) ${id} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    );
  }

  // Certificate contacts: GET answers 404 until contacts are set, as Key Vault does.
  private contactsBody(contacts: Contact[]): Record<string, unknown> {
    return { id: `${this.baseUrl}/certificates/contacts`, contacts };
  }

  private getContacts(): Reply {
    if (!this.contacts)
      throw new KeyVaultFailure(404, "ContactsNotFound", "Contacts not found in this key vault.");
    return { status: 200, body: this.contactsBody(this.contacts) };
  }

  private setContacts(body: unknown): Reply {
    if (!isObject(body) || !Array.isArray(body.contacts))
      throw new PolicyError("The request body must be a JSON object with a 'contacts' array.");
    const contacts = body.contacts.map((c: unknown, i: number): Contact => {
      if (!isObject(c)) throw new PolicyError(`Property contacts[${i}] must be a JSON object.`);
      const out: Contact = {};
      for (const k of ["email", "name", "phone"] as const) {
        const x = c[k];
        if (x === undefined || x === null) continue;
        if (typeof x !== "string") throw new PolicyError(`Property contacts[${i}].${k} must be a string.`);
        out[k] = x;
      }
      for (const k of Object.keys(c))
        if (!["email", "name", "phone"].includes(k))
          throw new PolicyError(
            `Property contacts[${i}].${k} is not a member of a contact (email, name, phone).`,
          );
      if (!out.email) throw new PolicyError(`Property contacts[${i}].email is required.`);
      return out;
    });
    this.contacts = contacts;
    return { status: 200, body: this.contactsBody(contacts) };
  }

  private deleteContacts(): Reply {
    const reply = this.getContacts();
    this.contacts = undefined;
    return reply;
  }

  private pending(name: string): Reply {
    const e = this.entity(name);
    if (!e.operation)
      throw new KeyVaultFailure(404, "PendingCertificateNotFound", `Pending certificate not found: ${name}`);
    return { status: 200, body: e.operation };
  }

  private secret(name: string, version: string | undefined, apiVersion: string): Reply {
    const notFound = (id: string): KeyVaultFailure => this.secretNotFound(id);
    const entity = this.certs.get(name.toLowerCase());
    if (!entity) throw notFound(name);
    const v = version
      ? entity.versions.find((x) => x.version === version.toLowerCase())
      : entity.versions[entity.versions.length - 1];
    if (!v) throw notFound(`${name}/${version}`);
    if (!v.enabled)
      throw new KeyVaultFailure(403, "Forbidden", "Operation get is not allowed on a disabled secret.", {
        code: "SecretDisabled",
      });
    const previous = entity.versions[entity.versions.indexOf(v) - 1];
    return {
      status: 200,
      body: {
        value: v.secretValue,
        contentType: v.contentType,
        id: `${this.baseUrl}/secrets/${entity.name}/${v.version}`,
        managed: true,
        attributes: this.attributes(v),
        kid: `${this.baseUrl}/keys/${entity.name}/${v.version}`,
        ...(v.tags ? { tags: v.tags } : {}),
        ...(versionAtLeast(apiVersion, PREVIOUS_VERSION_SINCE) && previous
          ? { previousVersion: previous.version }
          : {}),
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Operations

  private async issue(
    policy: KvPolicy,
    previous: CertVersion | undefined,
    extra: { enabled: boolean; tags?: Record<string, string>; preserveCertOrder?: boolean },
  ): Promise<CertVersion> {
    const spec = keySpecOf(policy);
    const reusable =
      policy.key_props?.reuse_key &&
      previous &&
      JSON.stringify(describeKey(previous.key)) === JSON.stringify(spec);
    const key = reusable ? previous.key : await this.deps.keys.get(spec);
    const x = policy.x509_props ?? {};
    const subject = x.subject
      ? parseDistinguishedName(x.subject)
      : [{ oid: "2.5.4.3", value: x.sans?.dns_names?.[0] ?? x.sans?.emails?.[0] ?? x.sans?.upns?.[0] ?? "" }];
    const notBefore = new Date(now() * 1000);
    const der = buildCertificate({
      subject,
      key,
      notBefore,
      notAfter: addMonths(notBefore, x.validity_months ?? 12),
      keyUsage: x.key_usage ?? [],
      ekus: x.ekus ?? [],
      // URI SANs are kept in the policy but not written into the certificate (README: simplified).
      sans: { dns: x.sans?.dns_names, emails: x.sans?.emails, upns: x.sans?.upns, ips: x.sans?.ipAddresses },
    });
    return this.newVersion([der], key, policy, extra);
  }

  private newVersion(
    chain: Buffer[],
    key: crypto.KeyObject,
    policy: KvPolicy,
    extra: { enabled: boolean; tags?: Record<string, string>; preserveCertOrder?: boolean },
  ): CertVersion {
    const contentType = policy.secret_props?.contentType ?? PKCS12;
    const exportable = policy.key_props?.exportable ?? true;
    // A non-exportable key never leaves the vault: the secret then carries the certificate only.
    const privateKey = exportable ? key : undefined;
    const secretValue =
      contentType === PEM
        ? toPemBundle({ certificates: chain, privateKey })
        : buildPfx({ certificates: chain, privateKey, password: "" }).toString("base64");
    const t = now();
    return {
      version: newVersion(),
      facts: describeCertificate(chain[0]),
      chain,
      key,
      exportable,
      contentType,
      secretValue,
      enabled: extra.enabled,
      created: t,
      updated: t,
      tags: extra.tags,
      ...(extra.preserveCertOrder !== undefined ? { preserveCertOrder: extra.preserveCertOrder } : {}),
    };
  }

  private static options(
    body: Record<string, unknown>,
    apiVersion: string,
  ): { enabled: boolean; tags?: Record<string, string>; preserveCertOrder?: boolean } {
    let enabled = true;
    let preserveCertOrder: boolean | undefined;
    if (body.preserveCertOrder !== undefined && body.preserveCertOrder !== null) {
      if (!versionAtLeast(apiVersion, PRESERVE_CERT_ORDER_SINCE))
        throw new PolicyError(
          `Property preserveCertOrder is not defined in api-version ${apiVersion}: it needs api-version ${PRESERVE_CERT_ORDER_SINCE} or later.`,
        );
      if (typeof body.preserveCertOrder !== "boolean")
        throw new PolicyError("Property preserveCertOrder must be true or false.");
      preserveCertOrder = body.preserveCertOrder;
    }
    if (body.attributes !== undefined && body.attributes !== null) {
      if (!isObject(body.attributes)) throw new PolicyError("Property attributes must be a JSON object.");
      const e = body.attributes.enabled;
      if (e !== undefined && e !== null && typeof e !== "boolean")
        throw new PolicyError("Property attributes.enabled must be true or false.");
      if (typeof e === "boolean") enabled = e;
    }
    let tags: Record<string, string> | undefined;
    if (body.tags !== undefined && body.tags !== null) {
      if (!isObject(body.tags) || Object.values(body.tags).some((v) => typeof v !== "string"))
        throw new PolicyError("Property tags must be an object of string values.");
      tags = body.tags as Record<string, string>;
    }
    return { enabled, tags, preserveCertOrder };
  }

  private storeVersion(name: string, policy: KvPolicy, version: CertVersion): CertEntity {
    const t = now();
    const existing = this.certs.get(name.toLowerCase());
    const entity: CertEntity = existing ?? { name, policy, policyCreated: t, policyUpdated: t, versions: [] };
    entity.policy = policy;
    entity.policyUpdated = t;
    entity.versions.push(version);
    this.certs.set(name.toLowerCase(), entity);
    return entity;
  }

  /** POST /certificates/{name}/create — issuance is synchronous: the operation is already completed. */
  async createCertificate(name: string, body: unknown, apiVersion: string): Promise<Reply> {
    if (!isObject(body)) throw new PolicyError("The request body must be a JSON object with a 'policy'.");
    if (body.policy === undefined || body.policy === null)
      throw new PolicyError("Property policy is required.");
    this.assertNotDeleted(name);
    const extra = KeyVault.options(body, apiVersion);
    const policy = applyCreateDefaults(parsePolicy(body.policy, apiVersion));
    checkPolicy(policy, "create");
    const issuer = policy.issuer?.name ?? "";
    if (issuer.toLowerCase() !== "self")
      throw new PolicyError(
        `Issuer '${issuer}' is not available in this emulator: only self-signed issuance (issuer 'Self') is emulated.`,
      );
    const previous = this.certs.get(name.toLowerCase());
    const version = await this.issue(policy, previous?.versions[previous.versions.length - 1], extra);
    const entity = this.storeVersion(previous?.name ?? name, policy, version);
    const csr = buildCsr(parseDistinguishedName(policy.x509_props?.subject || `CN=${name}`), version.key);
    entity.operation = {
      id: `${this.baseUrl}/certificates/${entity.name}/pending`,
      issuer: { name: policy.issuer?.name },
      csr: csr.toString("base64"),
      cancellation_requested: false,
      status: "completed",
      status_details: "",
      target: `${this.baseUrl}/certificates/${entity.name}`,
      request_id: crypto.randomUUID().replace(/-/g, ""),
    };
    return {
      status: 202,
      headers: {
        location: `${this.baseUrl}/certificates/${entity.name}/pending?api-version=${encodeURIComponent(apiVersion)}`,
      },
      body: entity.operation,
    };
  }

  /** POST /certificates/{name}/import — base64 PFX (with `pwd`) or PEM text. */
  importCertificate(name: string, body: unknown, apiVersion: string): Reply {
    if (!isObject(body)) throw new PolicyError("The request body must be a JSON object with a 'value'.");
    if (typeof body.value !== "string" || body.value.trim() === "")
      throw new PolicyError("Property value is required.");
    if (body.pwd !== undefined && body.pwd !== null && typeof body.pwd !== "string")
      throw new PolicyError("Property pwd must be a string.");
    this.assertNotDeleted(name);
    const extra = KeyVault.options(body, apiVersion);
    const sent =
      body.policy !== undefined && body.policy !== null ? parsePolicy(body.policy, apiVersion) : undefined;
    const isPem = body.value.trimStart().startsWith("-----BEGIN");
    const contentType = sent?.secret_props?.contentType ?? (isPem ? PEM : PKCS12);
    if (contentType === PEM && !isPem)
      throw new PolicyError(
        "The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.",
      );
    if (contentType === PKCS12 && isPem)
      throw new PolicyError(
        "The specified PKCS#12 X.509 certificate content is in an unexpected format (it looks like PEM): set policy.secret_props.contentType to 'application/x-pem-file'.",
      );
    let parsed;
    try {
      parsed = isPem
        ? parsePem(body.value, (body.pwd as string | undefined) ?? undefined)
        : parsePfx(Buffer.from(body.value, "base64"), (body.pwd as string | undefined) ?? "");
    } catch (e) {
      if (e instanceof PkiError && e.reason === "password")
        throw new PolicyError("The specified password does not open the PKCS#12 certificate content.");
      throw new PolicyError(
        `The specified X.509 certificate content can not be read. Please check if certificate is in valid ${isPem ? "PEM" : "PKCS#12"} format. (${(e as Error).message})`,
      );
    }
    if (!parsed.privateKey)
      throw new PolicyError(
        `Private key is not specified in the specified X.509 ${isPem ? "PEM" : "PKCS#12"} certificate content. Please specify private key in the X.509 certificate content.`,
      );
    if (!keyMatchesCertificate(parsed.privateKey, parsed.certificates[0]))
      throw new PolicyError("The private key does not match the public key of the certificate.");
    const facts = describeCertificate(parsed.certificates[0]);
    const policy = policyForImport(facts, contentType, sent, uriAndIpSans(parsed.certificates[0]));
    checkPolicy(policy, "import");
    const version = this.newVersion(parsed.certificates, parsed.privateKey, policy, extra);
    const previous = this.certs.get(name.toLowerCase());
    const entity = this.storeVersion(previous?.name ?? name, policy, version);
    return { status: 200, body: this.bundle(entity, version, apiVersion) };
  }

  /**
   * PATCH /certificates/{name}/policy (also used by the admin API), combining the body with the
   * stored policy as `settings.policyPatch` says (`semantics` overrides it: the admin API always
   * merges). Members `apiVersion` does not define (the SANs `uris` and `ipAddresses` before
   * 2025-07-01) stay as stored: a client cannot clear what its version cannot show it.
   */
  updatePolicy(
    name: string,
    body: unknown,
    semantics?: PolicyPatchSemantics,
    apiVersion: string = KEY_VAULT_API_VERSIONS[KEY_VAULT_API_VERSIONS.length - 1],
  ): Record<string, unknown> {
    const entity = this.entity(name);
    const merged = applyPolicyPatch(
      entity.policy,
      parsePolicy(body, apiVersion),
      semantics ?? this.deps.settings?.policyPatch ?? "merge",
    );
    const stored = entity.policy.x509_props?.sans;
    if (!versionAtLeast(apiVersion, SAN_URIS_AND_IPS_SINCE) && (stored?.uris || stored?.ipAddresses)) {
      merged.x509_props ??= {};
      merged.x509_props.sans = {
        ...(merged.x509_props.sans ?? {}),
        ...(stored.uris ? { uris: stored.uris } : {}),
        ...(stored.ipAddresses ? { ipAddresses: stored.ipAddresses } : {}),
      };
    }
    checkPolicy(merged, "update");
    entity.policy = merged;
    entity.policyUpdated = Math.max(now(), entity.policyUpdated);
    return this.policyView(entity, apiVersion);
  }

  /**
   * PATCH /certificates/{name}/{version} (UpdateCertificate; an empty version is the latest): the
   * version's `tags` (replaced whole when given) and `attributes.enabled`; a `policy` given updates
   * the policy as PATCH .../policy does. `nbf` and `exp` come from the X.509 certificate and cannot
   * be changed (400).
   */
  private updateCertificate(
    name: string,
    version: string | undefined,
    body: unknown,
    apiVersion: string,
  ): Reply {
    if (!isObject(body)) throw new PolicyError("The request body must be a JSON object.");
    for (const k of Object.keys(body))
      if (!["policy", "attributes", "tags"].includes(k))
        throw new PolicyError(`Property ${k} is not a member of the certificate update parameters.`);
    const entity = this.entity(name);
    const v = this.version(entity, version);
    if (isObject(body.attributes))
      for (const k of ["nbf", "exp"])
        if (body.attributes[k] !== undefined && body.attributes[k] !== null)
          throw new PolicyError(
            `Property attributes.${k} cannot be changed: it comes from the X.509 certificate.`,
          );
    const extra = KeyVault.options({ attributes: body.attributes, tags: body.tags }, apiVersion);
    if (body.policy !== undefined && body.policy !== null)
      this.updatePolicy(name, body.policy, undefined, apiVersion);
    const attributesGiven = isObject(body.attributes) && typeof body.attributes.enabled === "boolean";
    if (attributesGiven) v.enabled = extra.enabled;
    if (body.tags !== undefined && body.tags !== null) v.tags = extra.tags;
    v.updated = Math.max(now(), v.updated);
    return { status: 200, body: this.bundle(entity, v, apiVersion) };
  }

  /** DELETE /certificates/{name} */
  deleteCertificate(
    name: string,
    apiVersion: string = KEY_VAULT_API_VERSIONS[KEY_VAULT_API_VERSIONS.length - 1],
  ): Reply {
    const entity = this.entity(name);
    this.certs.delete(name.toLowerCase());
    const t = now();
    if (!this.softDelete)
      return {
        status: 200,
        body: this.bundle(entity, entity.versions[entity.versions.length - 1], apiVersion),
      };
    const d: DeletedEntity = { entity, deletedDate: t, scheduledPurgeDate: t + RECOVERABLE_DAYS * 86400 };
    this.deleted.set(name.toLowerCase(), d);
    return { status: 200, body: this.deletedBundle(d, apiVersion) };
  }

  private purge(name: string): Reply {
    this.deletedEntity(name);
    this.deleted.delete(name.toLowerCase());
    return { status: 204 };
  }

  private recover(name: string, apiVersion: string): Reply {
    const d = this.deletedEntity(name);
    this.deleted.delete(name.toLowerCase());
    this.certs.set(name.toLowerCase(), d.entity);
    return {
      status: 200,
      body: this.bundle(d.entity, d.entity.versions[d.entity.versions.length - 1], apiVersion),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Used by API Management and the admin API

  /** Resolves `/secrets/{name}[/{version}]` the way APIM's managed identity would read it. */
  resolveSecret(name: string, version?: string): SecretResolution {
    const entity = this.certs.get(name.toLowerCase());
    if (!entity)
      return {
        ok: false,
        code: "SecretNotFound",
        message: `Secret '${name}' was not found in Key Vault ${this.baseUrl}.`,
      };
    const v = version
      ? entity.versions.find((x) => x.version === version.toLowerCase())
      : entity.versions[entity.versions.length - 1];
    if (!v)
      return {
        ok: false,
        code: "SecretVersionNotFound",
        message: `Version '${version}' of secret '${name}' was not found in Key Vault ${this.baseUrl}.`,
      };
    if (!v.enabled)
      return {
        ok: false,
        code: "SecretDisabled",
        message: `Secret '${name}/${v.version}' is disabled in Key Vault ${this.baseUrl}.`,
      };
    return { ok: true, value: v.secretValue, contentType: v.contentType, version: v.version };
  }

  /** Issues a new version from the current policy, as auto-renewal does (admin). */
  async rotate(name: string): Promise<KeyVaultCertificateInfo> {
    const entity = this.entity(name);
    const latest = entity.versions[entity.versions.length - 1];
    const version = await this.issue(entity.policy, latest, { enabled: true, tags: latest.tags });
    entity.versions.push(version);
    return this.info(name);
  }

  /** Deletes out of band; `purge` also removes it from the deleted state (admin). */
  adminDelete(name: string, purge: boolean): void {
    if (this.certs.has(name.toLowerCase())) this.deleteCertificate(name);
    else if (!this.deleted.has(name.toLowerCase())) throw this.notFound(name);
    if (purge) this.deleted.delete(name.toLowerCase());
  }

  /** A summary of a certificate (admin). */
  info(name: string): KeyVaultCertificateInfo {
    const e = this.entity(name);
    const v = e.versions[e.versions.length - 1];
    return {
      name: e.name,
      id: `${this.baseUrl}/certificates/${e.name}`,
      latestVersion: v.version,
      versions: e.versions.map((x) => x.version),
      x5t: v.facts.x5t,
      thumbprint: v.facts.thumbprint,
      subject: v.facts.subject,
      notAfter: v.facts.notAfter.toISOString(),
      policy: structuredClone(e.policy),
    };
  }

  /** Names of live certificates (admin). */
  names(): string[] {
    return [...this.certs.values()].map((e) => e.name);
  }

  /** Forgets everything (admin reset). */
  clear(): void {
    this.certs.clear();
    this.deleted.clear();
    this.contacts = undefined;
  }
}

/** The URI and IP SANs of a certificate, which the PKI helpers do not read (Node's parser does). */
function uriAndIpSans(der: Buffer): { uris: string[]; ipAddresses: string[] } {
  const out = { uris: [] as string[], ipAddresses: [] as string[] };
  const alt = new crypto.X509Certificate(der).subjectAltName ?? "";
  for (const part of alt.split(/,\s*/)) {
    if (part.startsWith("URI:")) out.uris.push(part.slice(4));
    else if (part.startsWith("IP Address:")) out.ipAddresses.push(part.slice(11));
  }
  return out;
}
