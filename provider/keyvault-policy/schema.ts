// The inputs of a KeyVaultCertificatePolicy as a schema (see ../dynamic/schema.ts): the members of
// each group, the enumerations of types.ts, ranges, formats, and what a failure says. The rules
// between members of one group (a key size for the key type, one trigger per lifetime action) are
// refinements here; validate.ts checks the vault against the cloud in code.
import * as v from "valibot";
import {
  checkedFirst,
  describeValue,
  listed,
  members,
  mustBe,
  oneOf,
  oneOfMessage,
  orUnknown,
} from "../dynamic/schema";
import { isUnknown } from "../dynamic/unknown";
import { isRecord, isSet } from "../json-values";
import { parseDistinguishedName } from "./subject";
import {
  COMPUTED_OUTPUT_NAMES,
  CONTENT_TYPES,
  KEY_CURVE_NAMES,
  KEY_TYPES,
  KEY_USAGES,
  KEY_VAULT_API_VERSIONS,
  LIFETIME_ACTION_TYPES,
  type KeyCurveName,
  type KeyType,
} from "./types";

/** Key Vault's RSA key sizes for certificates. */
const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
/** Key size of each curve, as Key Vault reports `key_size` for EC keys. */
const CURVE_KEY_SIZES: Record<KeyCurveName, number> = {
  "P-256": 256,
  "P-256K": 256,
  "P-384": 384,
  "P-521": 521,
};
const EC_KEY_SIZES = [...new Set(Object.values(CURVE_KEY_SIZES))];
/** In the REST enumeration (JsonWebKeyType), but symmetric: Key Vault cannot issue a certificate for them. */
const SYMMETRIC_KEY_TYPES = ["oct", "oct-HSM"];
/**
 * Upper bound of `validityInMonths`. The REST spec only says `minimum: 0` and has no maximum; 0 is
 * meaningless (and would leave no room for `daysBeforeExpiry`), so 1 is the floor. 1200 (100 years)
 * is this package's sanity bound against typos, not a documented Key Vault limit.
 */
export const MAX_VALIDITY_MONTHS = 1200;
/** Key Vault's factor between validity in months and the largest `daysBeforeExpiry`. */
const DAYS_PER_MONTH_BOUND = 27;

const CERTIFICATE_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const EKU_OID = /^[0-2](?:\.(?:0|[1-9][0-9]*))+$/;

// ---------------------------------------------------------------------------------------------
// Values.

const flag = v.optional(orUnknown(v.boolean(mustBe("a boolean (true or false)"))));

/** A whole number from `min` to `max`; every failure says `must be <what>`. */
function whole(what: string, min = -Infinity, max = Infinity) {
  const outOfRange = (issue: v.BaseIssue<unknown>) => `must be ${what}; got ${describeValue(issue.input)}`;
  return orUnknown(
    v.pipe(
      v.number(mustBe(what)),
      v.integer(mustBe(what)),
      v.minValue(min, outOfRange),
      v.maxValue(max, outOfRange),
    ),
  );
}

/** A string that `problem` finds nothing wrong with; the failure is `<problem>; got <value>`. */
function text(problem: (s: string) => string | undefined) {
  return orUnknown(
    v.pipe(
      v.string(mustBe("a string")),
      v.check(
        (s) => problem(s) === undefined,
        (issue) => `${problem(issue.input as string)}; got ${describeValue(issue.input)}`,
      ),
    ),
  );
}

/**
 * A list Key Vault treats as a set, of `item`s; a repeat fails at its index (`key` says which
 * strings are the same).
 */
function setOf<T extends string>(of: string, item: v.GenericSchema<T>, key = (s: string) => s) {
  return v.optional(
    orUnknown(
      v.pipe(
        v.array(item, mustBe(`a list of ${of}`)),
        v.rawCheck(({ dataset, addIssue }) => {
          const list = dataset.value;
          if (!Array.isArray(list)) return;
          const seen = new Map<string, number>();
          list.forEach((x: unknown, i) => {
            if (typeof x !== "string" || isUnknown(x) || !v.is(item, x)) return;
            const first = seen.get(key(x));
            if (first === undefined) return void seen.set(key(x), i);
            addIssue({
              message: `repeats ${describeValue(x)} (also at index ${first}); Key Vault treats this list as a set`,
              path: [{ type: "array", origin: "value", input: list, key: i, value: x }],
            });
          });
        }),
      ),
    ),
  );
}

function dnsNameProblem(s: string): string | undefined {
  const labels = s.split(".");
  const ok =
    s.length <= 253 &&
    labels.every((l, i) => (i === 0 && l === "*" && labels.length > 1) || DNS_LABEL.test(l));
  return ok
    ? undefined
    : "must be a DNS name such as www.contoso.com or *.contoso.com (dot-separated labels of letters, digits " +
        "and hyphens, at most 63 characters each; a wildcard only as the whole first label)";
}

function emailProblem(s: string): string | undefined {
  const domain = s.slice(s.lastIndexOf("@") + 1);
  return EMAIL.test(s) && domain.includes(".") && !dnsNameProblem(domain)
    ? undefined
    : "must be an e-mail address such as admin@contoso.com";
}

const upnProblem = (s: string) =>
  EMAIL.test(s) ? undefined : "must be a user principal name such as user@contoso.com";
const ekuProblem = (s: string) =>
  EKU_OID.test(s)
    ? undefined
    : "must be a dotted OID such as 1.3.6.1.5.5.7.3.1 (server authentication) or 1.3.6.1.5.5.7.3.2 (client authentication)";
/** A refinement's failure at member `key` of the object `input`. */
function at(input: Record<string, unknown>, key: string, message: string) {
  return {
    message,
    path: [{ type: "object", origin: "value", input, key, value: input[key] }] as [v.ObjectPathItem],
  };
}

// ---------------------------------------------------------------------------------------------
// Groups.

const keyType = v.picklist(KEY_TYPES, (issue) =>
  SYMMETRIC_KEY_TYPES.includes(issue.input as string)
    ? `must be one of ${listed(KEY_TYPES)}: a certificate needs a key pair, and ${issue.input as string} is a symmetric key; ` +
      `got ${describeValue(issue.input)}`
    : oneOfMessage(KEY_TYPES, issue.input),
);

const KeyPropertiesSchema = v.pipe(
  members(
    {
      keyType: v.optional(orUnknown(keyType)),
      keySize: v.optional(whole("a whole number of bits")),
      keyCurveName: v.optional(orUnknown(oneOf(KEY_CURVE_NAMES))),
      exportable: flag,
      reuseKey: flag,
    },
    { nullIsUnset: true },
  ),
  // The curve and the size for the key type (a key type that is wrong, or not known yet, is not judged).
  v.rawCheck(({ dataset, addIssue }) => {
    const props = dataset.value;
    if (!isRecord(props)) return;
    const type = (KEY_TYPES as readonly unknown[]).includes(props.keyType)
      ? (props.keyType as KeyType)
      : undefined;
    const curve = (KEY_CURVE_NAMES as readonly unknown[]).includes(props.keyCurveName)
      ? (props.keyCurveName as KeyCurveName)
      : undefined;
    const family = type?.replace(/-HSM$/, "");
    if (family === "EC" && !isSet(props.keyCurveName)) {
      addIssue(
        at(
          props,
          "keyCurveName",
          `is required for EC keys (keyType ${type}): one of ${listed(KEY_CURVE_NAMES)}`,
        ),
      );
    }
    if (family === "RSA" && isSet(props.keyCurveName) && !isUnknown(props.keyCurveName)) {
      addIssue(
        at(
          props,
          "keyCurveName",
          `is not allowed for RSA keys (keyType ${type}): a curve applies only to EC keys; remove keyCurveName`,
        ),
      );
    }
    const size = props.keySize;
    if (typeof size !== "number" || !Number.isInteger(size)) return;
    const sizeProblem = (reason: string) => addIssue(at(props, "keySize", `${reason}; got ${size}`));
    if (family === "RSA") {
      if (!(RSA_KEY_SIZES as readonly number[]).includes(size)) {
        sizeProblem(`must be one of ${listed(RSA_KEY_SIZES)} for RSA keys`);
      }
    } else if (family === "EC" || (!isSet(props.keyType) && curve !== undefined)) {
      if (curve !== undefined && size !== CURVE_KEY_SIZES[curve]) {
        sizeProblem(`must be ${CURVE_KEY_SIZES[curve]} for curve ${curve} (or leave keySize unset)`);
      } else if (curve === undefined && !EC_KEY_SIZES.includes(size)) {
        sizeProblem(`must be one of ${listed(EC_KEY_SIZES)} for EC keys`);
      }
    } else if (!isSet(props.keyType) && !isSet(props.keyCurveName)) {
      if (!(RSA_KEY_SIZES as readonly number[]).includes(size) && !EC_KEY_SIZES.includes(size)) {
        sizeProblem(
          `must be one of ${listed(RSA_KEY_SIZES)} (RSA) or ${listed(EC_KEY_SIZES)} (EC); ` +
            "keyType is not set here, so the size must also suit the key type the policy already has",
        );
      }
    }
  }),
);

const SecretPropertiesSchema = members(
  { contentType: v.optional(orUnknown(oneOf(CONTENT_TYPES))) },
  { nullIsUnset: true },
);

const subject = orUnknown(
  v.pipe(
    v.string(mustBe("a string")),
    v.check(
      (s) => parseDistinguishedName(s).ok,
      (issue) => {
        const parsed = parseDistinguishedName(issue.input as string);
        const why = parsed.ok ? "" : parsed.error;
        return `must be an X.500 distinguished name such as "CN=contoso.com, O=Contoso": ${why}; got ${describeValue(issue.input)}`;
      },
    ),
  ),
);

const X509PropertiesSchema = members(
  {
    subject: v.optional(subject),
    subjectAlternativeNames: v.optional(
      orUnknown(
        members(
          {
            dnsNames: setOf("DNS names", text(dnsNameProblem), (s) => s.toLowerCase()),
            emails: setOf("e-mail addresses", text(emailProblem)),
            userPrincipalNames: setOf("user principal names", text(upnProblem)),
          },
          { nullIsUnset: true },
        ),
      ),
    ),
    enhancedKeyUsage: setOf("OIDs", text(ekuProblem)),
    keyUsage: setOf("key usages", orUnknown(oneOf(KEY_USAGES))),
    validityInMonths: v.optional(
      whole(`a whole number of months from 1 to ${MAX_VALIDITY_MONTHS}`, 1, MAX_VALIDITY_MONTHS),
    ),
  },
  { nullIsUnset: true },
);

/**
 * What bounds `daysBeforeExpiry`: the policy's `validityInMonths` when the inputs set it to a valid
 * value (`number`), `"managed"` when they set it to a value that is wrong or not known yet (only
 * the lower bound is checked), `"unmanaged"` when they leave it to Key Vault.
 */
export type DaysBound = number | "managed" | "unmanaged";

function daysBeforeExpiry(bound: DaysBound) {
  if (typeof bound === "number") {
    const max = bound * DAYS_PER_MONTH_BOUND;
    return whole(
      `a whole number of days from 1 to ${max} (x509Properties.validityInMonths ${bound} x ${DAYS_PER_MONTH_BOUND})`,
      1,
      max,
    );
  }
  return whole(
    bound === "managed"
      ? `a whole number of days of at least 1 (and at most x509Properties.validityInMonths x ${DAYS_PER_MONTH_BOUND})`
      : `a whole number of days of at least 1 (at most the validity in months x ${DAYS_PER_MONTH_BOUND}; ` +
          "x509Properties.validityInMonths is not set here, so Key Vault checks the upper bound against the policy's current validity)",
    1,
  );
}

function lifetimeActions(bound: DaysBound) {
  const action = v.pipe(
    members(
      {
        action: v.nonOptional(
          orUnknown(oneOf(LIFETIME_ACTION_TYPES)),
          `is required: one of ${listed(LIFETIME_ACTION_TYPES)}`,
        ),
        lifetimePercentage: v.optional(
          whole("a whole percentage of the certificate's lifetime from 1 to 99", 1, 99),
        ),
        daysBeforeExpiry: v.optional(daysBeforeExpiry(bound)),
      },
      {
        nullIsUnset: true,
        notAnObject: (input) =>
          isSet(input)
            ? undefined
            : `must be a lifetime action such as { action: "AutoRenew", lifetimePercentage: 80 }; got ${describeValue(input)}`,
      },
    ),
    v.rawCheck(({ dataset, addIssue }) => {
      const item = dataset.value;
      if (!isRecord(item)) return;
      const triggers = [item.lifetimePercentage, item.daysBeforeExpiry].filter(isSet).length;
      if (triggers !== 1) {
        addIssue({
          message: `must set exactly one trigger, lifetimePercentage or daysBeforeExpiry; got ${triggers ? "both" : "neither"}`,
        });
      }
    }),
  );
  return v.optional(
    orUnknown(
      // The schema has a list, but Key Vault answers 400 BadParameter "At most one action is
      // allowed" (Azure/azure-sdk-for-net#15633).
      checkedFirst(
        (list) =>
          Array.isArray(list) && list.length > 1
            ? `may hold at most one action (Key Vault refuses more: "At most one action is allowed"); got ${list.length}. ` +
              'Keep one, such as [{ action: "AutoRenew", daysBeforeExpiry: 30 }], or [] for none'
            : undefined,
        v.array(orUnknown(action), mustBe("a list of lifetime actions")),
      ),
    ),
  );
}

/** A string with something in it besides spaces; `reason` for an empty one. */
function nonEmpty(reason: string) {
  return v.optional(
    orUnknown(
      v.pipe(
        v.string(mustBe("a string")),
        v.check((s) => s.trim().length > 0, reason),
      ),
    ),
  );
}

const IssuerSchema = members(
  {
    name: nonEmpty(
      'must be a non-empty issuer name: Self, Unknown or an issuer configured in the vault; got ""',
    ),
    certificateType: nonEmpty(
      'must be a non-empty certificate type such as OV-SSL or EV-SSL (leave it unset not to manage it); got ""',
    ),
    certificateTransparency: flag,
  },
  { nullIsUnset: true },
);

const AttributesSchema = members({ enabled: flag }, { nullIsUnset: true });

// ---------------------------------------------------------------------------------------------
// The inputs.

/** `vaultName`: the vault's name, from which the URL is built with the cloud's suffix. */
export const VaultNameSchema = orUnknown(
  v.pipe(
    v.string(mustBe("a string")),
    v.check(
      (s) => VAULT_NAME.test(s) && !s.includes("--"),
      (issue) =>
        "must be 3-24 characters of letters, digits and hyphens, start with a letter, end with a letter or digit " +
        `and have no consecutive hyphens; got ${describeValue(issue.input)}`,
    ),
  ),
);

/** `x509Properties.validityInMonths`, on its own: what decides the bound of `daysBeforeExpiry`. */
export const ValiditySchema = X509PropertiesSchema.entries.validityInMonths;

function inputsSchema(bound: DaysBound) {
  return members(
    {
      vaultBaseUrl: v.optional(orUnknown(v.string(mustBe("a string")))),
      vaultName: v.optional(VaultNameSchema),
      certificateName: v.nonOptional(
        orUnknown(
          v.pipe(
            v.string(mustBe("a string")),
            v.regex(
              CERTIFICATE_NAME,
              (issue) =>
                `must be 1-127 characters of letters, digits and hyphens; got ${describeValue(issue.input)}`,
            ),
          ),
        ),
        "is required: the name of the certificate in the vault",
      ),
      apiVersion: v.optional(orUnknown(oneOf(KEY_VAULT_API_VERSIONS))),
      restoreOnDelete: flag,
      importExisting: flag,
      keyProperties: v.optional(orUnknown(KeyPropertiesSchema)),
      secretProperties: v.optional(orUnknown(SecretPropertiesSchema)),
      x509Properties: v.optional(orUnknown(X509PropertiesSchema)),
      lifetimeActions: lifetimeActions(bound),
      issuer: v.optional(orUnknown(IssuerSchema)),
      attributes: v.optional(orUnknown(AttributesSchema)),
    },
    {
      unknownMember: "is not an input of KeyVaultCertificatePolicy",
      allowedIntro: "; its inputs are ",
      // The resource class passes its outputs as unset props; a value there came from the user.
      outputs: {
        names: COMPUTED_OUTPUT_NAMES,
        reason: "is an output of KeyVaultCertificatePolicy (read from Key Vault), not an input: remove it",
      },
      ignored: ["__provider"],
      nullIsUnset: true,
    },
  );
}

/** The inputs of a `KeyVaultCertificatePolicy` (the members of `KeyVaultCertificatePolicyArgs`, resolved). */
export const PolicyInputsSchema = inputsSchema("unmanaged");
const byBound = new Map<DaysBound, typeof PolicyInputsSchema>([["unmanaged", PolicyInputsSchema]]);

/** The inputs' schema with `daysBeforeExpiry` bounded as `bound` says (built once per bound). */
export function policyInputsSchema(bound: DaysBound): typeof PolicyInputsSchema {
  let schema = byBound.get(bound);
  if (!schema) byBound.set(bound, (schema = inputsSchema(bound)));
  return schema;
}

/**
 * The members of each group, in the order messages list them (the order a user reads them in the
 * Azure SDK). A unit test checks that they are exactly the members of POLICY_MEMBERS.
 */
export const GROUP_MEMBERS = {
  keyProperties: Object.keys(KeyPropertiesSchema.entries),
  secretProperties: Object.keys(SecretPropertiesSchema.entries),
  x509Properties: Object.keys(X509PropertiesSchema.entries),
  "x509Properties.subjectAlternativeNames": Object.keys(
    X509PropertiesSchema.entries.subjectAlternativeNames.wrapped.entries,
  ),
  issuer: Object.keys(IssuerSchema.entries),
  attributes: Object.keys(AttributesSchema.entries),
} as const;

/** The inputs as the program gives them, every `Input` resolved. */
export type PolicyResolvedInputs = v.InferOutput<typeof PolicyInputsSchema>;
