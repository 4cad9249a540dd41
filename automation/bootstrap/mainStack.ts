/**
 * The Atlas stack itself, on the S3 backend the bootstrap configured: log in with the
 * written settings (proving they work) and create the stack, or select it when it exists.
 */
import * as fs from "node:fs";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { pulumiCommand } from "../shared/pulumiCommand";
import { readBackendEnv } from "./backendSettings";
import type { BootstrapSettings } from "./settings";

type BackendTarget = Pick<BootstrapSettings, "configDir" | "stack">;

/** Environment for Pulumi commands on the stack's backend, from the files bootstrap wrote. */
export function backendEnvVars(settings: BackendTarget): Record<string, string> {
  const env = readBackendEnv(settings);
  const vars: Record<string, string> = { ...env, PULUMI_SKIP_UPDATE_CHECK: "1" };
  // The stack's own passphrase, even when the shell has another PULUMI_CONFIG_PASSPHRASE.
  if (env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    vars.PULUMI_CONFIG_PASSPHRASE = fs
      .readFileSync(env.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8")
      .trim();
  }
  return vars;
}

/** A workspace on the project in `projectDir` (the repository) using the stack's backend. */
export async function backendWorkspace(
  settings: BackendTarget,
  projectDir: string,
): Promise<LocalWorkspace> {
  return LocalWorkspace.create({
    workDir: projectDir,
    envVars: backendEnvVars(settings),
    pulumiCommand: await pulumiCommand(),
  });
}

export interface LoginResult {
  url: string;
  user: string;
}

/** `pulumi login` with the written settings: fails unless the bucket is reachable with them. */
export async function loginToBackend(
  settings: BackendTarget,
  projectDir: string,
): Promise<LoginResult> {
  const ws = await backendWorkspace(settings, projectDir);
  const who = await ws.whoAmI();
  return { url: who.url ?? "", user: who.user };
}

export interface StackSelection {
  stack: string;
  created: boolean;
}

/** Creates the stack on the backend when it is missing; otherwise only selects it. */
export async function selectOrCreateStack(
  settings: BackendTarget,
  projectDir: string,
): Promise<StackSelection> {
  const ws = await backendWorkspace(settings, projectDir);
  const existing = await ws.listStacks();
  if (existing.some((s) => s.name === settings.stack || s.name.endsWith(`/${settings.stack}`))) {
    await ws.selectStack(settings.stack);
    return { stack: settings.stack, created: false };
  }
  await ws.createStack(settings.stack);
  return { stack: settings.stack, created: true };
}
