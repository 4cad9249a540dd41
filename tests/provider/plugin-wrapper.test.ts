/**
 * bin/pulumi-resource-incus, the wrapper `pulumi up` starts: in a checkout it refuses a
 * compiled provider older than the sources under incus/ (with the command that fixes it),
 * runs a current one, and in a published package (no incus/ sources) never refuses. Each
 * case runs the real wrapper in a small tree laid out like the repository; the last one
 * times the check on this repository.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../automation/repoRoot";

const wrapper = path.join(repoRoot, "bin", "pulumi-resource-incus");
let root = "";

/** A tree with the wrapper, a compiled "provider" that echoes its arguments, and sources. */
function layout(options: { sources: boolean }): void {
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(path.join(root, "bin"), { recursive: true });
  fs.copyFileSync(wrapper, path.join(root, "bin", "pulumi-resource-incus"));
  fs.chmodSync(path.join(root, "bin", "pulumi-resource-incus"), 0o755);
  fs.mkdirSync(path.join(root, "dist", "incus", "provider"), { recursive: true });
  fs.writeFileSync(
    path.join(root, "dist", "incus", "provider", "main.js"),
    'console.log("provider ran with " + process.argv.slice(2).join(" "));\n',
  );
  if (options.sources) {
    fs.mkdirSync(path.join(root, "incus", "client"), { recursive: true });
    fs.writeFileSync(path.join(root, "incus", "client", "client.ts"), "export {};\n");
  }
}

/** Sets a file's modification time `seconds` from now. */
function age(file: string, seconds: number): void {
  const t = new Date(Date.now() + seconds * 1000);
  fs.utimesSync(path.join(root, file), t, t);
}

const start = () =>
  spawnSync(path.join(root, "bin", "pulumi-resource-incus"), ["127.0.0.1:0"], {
    encoding: "utf8",
  });

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ptest-wrapper-"));
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("pulumi-resource-incus", () => {
  it("runs a build newer than every source, passing the engine's arguments", () => {
    layout({ sources: true });
    age("incus/client/client.ts", -60);
    const r = start();
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("provider ran with 127.0.0.1:0");
    expect(r.status).toBe(0);
  });

  it("refuses a build older than a source, naming it and the command that fixes it", () => {
    layout({ sources: true });
    age("dist/incus/provider/main.js", -60);
    const r = start();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      `the compiled Incus provider in ${root}/dist is older than incus/client/client.ts: run \`npm run build\` in ${root}, then retry`,
    );
  });

  it("refuses a checkout that was never built", () => {
    layout({ sources: true });
    fs.rmSync(path.join(root, "dist"), { recursive: true });
    const r = start();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the Incus provider is not compiled");
    expect(r.stderr).toContain("run `npm run build`");
  });

  it("never refuses in a published package, which ships no incus/ sources", () => {
    layout({ sources: false });
    age("dist/incus/provider/main.js", -3600);
    const r = start();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("provider ran with 127.0.0.1:0");
  });

  it("checks this repository's sources in well under the plugin's start-up time", () => {
    // The check alone, as the wrapper runs it, over the real incus/ tree.
    const runs = 10;
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) {
      spawnSync("sh", [
        "-c",
        `find "${repoRoot}/incus" -name '*.ts' ! -name '*.d.ts' -newer "${wrapper}" -print | head -n 1`,
      ]);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs;
    console.log(`staleness check: ${ms.toFixed(1)} ms per plugin start`);
    expect(ms).toBeLessThan(100);
  });
});
