/**
 * The Pulumi CLI the Automation API drives: one on PATH, else the build that
 * scripts/pulumi-cli.sh leaves in `.tools/bin`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { repoRoot } from "../repoRoot";

function onPath(env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? "")
    .split(path.delimiter)
    .some((dir) => dir !== "" && fs.existsSync(path.join(dir, "pulumi")));
}

export async function pulumiCommand(env: NodeJS.ProcessEnv = process.env): Promise<PulumiCommand> {
  if (onPath(env)) return PulumiCommand.get({ skipVersionCheck: false });
  const tools = path.join(repoRoot, ".tools");
  if (fs.existsSync(path.join(tools, "bin", "pulumi"))) return PulumiCommand.get({ root: tools });
  throw new Error(
    'no Pulumi CLI: put `pulumi` on PATH, e.g. PATH="$(scripts/pulumi-cli.sh | tail -n1):$PATH"',
  );
}
