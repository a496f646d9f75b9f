import * as pulumi from "@pulumi/pulumi";
import "./inspector";

/** The most a serialized provider may weigh: it is copied into the state of every resource. */
export const MAX_SERIALIZED_PROVIDER_BYTES = 2048;

const CREDENTIAL_PATTERNS: [string, RegExp][] = [
  ["a JWT", /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./],
  ["a PEM block", /-----BEGIN [A-Z ]+-----/],
  ["a bearer token", /Bearer\s+[A-Za-z0-9._-]{16,}/i],
  [
    "a client secret or password assignment",
    /(client_?secret|password|passphrase)["']?\s*[:=]\s*["'][^"']{4,}/i,
  ],
  ["a long base64 blob (PFX, key or token)", /[A-Za-z0-9+/]{200,}={0,2}/],
  ["an absolute path", /["'](\/(home|root|tmp|work|Users)\/|[A-Z]:\\)/],
];

export interface SerializedProvider {
  text: string;
  bytes: number;
}

/**
 * Serializes a dynamic provider the way `pulumi.dynamic.Resource` does and rejects one that is
 * too large or carries anything that looks like a credential or a machine-specific path.
 */
export async function guardProviderSerialization(
  provider: pulumi.dynamic.ResourceProvider,
): Promise<SerializedProvider> {
  const closure = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
  const text = closure.text;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SERIALIZED_PROVIDER_BYTES) {
    throw new Error(
      `serialized provider is ${bytes} bytes, over the ${MAX_SERIALIZED_PROVIDER_BYTES}-byte budget`,
    );
  }
  // A captured module is loaded again in the provider process from wherever state is used; only
  // the package's own implementation modules may be required, by name, at call time.
  for (const [, name] of text.matchAll(/require\("([^"]+)"\)/g)) {
    if (!name.startsWith("pulumi-azure-certs/"))
      throw new Error(`serialized provider captures the module "${name}"`);
  }
  for (const [what, pattern] of CREDENTIAL_PATTERNS) {
    if (pattern.test(text)) throw new Error(`serialized provider contains ${what}`);
  }
  return { text, bytes };
}
