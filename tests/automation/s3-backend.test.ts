/**
 * The backend settings the bootstrap writes, proven against a real S3-compatible server
 * (moto's server mode, installed by scripts/s3-test-server.sh) with the Pulumi CLI:
 * log in with them, create the stack, run an inline program with a secret output, export
 * and destroy. The S3 secret key never appears in the stack's state nor in the repository,
 * and the program's secret only as ciphertext.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendFiles, writeBackendSettings } from "../../automation/bootstrap/backendSettings";
import {
  backendEnvVars,
  loginToBackend,
  selectOrCreateStack,
} from "../../automation/bootstrap/mainStack";
import { bootstrapSettings } from "../../automation/bootstrap/settings";
import { repoRoot } from "../../automation/repoRoot";
import { pulumiCommand } from "../../automation/shared/pulumiCommand";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-s3-"));
const projectDir = path.join(work, "project");
const projectName = "atlas-s3-test";
const bucket = "atlas-pulumi-state";
const accessKey = `AK${crypto.randomBytes(8).toString("hex").toUpperCase()}`;
const secretKey = crypto.randomBytes(24).toString("base64url");
const programSecret = `token-${crypto.randomBytes(12).toString("hex")}`;
const settings = bootstrapSettings(
  "iapetus",
  {},
  { ATLAS_CONFIG_DIR: path.join(work, "config") },
  projectDir,
);
const savedHome = process.env.PULUMI_HOME;
let server: ChildProcess | undefined;
let endpoint = "";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`S3 test server did not answer at ${url}`);
}

beforeAll(async () => {
  const motoServer = execFileSync(
    "bash",
    [path.join(repoRoot, "scripts/s3-test-server.sh"), "install"],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  )
    .trim()
    .split("\n")
    .pop() as string;
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  server = spawn(motoServer, ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  await waitForServer(endpoint);
  // The bucket Incus would have created: made with a plain S3 call.
  expect((await fetch(`${endpoint}/${bucket}`, { method: "PUT" })).ok).toBe(true);
  fs.mkdirSync(projectDir, { recursive: true });
  fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), `name: ${projectName}\nruntime: nodejs\n`);
  process.env.PULUMI_HOME = path.join(work, "pulumi-home");
}, 600_000);

afterAll(() => {
  server?.kill();
  process.env.PULUMI_HOME = savedHome;
  fs.rmSync(work, { recursive: true, force: true });
});

describe("S3 backend settings written by the bootstrap", () => {
  it("log in, create the stack, up with a secret, export and destroy; no credential leaks", async () => {
    const written = writeBackendSettings(
      settings,
      { bucket, s3Url: `${endpoint}/${bucket}`, accessKey, secretKey },
      "127.0.0.1",
    );
    expect(written.backend.backendUrl).toBe(
      `s3://${bucket}?endpoint=${endpoint}&s3ForcePathStyle=true&region=us-east-1`,
    );

    const login = await loginToBackend(settings, projectDir);
    expect(login.url).toBe(written.backend.backendUrl);
    expect(await selectOrCreateStack(settings, projectDir)).toEqual({
      stack: "iapetus",
      created: true,
    });
    expect(await selectOrCreateStack(settings, projectDir)).toEqual({
      stack: "iapetus",
      created: false,
    });

    const stack = await LocalWorkspace.selectStack(
      {
        stackName: "iapetus",
        projectName,
        program: async () => {
          class Probe extends pulumi.ComponentResource {
            constructor(name: string) {
              super("atlas:components:Probe", name);
              this.registerOutputs({});
            }
          }
          new Probe("probe");
          return { token: pulumi.secret(programSecret), plain: "visible" };
        },
      },
      {
        workDir: projectDir,
        envVars: backendEnvVars(settings),
        pulumiCommand: await pulumiCommand(),
      },
    );
    const up = await stack.up({ color: "never" });
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.token).toEqual({ value: programSecret, secret: true });

    // The state lives in the bucket, on the S3 server.
    const listing = await (await fetch(`${endpoint}/${bucket}?list-type=2`)).text();
    expect(listing).toContain(`.pulumi/stacks/${projectName}/iapetus.json`);

    // `pulumi stack export` as a user runs it (the Automation API's exportStack decrypts).
    const cli = await pulumiCommand();
    const state = execFileSync(cli.command, ["stack", "export", "--stack", "iapetus"], {
      cwd: projectDir,
      env: { ...process.env, ...backendEnvVars(settings) },
      encoding: "utf8",
    });
    expect(state).toContain("atlas:components:Probe");
    expect(state).toContain("visible");
    expect(state).toContain("ciphertext");
    expect(state).not.toContain(programSecret);
    expect(state).not.toContain(secretKey);
    const stateObject = await (
      await fetch(`${endpoint}/${bucket}/.pulumi/stacks/${projectName}/iapetus.json`)
    ).text();
    expect(stateObject).not.toContain(programSecret);
    expect(stateObject).not.toContain(secretKey);

    const destroyed = await stack.destroy({ color: "never" });
    expect(destroyed.summary.resourceChanges?.delete).toBe(2);
    await stack.workspace.removeStack("iapetus");

    // Credentials only in the 0600 file outside the repository.
    const envFile = backendFiles(settings).envFile;
    expect(fs.readFileSync(envFile, "utf8")).toContain(secretKey);
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    const stackFile = path.join(projectDir, "Pulumi.iapetus.yaml");
    expect(fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : "").not.toContain(
      secretKey,
    );
    let found = "";
    try {
      found = execFileSync(
        "grep",
        [
          "-rlF",
          "--exclude-dir=node_modules",
          "--exclude-dir=.git",
          "--exclude-dir=.tools",
          "-e",
          secretKey,
          repoRoot,
        ],
        { encoding: "utf8" },
      );
    } catch (e) {
      expect((e as { status?: number }).status).toBe(1); // 1: no match
    }
    expect(found).toBe("");
  }, 600_000);
});
