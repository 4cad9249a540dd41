/**
 * Fixtures for the edge and integration component tests: a realistic parsed config,
 * accessors for profile devices and instance config, and secrecy of recorded inputs.
 */
import { parseAtlasConfig, type AtlasConfig } from "../../../config";
import { mockStack, type MockStack } from "../../helpers/pulumiMocks";

export const base = ["container-base", "production-network"];

/** Parses stack config the way the program does; `secrets` become secret values. */
export function atlasConfig(
  stack: string,
  values: Record<string, unknown> = {},
  secrets: Record<string, string> = {},
): AtlasConfig {
  const encoded = Object.fromEntries(
    Object.entries({ ...values, ...secrets }).map(([k, v]) => [
      k.includes(":") ? k : `atlas:${k}`,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
  return parseAtlasConfig({
    stack,
    values: encoded,
    secretKeys: Object.keys(secrets).map((k) => (k.includes(":") ? k : `atlas:${k}`)),
  });
}

// The marker Pulumi's serialisation wraps secret values in, as the mocks receive them.
const secretSig = "4dabf18193072939515e22adb298388d";

/** Whether a recorded input reached the engine as a secret. */
export function isSecretInput(value: unknown): boolean {
  return typeof value === "object" && value !== null && secretSig in value;
}

/** A recorded input with any secret wrapper removed. */
export function plain<T = unknown>(value: unknown): T {
  return (isSecretInput(value) ? (value as { value: unknown }).value : value) as T;
}

export async function cluster01Run(): Promise<MockStack> {
  return mockStack({ stack: "cluster01" });
}

/** Config of a recorded instance, unwrapped, with whether it was sent as a secret. */
export function instanceConfig(
  run: MockStack,
  instance: string,
): { config: Record<string, string>; secret: boolean } {
  const raw = run.named("incus:index:Instance", instance).inputs.config;
  return { config: plain<Record<string, string>>(raw), secret: isSecretInput(raw) };
}

export interface RecordedDevice {
  name: string;
  type: string;
  properties: Record<string, string>;
}

export function devicesOf(run: MockStack, profile: string): RecordedDevice[] {
  return run.named("incus:index:Profile", profile).inputs.devices as RecordedDevice[];
}

export function proxyDevicesOf(run: MockStack, profile: string): RecordedDevice[] {
  return devicesOf(run, profile).filter((d) => d.type === "proxy");
}
