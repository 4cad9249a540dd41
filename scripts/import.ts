/**
 * `npm run import -- '<urn>' <id> [--cwd DIR]`: adopts an existing Incus object as the
 * resource the provider's "exists already" error named, under its parent component and
 * provider (automation/adopt/importResource.ts). The stack comes from the URN; the project
 * is the repository's (or the one in --cwd, e.g. the quick start's); the backend and
 * passphrase are the ones `pulumi up` would use (environment, or the bootstrapped backend).
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { adoptResource, parseResourceUrn } from "../automation/adopt/importResource";
import { backendFiles, readBackendEnv } from "../automation/bootstrap/backendSettings";
import { atlasConfigDir } from "../automation/bootstrap/settings";
import { repoRoot } from "../automation/repoRoot";
import { pulumiCommand } from "../automation/shared/pulumiCommand";
import { topologyNames, type TopologyName } from "../config/schema";

const usage = "usage: npm run import -- '<resource urn>' <incus object id> [--cwd PROJECT_DIR]";

async function main(argv: string[]): Promise<number> {
  let urn: string;
  let id: string;
  let workDir = repoRoot;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { cwd: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 2) throw new Error("expected the URN and the id the error printed");
    [urn, id] = positionals;
    if (values.cwd) workDir = values.cwd;
    parseResourceUrn(urn);
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    return 2;
  }
  const { stack: stackName } = parseResourceUrn(urn);
  const envVars: Record<string, string> = {};
  const target = { configDir: atlasConfigDir(), stack: stackName as TopologyName };
  if (
    workDir === repoRoot &&
    (topologyNames as readonly string[]).includes(stackName) &&
    !process.env.PULUMI_BACKEND_URL &&
    fs.existsSync(backendFiles(target).envFile)
  ) {
    Object.assign(envVars, readBackendEnv(target));
  }
  try {
    const stack = await LocalWorkspace.selectStack(
      { stackName, workDir },
      { pulumiCommand: await pulumiCommand(), envVars },
    );
    console.error(`asking the program of stack ${stackName} where ${urn} belongs (preview) ...`);
    const adopted = await adoptResource(stack, urn, id);
    console.log(
      `imported ${id} as ${urn}` +
        (adopted.placement.parent ? `\n  parent:   ${adopted.placement.parent}` : "") +
        (adopted.placement.provider ? `\n  provider: ${adopted.placement.provider}` : "") +
        `\nthe next \`up\` updates it to what the program declares`,
    );
    return 0;
  } catch (e) {
    console.error(`import failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
