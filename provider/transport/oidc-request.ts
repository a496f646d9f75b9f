/**
 * GitHub Actions' ID-token request, the assertion of the `useOidc` + `oidcRequestUrl` login:
 * `GET {ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange` with
 * `Authorization: Bearer {ACTIONS_ID_TOKEN_REQUEST_TOKEN}` answers `{"value": "<jwt>"}`.
 *
 * The ID token is asked for at every Entra token request (GitHub's ID tokens live minutes; the
 * access tokens made from them are cached by the token cache), with a time limit, without
 * following redirects (a redirect could carry the request token elsewhere). Errors name the
 * setting and the URL without its query, never the request token or the answer's token.
 */
import { redactUrl, SecretScrubber } from "./redaction";

/** What the request needs (a subset of the `oidcRequest` credential settings). */
export interface IdTokenRequest {
  requestUrl: string;
  requestToken: string;
  audience: string;
  /** Names of the settings that gave the URL and the token. */
  urlSource: string;
  tokenSource: string;
}

/** Why an ID token could not be had; its message names settings, never secrets. */
export class IdTokenRequestError extends Error {
  override readonly name = "IdTokenRequestError";
  constructor(
    message: string,
    /** The answer's status, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Requests one ID token. `onToken` sees each token obtained (to scrub it from later messages). */
export async function requestIdToken(
  req: IdTokenRequest,
  timeoutMs: number,
  onToken: (token: string) => void = () => undefined,
  signal?: AbortSignal,
): Promise<string> {
  const url = new URL(req.requestUrl);
  url.searchParams.set("audience", req.audience);
  const shown = redactUrl(url.toString());
  const scrubber = new SecretScrubber();
  scrubber.add(req.requestToken);
  const where = `the ID token endpoint of ${req.urlSource} (${shown})`;
  const timer = AbortSignal.timeout(timeoutMs);
  // Loaded here, as the transport loads it at its first request (see transport.ts `http`).
  const axios = (require("axios") as typeof import("axios")).default;
  let res;
  try {
    res = await axios.get<unknown>(url.toString(), {
      headers: { Authorization: `Bearer ${req.requestToken}`, Accept: "application/json" },
      // axios' own timeout, and a signal that also bounds connecting and TLS.
      timeout: timeoutMs,
      signal: signal ? AbortSignal.any([signal, timer]) : timer,
      maxRedirects: 0,
      responseType: "text",
      transformResponse: (d: unknown) => d,
      validateStatus: () => true,
      proxy: false,
    });
  } catch (e) {
    // Built afresh: axios' error carries the request config, Authorization header included.
    const err = e as { code?: string; message?: string };
    const timedOut = timer.aborted || err.code === "ECONNABORTED" || err.code === "ETIMEDOUT";
    throw new IdTokenRequestError(
      timedOut
        ? `${where} did not answer within ${timeoutMs} ms. Check ${req.urlSource} and the network path to it.`
        : `could not reach ${where}: ${scrubber.scrub(err.code ?? err.message ?? "connection failed")}. ` +
            `Check ${req.urlSource}.`,
    );
  }
  const text = typeof res.data === "string" ? res.data : "";
  if (res.status < 200 || res.status > 299) {
    let said = "";
    try {
      const body = JSON.parse(text) as { message?: unknown };
      if (typeof body.message === "string") said = `: ${scrubber.scrub(body.message).slice(0, 300)}`;
    } catch {
      // not JSON: say nothing of the body
    }
    const advice =
      res.status === 401 || res.status === 403
        ? ` Check ${req.tokenSource}: the request token is missing, wrong or expired (GitHub's lasts for the job only).`
        : ` Check ${req.urlSource}.`;
    throw new IdTokenRequestError(`${where} answered ${res.status}${said}.${advice}`, res.status);
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== "string" || value.split(".").length !== 3) {
    throw new IdTokenRequestError(`${where} answered ${res.status} without a token in "value".`, res.status);
  }
  onToken(value);
  return value;
}
