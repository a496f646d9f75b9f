/**
 * Starts the emulator: a TLS authority, one HTTPS listener for Entra ID ("token"), one for ARM
 * ("arm", which also serves the admin API under `/_emulator/{adminKey}`), one for the identity providers a
 * workload meets outside Entra ("identity": GitHub Actions' ID-token service and OIDC issuer, the
 * managed identity endpoints of IMDS and App Service) and one per Key Vault, each vault addressed
 * by its own origin because `*.localhost` names do not resolve everywhere.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { type Reply, type RequestContext, type Route, header, matchRoute, readBody, sendReply } from "./http";
import { type Fault, FaultRegistry, RequestLog, redactQuery } from "./controls";
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

/** Starts the emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const bind = options.bindAddress ?? "127.0.0.1";
  if (!isLoopbackAddress(bind) && !options.allowNonLoopback) {
    throw new Error(
      `refusing to bind the emulator to ${bind}: it is not a loopback address, and the emulator's admin API ` +
        "mints tokens and shows its client secret to anyone holding the admin key. Bind 127.0.0.1 (the default), " +
        "or pass --allow-non-loopback (allowNonLoopback: true) to do it anyway.",
    );
  }
  const adminKey = options.adminKey ?? crypto.randomBytes(18).toString("base64url");
  const adminPrefix = `/_emulator/${adminKey}`;
  const hostname = options.hostname ?? "localhost";
  const tenantId = options.tenantId ?? DEFAULTS.tenantId;
  const clientId = options.clientId ?? DEFAULTS.clientId;
  const clientSecret = options.clientSecret ?? DEFAULTS.clientSecret;
  const pageSize = options.keyVaultPageSize;
  if (
    pageSize !== undefined &&
    (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > KEY_VAULT_PAGE_SIZE)
  )
    throw new Error(`keyVaultPageSize must be an integer from 1 to ${KEY_VAULT_PAGE_SIZE}; got ${pageSize}`);
  const keyVaultSettings: KeyVaultSettings = {
    policyPatch: policyPatchSemantics(options.policyPatch ?? "merge"),
    ...(pageSize !== undefined ? { pageSize } : {}),
  };

  const ca = createAuthority("Azure Emulator Local CA");
  const tlsMaterial = issueServerCertificate(ca, [...new Set([hostname, "localhost", "127.0.0.1", "::1"])]);
  const ownStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "azure-emulator-"));
  fs.mkdirSync(stateDir, { recursive: true });
  const caCertPath = path.join(stateDir, "ca.pem");
  fs.writeFileSync(caCertPath, ca.pem);

  const faults = new FaultRegistry();
  const log = new RequestLog();
  const listeners: Listener[] = [];
  const surfaces = new Map<string, Surface>();
  const pendingDelays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let adminRouteTable: Route[] = [];
  let stopped = false;

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          pendingDelays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      pendingDelays.add(entry);
    });

  const handle = async (
    name: string,
    req: import("node:http").IncomingMessage,
    res: import("node:http").ServerResponse,
  ) => {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    // Concatenated, not resolved: a path starting with "//" must not be read as a host name.
    const rawUrl = req.url ?? "/";
    const url = new URL(rawUrl.startsWith("/") ? `https://emulator.invalid${rawUrl}` : rawUrl);
    // Azure tolerates doubled slashes (Key Vault's own sample has "//certificates").
    const reqPath = url.pathname.replace(/\/{2,}/g, "/");
    const method = (req.method ?? "GET").toUpperCase();
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
    const ctx: RequestContext = {
      method,
      path: reqPath,
      query: url.searchParams,
      headers: req.headers,
      body,
      params: [],
      host: header(req.headers, "host") ?? `${hostname}`,
      auth: {},
    };
    const requestId = crypto.randomUUID();

    if (name === "arm" && /^\/_emulator(\/|$)/i.test(reqPath)) {
      const keyed = hasAdminKey(reqPath, adminPrefix);
      const reply = keyed
        ? await serveAdmin(adminRouteTable, { ...ctx, path: reqPath.slice(adminPrefix.length) }).catch(
            (e: Error): Reply => ({
              status: 500,
              body: { error: { code: "InternalServerError", message: e.message } },
            }),
          )
        : {
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
      sendReply(res, method, reply);
      return;
    }

    const surface = surfaces.get(name)!;
    const match = matchRoute(surface.routes, method, reqPath);
    const route = match.kind === "found" ? match.route.name : undefined;
    const entry = log.start({
      listener: name,
      method,
      path: reqPath,
      query: redactQuery(url.searchParams),
      route,
      startedAt,
      requestId,
      ifMatch: header(req.headers, "if-match"),
      clientRequestId: header(req.headers, "x-ms-client-request-id"),
    });
    const finish = (status: number) => {
      entry.status = status;
      entry.durationMs = Math.round((performance.now() - started) * 10) / 10;
      entry.audience = ctx.auth.audience;
      entry.clientId = ctx.auth.clientId;
      entry.scope = ctx.auth.scope;
      entry.credential = ctx.auth.credential;
      entry.assertionIssuer = ctx.auth.assertionIssuer;
      entry.assertionSubject = ctx.auth.assertionSubject;
    };

    const fault = faults.take({ listener: name, method, path: reqPath, route });
    let reply: Reply | undefined;
    if (fault) {
      entry.faultId = fault.id;
      entry.faultKind = fault.kind;
      if (fault.kind === "reset") {
        finish(0);
        req.socket.destroy();
        return;
      }
      if (fault.kind === "delay") await delay(fault.delayMs ?? 0);
      else if (fault.kind !== "lose-answer" && fault.kind !== "slow-answer")
        reply = faultReply(surface, fault);
    }
    if (stopped) {
      req.socket.destroy();
      return;
    }
    if (!reply) {
      try {
        if (match.kind === "found") reply = await match.route.handler({ ...ctx, params: match.params });
        else if (match.kind === "wrongMethod")
          reply = {
            ...surface.error(405, "MethodNotAllowed", `The method ${method} is not allowed on ${reqPath}.`),
            headers: { allow: match.allowed.join(", ") },
          };
        else reply = surface.error(404, "NotFound", `The emulator does not serve ${method} ${reqPath}.`);
      } catch (e) {
        reply = surface.error(500, "InternalServerError", `The emulator failed: ${(e as Error).message}`);
      }
    }
    reply = { ...reply, headers: { ...surface.headers(ctx, requestId), ...(reply.headers ?? {}) } };
    finish(reply.status);
    if (fault?.kind === "lose-answer") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "slow-answer") {
      await delay(fault.delayMs ?? 0);
      if (stopped) {
        req.socket.destroy();
        return;
      }
    }
    sendReply(res, method, reply);
  };

  const open = async (name: string, port: number | undefined): Promise<Listener> => {
    const server = https.createServer({ cert: tlsMaterial.cert, key: tlsMaterial.key }, (req, res) => {
      handle(name, req, res).catch(() => res.destroy());
    });
    const actual = await listen(server, port ?? 0, bind);
    const l = { name, server, port: actual };
    listeners.push(l);
    return l;
  };

  try {
    const tokenListener = await open("token", options.authorityPort);
    const armListener = await open("arm", options.armPort);
    const identityListener = await open("identity", options.identityPort);
    const authorityHost = `https://${hostname}:${tokenListener.port}`;
    const armEndpoint = `https://${hostname}:${armListener.port}`;
    const identityEndpoint = `https://${hostname}:${identityListener.port}`;

    const github = new GitHubActions(identityEndpoint, options.githubActions);
    const entra = new EntraIdentity({
      tenantId,
      clients: [
        {
          clientId,
          clientSecret,
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
    const keys = new KeySource(options.reuseKeys ?? false);
    const vaults = new Map<string, { vault: KeyVault; port: number }>();
    const vaultUrls: Record<string, string> = {};

    // Reads the secret URI as API Management does, on its own (provider/apim-certificate/schema.ts has the provider's).
    const resolveSecret = (secretIdentifier: string): SecretResolution => {
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

    const apim = new ApimEmulator({
      entra,
      authorityHost,
      armEndpoint,
      resolveSecret,
      pageSize: options.apimPageSize ?? 100,
      requireIfMatchOnUpdate: options.apimRequireIfMatchOnUpdate ?? false,
    });

    surfaces.set("token", {
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
    });
    surfaces.set("identity", {
      name: "identity",
      routes: [...github.routes(), ...managedIdentities.routes()],
      error: (status, code, message) => ({ status, body: { error: code, error_description: message } }),
      headers: (_ctx, id) => ({ "x-ms-request-id": id }),
    });
    surfaces.set("arm", {
      name: "arm",
      routes: apim.routes(),
      error: (status, code, message) =>
        armError(status, status === 403 ? "AuthorizationFailed" : code, message),
      headers: (ctx, id) => ({
        "x-ms-request-id": id,
        "x-ms-correlation-request-id": header(ctx.headers, "x-ms-correlation-request-id") ?? id,
        "cache-control": "no-cache",
      }),
    });

    const addVault = async (vaultName: string, port?: number): Promise<string> => {
      if (!VAULT_NAME.test(vaultName) || RESERVED_LISTENERS.includes(vaultName.toLowerCase()))
        throw new AdminError(
          400,
          `'${vaultName}' is not a valid vault name: 3-24 letters, digits and single hyphens, starting with a letter (not 'token', 'arm' or 'identity').`,
        );
      if (vaults.has(vaultName.toLowerCase()))
        throw new AdminError(400, `vault '${vaultName}' already exists`);
      let l: Listener;
      try {
        l = await open(vaultName, port);
      } catch (e) {
        throw new AdminError(400, `cannot listen for vault '${vaultName}': ${(e as Error).message}`);
      }
      const baseUrl = `https://${hostname}:${l.port}`;
      const vault = new KeyVault(
        vaultName,
        baseUrl,
        { entra, authorityHost, keys, settings: keyVaultSettings },
        options.softDelete ?? true,
      );
      vaults.set(vaultName.toLowerCase(), { vault, port: l.port });
      vaultUrls[vaultName] = baseUrl;
      surfaces.set(vaultName, {
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
      });
      return baseUrl;
    };

    for (const v of options.vaults ?? ["demo"]) {
      const spec = typeof v === "string" ? { name: v } : v;
      await addVault(spec.name, spec.port);
    }

    const info = (): EmulatorInfo => {
      const mi = managedIdentities.info();
      return {
        authorityHost,
        tenantId,
        clientId,
        clientSecret,
        armEndpoint,
        adminEndpoint: `${armEndpoint}${adminPrefix}`,
        adminKey,
        vaults: { ...vaultUrls },
        caCertPath,
        identityEndpoint,
        githubActions: github.info(),
        managedIdentity: {
          imdsEndpoint: identityEndpoint,
          appServiceEndpoint: `${identityEndpoint}/msi/token`,
          identityHeader: mi.identityHeader,
          systemAssignedClientId: mi.systemAssignedClientId,
          userAssignedClientIds: mi.userAssignedClientIds,
        },
      };
    };
    const host = {
      entra,
      github,
      managedIdentities,
      apim,
      faults,
      log,
      vault: (n: string) => vaults.get(n.toLowerCase())?.vault,
      keyVaultSettings,
      addVault,
      info,
    };
    const admin = new EmulatorAdmin(host);
    adminRouteTable = adminRoutes(admin, host);

    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      for (const d of pendingDelays) {
        clearTimeout(d.timer);
        d.resolve();
      }
      pendingDelays.clear();
      await Promise.all(
        listeners.map(
          (l) =>
            new Promise<void>((resolve) => {
              l.server.close(() => resolve());
              l.server.closeAllConnections();
            }),
        ),
      );
      if (ownStateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    };

    return {
      ...info(),
      // Vaults added later show up here too.
      vaults: vaultUrls,
      caCertPem: ca.pem,
      admin,
      info,
      stop,
    };
  } catch (e) {
    await Promise.all(listeners.map((l) => new Promise((r) => l.server.close(r))));
    if (ownStateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
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
