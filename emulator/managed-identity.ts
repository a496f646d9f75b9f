/**
 * Managed identity token endpoints, as a VM (IMDS) and an App Service / Functions host see them:
 *
 * - IMDS: `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...[&client_id=...]`
 *   with `Metadata: true` (real address `http://169.254.169.254`).
 * - App Service: `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=...[&client_id=...]` with
 *   `X-IDENTITY-HEADER: {IDENTITY_HEADER}` (real address `http://127.0.0.1:{port}/msi/token`).
 *
 * Tokens come from the emulated Entra ID (same issuer and signing key), for the host's
 * system-assigned identity or one of its user-assigned identities (by client id).
 */
import * as crypto from "node:crypto";
import type { Reply, RequestContext, Route } from "./http";
import { header } from "./http";

/** The identities of the emulated host. */
export interface ManagedIdentitySettings {
  /** Client id of the system-assigned identity; `null`: the host has none. */
  systemAssignedClientId: string | null;
  /** Client ids of user-assigned identities attached to the host. */
  userAssignedClientIds: string[];
  /** The secret App Service puts in `IDENTITY_HEADER`. */
  identityHeader: string;
}

/** What the emulator needs from Entra ID to issue a managed identity's token. */
export interface ManagedIdentityIssuer {
  knowsResource(resource: string): boolean;
  issueToken(opts: { audience: string; clientId: string; azpacr?: string }): string;
  tokenLifetimeSeconds: number;
}

const DEFAULT_MANAGED_IDENTITIES = {
  systemAssignedClientId: "66666666-6666-6666-6666-666666666666",
  userAssignedClientIds: ["77777777-7777-7777-7777-777777777777"],
} as const;

/** The managed identity endpoints of one emulated host. */
export class ManagedIdentityHost {
  private settings: ManagedIdentitySettings;

  constructor(
    private readonly entra: ManagedIdentityIssuer,
    settings: Partial<ManagedIdentitySettings> = {},
  ) {
    this.settings = {
      systemAssignedClientId:
        settings.systemAssignedClientId === undefined
          ? DEFAULT_MANAGED_IDENTITIES.systemAssignedClientId
          : settings.systemAssignedClientId,
      userAssignedClientIds: settings.userAssignedClientIds ?? [
        ...DEFAULT_MANAGED_IDENTITIES.userAssignedClientIds,
      ],
      identityHeader: settings.identityHeader ?? crypto.randomBytes(18).toString("base64url"),
    };
  }

  info(): ManagedIdentitySettings {
    return { ...this.settings, userAssignedClientIds: [...this.settings.userAssignedClientIds] };
  }

  /** Attaches a user-assigned identity to the host. */
  addUserAssigned(clientId: string): void {
    if (!this.settings.userAssignedClientIds.some((c) => c.toLowerCase() === clientId.toLowerCase()))
      this.settings.userAssignedClientIds.push(clientId);
  }

  routes(): Route[] {
    return [
      {
        name: "identity.imds",
        method: "GET",
        pattern: /^\/metadata\/identity\/oauth2\/token\/?$/i,
        handler: (ctx) => this.imds(ctx),
      },
      {
        name: "identity.appService",
        method: "GET",
        pattern: /^\/msi\/token\/?$/i,
        handler: (ctx) => this.appService(ctx),
      },
    ];
  }

  private static error(status: number, error: string, description: string): Reply {
    return { status, body: { error, error_description: description } };
  }

  /** The identity a request names (user-assigned by `client_id`, else system-assigned), or an error. */
  private pick(ctx: RequestContext): { clientId: string } | Reply {
    for (const other of ["object_id", "principal_id", "msi_res_id", "mi_res_id"]) {
      if (ctx.query.has(other))
        return ManagedIdentityHost.error(
          400,
          "invalid_request",
          `The emulator identifies user-assigned identities by client_id only; '${other}' is not supported.`,
        );
    }
    const requested = ctx.query.get("client_id");
    if (requested) {
      const found = this.settings.userAssignedClientIds.find(
        (c) => c.toLowerCase() === requested.toLowerCase(),
      );
      if (!found && requested.toLowerCase() !== this.settings.systemAssignedClientId?.toLowerCase())
        return ManagedIdentityHost.error(400, "invalid_request", "Identity not found");
      return { clientId: found ?? requested };
    }
    if (!this.settings.systemAssignedClientId)
      return ManagedIdentityHost.error(400, "invalid_request", "Identity not found");
    return { clientId: this.settings.systemAssignedClientId };
  }

  private issue(ctx: RequestContext, apiVersion: string, shape: "imds" | "appService"): Reply {
    const version = ctx.query.get("api-version");
    if (!version)
      return ManagedIdentityHost.error(
        400,
        "invalid_request",
        "Required query variable 'api-version' is missing",
      );
    if (version !== apiVersion)
      return ManagedIdentityHost.error(
        400,
        "invalid_request",
        `Invalid api-version '${version}'; the emulator serves ${apiVersion}.`,
      );
    const resource = ctx.query.get("resource");
    if (!resource)
      return ManagedIdentityHost.error(
        400,
        "invalid_request",
        "Required query variable 'resource' is missing",
      );
    const who = this.pick(ctx);
    if ("status" in who) return who;
    ctx.auth.clientId = who.clientId;
    ctx.auth.credential = "managedIdentity";
    const audience = resource.replace(/\/+$/, "");
    if (!this.entra.knowsResource(audience))
      return ManagedIdentityHost.error(
        400,
        "invalid_resource",
        `AADSTS500011: The resource principal named ${resource} was not found in the tenant.`,
      );
    ctx.auth.audience = audience;
    const lifetime = this.entra.tokenLifetimeSeconds;
    const now = Math.floor(Date.now() / 1000);
    const token = this.entra.issueToken({ audience, clientId: who.clientId, azpacr: "2" });
    const body: Record<string, string> =
      shape === "imds"
        ? {
            access_token: token,
            client_id: who.clientId,
            expires_in: String(lifetime),
            expires_on: String(now + lifetime),
            ext_expires_in: String(lifetime),
            not_before: String(now),
            resource,
            token_type: "Bearer",
          }
        : {
            access_token: token,
            expires_on: String(now + lifetime),
            resource,
            token_type: "Bearer",
            client_id: who.clientId,
          };
    return { status: 200, body };
  }

  private imds(ctx: RequestContext): Reply {
    if ((header(ctx.headers, "metadata") ?? "").toLowerCase() !== "true")
      return ManagedIdentityHost.error(400, "invalid_request", "Required metadata header not specified");
    return this.issue(ctx, "2018-02-01", "imds");
  }

  private appService(ctx: RequestContext): Reply {
    const given = Buffer.from(header(ctx.headers, "x-identity-header") ?? "");
    const expected = Buffer.from(this.settings.identityHeader);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
      return {
        status: 401,
        body: { statusCode: 401, message: "Unauthorized: the X-IDENTITY-HEADER is missing or wrong." },
      };
    return this.issue(ctx, "2019-08-01", "appService");
  }
}
