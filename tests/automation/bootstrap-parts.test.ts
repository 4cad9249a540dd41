/**
 * The bootstrap's parts that need no daemon: command line, step reporting and resume hints,
 * the OCI remotes edit of the incus CLI config, the backend settings files, the local MinIO
 * check, and the inline program's resources under mocks.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  backendFiles,
  backendUrl,
  formatEnvFile,
  parseEnvFile,
  s3Endpoint,
  writeBackendSettings,
} from "../../automation/bootstrap/backendSettings";
import { checkLocalMinio } from "../../automation/bootstrap/minio";
import { ensureOciRemotes } from "../../automation/bootstrap/ociRemotes";
import { stateBackendProgram } from "../../automation/bootstrap/program";
import { bootstrapSettings } from "../../automation/bootstrap/settings";
import { parseCommandLine, UsageError } from "../../automation/shared/args";
import { runSteps, StepFailedError, type Step } from "../../automation/shared/progress";
import { stackConfigValues } from "../../automation/shared/stackConfig";
import { isSecret, mockStack } from "../helpers/pulumiMocks";

const temps: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-bt-"));
  temps.push(d);
  return d;
}
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("command line", () => {
  it("requires a known stack and rejects unknown options", () => {
    expect(parseCommandLine(["--stack", "cluster01", "--pool", "p"], ["pool"])).toEqual({
      positionals: [],
      stack: "cluster01",
      options: { pool: "p" },
    });
    expect(() => parseCommandLine([], [])).toThrow(UsageError);
    expect(() => parseCommandLine(["--stack", "prod"], [])).toThrow(/unknown stack "prod"/);
    expect(() => parseCommandLine(["--stack", "iapetus", "--bogus", "x"], [])).toThrow(UsageError);
  });
});

describe("steps", () => {
  const step = (name: string, changed: boolean | Error): Step<string[]> => ({
    name,
    describe: `does ${name}`,
    run: async (log) => {
      log.push(name);
      if (changed instanceof Error) throw changed;
      return { changed, summary: `${name} summary` };
    },
  });

  it("prints each step, says when nothing changed", async () => {
    const lines: string[] = [];
    const out = await runSteps(
      [step("a", false), step("b", false)],
      [],
      (l) => lines.push(l),
      "resume",
    );
    expect(out.changed).toBe(false);
    expect(lines).toContain("[1/2] a: does a");
    expect(lines).toContain("[2/2] b: unchanged: b summary");
    expect(lines.at(-1)).toMatch(/nothing to do/);
  });

  it("stops at a failure, names the step, what was done and how to resume", async () => {
    const ran: string[] = [];
    const err = await runSteps(
      [step("a", true), step("b", new Error("boom")), step("c", true)],
      ran,
      () => undefined,
      "npm run bootstrap -- --stack iapetus",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailedError);
    const failure = err as StepFailedError;
    expect(failure.step).toBe("b");
    expect(failure.message).toMatch(/^step 2\/3 "b" failed: boom/);
    expect(failure.message).toContain('Steps done and kept: "a"');
    expect(failure.message).toContain("`npm run bootstrap -- --stack iapetus`");
    expect(ran).toEqual(["a", "b"]);
  });
});

describe("OCI remotes", () => {
  it("creates config.yml with the CLI defaults plus ghcr and docker", () => {
    const dir = tempDir();
    const r = ensureOciRemotes(dir);
    expect(r.added).toEqual(["ghcr", "docker"]);
    const doc = parseYaml(fs.readFileSync(r.file, "utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    expect(doc["default-remote"]).toBe("local");
    expect(doc.remotes.images).toMatchObject({ protocol: "simplestreams" });
    expect(doc.remotes.ghcr).toEqual({ addr: "https://ghcr.io", protocol: "oci", public: true });
    expect(doc.remotes.docker).toEqual({
      addr: "https://docker.io",
      protocol: "oci",
      public: true,
    });
    expect(fs.statSync(r.file).mode & 0o777).toBe(0o600);
  });

  it("keeps every other key and comment, and a second run changes nothing", () => {
    const dir = tempDir();
    const file = path.join(dir, "config.yml");
    const original =
      "# mine\ndefault-remote: cluster01\nremotes:\n  cluster01:\n    addr: https://10.0.0.5:8443\n    auth_type: tls\n    project: atlas # keep\n  ghcr:\n    addr: https://ghcr.io\n    protocol: oci\n    public: true\naliases:\n  ll: list -c ns\n";
    fs.writeFileSync(file, original, { mode: 0o644 });
    const r = ensureOciRemotes(dir);
    expect(r).toMatchObject({ added: ["docker"], present: ["ghcr"] });
    const text = fs.readFileSync(file, "utf8");
    expect(text.startsWith(original.split("aliases:")[0].trimEnd().split("  ghcr:")[0])).toBe(true);
    expect(text).toContain("project: atlas # keep");
    expect(text).toContain("aliases:\n  ll: list -c ns");
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    const again = ensureOciRemotes(dir);
    expect(again.added).toEqual([]);
    expect(fs.readFileSync(file, "utf8")).toBe(text);
  });

  it("refuses a remote of the same name that points elsewhere, changing nothing", () => {
    const dir = tempDir();
    const file = path.join(dir, "config.yml");
    fs.writeFileSync(
      file,
      "remotes:\n  docker:\n    addr: https://mirror.example\n    protocol: oci\n",
    );
    expect(() => ensureOciRemotes(dir)).toThrow(
      /remote "docker" already exists as https:\/\/mirror.example/,
    );
    expect(fs.readFileSync(file, "utf8")).not.toContain("ghcr");
  });
});

describe("backend settings", () => {
  it("derives the S3 endpoint, replacing a wildcard listener with the remote's host", () => {
    expect(s3Endpoint("https://0.0.0.0:8555/atlas-pulumi-state", "10.0.0.5")).toBe(
      "https://10.0.0.5:8555",
    );
    expect(s3Endpoint("https://[::]:8555/b", "fd00::5")).toBe("https://[fd00::5]:8555");
    expect(s3Endpoint("https://incus.lan:8555/b", "10.0.0.5")).toBe("https://incus.lan:8555");
    expect(backendUrl("b", "https://h:8555", "us-east-1")).toBe(
      "s3://b?endpoint=https://h:8555&s3ForcePathStyle=true&region=us-east-1",
    );
  });

  it("round-trips env files with quotes", () => {
    const vars = { A: "plain", B: "it's $HOME `x`" };
    expect(parseEnvFile(formatEnvFile(vars, "header"))).toEqual(vars);
  });

  it("writes settings and 0600 credentials outside the repository, idempotently", () => {
    const configDir = tempDir();
    const settings = { ...bootstrapSettings("iapetus", {}, { ATLAS_CONFIG_DIR: configDir }) };
    const outputs = {
      bucket: "atlas-pulumi-state",
      s3Url: "https://0.0.0.0:8555/atlas-pulumi-state",
      accessKey: "AK",
      secretKey: "SECRET-123",
    };
    const first = writeBackendSettings(
      settings,
      outputs,
      "192.0.2.7",
      "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
    );
    expect(first.changed).toBe(true);
    expect(first.backend.backendUrl).toBe(
      "s3://atlas-pulumi-state?endpoint=https://192.0.2.7:8555&s3ForcePathStyle=true&region=us-east-1",
    );
    const files = backendFiles(settings);
    for (const f of [files.envFile, files.passphraseFile, files.caFile, files.settingsFile]) {
      expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    }
    const env = parseEnvFile(fs.readFileSync(files.envFile, "utf8"));
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: "AK",
      AWS_SECRET_ACCESS_KEY: "SECRET-123",
      AWS_CA_BUNDLE: files.caFile,
      PULUMI_BACKEND_URL: first.backend.backendUrl,
    });
    expect(fs.readFileSync(files.settingsFile, "utf8")).not.toContain("SECRET-123");
    expect(
      writeBackendSettings(
        settings,
        outputs,
        "192.0.2.7",
        "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
      ).changed,
    ).toBe(false);
  });

  it("refuses to write credentials inside the repository", () => {
    const settings = bootstrapSettings(
      "iapetus",
      {},
      { ATLAS_CONFIG_DIR: path.join(__dirname, "leak") },
    );
    expect(() =>
      writeBackendSettings(
        settings,
        { bucket: "b", s3Url: "http://h:1/b", accessKey: "a", secretKey: "s" },
        "h",
      ),
    ).toThrow(/inside the repository/);
    expect(fs.existsSync(path.join(__dirname, "leak"))).toBe(false);
  });
});

describe("local MinIO check", () => {
  function fakeProc(pathValue: string): string {
    const proc = tempDir();
    fs.mkdirSync(path.join(proc, "4242"));
    fs.writeFileSync(
      path.join(proc, "4242", "cmdline"),
      "/usr/libexec/incus/incusd\0--group\0root\0",
    );
    fs.writeFileSync(path.join(proc, "4242", "environ"), `HOME=/root\0PATH=${pathValue}\0`);
    return proc;
  }

  it("searches incusd's own PATH and reports what is missing", () => {
    const bin = tempDir();
    const proc = fakeProc(bin);
    expect(checkLocalMinio({}, proc)).toEqual({
      searched: [bin],
      missing: ["minio", "mc (or mcli)"],
    });
    for (const name of ["minio", "mcli"])
      fs.writeFileSync(path.join(bin, name), "#!/bin/sh\n", { mode: 0o755 });
    expect(checkLocalMinio({}, proc).missing).toEqual([]);
  });
});

describe("stack config", () => {
  it("passes plain values as the program sees them and leaves secrets out", () => {
    expect(
      stackConfigValues({
        config: {
          "atlas:storagePool": "fast",
          "incus:remote": "cluster01",
          "atlas:clusterNodes": ["a"],
          "atlas:x": { secure: "v1:..." },
        },
      }),
    ).toEqual({
      "atlas:storagePool": "fast",
      "incus:remote": "cluster01",
      "atlas:clusterNodes": '["a"]',
    });
  });
});

describe("inline program (mocks)", () => {
  it("declares the buckets address, the state pool, the bucket and an admin key on an explicit provider, and exports the key as a secret", async () => {
    const run = await mockStack({ stack: "cluster01" });
    const settings = bootstrapSettings(
      "cluster01",
      { remote: "cluster01", statePool: "pulumi-state" },
      {},
    );
    const exported = await stateBackendProgram(settings)();
    await run.settle();
    expect(run.named("pulumi:providers:incus", "incus").inputs).toMatchObject({
      remote: "cluster01",
    });
    expect(run.named("incus:index:Server", "storage-buckets-address").inputs).toMatchObject({
      config: { "core.storage_buckets_address": ":8555" },
    });
    expect(run.named("incus:index:StoragePool", "state-pool").inputs).toMatchObject({
      name: "pulumi-state",
      driver: "dir",
    });
    expect(run.named("incus:index:StorageBucket", "state-bucket").inputs).toMatchObject({
      name: "atlas-pulumi-state",
      pool: "pulumi-state",
    });
    expect(run.named("incus:index:StorageBucketKey", "state-bucket-key").inputs).toMatchObject({
      name: "atlas-pulumi-state-admin",
      storageBucket: "atlas-pulumi-state",
      role: "admin",
    });
    for (const r of run.resources.filter((r) => r.type.startsWith("incus:index:"))) {
      expect(r.provider).toMatch(/pulumi:providers:incus::incus::/);
    }
    expect(await isSecret(exported.secretKey)).toBe(true);
  });
});
