/**
 * Controls for tests and demos, in process (the `admin` object of a started emulator) and over
 * HTTP (`{armEndpoint}/_emulator/{adminKey}/...`: no token, but the run's admin key). Both call the same methods.
 */
import {
  type Reply,
  type RequestContext,
  type Route,
  decodeSegment,
  isObject,
  matchRoute,
  parseJsonBody,
} from "./http";
import {
  type Fault,
  type FaultRegistry,
  type FaultSpec,
  type RequestLog,
  type RequestLogEntry,
  FaultSpecError,
  checkFaultSpec,
} from "./controls";
import type { EntraClient, EntraIdentity, FederatedCredential } from "./entra";
import type { GitHubActions, GitHubActionsInfo, GitHubActionsSettings } from "./oidc-issuer";
import type { ManagedIdentityHost } from "./managed-identity";
import type {
  ApimCertificateRecord,
  ApimCertificateRef,
  ApimEmulator,
  ApimServiceRef,
  AsyncOperationSettings,
} from "./arm-apim";
import {
  type KeyVault,
  type KeyVaultCertificateInfo,
  type KeyVaultSettings,
  KeyVaultFailure,
} from "./keyvault";
import { type KvPolicy, type PolicyPatchSemantics, PolicyError, policyPatchSemantics } from "./kv-policy";

/** Addresses and credentials of a running emulator: what the CLI prints. */
export interface EmulatorInfo {
  /** For `authorityHost` / `AZURE_AUTHORITY_HOST`. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** ARM base URL, in place of `https://management.azure.com`. */
  armEndpoint: string;
  /** Base URL of the HTTP admin API, the run's admin key included (`{armEndpoint}/_emulator/{adminKey}`). */
  adminEndpoint: string;
  /** The per-run key the admin API requires (part of `adminEndpoint`). */
  adminKey: string;
  /** Vault name to vault base URL (`https://localhost:{port}`). */
  vaults: Record<string, string>;
  /** PEM file of the emulator's CA, for `NODE_EXTRA_CA_CERTS`. */
  caCertPath: string;
  /** Base URL of the identity listener (GitHub Actions ID tokens, managed identity endpoints). */
  identityEndpoint: string;
  /** GitHub Actions: `ACTIONS_ID_TOKEN_REQUEST_URL` / `_TOKEN` and the issuer to trust. */
  githubActions: GitHubActionsInfo;
  /** Managed identity of the emulated host. */
  managedIdentity: {
    /** For `azure-native:msiEndpoint` / `AZURE_POD_IDENTITY_AUTHORITY_HOST` (IMDS style). */
    imdsEndpoint: string;
    /** For `IDENTITY_ENDPOINT` (App Service style). */
    appServiceEndpoint: string;
    /** For `IDENTITY_HEADER`. */
    identityHeader: string;
    systemAssignedClientId: string | null;
    userAssignedClientIds: string[];
  };
}

/** Filter of {@link EmulatorAdmin.requests}. */
export interface RequestFilter {
  listener?: string;
  route?: string;
  /** Only entries with a larger `seq`. */
  since?: number;
}

/** What the admin API needs from the running emulator. */
export interface AdminHost {
  entra: EntraIdentity;
  github: GitHubActions;
  managedIdentities: ManagedIdentityHost;
  apim: ApimEmulator;
  faults: FaultRegistry;
  log: RequestLog;
  vault(name: string): KeyVault | undefined;
  /** Settings every vault reads at each request (policy PATCH semantics). */
  keyVaultSettings: KeyVaultSettings;
  addVault(name: string, port?: number): Promise<string>;
  info(): EmulatorInfo;
}

/** An admin request that cannot be served (unknown vault, bad input...). */
export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The in-process admin API. */
export class EmulatorAdmin {
  constructor(private readonly host: AdminHost) {}

  /** Adds a fault; see {@link FaultSpec}. */
  addFault(spec: FaultSpec): Fault {
    return this.host.faults.add(spec);
  }

  listFaults(): Fault[] {
    return this.host.faults.list();
  }

  removeFault(id: string): boolean {
    return this.host.faults.remove(id);
  }

  clearFaults(): void {
    this.host.faults.clear();
  }

  /** The request log (admin calls are not logged). */
  requests(filter: RequestFilter = {}): RequestLogEntry[] {
    return this.host.log.list(filter);
  }

  clearRequests(): void {
    this.host.log.clear();
  }

  /** Token requests per requested scope, e.g. `{"https://management.azure.com/.default": 1}`. */
  tokenRequestCounts(): Record<string, number> {
    return this.host.entra.tokenRequestCounts();
  }

  resetTokenCounts(): void {
    this.host.entra.resetTokenCounts();
  }

  /** Mints a token without a token request: negative `lifetimeSeconds` gives an expired one. */
  issueToken(opts: {
    audience: string;
    clientId?: string;
    lifetimeSeconds?: number;
    /** Token format; default: what the audience accepts (v1.0 for ARM, Key Vault and Graph). */
    version?: "1.0" | "2.0";
  }): string {
    return this.host.entra.issueToken(opts);
  }

  /** Registers another service principal. */
  addClient(client: EntraClient): void {
    this.host.entra.addClient(client);
  }

  /** Adds a federated credential (issuer, subject, audiences) to a registered client. */
  addFederatedCredential(clientId: string, credential: FederatedCredential): void {
    try {
      this.host.entra.addFederatedCredential(clientId, credential);
    } catch (e) {
      throw new AdminError(404, (e as Error).message);
    }
  }

  /** GitHub Actions: request URL and token, issuer, subject. */
  githubActions(): GitHubActionsInfo {
    return this.host.github.info();
  }

  /** Changes what GitHub Actions hands out next (subject, claims, lifetime, request token). */
  configureGitHubActions(settings: Partial<GitHubActionsSettings>): GitHubActionsInfo {
    return this.host.github.configure(settings);
  }

  /**
   * Mints a GitHub Actions ID token directly (for a token file, or an expired one with a negative
   * lifetime), signed by the emulator's GitHub issuer.
   */
  issueGitHubIdToken(opts: { audience?: string; subject?: string; lifetimeSeconds?: number } = {}): string {
    return this.host.github.mint(opts);
  }

  /** ID tokens the GitHub Actions endpoint handed out. */
  githubIdTokenCount(): number {
    return this.host.github.issuedCount;
  }

  /** Attaches a user-assigned managed identity (by client id) to the emulated host. */
  addUserAssignedIdentity(clientId: string): void {
    this.host.managedIdentities.addUserAssigned(clientId);
  }

  /** Starts another vault on its own listener; returns its base URL. */
  addVault(name: string, port?: number): Promise<string> {
    return this.host.addVault(name, port);
  }

  private vault(name: string): KeyVault {
    const v = this.host.vault(name);
    if (!v) throw new AdminError(404, `no vault named '${name}'`);
    return v;
  }

  private static kv<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof KeyVaultFailure) throw new AdminError(e.status, e.message);
      if (e instanceof PolicyError) throw new AdminError(400, e.message);
      throw e;
    }
  }

  /** Issues a new version from the current policy, as Key Vault's auto-renewal would. */
  async rotateCertificate(vault: string, name: string): Promise<KeyVaultCertificateInfo> {
    const v = this.vault(vault);
    try {
      return await v.rotate(name);
    } catch (e) {
      if (e instanceof KeyVaultFailure) throw new AdminError(e.status, e.message);
      throw e;
    }
  }

  /** A summary of a Key Vault certificate, or `undefined`. */
  getKeyVaultCertificate(vault: string, name: string): KeyVaultCertificateInfo | undefined {
    const v = this.vault(vault);
    try {
      return v.info(name);
    } catch (e) {
      if (e instanceof KeyVaultFailure && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Deletes a Key Vault certificate out of band (soft delete unless `purge`). */
  deleteKeyVaultCertificate(vault: string, name: string, opts: { purge?: boolean } = {}): void {
    const v = this.vault(vault);
    EmulatorAdmin.kv(() => v.adminDelete(name, opts.purge ?? false));
  }

  /**
   * Changes a certificate policy out of band, member by member (always the `merge` rules, whatever
   * `policyPatch` is set to, so that a test can change one member as someone else would).
   */
  setCertificatePolicy(vault: string, name: string, policy: KvPolicy): Record<string, unknown> {
    const v = this.vault(vault);
    return EmulatorAdmin.kv(() => v.updatePolicy(name, policy, "merge"));
  }

  /** How every vault's PATCH /certificates/{name}/policy treats its body: merge (default), replace-groups, replace. */
  policyPatch(): PolicyPatchSemantics {
    return this.host.keyVaultSettings.policyPatch;
  }

  /** Changes the policy PATCH semantics of every vault, from the next request on. */
  setPolicyPatch(semantics: PolicyPatchSemantics): PolicyPatchSemantics {
    this.host.keyVaultSettings.policyPatch = EmulatorAdmin.kv(() => policyPatchSemantics(semantics));
    return this.host.keyVaultSettings.policyPatch;
  }

  /** The stored APIM certificate (with its ETag), or `undefined`. */
  getApimCertificate(ref: ApimCertificateRef): (ApimCertificateRecord & { id: string }) | undefined {
    return this.host.apim.getCertificate(ref);
  }

  /** Deletes an APIM certificate out of band; `false` if there was none. */
  deleteApimCertificate(ref: ApimCertificateRef): boolean {
    return this.host.apim.deleteCertificate(ref);
  }

  /** Changes an APIM certificate's ETag (to `etag`, or a fresh one), as a change made elsewhere would. */
  touchApimCertificate(ref: ApimCertificateRef, etag?: string): string {
    try {
      return this.host.apim.touchCertificate(ref, etag);
    } catch (e) {
      throw new AdminError(404, (e as Error).message);
    }
  }

  /**
   * Makes APIM's PUT, DELETE or refreshSecret answer as ARM's asynchronous operations (202 with
   * `Azure-AsyncOperation` or `Location`), from the next request on; `{}` makes them synchronous.
   */
  setApimAsyncOperations(settings: AsyncOperationSettings): void {
    this.host.apim.setAsyncOperations(settings);
  }

  /**
   * Makes the next `times` ARM requests (default 1) whose token lacks the authentication context
   * `value` (default "c1") answer 401 `insufficient_claims` with a claims challenge; `times: 0` ends it.
   */
  requireArmClaims(settings: { value?: string; times?: number } = {}): void {
    this.host.apim.requireClaims(settings);
  }

  /** Makes an APIM service not exist (404 ParentResourceNotFound) or exist again. */
  setApimServiceExists(ref: ApimServiceRef, exists: boolean): void {
    this.host.apim.setServiceExists(ref, exists);
  }

  /** Forgets all certificates, faults, logged requests and token counts (clients and vaults stay). */
  reset(): void {
    this.host.apim.clear();
    for (const name of Object.keys(this.host.info().vaults)) this.host.vault(name)?.clear();
    this.host.faults.clear();
    this.host.log.clear();
    this.host.entra.resetTokenCounts();
  }
}

function adminError(status: number, message: string): Reply {
  return { status, body: { error: { code: status === 404 ? "NotFound" : "BadRequest", message } } };
}

/** What an admin route's handler is given: the request, the admin API, and the emulator behind it. */
interface AdminCall {
  c: RequestContext;
  admin: EmulatorAdmin;
  host: AdminHost;
  /** The request body as a JSON object (`{}` when empty); a 400 otherwise. */
  body(): Record<string, unknown>;
}

/** One route of the admin API: its name in the request log (`admin.<name>`), method, path and handler. */
interface AdminRoute {
  name: string;
  method: string;
  path: string;
  handler: (a: AdminCall) => Reply | Promise<Reply>;
}

/** A row of {@link ADMIN_ROUTES}. */
const row = (name: string, method: string, path: string, handler: AdminRoute["handler"]): AdminRoute => ({
  name,
  method,
  path,
  handler,
});

const APIM_SERVICE =
  "/apim/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ApiManagement/service/([^/]+)";
const APIM_CERTIFICATE = `${APIM_SERVICE}/certificates/([^/]+)`;
const VAULT_CERTIFICATE = "/vaults/([^/]+)/certificates/([^/]+)";

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const NO_CONTENT: Reply = { status: 204 };

function certRef(p: string[]): ApimCertificateRef {
  return {
    subscriptionId: decodeSegment(p[0]),
    resourceGroup: decodeSegment(p[1]),
    serviceName: decodeSegment(p[2]),
    certificateId: decodeSegment(p[3]),
  };
}

const stringOf = (b: Record<string, unknown>, k: string) =>
  typeof b[k] === "string" ? (b[k] as string) : undefined;
const numberOf = (b: Record<string, unknown>, k: string) =>
  typeof b[k] === "number" ? (b[k] as number) : undefined;

function armClaims({ admin, body }: AdminCall): Reply {
  const b = body();
  if (b.value !== undefined && typeof b.value !== "string")
    throw new AdminError(400, "value must be a string");
  if (b.times !== undefined && (typeof b.times !== "number" || !Number.isInteger(b.times) || b.times < 0))
    throw new AdminError(400, "times must be an integer >= 0");
  admin.requireArmClaims({ value: b.value as string | undefined, times: b.times as number | undefined });
  return NO_CONTENT;
}

/** The HTTP admin API, in matching order (a path's own routes before the paths below it). */
const ADMIN_ROUTES: readonly AdminRoute[] = [
  row("info", "GET", "", ({ host }) => ok(host.info())),
  row("faults.list", "GET", "/faults", ({ admin }) => ok({ value: admin.listFaults() })),
  row("arm.claims", "POST", "/arm/claims-challenges", armClaims),
  row("faults.add", "POST", "/faults", ({ admin, body }) => ok(admin.addFault(checkFaultSpec(body())), 201)),
  row("faults.clear", "DELETE", "/faults", ({ admin }) => (admin.clearFaults(), NO_CONTENT)),
  row("faults.remove", "DELETE", "/faults/([^/]+)", ({ admin, c }) =>
    admin.removeFault(c.params[0]) ? NO_CONTENT : adminError(404, `no fault '${c.params[0]}'`),
  ),
  row("requests.list", "GET", "/requests", ({ admin, c }) =>
    ok({
      value: admin.requests({
        listener: c.query.get("listener") ?? undefined,
        route: c.query.get("route") ?? undefined,
        since: c.query.has("since") ? Number(c.query.get("since")) : undefined,
      }),
    }),
  ),
  row("requests.clear", "DELETE", "/requests", ({ admin }) => (admin.clearRequests(), NO_CONTENT)),
  row("tokenRequests.get", "GET", "/token-requests", ({ admin }) => ok(admin.tokenRequestCounts())),
  row(
    "tokenRequests.reset",
    "DELETE",
    "/token-requests",
    ({ admin }) => (admin.resetTokenCounts(), NO_CONTENT),
  ),
  row("tokens.issue", "POST", "/tokens", ({ admin, body }) => {
    const b = body();
    if (typeof b.audience !== "string") throw new AdminError(400, "'audience' is required");
    return ok({
      access_token: admin.issueToken({
        audience: b.audience,
        clientId: stringOf(b, "clientId"),
        lifetimeSeconds: numberOf(b, "lifetimeSeconds"),
      }),
    });
  }),
  row("clients.add", "POST", "/clients", ({ admin, body }) => {
    const b = body();
    if (typeof b.clientId !== "string") throw new AdminError(400, "'clientId' is required");
    admin.addClient(b as unknown as EntraClient);
    return NO_CONTENT;
  }),
  row("clients.federated.add", "POST", "/clients/([^/]+)/federated-credentials", ({ admin, body, c }) => {
    const b = body();
    if (typeof b.issuer !== "string" || typeof b.subject !== "string")
      throw new AdminError(400, "'issuer' and 'subject' are required");
    admin.addFederatedCredential(c.params[0], b as unknown as FederatedCredential);
    return NO_CONTENT;
  }),
  row("github.get", "GET", "/github-actions", ({ admin }) => ok(admin.githubActions())),
  row("github.configure", "PATCH", "/github-actions", ({ admin, body }) =>
    ok(admin.configureGitHubActions(body() as Partial<GitHubActionsSettings>)),
  ),
  row("github.tokens.issue", "POST", "/github-actions/id-tokens", ({ admin, body }) => {
    const b = body();
    return ok({
      value: admin.issueGitHubIdToken({
        audience: stringOf(b, "audience"),
        subject: stringOf(b, "subject"),
        lifetimeSeconds: numberOf(b, "lifetimeSeconds"),
      }),
    });
  }),
  row("managedIdentities.add", "POST", "/managed-identities", ({ admin, body }) => {
    const b = body();
    if (typeof b.clientId !== "string") throw new AdminError(400, "'clientId' is required");
    admin.addUserAssignedIdentity(b.clientId);
    return NO_CONTENT;
  }),
  row("vaults.list", "GET", "/vaults", ({ host }) => ok(host.info().vaults)),
  row("vaults.add", "POST", "/vaults", async ({ admin, body }) => {
    const b = body();
    if (typeof b.name !== "string") throw new AdminError(400, "'name' is required");
    return ok({ name: b.name, url: await admin.addVault(b.name, numberOf(b, "port")) }, 201);
  }),
  row("kv.settings.get", "GET", "/keyvault", ({ admin }) => ok({ policyPatch: admin.policyPatch() })),
  row("kv.settings.set", "PATCH", "/keyvault", ({ admin, body }) => {
    const b = body();
    if (b.policyPatch === undefined) throw new AdminError(400, "'policyPatch' is required");
    return ok({ policyPatch: admin.setPolicyPatch(b.policyPatch as PolicyPatchSemantics) });
  }),
  row("kv.get", "GET", VAULT_CERTIFICATE, ({ admin, c }) => {
    const info = admin.getKeyVaultCertificate(c.params[0], c.params[1]);
    return info ? ok(info) : adminError(404, `no certificate '${c.params[1]}' in vault '${c.params[0]}'`);
  }),
  row("kv.delete", "DELETE", VAULT_CERTIFICATE, ({ admin, c }) => {
    admin.deleteKeyVaultCertificate(c.params[0], c.params[1], { purge: c.query.get("purge") === "true" });
    return NO_CONTENT;
  }),
  row("kv.rotate", "POST", `${VAULT_CERTIFICATE}/rotate`, async ({ admin, c }) =>
    ok(await admin.rotateCertificate(c.params[0], c.params[1])),
  ),
  row("kv.policy", "PATCH", `${VAULT_CERTIFICATE}/policy`, ({ admin, body, c }) =>
    ok(admin.setCertificatePolicy(c.params[0], c.params[1], body() as KvPolicy)),
  ),
  row(
    "apim.service.exists",
    "PUT",
    APIM_SERVICE,
    ({ admin, c }) => (admin.setApimServiceExists(certRef([...c.params, ""]), true), NO_CONTENT),
  ),
  row(
    "apim.service.absent",
    "DELETE",
    APIM_SERVICE,
    ({ admin, c }) => (admin.setApimServiceExists(certRef([...c.params, ""]), false), NO_CONTENT),
  ),
  row("apim.certificate.get", "GET", APIM_CERTIFICATE, ({ admin, c }) => {
    const cert = admin.getApimCertificate(certRef(c.params));
    return cert ? ok(cert) : adminError(404, "no such certificate");
  }),
  row("apim.certificate.delete", "DELETE", APIM_CERTIFICATE, ({ admin, c }) =>
    admin.deleteApimCertificate(certRef(c.params)) ? NO_CONTENT : adminError(404, "no such certificate"),
  ),
  row("apim.certificate.etag", "POST", `${APIM_CERTIFICATE}/etag`, ({ admin, body, c }) => {
    const b = body();
    return ok({ etag: admin.touchApimCertificate(certRef(c.params), stringOf(b, "etag")) });
  }),
  row("reset", "POST", "/reset", ({ admin }) => (admin.reset(), NO_CONTENT)),
];

/** Routes of the HTTP admin API, relative to `adminEndpoint` (`/_emulator/{adminKey}`). */
export function adminRoutes(admin: EmulatorAdmin, host: AdminHost): Route[] {
  return ADMIN_ROUTES.map(({ name, method, path, handler }) => ({
    name: `admin.${name}`,
    method,
    pattern: new RegExp(`^${path}/?$`, "i"),
    handler: (c) => handler({ c, admin, host, body: () => jsonObject(c.body) }),
  }));
}

function jsonObject(b: Buffer): Record<string, unknown> {
  const v = parseJsonBody(b);
  if (v === undefined) return {};
  if (!isObject(v)) throw new AdminError(400, "the body must be a JSON object");
  return v;
}

/** Serves one admin request (`path` relative to `adminEndpoint`). */
export async function serveAdmin(routes: Route[], ctx: Parameters<Route["handler"]>[0]): Promise<Reply> {
  const m = matchRoute(routes, ctx.method, ctx.path);
  if (m.kind === "none") return adminError(404, `no admin route ${ctx.method} /_emulator${ctx.path}`);
  if (m.kind === "wrongMethod")
    return { ...adminError(405, `use ${m.allowed.join(" or ")}`), headers: { allow: m.allowed.join(", ") } };
  try {
    return await m.route.handler({ ...ctx, params: m.params });
  } catch (e) {
    if (e instanceof AdminError) return adminError(e.status, e.message);
    if (e instanceof SyntaxError) return adminError(400, `the body is not valid JSON: ${e.message}`);
    if (e instanceof FaultSpecError) return adminError(400, e.message);
    throw e;
  }
}
