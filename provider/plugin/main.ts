#!/usr/bin/env node
/**
 * `pulumi-resource-azure-certs`: the resource plugin the Pulumi engine starts for the
 * `azure-certs` package (`azure-certs:index:ApimCertificate`, `azure-certs:index:KeyVaultCertificatePolicy`).
 * It prints its port and serves until the engine ends it. See ./server.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { serve } from "./server";
import schemaJson from "./schema.json";

/** The package's own package.json, found upwards from here (dist/provider/plugin or provider/plugin). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "pulumi-azure-certs" && pkg.version) return pkg.version;
  }
  throw new Error("pulumi-resource-azure-certs: cannot find the package.json of pulumi-azure-certs");
}

/** The schema the engine and `pulumi package gen-sdk` read, with this release's version. */
export function schema(): string {
  return JSON.stringify({ ...schemaJson, version: packageVersion() });
}

if (require.main === module) {
  serve({ version: packageVersion(), schema: schema() }).catch((e: unknown) => {
    process.stderr.write(`pulumi-resource-azure-certs: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
