// The inputs of an ApimCertificate as a schema (see ../dynamic/schema.ts): what each input may
// hold, what is required, and what a failure says. validate.ts runs it and then checks, in code,
// what needs more than one input, the stack's configuration or the PFX itself. Messages for `data`
// and `password` are fixed texts: their values are never shown.
import * as v from "valibot";
import { describeValue, members, oneOf, orUnknown } from "../dynamic/schema";
import type { CheckFailure } from "../dynamic/unknown";
import { APIM_API_VERSIONS, APIM_KEY_VAULT_OUTPUT_NAMES, APIM_OUTPUT_NAMES } from "./types";

// Name rules from the ARM specification (apimcertificates.json, 2024-05-01).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w._()]{1,90}(?<!\.)$/;
const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/;
const CERTIFICATE_ID = /^[^*#&+:<>?/]{1,80}$/;
const SERVICE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/?$/i;

/** The reason for an output given a value as if it were an input. */
export const OUTPUT_GIVEN =
  "is an output of ApimCertificate, computed by API Management, not an input: remove it";
/** The outputs `check` derives from the PFX in `data`: its own when they match (validate.ts decides). */
export const DERIVED_OUTPUTS = ["thumbprint", "subject", "expirationDate"] as const;

/** A string that `rule` accepts; `reason` for any other value (it never shows the value). */
function named(rule: RegExp, reason: string) {
  return orUnknown(v.pipe(v.string(reason), v.regex(rule, reason)));
}

const subscriptionId = orUnknown(
  v.pipe(
    v.string((i) => `must be a subscription id (a UUID); got ${describeValue(i.input)}`),
    v.regex(UUID, (i) => `must be a subscription id (a UUID); got ${describeValue(i.input)}`),
  ),
);
const resourceGroupName = named(
  RESOURCE_GROUP,
  "must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'",
);
const serviceName = named(
  SERVICE_NAME,
  "must be 1-50 letters, digits or '-', starting with a letter and ending with a letter or digit",
);
/** The schemas of the three parts of a service id, for the parts `serviceId` names. */
export const SERVICE_PARTS = { subscriptionId, resourceGroupName, serviceName } as const;

const SERVICE_ID_REASON =
  "must be an API Management service id: /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ApiManagement/service/{name}";

/** The three parts of an API Management service id, or `undefined` when `id` is not one. */
export function parseServiceId(
  id: string,
): { subscriptionId: string; resourceGroupName: string; serviceName: string } | undefined {
  const m = SERVICE_ID.exec(id);
  return m ? { subscriptionId: m[1], resourceGroupName: m[2], serviceName: m[3] } : undefined;
}

const serviceId = orUnknown(
  v.pipe(
    v.string(SERVICE_ID_REASON),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const parts = parseServiceId(dataset.value);
      if (!parts) return addIssue({ message: SERVICE_ID_REASON });
      for (const key of Object.keys(SERVICE_PARTS) as (keyof typeof SERVICE_PARTS)[]) {
        const [issue] = v.safeParse(SERVICE_PARTS[key], parts[key]).issues ?? [];
        if (issue) addIssue({ message: `names a ${key} that ${issue.message}` });
      }
    }),
  ),
);

/**
 * Parses a Key Vault secret URI, `https://{vault}/secrets/{name}[/{version}]`; says how to fix a
 * `/certificates/` URI.
 */
export function parseSecretIdentifier(
  value: string,
): { vaultUrl: string; name: string; version?: string } | CheckFailure {
  const property = "keyVault.secretIdentifier";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return {
      property,
      reason: "must be a Key Vault secret URI such as https://myvault.vault.azure.net/secrets/mycert",
    };
  }
  const parts = url.pathname.split("/").filter(Boolean);
  if (url.protocol !== "https:") return { property, reason: "must be an https URI" };
  if (parts[0] === "certificates" && parts.length >= 2) {
    const fixed = `${url.origin}/secrets/${parts.slice(1).join("/")}`;
    return {
      property,
      reason: `is a /certificates/ URI; API Management reads the certificate through its secret: use ${fixed}`,
    };
  }
  if (parts[0] !== "secrets" || parts.length < 2 || parts.length > 3 || url.search || url.hash) {
    return { property, reason: "must be a Key Vault secret URI: https://{vault}/secrets/{name}[/{version}]" };
  }
  return { vaultUrl: url.origin, name: parts[1], version: parts[2] };
}

const secretIdentifier = orUnknown(
  v.pipe(
    v.string("must be a string"),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const parsed = parseSecretIdentifier(dataset.value);
      if ("reason" in parsed) addIssue({ message: parsed.reason });
    }),
  ),
);

const clientId = orUnknown(
  v.pipe(
    v.string("must be the client id (a UUID) of a user-assigned identity"),
    v.regex(UUID, "must be the client id (a UUID) of a user-assigned identity"),
  ),
);

/** `keyVault`: the secret API Management reads the certificate from. */
export const KeyVaultSourceSchema = members(
  {
    secretIdentifier: v.nonOptional(secretIdentifier, "is required"),
    identityClientId: v.optional(clientId),
  },
  {
    notAnObject: () => "must be an object { secretIdentifier, identityClientId? }",
    outputs: { names: APIM_KEY_VAULT_OUTPUT_NAMES, reason: OUTPUT_GIVEN },
    nullIsUnset: true,
  },
);

/**
 * The inputs of an `ApimCertificate` as the program gives them (the members of
 * `ApimCertificateArgs`, resolved); the rules that relate inputs to each other are in validate.ts.
 */
export const ApimInputsSchema = members(
  {
    serviceId: v.optional(serviceId),
    subscriptionId: v.optional(subscriptionId),
    resourceGroupName: v.optional(resourceGroupName),
    serviceName: v.optional(serviceName),
    certificateId: v.nonOptional(
      named(CERTIFICATE_ID, "must be 1-80 characters and contain none of * # & + : < > ? /"),
      "is required",
    ),
    apiVersion: v.optional(orUnknown(oneOf(APIM_API_VERSIONS))),
    data: v.optional(orUnknown(v.string("must be a base64 string"))),
    password: v.optional(orUnknown(v.string("must be a string"))),
    keyVault: v.optional(orUnknown(KeyVaultSourceSchema)),
    refreshTrigger: v.optional(
      orUnknown(v.string("must be a string (for example a Key Vault certificate version or thumbprint)")),
    ),
    expiryWarningDays: v.optional(
      orUnknown(
        v.pipe(
          v.number("must be a whole number of days, 0 or more"),
          v.integer("must be a whole number of days, 0 or more"),
          v.minValue(0, "must be a whole number of days, 0 or more"),
        ),
      ),
    ),
    importExisting: v.optional(orUnknown(v.boolean("must be true or false"))),
  },
  {
    unknownMember: "is not an input of ApimCertificate",
    outputs: {
      names: APIM_OUTPUT_NAMES.filter((n) => !(DERIVED_OUTPUTS as readonly string[]).includes(n)),
      reason: OUTPUT_GIVEN,
    },
    // The serialized provider; the derived outputs are validate.ts's to judge.
    ignored: ["__provider", ...DERIVED_OUTPUTS],
  },
);

/** The inputs as the program gives them, every `Input` resolved (equal to `ApimCertificateArgs` resolved: a test holds it). */
export type ApimResolvedInputs = v.InferOutput<typeof ApimInputsSchema>;
