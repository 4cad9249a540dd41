/**
 * Vitest global setup: before `npm test` runs anything, checks that the machine has what
 * the suites beyond the mocked ones need, and fails the whole run at once with the one
 * command that provides it, instead of dozens of suites failing one by one for want of a
 * daemon or a validator. `npm run test:unit` and runs of single files (`npx vitest run
 * <file>`) are not held to it: each suite still fails on its own with what it lacks.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const repo = path.join(__dirname, "..", "..");

/** Folders whose suites need nothing but Node (mocks, the policy rules). */
const hostFree = ["tests/unit"];

interface HostPart {
  what: string;
  present: () => boolean;
}

/** On PATH, or in the sbin folders a non-root PATH leaves out (Debian's mosquitto). */
function onPath(command: string): boolean {
  return [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/sbin"].some(
    (dir) => dir !== "" && fs.existsSync(path.join(dir, command)),
  );
}

function incusAnswers(): boolean {
  const r = spawnSync("incus", ["query", "/1.0"], { encoding: "utf8", timeout: 15_000 });
  return r.status === 0;
}

export const hostParts: readonly HostPart[] = [
  {
    what: "a running Incus daemon (incus query /1.0)",
    present: incusAnswers,
  },
  ...["promtool", "amtool", "cloud-init", "mosquitto"].map((tool) => ({
    what: `the ${tool} validator on PATH`,
    present: () => onPath(tool),
  })),
  {
    what: "the Pulumi CLI (on PATH or in .tools/bin)",
    present: () => onPath("pulumi") || fs.existsSync(path.join(repo, ".tools", "bin", "pulumi")),
  },
  {
    what: "the S3 test server (.tools/moto)",
    present: () => fs.existsSync(path.join(repo, ".tools", "moto", "bin", "moto_server")),
  },
  {
    what: "the compiled provider plugin (dist/incus/provider/main.js)",
    present: () => fs.existsSync(path.join(repo, "dist", "incus", "provider", "main.js")),
  },
];

/** The test files or folders named on the command line (`npm test -- tests/unit`). */
function filters(argv: readonly string[]): string[] {
  const run = argv.findIndex((a) => a === "run");
  return argv.slice(run + 1).filter((a) => !a.startsWith("-"));
}

/** Whether this run is `npm test` over suites that need the host parts. */
export function needsHost(env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  if (env.npm_lifecycle_event !== "test") return false;
  const named = filters(argv);
  return named.length === 0 || !named.every((f) => hostFree.some((d) => f.startsWith(d)));
}

export default function setup(): void {
  if (!needsHost(process.env, process.argv)) return;
  const missing = hostParts.filter((p) => !p.present()).map((p) => p.what);
  if (missing.length === 0) return;
  throw new Error(
    [
      "",
      "npm test needs parts of the host this machine lacks:",
      ...missing.map((m) => `  - ${m}`),
      "Provide them and run every test with one command (Debian/Ubuntu, as root):",
      "  sudo scripts/test-all.sh",
      "For the quick loop without a host: npm run test:unit",
      "",
    ].join("\n"),
  );
}
