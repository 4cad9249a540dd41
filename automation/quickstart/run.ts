/**
 * The quick start: from a machine with Incus and the Pulumi CLI (scripts/quickstart.sh
 * provides both) to a running iapetus control plane, in one command that can be run again.
 * It prepares the daemon (pool, project), a file state backend and a generated passphrase
 * outside the repository, fetches what the deployment needs or says exactly what it could
 * not fetch and what it did instead, runs `up`, and prints what it did and the endpoints.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type ProjectSettings, type Stack } from "@pulumi/pulumi/automation";
import { alpineCloudImage } from "../../config/defaults";
import { IncusClient } from "../../incus/client";
import { atlasProgram } from "../../program";
import { repoRoot } from "../repoRoot";
import { pulumiCommand } from "../shared/pulumiCommand";
import { assertOutsideRepo, ensurePassphraseFile } from "../shared/secretFiles";
import { ensureResourcePlugin, reachable } from "./fetchables";
import { ensurePool, ensureProject, hasLocalImage } from "./incusHost";
import type { QuickstartOptions } from "./options";
import { imagesOf, poolOf, quickstartValues, toConfigMap } from "./stackSettings";

/** Where the quick start's project lives and how the CLI reaches its stack afterwards. */
export interface QuickstartPaths {
  workDir: string;
  backendUrl: string;
  passphraseFile: string;
}

export function quickstartPaths(o: QuickstartOptions): QuickstartPaths {
  return {
    workDir: path.join(o.stateDir, "project"),
    backendUrl: `file://${path.join(o.stateDir, "state")}`,
    passphraseFile: o.passphraseFile,
  };
}

/** A refusal the quick start explains itself (exit 1, no stack trace). */
export class QuickstartStop extends Error {}

export interface QuickstartReport {
  did: string[];
  notFetched: string[];
  outputs: Record<string, { value: unknown; secret: boolean }>;
  paths: QuickstartPaths;
}

interface PluginSettings {
  plugins: { providers: { name: string; path: string }[] };
}

async function openStack(o: QuickstartOptions, p: QuickstartPaths): Promise<Stack> {
  const projectSettings: ProjectSettings & PluginSettings = {
    name: "atlas",
    runtime: "nodejs",
    description: "Atlas quick start (the iapetus topology on the local Incus daemon)",
    backend: { url: p.backendUrl },
    plugins: { providers: [{ name: "incus", path: path.join(repoRoot, "bin") }] },
  };
  return LocalWorkspace.createOrSelectStack(
    { stackName: o.stack, projectName: "atlas", program: async () => atlasProgram() },
    {
      workDir: p.workDir,
      pulumiCommand: await pulumiCommand(),
      projectSettings,
      envVars: {
        PULUMI_CONFIG_PASSPHRASE_FILE: p.passphraseFile,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      },
    },
  );
}

function prepareDirs(o: QuickstartOptions, p: QuickstartPaths, did: string[]): void {
  for (const dir of [o.stateDir, p.workDir, new URL(p.backendUrl).pathname]) {
    assertOutsideRepo(dir, repoRoot);
  }
  const fresh = !fs.existsSync(p.passphraseFile);
  ensurePassphraseFile(p.passphraseFile, repoRoot);
  did.push(
    `passphrase: ${p.passphraseFile} (0600) ${fresh ? "generated" : "already there, reused"}`,
  );
  for (const dir of [p.workDir, new URL(p.backendUrl).pathname]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  did.push(`state backend: ${p.backendUrl}`);
}

/** Checks every image's source: a local alias on the daemon, or its image server. */
async function checkImages(
  client: IncusClient,
  images: string[],
  notFetched: string[],
): Promise<void> {
  for (const image of images) {
    const colon = image.indexOf(":");
    if (colon < 0) {
      if (!(await hasLocalImage(client, image))) {
        notFetched.push(`image "${image}": no such local image on the daemon (incus image list)`);
      }
    } else if (image.startsWith("images:")) {
      const server = await reachable("https://images.linuxcontainers.org/streams/v1/index.json");
      if (!server.ok) notFetched.push(`image "${image}": ${server.detail}`);
    }
  }
}

export async function runQuickstart(
  o: QuickstartOptions,
  log: (line: string) => void,
): Promise<QuickstartReport> {
  const p = quickstartPaths(o);
  const did: string[] = [];
  const notFetched: string[] = [];
  prepareDirs(o, p, did);

  const client = new IncusClient({ env: process.env });
  try {
    const server = (
      await client.get<{ environment?: { server_version?: string } }>("/1.0", {
        project: false,
        object: "the local Incus daemon",
      })
    ).value;
    const serverVersion = server.environment?.server_version ?? "";
    did.push(`Incus daemon: version ${serverVersion}`);

    const pulumi = (await pulumiCommand()).command;
    const tls = o.settings["atlas:incusMetrics"]
      ? { ok: true, detail: "" }
      : ensureResourcePlugin(pulumi, "tls", process.env);
    if (!tls.ok) notFetched.push(tls.detail);
    else if (tls.detail) did.push(tls.detail);

    const values = quickstartValues({
      pool: o.pool,
      incusProject: o.incusProject,
      image: o.image,
      incusMetricsPossible: tls.ok,
      serverVersion,
      settings: o.settings,
    });
    if (!tls.ok) did.push("incusMetrics switched off: its certificate needs the tls plugin");

    const pool = poolOf(values);
    did.push(`storage pool "${pool}": ${await ensurePool(client, pool)}`);
    if (o.incusProject !== "default") {
      did.push(`Incus project "${o.incusProject}": ${await ensureProject(client, o.incusProject)}`);
    }
    const before = notFetched.length;
    await checkImages(client, imagesOf(values, alpineCloudImage), notFetched);
    if (notFetched.length > before) {
      throw new QuickstartStop(
        [
          "the services' image cannot be had, so nothing was deployed:",
          ...notFetched.slice(before).map((n) => `  - ${n}`),
          "Ready for the next run: " + did.join("; "),
          "Give the machine access to the image server, or pass --image <a local image alias>.",
        ].join("\n"),
      );
    }

    const stack = await openStack(o, p);
    // The Grafana admin password: generated once and kept as a secret of the stack, so
    // the run needs no random plugin and a rerun changes nothing.
    const existing = await stack.getConfig("atlas:grafanaAdminPassword").catch(() => undefined);
    const password = existing?.value ?? crypto.randomBytes(18).toString("base64url");
    await stack.setAllConfig({
      ...toConfigMap(values),
      "atlas:grafanaAdminPassword": { value: password, secret: true },
    });
    did.push(
      `stack "${o.stack}" in ${p.workDir}: ${existing ? "Grafana password kept" : "Grafana password generated (a stack secret)"}`,
    );

    log(`$ pulumi up --stack ${o.stack} (project in ${p.workDir})`);
    const up = await stack.up({ onOutput: (out) => log(out.replace(/\n$/, "")) });
    const changes = up.summary.resourceChanges ?? {};
    did.push(
      `up: ${Object.entries(changes)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ")}`,
    );
    const outputs: QuickstartReport["outputs"] = {};
    for (const [k, v] of Object.entries(up.outputs)) {
      outputs[k] = { value: v.value, secret: v.secret };
    }
    return { did, notFetched, outputs, paths: p };
  } finally {
    client.close();
  }
}

/** `--destroy`: removes the stack's resources and the stack; the pool, project and state dir stay. */
export async function destroyQuickstart(
  o: QuickstartOptions,
  log: (line: string) => void,
): Promise<string[]> {
  const p = quickstartPaths(o);
  if (!fs.existsSync(p.workDir) || !fs.existsSync(p.passphraseFile)) {
    return [`nothing to destroy: no quick start in ${o.stateDir}`];
  }
  const stack = await openStack(o, p);
  const result = await stack.destroy({ onOutput: (out) => log(out.replace(/\n$/, "")) });
  await stack.workspace.removeStack(o.stack);
  return [
    `destroyed: ${result.summary.resourceChanges?.delete ?? 0} resources`,
    `stack "${o.stack}" removed; kept: ${p.passphraseFile}, the storage pool and the Incus project`,
  ];
}

/** The closing words: what was done, what could not be fetched, the endpoints, what next. */
export function formatReport(r: QuickstartReport, o: QuickstartOptions): string {
  const env = `PULUMI_BACKEND_URL=${r.paths.backendUrl} PULUMI_CONFIG_PASSPHRASE_FILE=${r.paths.passphraseFile}`;
  const lines = ["", "Atlas quick start: done.", "What it did:", ...r.did.map((d) => `  - ${d}`)];
  if (r.notFetched.length > 0) {
    lines.push(
      "Could not be fetched (deployed without it):",
      ...r.notFetched.map((n) => `  - ${n}`),
    );
  }
  lines.push("Endpoints and outputs:");
  for (const [k, v] of Object.entries(r.outputs).sort(([a], [b]) => a.localeCompare(b))) {
    if (v.value === undefined || v.value === null || v.value === "") continue;
    lines.push(`  ${k}: ${v.secret ? "[secret]" : String(v.value)}`);
  }
  lines.push(
    "Next:",
    `  read a secret:  ${env} pulumi -C ${r.paths.workDir} stack output --stack ${o.stack} --show-secrets grafana_admin_password`,
    `  run it again:   scripts/quickstart.sh (same options); it only changes what changed`,
    `  remove it:      scripts/quickstart.sh --destroy (same options)`,
  );
  return lines.join("\n");
}
