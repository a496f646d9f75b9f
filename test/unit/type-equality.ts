/**
 * `true` when A and B are the same type (not merely assignable either way): optional and required
 * members, `readonly` and literal types all count.
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
