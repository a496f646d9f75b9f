import type * as pulumi from "@pulumi/pulumi";
import * as path from "path";

/**
 * What a resource's implementation module exports: the provider methods, run in the provider
 * process. It is an ordinary module of the installed package, unit-testable without the engine.
 */
export type ProviderModule = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
> & { configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> };

/**
 * Loads a resource's implementation module by its name within this package, to be passed to
 * `pulumi.dynamic.Resource` as the provider.
 *
 * Pulumi serializes the provider into the state of every resource (`__provider`), and whatever it
 * captures lands there: an SDK client, a credential, a config value; `@azure/identity` cannot be
 * serialized at all. When the provider object is the exports of a module installed under
 * `node_modules`, Pulumi writes `require("pulumi-azure-certs/...")` instead (about 300 bytes), and
 * the provider process loads the installed code at call time. So the module name is part of the
 * state contract: keep it stable across releases (delete/read run whatever the name resolves to).
 *
 * Loaded from anywhere else (an `npm link`ed checkout, a workspace symlink), Pulumi would copy the
 * implementation by value into state; refuse that with an error that says what to do.
 */
export function loadProvider(moduleName: string): pulumi.dynamic.ResourceProvider {
  const file = require.resolve(moduleName);
  if (!file.split(path.sep).includes("node_modules")) {
    throw new Error(
      `pulumi-azure-certs must be installed under node_modules (found ${moduleName} at a path outside it). ` +
        "Install the package with npm/yarn/pnpm rather than linking a checkout: Pulumi would otherwise copy " +
        "the provider's code into the state of every resource.",
    );
  }
  return require(file) as ProviderModule;
}
