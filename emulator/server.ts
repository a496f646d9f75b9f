/**
 * Starts the emulator: a TLS authority, one HTTPS listener for Entra ID ("token"), one for ARM
 * ("arm", which also serves the admin API under `/_emulator/{adminKey}`), one for the identity providers a
 * workload meets outside Entra ("identity": GitHub Actions' ID-token service and OIDC issuer, the
 * managed identity endpoints of IMDS and App Service) and one per Key Vault, each vault addressed
 * by its own origin because `*.localhost` names do not resolve everywhere.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { type Reply, type RequestContext, type Route, header, matchRoute, readBody, sendReply } from "./http";
import { type Fault, FaultRegistry, RequestLog, type RequestLogEntry, redactQuery } from "./controls";
import { type EntraClient, EntraIdentity } from "./entra";
import { GitHubActions, type GitHubActionsSettings, fetchIssuerKeys } from "./oidc-issuer";
import { ManagedIdentityHost, type ManagedIdentitySettings } from "./managed-identity";
import { ApimEmulator, armError } from "./arm-apim";
import {
  KEY_VAULT_PAGE_SIZE,
  KeySource,
  KeyVault,
  type KeyVaultSettings,
  type SecretResolution,
  keyVaultError,
} from "./keyvault";
import { type PolicyPatchSemantics, policyPatchSemantics } from "./kv-policy";
import { AdminError, EmulatorAdmin, type EmulatorInfo, adminRoutes, serveAdmin } from "./admin";
import { createAuthority, issueServerCertificate } from "./pki";

/** Options of {@link startEmulator}. Everything is optional. */
export interface EmulatorOptions {
  /**
   * Address to bind; default 127.0.0.1. Anything but a loopback address is refused unless
   * `allowNonLoopback` is set: the admin API mints tokens and shows the client secret.
   */
  bindAddress?: string;
  /** Bind `bindAddress` even when it is not a loopback address (the admin key still guards the admin API). */
  allowNonLoopback?: boolean;
  /**
   * The key the admin API requires, as the first segment after `/_emulator` (so `adminEndpoint`,
   * which includes it, is all a caller needs); default: random for each run, printed at start.
   */
  adminKey?: string;
  /** Host name used in URLs; default "localhost" (the TLS certificate also covers 127.0.0.1 and ::1). */
  hostname?: string;
  /** Port of the Entra ID listener; default a free port. */
  authorityPort?: number;
  /** Port of the ARM listener (and admin API); default a free port. */
  armPort?: number;
  /** Port of the identity listener (GitHub Actions ID tokens, managed identity); default a free port. */
  identityPort?: number;
  /**
   * GitHub Actions: the request token (default: random), the `sub` of ID tokens (default
   * `repo:contoso/infra:ref:refs/heads/main`), their lifetime (default 300 s) and extra claims.
   * The default client trusts this issuer and subject through a federated credential.
   */
  githubActions?: Partial<GitHubActionsSettings>;
  /**
   * The identities of the emulated host for IMDS and App Service: system-assigned client id
   * (default 66666666-…; `null` for none), user-assigned client ids (default [77777777-…]) and the
   * App Service `IDENTITY_HEADER` (default: random).
   */
  managedIdentity?: Partial<ManagedIdentitySettings>;
  /** Vaults to start; default one vault named "demo" on a free port. */
  vaults?: Array<string | { name: string; port?: number }>;
  /** Directory for `ca.pem`; default a new temporary directory, removed by `stop()`. */
  stateDir?: string;
  /** Default 11111111-1111-1111-1111-111111111111. */
  tenantId?: string;
  /** Default 22222222-2222-2222-2222-222222222222. */
  clientId?: string;
  /** Default "emulator-client-secret". */
  clientSecret?: string;
  /** More service principals besides the default one. */
  clients?: EntraClient[];
  /** Lifetime of issued tokens; default 3600 seconds. */
  tokenLifetimeSeconds?: number;
  /** APIM list page size when `$top` is not given; default 100. */
  apimPageSize?: number;
  /** Refuse APIM updates without If-Match (as documented, though not enforced by default); default false. */
  apimRequireIfMatchOnUpdate?: boolean;
  /** Generate each kind of Key Vault key once and reuse it (fast tests); default false. */
  reuseKeys?: boolean;
  /** Key Vault soft delete; default true ("Recoverable+Purgeable", 90 days). */
  softDelete?: boolean;
  /**
   * How PATCH /certificates/{name}/policy treats its body, which Key Vault does not publish:
   * `merge` (default, member by member inside each group), `replace-groups` (each group given
   * replaces the stored one) or `replace` (the body is the whole new policy). `emu.admin.setPolicyPatch`
   * changes it while the emulator runs.
   */
  policyPatch?: PolicyPatchSemantics;
  /**
   * Items per page of Key Vault lists when a request gives no `maxresults` (1-25; default 25, as
   * Key Vault documents): a smaller page makes clients follow `nextLink` without asking for it.
   */
  keyVaultPageSize?: number;
}

/** A running emulator. */
export interface Emulator extends EmulatorInfo {
  /** PEM of the emulator's CA certificate. */
  caCertPem: string;
  /** In-process admin API (same operations as `{adminEndpoint}`). */
  admin: EmulatorAdmin;
  /** A snapshot of the addresses, as the CLI prints them. */
  info(): EmulatorInfo;
  /** Closes every listener and connection; resolves when all are closed. */
  stop(): Promise<void>;
}

/** The defaults printed at start and documented in the README. */
export const DEFAULTS = {
  tenantId: "11111111-1111-1111-1111-111111111111",
  clientId: "22222222-2222-2222-2222-222222222222",
  clientSecret: "emulator-client-secret",
} as const;

const VAULT_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const RESERVED_LISTENERS = ["token", "arm", "identity"];

const STATUS_CODES: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  408: "RequestTimeout",
  409: "Conflict",
  412: "PreconditionFailed",
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

/** How one listener answers in its own service's error shape. */
interface Surface {
  name: string;
  routes: Route[];
  error(status: number, code: string, message: string): Reply;
  headers(ctx: RequestContext, requestId: string): Record<string, string>;
}

interface Listener {
  name: string;
  server: https.Server;
  port: number;
}

/**
 * Trusts the emulator's CA in this process (for in-process clients such as axios and
 * @azure/identity). Returns a function that restores the previous trust store.
 */
export function trustEmulatorCa(caPem: string): () => void {
  const before = tls.getCACertificates("default");
  tls.setDefaultCACertificates([...before, caPem]);
  return () => tls.setDefaultCACertificates(before);
}

function listen(server: https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Whether an address to bind is a loopback one (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackAddress(address: string): boolean {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return (
    a === "localhost" || a === "::1" || /^127(\.\d{1,3}){3}$/.test(a) || /^::ffff:127(\.\d{1,3}){3}$/.test(a)
  );
}

/** Whether an admin path starts with the run's key (compared in constant time). */
function hasAdminKey(path: string, prefix: string): boolean {
  const given = Buffer.from(path.slice(0, prefix.length));
  const wanted = Buffer.from(prefix);
  const boundary = path.length === prefix.length || path[prefix.length] === "/";
  return given.length === wanted.length && crypto.timingSafeEqual(given, wanted) && boundary;
}

/** The options of {@link startEmulator} checked, with their defaults. */
interface StartSettings {
  bind: string;
  adminKey: string;
  /** `/_emulator/{adminKey}`: where the admin API answers on the ARM listener. */
  adminPrefix: string;
  hostname: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  keyVaultSettings: KeyVaultSettings;
}

/** Refuses options that cannot work before anything is opened or written. */
function startSettings(options: EmulatorOptions): StartSettings {
  const bind = options.bindAddress ?? "127.0.0.1";
  if (!isLoopbackAddress(bind) && !options.allowNonLoopback) {
    throw new Error(
      `refusing to bind the emulator to ${bind}: it is not a loopback address, and the emulator's admin API ` +
        "mints tokens and shows its client secret to anyone holding the admin key. Bind 127.0.0.1 (the default), " +
        "or pass --allow-non-loopback (allowNonLoopback: true) to do it anyway.",
    );
  }
  const pageSize = options.keyVaultPageSize;
  if (
    pageSize !== undefined &&
    (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > KEY_VAULT_PAGE_SIZE)
  )
    throw new Error(`keyVaultPageSize must be an integer from 1 to ${KEY_VAULT_PAGE_SIZE}; got ${pageSize}`);
  const adminKey = options.adminKey ?? crypto.randomBytes(18).toString("base64url");
  return {
    bind,
    adminKey,
    adminPrefix: `/_emulator/${adminKey}`,
    hostname: options.hostname ?? "localhost",
    tenantId: options.tenantId ?? DEFAULTS.tenantId,
    clientId: options.clientId ?? DEFAULTS.clientId,
    clientSecret: options.clientSecret ?? DEFAULTS.clientSecret,
    keyVaultSettings: {
      policyPatch: policyPatchSemantics(options.policyPatch ?? "merge"),
      ...(pageSize !== undefined ? { pageSize } : {}),
    },
  };
}

/** Where `ca.pem` is written; a directory of the emulator's own is removed by `remove()`. */
function stateDirectory(options: EmulatorOptions, caPem: string): { caCertPath: string; remove(): void } {
  const own = options.stateDir === undefined;
  const dir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "azure-emulator-"));
  fs.mkdirSync(dir, { recursive: true });
  const caCertPath = path.join(dir, "ca.pem");
  fs.writeFileSync(caCertPath, caPem);
  return {
    caCertPath,
    remove: () => {
      if (own) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts the emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const s = startSettings(options);
  const ca = createAuthority("Azure Emulator Local CA");
  const front = new HttpsFront(
    s,
    issueServerCertificate(ca, [...new Set([s.hostname, "localhost", "127.0.0.1", "::1"])]),
  );
  const state = stateDirectory(options, ca.pem);
  try {
    const ids = await openIdentityServices(front, s, options);
    const vaults = new Vaults(
      front,
      s,
      ids,
      new KeySource(options.reuseKeys ?? false),
      options.softDelete ?? true,
    );
    const apim = new ApimEmulator({
      entra: ids.entra,
      authorityHost: ids.authorityHost,
      armEndpoint: ids.armEndpoint,
      resolveSecret: secretResolver(vaults.byName, vaults.urls, s.hostname),
      pageSize: options.apimPageSize ?? 100,
      requireIfMatchOnUpdate: options.apimRequireIfMatchOnUpdate ?? false,
    });
    front.surfaces.set("token", tokenSurface(ids.entra));
    front.surfaces.set("identity", identitySurface(ids.github, ids.managedIdentities));
    front.surfaces.set("arm", armSurface(apim));
    for (const v of options.vaults ?? ["demo"]) {
      const spec = typeof v === "string" ? { name: v } : v;
      await vaults.add(spec.name, spec.port);
    }

    const info = (): EmulatorInfo => emulatorInfo(s, ids, vaults.urls, state.caCertPath);
    const host = {
      entra: ids.entra,
      github: ids.github,
      managedIdentities: ids.managedIdentities,
      apim,
      faults: front.faults,
      log: front.log,
      vault: (n: string) => vaults.byName.get(n.toLowerCase())?.vault,
      keyVaultSettings: s.keyVaultSettings,
      addVault: (name: string, port?: number) => vaults.add(name, port),
      info,
    };
    const admin = new EmulatorAdmin(host);
    front.adminRouteTable = adminRoutes(admin, host);
    let stopped = false;
    return {
      ...info(),
      // Vaults added later show up here too.
      vaults: vaults.urls,
      caCertPem: ca.pem,
      admin,
      info,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await front.stop();
        state.remove();
      },
    };
  } catch (e) {
    await front.close();
    state.remove();
    throw e;
  }
}

/** The listeners every emulator has, and the identity services behind the token and identity ones. */
async function openIdentityServices(front: HttpsFront, s: StartSettings, options: EmulatorOptions) {
  const tokenListener = await front.open("token", options.authorityPort);
  const armListener = await front.open("arm", options.armPort);
  const identityListener = await front.open("identity", options.identityPort);
  const authorityHost = `https://${s.hostname}:${tokenListener.port}`;
  const armEndpoint = `https://${s.hostname}:${armListener.port}`;
  const identityEndpoint = `https://${s.hostname}:${identityListener.port}`;
  const github = new GitHubActions(identityEndpoint, options.githubActions);
  const entra = new EntraIdentity({
    tenantId: s.tenantId,
    clients: [
      {
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        federatedCredentials: [{ issuer: github.issuer.url, subject: github.info().subject }],
      },
      ...(options.clients ?? []),
    ],
    authorityHost,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    // The emulator's own issuer answers in process; any other is fetched as Entra would.
    issuerKeys: async (issuer) =>
      issuer === github.issuer.url ? github.issuer.keys() : fetchIssuerKeys(issuer),
  });
  const managedIdentities = new ManagedIdentityHost(entra, options.managedIdentity);
  return { authorityHost, armEndpoint, identityEndpoint, github, entra, managedIdentities };
}

type IdentityServices = Awaited<ReturnType<typeof openIdentityServices>>;

/** The addresses and identities of a running emulator, as the CLI prints them. */
function emulatorInfo(
  s: StartSettings,
  ids: IdentityServices,
  vaultUrls: Record<string, string>,
  caCertPath: string,
): EmulatorInfo {
  const mi = ids.managedIdentities.info();
  return {
    authorityHost: ids.authorityHost,
    tenantId: s.tenantId,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    armEndpoint: ids.armEndpoint,
    adminEndpoint: `${ids.armEndpoint}${s.adminPrefix}`,
    adminKey: s.adminKey,
    vaults: { ...vaultUrls },
    caCertPath,
    identityEndpoint: ids.identityEndpoint,
    githubActions: ids.github.info(),
    managedIdentity: {
      imdsEndpoint: ids.identityEndpoint,
      appServiceEndpoint: `${ids.identityEndpoint}/msi/token`,
      identityHeader: mi.identityHeader,
      systemAssignedClientId: mi.systemAssignedClientId,
      userAssignedClientIds: mi.userAssignedClientIds,
    },
  };
}

/** The vaults of one emulator, each on a listener of its own, by lower-cased name. */
class Vaults {
  readonly byName = new Map<string, { vault: KeyVault; port: number }>();
  /** Base URL by name as given. */
  readonly urls: Record<string, string> = {};

  constructor(
    private readonly front: HttpsFront,
    private readonly s: StartSettings,
    private readonly ids: Pick<IdentityServices, "entra" | "authorityHost">,
    private readonly keys: KeySource,
    private readonly softDelete: boolean,
  ) {}

  /** Opens a vault's listener; its base URL. */
  async add(vaultName: string, port?: number): Promise<string> {
    checkVaultName(vaultName, this.byName);
    let l: Listener;
    try {
      l = await this.front.open(vaultName, port);
    } catch (e) {
      throw new AdminError(400, `cannot listen for vault '${vaultName}': ${(e as Error).message}`);
    }
    const baseUrl = `https://${this.s.hostname}:${l.port}`;
    const vault = new KeyVault(
      vaultName,
      baseUrl,
      {
        entra: this.ids.entra,
        authorityHost: this.ids.authorityHost,
        keys: this.keys,
        settings: this.s.keyVaultSettings,
      },
      this.softDelete,
    );
    this.byName.set(vaultName.toLowerCase(), { vault, port: l.port });
    this.urls[vaultName] = baseUrl;
    this.front.surfaces.set(vaultName, vaultSurface(vaultName, vault));
    return baseUrl;
  }
}

function checkVaultName(vaultName: string, vaults: ReadonlyMap<string, unknown>): void {
  if (!VAULT_NAME.test(vaultName) || RESERVED_LISTENERS.includes(vaultName.toLowerCase()))
    throw new AdminError(
      400,
      `'${vaultName}' is not a valid vault name: 3-24 letters, digits and single hyphens, starting with a letter (not 'token', 'arm' or 'identity').`,
    );
  if (vaults.has(vaultName.toLowerCase())) throw new AdminError(400, `vault '${vaultName}' already exists`);
}

/**
 * How API Management reads a Key Vault secret identifier: the vault it names (a loopback origin
 * by its port, or `{name}.vault.azure.net` and the other clouds' suffixes by its name), then the
 * secret in it. The emulator's own reading, apart from provider/ (apim-certificate/schema.ts has the provider's).
 */
function secretResolver(
  vaults: ReadonlyMap<string, { vault: KeyVault; port: number }>,
  vaultUrls: Readonly<Record<string, string>>,
  hostname: string,
): (secretIdentifier: string) => SecretResolution {
  return (secretIdentifier) => {
    let u: URL;
    try {
      u = new URL(secretIdentifier);
    } catch {
      return { ok: false, code: "InvalidSecretIdentifier", message: `'${secretIdentifier}' is not a URL.` };
    }
    if (u.protocol !== "https:")
      return {
        ok: false,
        code: "InvalidSecretIdentifier",
        message: `'${secretIdentifier}' is not an https URL.`,
      };
    const parts = u.pathname.split("/").filter(Boolean);
    if (parts[0]?.toLowerCase() === "certificates")
      return {
        ok: false,
        code: "NotASecretIdentifier",
        message: `'${secretIdentifier}' is a Key Vault certificate URI. API Management needs the secret URI (.../secrets/{name}[/{version}]), which carries the certificate with its private key.`,
      };
    if (parts[0]?.toLowerCase() !== "secrets" || parts.length < 2 || parts.length > 3)
      return {
        ok: false,
        code: "InvalidSecretIdentifier",
        message: `'${secretIdentifier}' is not a Key Vault secret identifier (https://{vault}/secrets/{name}[/{version}]).`,
      };
    const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    let found: KeyVault | undefined;
    if (["localhost", "127.0.0.1", "::1", hostname.toLowerCase()].includes(host)) {
      found = [...vaults.values()].find((v) => String(v.port) === u.port)?.vault;
    } else {
      const m = /^([^.]+)\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net)$/.exec(host);
      if (m) found = vaults.get(m[1].toLowerCase())?.vault;
    }
    if (!found)
      return {
        ok: false,
        code: "VaultNotFound",
        message: `No Key Vault answers at ${u.origin}. Known vaults: ${Object.entries(vaultUrls)
          .map(([n, v]) => `${n} (${v})`)
          .join(", ")}.`,
      };
    return found.resolveSecret(decodeURIComponent(parts[1]), parts[2]);
  };
}

// --- how each listener answers: its routes, its error shape, its headers ----------------------

function tokenSurface(entra: EntraIdentity): Surface {
  return {
    name: "token",
    routes: entra.routes(),
    error: (status, code, message) => ({
      status,
      body: {
        error:
          status === 429 || status === 503
            ? "temporarily_unavailable"
            : status >= 500
              ? "server_error"
              : "invalid_request",
        error_description: `${code}: ${message}`,
        error_codes: [],
        timestamp: new Date().toISOString(),
      },
    }),
    headers: (ctx, id) => ({
      "x-ms-request-id": id,
      ...(header(ctx.headers, "client-request-id")
        ? { "client-request-id": header(ctx.headers, "client-request-id")! }
        : {}),
    }),
  };
}

function identitySurface(github: GitHubActions, managedIdentities: ManagedIdentityHost): Surface {
  return {
    name: "identity",
    routes: [...github.routes(), ...managedIdentities.routes()],
    error: (status, code, message) => ({ status, body: { error: code, error_description: message } }),
    headers: (_ctx, id) => ({ "x-ms-request-id": id }),
  };
}

function armSurface(apim: ApimEmulator): Surface {
  return {
    name: "arm",
    routes: apim.routes(),
    error: (status, code, message) =>
      armError(status, status === 403 ? "AuthorizationFailed" : code, message),
    headers: (ctx, id) => ({
      "x-ms-request-id": id,
      "x-ms-correlation-request-id": header(ctx.headers, "x-ms-correlation-request-id") ?? id,
      "cache-control": "no-cache",
    }),
  };
}

function vaultSurface(vaultName: string, vault: KeyVault): Surface {
  return {
    name: vaultName,
    routes: vault.routes(),
    error: (status, code, message) => keyVaultError(status, status === 429 ? "Throttled" : code, message),
    headers: (ctx, id) => ({
      "x-ms-request-id": id,
      "x-ms-keyvault-service-version": "emulator",
      "x-ms-keyvault-region": "emulator",
      ...(header(ctx.headers, "x-ms-client-request-id")
        ? { "x-ms-client-request-id": header(ctx.headers, "x-ms-client-request-id")! }
        : {}),
    }),
  };
}

// --- the HTTPS front: listeners, the request log, faults, the admin API ------------------------

/**
 * Every listener of one emulator and what happens to each request before and after its route:
 * the admin API (ARM listener, under the admin key), the request log, injected faults, and the
 * reply in the listener's own error shape and headers.
 */
class HttpsFront {
  readonly faults = new FaultRegistry();
  readonly log = new RequestLog();
  /** How each listener answers, by listener name ("token", "arm", "identity", a vault's name). */
  readonly surfaces = new Map<string, Surface>();
  adminRouteTable: Route[] = [];
  private readonly listeners: Listener[] = [];
  private readonly pendingDelays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private stopped = false;

  constructor(
    private readonly s: StartSettings,
    private readonly tlsMaterial: { cert: string; key: string },
  ) {}

  async open(name: string, port: number | undefined): Promise<Listener> {
    const server = https.createServer(
      { cert: this.tlsMaterial.cert, key: this.tlsMaterial.key },
      (req, res) => {
        this.handle(name, req, res).catch(() => res.destroy());
      },
    );
    const actual = await listen(server, port ?? 0, this.s.bind);
    const l = { name, server, port: actual };
    this.listeners.push(l);
    return l;
  }

  /** Closes every listener and connection, ending pending delays first. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const d of this.pendingDelays) {
      clearTimeout(d.timer);
      d.resolve();
    }
    this.pendingDelays.clear();
    await Promise.all(
      this.listeners.map(
        (l) =>
          new Promise<void>((resolve) => {
            l.server.close(() => resolve());
            l.server.closeAllConnections();
          }),
      ),
    );
  }

  /** Closes the listeners opened so far (a start that failed). */
  async close(): Promise<void> {
    await Promise.all(this.listeners.map((l) => new Promise((r) => l.server.close(r))));
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pendingDelays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.pendingDelays.add(entry);
    });
  }

  private async handle(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const ctx = await this.readRequest(req);
    if (!ctx) return;
    if (name === "arm" && /^\/_emulator(\/|$)/i.test(ctx.path)) {
      sendReply(res, ctx.method, await this.serveAdminApi(ctx));
      return;
    }
    const requestId = crypto.randomUUID();
    const surface = this.surfaces.get(name)!;
    const match = matchRoute(surface.routes, ctx.method, ctx.path);
    const route = match.kind === "found" ? match.route.name : undefined;
    const entry = this.log.start({
      listener: name,
      method: ctx.method,
      path: ctx.path,
      query: redactQuery(ctx.query),
      route,
      startedAt,
      requestId,
      ifMatch: header(req.headers, "if-match"),
      clientRequestId: header(req.headers, "x-ms-client-request-id"),
    });
    const fault = this.faults.take({ listener: name, method: ctx.method, path: ctx.path, route });
    let reply: Reply | undefined;
    if (fault) {
      entry.faultId = fault.id;
      entry.faultKind = fault.kind;
      if (fault.kind === "reset") {
        finishEntry(entry, ctx, started, 0);
        req.socket.destroy();
        return;
      }
      if (fault.kind === "delay") await this.delay(fault.delayMs ?? 0);
      else if (fault.kind !== "lose-answer" && fault.kind !== "slow-answer")
        reply = faultReply(surface, fault);
    }
    if (this.stopped) return void req.socket.destroy();
    reply ??= await serveRoute(surface, match, ctx);
    reply = { ...reply, headers: { ...surface.headers(ctx, requestId), ...(reply.headers ?? {}) } };
    finishEntry(entry, ctx, started, reply.status);
    if (fault?.kind === "lose-answer") return void req.socket.destroy();
    if (fault?.kind === "slow-answer") {
      await this.delay(fault.delayMs ?? 0);
      if (this.stopped) return void req.socket.destroy();
    }
    sendReply(res, ctx.method, reply);
  }

  /** The request as routes see it; `undefined` (and the connection dropped) when its body cannot be read. */
  private async readRequest(req: IncomingMessage): Promise<RequestContext | undefined> {
    // Concatenated, not resolved: a path starting with "//" must not be read as a host name.
    const rawUrl = req.url ?? "/";
    const url = new URL(rawUrl.startsWith("/") ? `https://emulator.invalid${rawUrl}` : rawUrl);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy();
      return undefined;
    }
    return {
      method: (req.method ?? "GET").toUpperCase(),
      // Azure tolerates doubled slashes (Key Vault's own sample has "//certificates").
      path: url.pathname.replace(/\/{2,}/g, "/"),
      query: url.searchParams,
      headers: req.headers,
      body,
      params: [],
      host: header(req.headers, "host") ?? `${this.s.hostname}`,
      auth: {},
    };
  }

  /** The admin API, for a path under the run's admin key; a 401 saying where it is otherwise. */
  private async serveAdminApi(ctx: RequestContext): Promise<Reply> {
    if (!hasAdminKey(ctx.path, this.s.adminPrefix))
      return {
        status: 401,
        body: {
          error: {
            code: "AdminKeyRequired",
            message:
              "The admin API needs the key the emulator printed at start: call it under adminEndpoint " +
              "({armEndpoint}/_emulator/{adminKey}/...).",
          },
        },
      };
    return serveAdmin(this.adminRouteTable, {
      ...ctx,
      path: ctx.path.slice(this.s.adminPrefix.length),
    }).catch((e: Error): Reply => ({
      status: 500,
      body: { error: { code: "InternalServerError", message: e.message } },
    }));
  }
}

/** The route's reply, or the listener's 404 / 405, or a 500 when the route failed. */
async function serveRoute(
  surface: Surface,
  match: ReturnType<typeof matchRoute>,
  ctx: RequestContext,
): Promise<Reply> {
  try {
    if (match.kind === "found") return await match.route.handler({ ...ctx, params: match.params });
    if (match.kind === "wrongMethod")
      return {
        ...surface.error(405, "MethodNotAllowed", `The method ${ctx.method} is not allowed on ${ctx.path}.`),
        headers: { allow: match.allowed.join(", ") },
      };
    return surface.error(404, "NotFound", `The emulator does not serve ${ctx.method} ${ctx.path}.`);
  } catch (e) {
    return surface.error(500, "InternalServerError", `The emulator failed: ${(e as Error).message}`);
  }
}

/** Completes a request's log entry with its status, its time and who called. */
function finishEntry(entry: RequestLogEntry, ctx: RequestContext, started: number, status: number): void {
  entry.status = status;
  entry.durationMs = Math.round((performance.now() - started) * 10) / 10;
  entry.audience = ctx.auth.audience;
  entry.clientId = ctx.auth.clientId;
  entry.scope = ctx.auth.scope;
  entry.credential = ctx.auth.credential;
  entry.assertionIssuer = ctx.auth.assertionIssuer;
  entry.assertionSubject = ctx.auth.assertionSubject;
}

function faultReply(surface: Surface, fault: Fault): Reply {
  const status = fault.status ?? 500;
  const headers: Record<string, string> = { ...(fault.headers ?? {}) };
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) {
    headers["retry-after-ms"] = String(fault.retryAfterMs);
    headers["x-ms-retry-after-ms"] = String(fault.retryAfterMs);
  }
  const base = surface.error(
    status,
    STATUS_CODES[status] ?? `Status${status}`,
    `Injected by the emulator (fault ${fault.id}): ${status} ${STATUS_CODES[status] ?? ""}`.trim(),
  );
  return { status, headers: { ...(base.headers ?? {}), ...headers }, body: fault.body ?? base.body };
}
