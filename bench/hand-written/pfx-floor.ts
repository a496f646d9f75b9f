/**
 * The third reference of `npm run bench`: the hand-written provider's resource (./provider.ts,
 * same inputs, PFX and password secrets, the same outputs) with no work at all: no credential, no
 * request, a made-up thumbprint. Its time over the no-op floor is what the engine and the SDK
 * charge for holding a PFX in the state (the ciphertext encrypted, serialized, hashed and written
 * at every checkpoint), which any provider that is given the PFX pays; the other references' time
 * over it is the work they do.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Props } from "./provider";

const outs = (p: Props) => ({
  serviceId: p.serviceId,
  certificateId: p.certificateId,
  thumbprint: "0".repeat(40),
});
const idOf = (p: Props) => `${p.serviceId}/certificates/${p.certificateId}`;

export async function configure(): Promise<void> {}

export async function create(p: Props): Promise<pulumi.dynamic.CreateResult> {
  return { id: idOf(p), outs: outs(p) };
}

export async function read(id: string, p: Props): Promise<pulumi.dynamic.ReadResult> {
  return { id, props: { ...p, ...outs(p) } };
}

export async function update(_id: string, _olds: Props, p: Props): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: outs(p) };
}

async function remove(): Promise<void> {}
export { remove as delete };
