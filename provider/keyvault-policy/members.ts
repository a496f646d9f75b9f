// The policy members a user can manage, one row each: where the member sits in the public shape and
// on the wire, and how two values of it compare. mappers.ts and diff.ts walk this table, so that the
// PATCH body, the managed view and the diff always agree on what "a member" is.
/**
 * How values of a member compare:
 * - `scalar`: strictly equal;
 * - `set`: a list Key Vault treats as a set (order and repeats do not matter);
 * - `dnsSet`: a set of DNS names, which also ignore case;
 * - `subject`: an X.500 name, compared by its parsed form (spacing, attribute aliases and quoting
 *   do not matter);
 * - `lifetimeActions`: the ordered list of lifetime actions, compared element by element.
 */
export type MemberKind = "scalar" | "set" | "dnsSet" | "subject" | "lifetimeActions";

/** One manageable member of a certificate policy. */
export interface PolicyMember {
  /** Path in the public (camelCase) shape. */
  readonly path: readonly string[];
  /** Path in the wire (snake_case) shape. */
  readonly wire: readonly string[];
  /** How two values compare. */
  readonly kind: MemberKind;
}

/** Every manageable member, in the order of the REST spec and its samples (so PATCH bodies read like them). */
export const POLICY_MEMBERS: readonly PolicyMember[] = [
  { path: ["keyProperties", "exportable"], wire: ["key_props", "exportable"], kind: "scalar" },
  { path: ["keyProperties", "keyType"], wire: ["key_props", "kty"], kind: "scalar" },
  { path: ["keyProperties", "keySize"], wire: ["key_props", "key_size"], kind: "scalar" },
  { path: ["keyProperties", "reuseKey"], wire: ["key_props", "reuse_key"], kind: "scalar" },
  { path: ["keyProperties", "keyCurveName"], wire: ["key_props", "crv"], kind: "scalar" },
  { path: ["secretProperties", "contentType"], wire: ["secret_props", "contentType"], kind: "scalar" },
  { path: ["x509Properties", "subject"], wire: ["x509_props", "subject"], kind: "subject" },
  { path: ["x509Properties", "enhancedKeyUsage"], wire: ["x509_props", "ekus"], kind: "set" },
  {
    path: ["x509Properties", "subjectAlternativeNames", "emails"],
    wire: ["x509_props", "sans", "emails"],
    kind: "set",
  },
  {
    path: ["x509Properties", "subjectAlternativeNames", "dnsNames"],
    wire: ["x509_props", "sans", "dns_names"],
    kind: "dnsSet",
  },
  {
    path: ["x509Properties", "subjectAlternativeNames", "userPrincipalNames"],
    wire: ["x509_props", "sans", "upns"],
    kind: "set",
  },
  { path: ["x509Properties", "keyUsage"], wire: ["x509_props", "key_usage"], kind: "set" },
  { path: ["x509Properties", "validityInMonths"], wire: ["x509_props", "validity_months"], kind: "scalar" },
  { path: ["lifetimeActions"], wire: ["lifetime_actions"], kind: "lifetimeActions" },
  { path: ["issuer", "name"], wire: ["issuer", "name"], kind: "scalar" },
  { path: ["issuer", "certificateType"], wire: ["issuer", "cty"], kind: "scalar" },
  { path: ["issuer", "certificateTransparency"], wire: ["issuer", "cert_transparency"], kind: "scalar" },
  { path: ["attributes", "enabled"], wire: ["attributes", "enabled"], kind: "scalar" },
];

/** The dotted name of a member as the user writes it, e.g. `keyProperties.keySize`. */
export const memberName = (m: PolicyMember): string => m.path.join(".");

/** True for a list member: absent on the wire means the same as an empty list. */
export const isListMember = (m: PolicyMember): boolean => m.kind !== "scalar" && m.kind !== "subject";
