/**
 * Helpers for provider tests against the real Incus daemon started by
 * scripts/incus-test-daemon.sh. A missing daemon fails the tests: it never skips them.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { DEFAULT_SOCKET, IncusClient } from "../../incus/client";
import { IncusProvider } from "../../incus/provider/provider";

export const TEST_IMAGE = process.env.ATLAS_INCUS_TEST_IMAGE ?? "atlas-test";

/** Throws with the fix when the daemon is not there. */
export async function requireDaemon(): Promise<void> {
  const socket = process.env.INCUS_SOCKET ?? DEFAULT_SOCKET;
  if (!fs.existsSync(socket)) {
    throw new Error(
      `Incus daemon socket ${socket} is missing: run \`sudo scripts/incus-test-daemon.sh up\` before the provider tests`,
    );
  }
  const c = new IncusClient({ env: { ...process.env, INCUS_CONF: "/nonexistent-atlas-conf" } });
  try {
    await c.get("/1.0", { project: false });
  } finally {
    c.close();
  }
  incus(["image", "show", TEST_IMAGE]);
}

/** A unique, short name (fits a 15-byte network name). */
export function uniq(prefix = "pt"): string {
  return `${prefix}-${crypto.randomBytes(3).toString("hex")}`;
}

/** Runs the incus CLI and returns stdout; throws with stderr on failure. */
export function incus(args: string[], input?: string): string {
  return execFileSync("incus", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** Runs the incus CLI, returning whether it succeeded. */
export function incusOk(args: string[]): boolean {
  try {
    incus(args);
    return true;
  } catch {
    return false;
  }
}

export function urn(type: string, name: string): string {
  return `urn:pulumi:test::atlas::incus:index:${type}::${name}`;
}

/** A provider for the local daemon, ignoring any incus CLI config on the test machine. */
export function localProvider(): IncusProvider {
  return new IncusProvider(
    {},
    { ...process.env, INCUS_CONF: "/nonexistent-atlas-conf", INCUS_REMOTE: "" },
  );
}

/** Best-effort cleanup for afterAll: never throws. */
export function cleanup(args: string[][]): void {
  for (const a of args) {
    try {
      incus(a);
    } catch {
      // already gone
    }
  }
}

/** A self-signed client certificate and key (PEM) made with openssl. */
export function makeCertificate(cn: string): { cert: string; key: string } {
  const dir = fs.mkdtempSync("/tmp/ptest-cert-");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:secp384r1",
        "-nodes",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
        "-days",
        "30",
        "-subj",
        `/CN=${cn}`,
      ],
      { stdio: "pipe" },
    );
    return {
      cert: fs.readFileSync(`${dir}/cert.pem`, "utf8"),
      key: fs.readFileSync(`${dir}/key.pem`, "utf8"),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
