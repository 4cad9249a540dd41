/**
 * `npm run preview|up|destroy|refresh -- --stack NAME [extra pulumi flags]`: the
 * reference's Makefile operations (`ENV=cluster01 make plan`) as npm scripts. The
 * stack defaults to iapetus, as the Makefile's ENV did.
 *
 * `preview` and `up` run with the policy pack (policies/), so a local `up` is held to the
 * same mandatory policies as a pull request's checks; `--skip-policies` leaves it out,
 * with a warning.
 *
 * `up` runs with Atlas' `--parallel` (automation/shared/parallelism.ts) unless the caller
 * passes one: with the CLI's own default (4 per core) a large stack's instances wait their
 * turn while the daemon could create more at once (docs/benchmarks.md, scale). `preview`
 * runs without the engine's per-step snapshots, which a preview throws away
 * (automation/shared/previewCheckpoints.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { backendFiles, readBackendEnv } from "../automation/bootstrap/backendSettings";
import { atlasConfigDir } from "../automation/bootstrap/settings";
import { repoRoot } from "../automation/repoRoot";
import { parallelFor, withParallel } from "../automation/shared/parallelism";
import { engineEnvironmentFor } from "../automation/shared/previewCheckpoints";
import { topologyNames, type TopologyName } from "../config/schema";

const operations = ["preview", "up", "destroy", "refresh"] as const;
type Operation = (typeof operations)[number];
/** The operations the engine runs policy packs on. */
const checked: readonly Operation[] = ["preview", "up"];
const policyPack = path.join(repoRoot, "policies");

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run <${operations.join("|")}> -- [--stack NAME] [--skip-policies] [pulumi flags]`,
  );
  process.exit(2);
}

function main(argv: string[]): number {
  const [operation, ...rest] = argv;
  if (!(operations as readonly string[]).includes(operation))
    usage(`unknown operation '${operation}'`);
  let stack = process.env.ATLAS_STACK ?? "iapetus";
  const passThrough: string[] = [];
  let skipPolicies = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--skip-policies") {
      skipPolicies = true;
    } else if (rest[i] === "--stack" || rest[i] === "-s") {
      stack = rest[++i] ?? usage("--stack needs a stack name");
    } else if (rest[i].startsWith("--stack=")) {
      stack = rest[i].slice("--stack=".length);
    } else {
      passThrough.push(rest[i]);
    }
  }
  if (!(topologyNames as readonly string[]).includes(stack)) {
    console.error(
      `note: stack '${stack}' is not named after a topology (${topologyNames.join(", ")}); it must set atlas:topology.`,
    );
  }
  // After `npm run bootstrap`, the stack's S3 backend and credentials live outside the
  // repo; use them unless the caller chose a backend already.
  const env = { ...process.env };
  const isTopology = (topologyNames as readonly string[]).includes(stack);
  const target = { configDir: atlasConfigDir(), stack: stack as TopologyName };
  if (isTopology && !env.PULUMI_BACKEND_URL && fs.existsSync(backendFiles(target).envFile)) {
    Object.assign(env, readBackendEnv(target));
    console.error(`using the bootstrapped backend of ${stack} (${backendFiles(target).envFile})`);
  }
  const added = engineEnvironmentFor(operation, env);
  Object.assign(env, added);
  const args = withParallel(
    [operation as Operation, "--stack", stack, ...passThrough],
    parallelFor(operation),
  );
  if (operation === "preview") args.push("--diff");
  if (checked.includes(operation as Operation)) {
    if (skipPolicies) {
      console.error(
        [
          "",
          `WARNING: --skip-policies: this ${operation} does NOT apply the Atlas policy pack.`,
          "WARNING: the mandatory policies that pull-request checks enforce (limits, no default",
          "WARNING: profile, no privileged containers, volume sizes, host capacity) are not checked.",
          "",
        ].join("\n"),
      );
    } else if (!fs.existsSync(path.join(repoRoot, "dist", "policies", "index.js"))) {
      console.error(
        "the policy pack is not compiled (dist/policies/index.js): run `npm run build` first, or pass --skip-policies",
      );
      return 1;
    } else {
      args.push("--policy-pack", policyPack);
    }
  } else if (skipPolicies) {
    usage(`--skip-policies applies to ${checked.join(" and ")} only`);
  }
  const shown = Object.entries(added).map(([k, v]) => `${k}=${v} `);
  console.error(`$ ${shown.join("")}pulumi ${args.join(" ")}`);
  const result = spawnSync("pulumi", args, { stdio: "inherit", env });
  if (result.error) {
    console.error(
      `could not run pulumi: ${result.error.message} (is the Pulumi CLI on PATH? see scripts/pulumi-cli.sh)`,
    );
    return 1;
  }
  return result.status ?? 1;
}

process.exit(main(process.argv.slice(2)));
