/**
 * What the quick start needs from the internet beyond the packages the shell script
 * installs: the `tls` resource plugin (for the Incus metrics certificate) and the image
 * server the services' images come from. Each is checked with a bounded wait, so an
 * offline machine hears exactly what could not be fetched, and never hangs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../repoRoot";

export interface Fetched {
  ok: boolean;
  /** What was needed and, when it failed, why (the tool's own last words). */
  detail: string;
}

/** The version of a Pulumi provider package the program uses (its plugin's version). */
export function pluginVersion(pkg: string): string {
  const file = path.join(repoRoot, "node_modules", "@pulumi", pkg, "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

interface PluginInfo {
  name: string;
  kind: string;
  version: string;
}

function installed(pulumi: string, name: string, version: string, env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync(pulumi, ["plugin", "ls", "--json"], {
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) return false;
  try {
    const list = JSON.parse(r.stdout || "[]") as PluginInfo[];
    return list.some((p) => p.name === name && p.kind === "resource" && p.version === version);
  } catch {
    return false;
  }
}

/** The resource plugin `name` at the program's version: present, or installed now. */
export function ensureResourcePlugin(
  pulumi: string,
  name: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
): Fetched {
  const version = pluginVersion(name);
  const what = `the Pulumi ${name} plugin v${version} (from get.pulumi.com)`;
  if (installed(pulumi, name, version, env))
    return { ok: true, detail: `${what}: already installed` };
  const r = spawnSync(pulumi, ["plugin", "install", "resource", name, `v${version}`], {
    env,
    encoding: "utf8",
    timeout: timeoutMs,
  });
  if (r.status === 0 && installed(pulumi, name, version, env)) {
    return { ok: true, detail: `${what}: installed` };
  }
  const output = `${r.stderr ?? ""}${r.error ? String(r.error) : ""}`;
  // The CLI's own words: its final error, and the network's reason (no DNS, refused, ...).
  const lines = output.split("\n").map((l) => l.trim());
  const error = lines.filter((l) => l.startsWith("error:")).pop();
  const reason = /Get "[^"]+": (.+)$/.exec(lines.find((l) => /Get "[^"]+":/.test(l)) ?? "")?.[1];
  const words =
    [error, reason && `(${reason})`].filter(Boolean).join(" ") ||
    lines.filter((l) => l !== "").pop() ||
    (r.status === null ? `no answer within ${timeoutMs / 1000}s` : "no answer");
  return { ok: false, detail: `${what} could not be fetched: ${words}` };
}

/** Whether an HTTPS URL answers at all within the wait. */
export async function reachable(url: string, timeoutMs = 15_000): Promise<Fetched> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true, detail: `${url}: answers (HTTP ${res.status})` };
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return { ok: false, detail: `${url} could not be reached: ${cause ?? (e as Error).message}` };
  }
}
