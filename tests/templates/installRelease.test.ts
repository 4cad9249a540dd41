/**
 * The release install script (templates/install-release.sh.mustache), run for real: it
 * downloads an archive this test builds from a file server on loopback, checks it against
 * the pinned SHA-256 and installs it into a scratch root. The tools it calls are busybox's
 * applets (sha256sum, tar, find, cut, mktemp…), as on the Alpine instances, and curl is the
 * real one; the shell is the host's POSIX sh, because busybox's own shell runs its applets
 * ahead of PATH. Only what needs root or OpenRC is replaced, by logging stand-ins on PATH
 * (addgroup, adduser, chown, rc-update, rc-service), and uname is set per test.
 */
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReleaseArchitecture } from "../../config";
import * as YAML from "yaml";
import type { CloudConfig } from "../../components/shared/cloudInit";
import {
  installScriptPath,
  releaseInstall,
  type ReleaseInstall,
} from "../../components/shared/serviceInstall";

/** What one run of the script did. */
interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Calls made to the stand-ins (account, ownership and OpenRC commands). */
  calls: string[];
  root: string;
}

const sha256 = (data: Buffer): string => crypto.createHash("sha256").update(data).digest("hex");

/** Busybox applets the script uses, so it runs with the tools an Alpine instance has. */
const busyboxApplets = [
  "basename",
  "cat",
  "chmod",
  "cp",
  "cut",
  "find",
  "head",
  "mkdir",
  "mktemp",
  "rm",
  "sha256sum",
  "tar",
  "unzip",
];

/** Commands that need root or OpenRC: they only record that they were called. */
const standIns = ["addgroup", "adduser", "chown", "rc-update", "rc-service"];

let work: string;
let server: http.Server;
let baseUrl: string;
/** The bytes the file server answers with, and how many downloads it served. */
let served: { body: Buffer; requests: number };
let goodArchive: Buffer;
/** The busybox the instances' tools come from (Debian's busybox-static here). */
let busybox: string;

/** A release archive laid out as upstream's are: a top folder holding the binary. */
function buildArchive(dir: string, version: string): Buffer {
  const top = path.join(dir, `demo-${version}.linux-amd64`);
  fs.mkdirSync(top, { recursive: true });
  fs.writeFileSync(path.join(top, "demo"), `#!/bin/sh\necho demo ${version}\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(top, "LICENSE"), "test fixture\n");
  const file = path.join(dir, "demo.tar.gz");
  const tar = spawnSync("tar", ["-czf", file, "-C", dir, path.basename(top)], { encoding: "utf8" });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  return fs.readFileSync(file);
}

function release(pins: Partial<Record<ReleaseArchitecture, string>>): ReleaseInstall {
  return {
    version: "1.2.3",
    pinKey: "atlas:services.demo.releaseSha256",
    artifacts: Object.entries(pins).map(([arch, hash]) => ({
      arch: arch as ReleaseArchitecture,
      url: `${baseUrl}/releases/v1.2.3/demo-1.2.3.linux-${arch}.tar.gz`,
      sha256: hash,
    })),
    binaries: [{ source: "demo", target: "demo" }],
  };
}

/** The install script exactly as cloud-init receives it. */
function renderScript(install: ReleaseInstall): string {
  const userData = releaseInstall({
    daemon: {
      name: "demo",
      description: "demo daemon",
      command: "/usr/local/bin/demo",
      args: [],
      user: "demo",
    },
    account: { user: "demo", uid: 990, gid: 990 },
    release: install,
    home: "/var/lib/demo",
    ownedPaths: ["/var/lib/demo"],
  });
  const files = (YAML.parse(userData) as CloudConfig).write_files ?? [];
  const script = files.find((f) => f.path === installScriptPath("demo"));
  if (!script) throw new Error("no install script in the cloud-config");
  return script.content;
}

/**
 * Runs the script as cloud-init does (`sh <script>`), as uname reports `machine`. Asynchronously: the file
 * server answers from this process, so the test must not block while curl waits on it.
 */
async function runScript(script: string, machine: string): Promise<ScriptRun> {
  const dir = fs.mkdtempSync(path.join(work, "run-"));
  const root = path.join(dir, "root");
  // What the Alpine image and cloud-init's write_files provide before the script runs.
  fs.mkdirSync(path.join(root, "usr/local/bin"), { recursive: true });
  fs.mkdirSync(path.join(root, "etc/init.d"), { recursive: true });
  fs.writeFileSync(path.join(root, "etc/init.d/demo"), "#!/sbin/openrc-run\n");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const applet of busyboxApplets) fs.symlinkSync(busybox, path.join(bin, applet));
  const callLog = path.join(dir, "calls.log");
  for (const name of standIns) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${callLog}\n`, {
      mode: 0o755,
    });
  }
  fs.writeFileSync(path.join(bin, "uname"), `#!/bin/sh\necho ${machine}\n`, { mode: 0o755 });
  const scriptFile = path.join(dir, "install.sh");
  fs.writeFileSync(scriptFile, script, { mode: 0o700 });

  const child = spawn("/bin/sh", [scriptFile], {
    env: {
      PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      TMPDIR: dir,
      ATLAS_TEST_INSTALL_ROOT: root,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const calls = fs.existsSync(callLog)
    ? fs.readFileSync(callLog, "utf8").trim().split("\n").filter(Boolean)
    : [];
  return { code, stdout, stderr, calls, root };
}

beforeAll(async () => {
  busybox = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim();
  if (!busybox) {
    throw new Error("busybox is missing: run scripts/install-test-host.sh (busybox-static)");
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-install-release-"));
  goodArchive = buildArchive(path.join(work, "good"), "1.2.3");
  server = http.createServer((req, res) => {
    served.requests += 1;
    if (!req.url?.startsWith("/releases/")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/gzip" }).end(served.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  served = { body: goodArchive, requests: 0 };
});

describe("install-release.sh: verified release downloads", () => {
  it("installs the binary when the download matches the pinned SHA-256", async () => {
    const run = await runScript(renderScript(release({ amd64: sha256(goodArchive) })), "x86_64");

    expect(run.code, run.stderr).toBe(0);
    const installed = path.join(run.root, "usr/local/bin/demo");
    expect(fs.readFileSync(installed, "utf8")).toContain("echo demo 1.2.3");
    expect(fs.statSync(installed).mode & 0o777).toBe(0o755);
    expect(served.requests).toBe(1);
    expect(run.calls).toEqual(
      expect.arrayContaining([
        // The account with the fixed ids configuration files are pushed with.
        "addgroup -S -g 990 demo",
        "adduser -S -D -H -u 990 -h /var/lib/demo -s /sbin/nologin -G demo demo",
        expect.stringMatching(/^chown -R demo:demo .*\/root\/var\/lib\/demo$/),
        "rc-update add demo default",
        "rc-service demo restart",
      ]),
    );
  });

  it("refuses a tampered download, naming the file and both hashes, and installs nothing", async () => {
    const pinned = sha256(goodArchive);
    const tampered = Buffer.concat([goodArchive, Buffer.from("tampered")]);
    served.body = tampered;

    const run = await runScript(renderScript(release({ amd64: pinned })), "x86_64");

    expect(run.code).not.toBe(0);
    expect(served.requests).toBe(1);
    expect(run.stderr).toContain("demo-1.2.3.linux-amd64.tar.gz");
    expect(run.stderr).toContain(pinned);
    expect(run.stderr).toContain(sha256(tampered));
    expect(run.stderr).toContain("nothing was installed");
    expect(fs.readdirSync(path.join(run.root, "usr/local/bin"))).toEqual([]);
    expect(fs.existsSync(path.join(run.root, "var/lib/demo"))).toBe(false);
    expect(run.calls).toEqual([]);
  });

  it("downloads nothing on an architecture without a pinned SHA-256, naming the key to set", async () => {
    const run = await runScript(renderScript(release({ amd64: sha256(goodArchive) })), "aarch64");

    expect(run.code).not.toBe(0);
    expect(served.requests).toBe(0);
    expect(run.stderr).toContain("demo 1.2.3: no pinned SHA-256 for architecture arm64 (aarch64)");
    expect(run.stderr).toContain("atlas:services.demo.releaseSha256.arm64");
    expect(fs.readdirSync(path.join(run.root, "usr/local/bin"))).toEqual([]);
    expect(run.calls).toEqual([]);
  });

  it("checks the download of the architecture it runs on against that architecture's pin", async () => {
    // Both pinned; on arm64 only the arm64 pin may be used, so the amd64 one (which the
    // served bytes match) must not let it through.
    const run = await runScript(
      renderScript(release({ amd64: sha256(goodArchive), arm64: "0".repeat(64) })),
      "aarch64",
    );

    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("demo-1.2.3.linux-arm64.tar.gz");
    expect(run.stderr).toContain("0".repeat(64));
    expect(fs.readdirSync(path.join(run.root, "usr/local/bin"))).toEqual([]);
  });
});
