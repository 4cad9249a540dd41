/**
 * The real program under the real engine: `pulumi preview --policy-pack policies` of the
 * iapetus and cluster01 stacks (TypeScript run by the Node language host, the Incus
 * provider plugin from bin/) must be clean. Runs in a copy of the project so the stack
 * files it writes never touch the checkout. Needs the Pulumi CLI (FAILS without it).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../automation/repoRoot";
import { pulumiCommand } from "../../automation/shared/pulumiCommand";

let work = "";
let env: NodeJS.ProcessEnv = {};

function pulumi(args: string[]): SpawnSyncReturns<string> {
  return spawnSync("pulumi", [...args, "--non-interactive"], {
    cwd: work,
    env,
    encoding: "utf8",
    timeout: 300_000,
  });
}

function must(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what}: ${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** Settings that keep the preview off plugins this machine cannot download (tls). */
const stackSettings: Record<string, [string, string][]> = {
  iapetus: [
    ["incusMetrics.enabled", "false"],
    ["productionNetwork.name", "polprod"],
    ["managementNetwork.name", "polmgmt"],
  ],
  cluster01: [
    ["incusMetrics.enabled", "false"],
    // The test daemon is one standalone server: it has no members to read or pin to.
    ["pinToClusterNodes", "false"],
    ["productionNetwork.name", "polcprod"],
    ["managementNetwork.name", "polcmgmt"],
    // Mosquitto TLS reads a second iapetus output (step-ca) through the same reference
    // as Loki's: two references of one name are a duplicate URN for the engine.
    ["mosquitto.enableTls", "true"],
    [
      "crossStack.stepCaFingerprintFallback",
      "3b1c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b",
    ],
  ],
};

beforeAll(async () => {
  const cli = (
    await pulumiCommand().catch((e: Error) => {
      throw new Error(`this test needs the Pulumi CLI: ${e.message} (CI: .ci/run provides it)`);
    })
  ).command;
  spawnSync(path.join(repoRoot, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], {
    cwd: repoRoot,
    stdio: "ignore",
  });
  work = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-real-preview-"));
  const files = spawnSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" })
    .stdout.split("\n")
    .filter((f) => f !== "" && fs.existsSync(path.join(repoRoot, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    // Keep modification times: the plugin wrapper refuses sources newer than dist/.
    fs.cpSync(path.join(repoRoot, file), path.join(work, file), { preserveTimestamps: true });
  }
  fs.chmodSync(path.join(work, "bin", "pulumi-resource-incus"), 0o755);
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(work, "node_modules"));
  fs.symlinkSync(path.join(repoRoot, "dist"), path.join(work, "dist"));
  const binDir = path.isAbsolute(cli) ? path.dirname(cli) : "";
  env = {
    ...process.env,
    PATH: binDir ? `${binDir}${path.delimiter}${process.env.PATH ?? ""}` : process.env.PATH,
    PULUMI_BACKEND_URL: `file://${path.join(work, ".state")}`,
    PULUMI_HOME: path.join(work, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "real-preview",
    PULUMI_SKIP_UPDATE_CHECK: "1",
    INCUS_REMOTE: "",
  };
  fs.mkdirSync(path.join(work, ".state"));
  for (const stack of ["iapetus", "cluster01"]) {
    must(pulumi(["stack", "init", stack]), `stack init ${stack}`);
    must(pulumi(["config", "set", "--stack", stack, "storagePool", "default"]), "config");
    must(pulumi(["config", "set", "--stack", stack, "incus:remote", "local"]), "config");
    for (const [key, value] of stackSettings[stack]) {
      must(pulumi(["config", "set", "--stack", stack, "--path", key, value]), `config ${key}`);
    }
    must(
      pulumi(["config", "set", "--stack", stack, "--secret", "grafanaAdminPassword", "pw"]),
      "secret",
    );
  }
}, 600_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe.each(["iapetus", "cluster01"])("pulumi preview --policy-pack of %s", (stack) => {
  it("previews the whole stack and passes every policy", () => {
    const result = pulumi([
      "preview",
      "--stack",
      stack,
      "--policy-pack",
      path.join(repoRoot, "policies"),
    ]);
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/✅ atlas@v[\d.]+/);
    expect(output).toContain("incus:index:Instance prometheus01 create");
    expect(output).not.toContain("Duplicate resource URN");
    expect(output).not.toMatch(/mandatory/i);
    // Every policy ran: none was stopped by a value unknown during preview.
    expect(output).not.toMatch(/can.t run policy/);
  });
});
