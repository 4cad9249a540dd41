/**
 * The Pulumi resource provider for Incus: dispatches each call to the handler for the
 * resource type, and does the Pulumi-side plumbing (secrets in and out, URNs, "gone").
 */
import { stderrWarn, type Warn } from "./engineLog";
import type * as pulumi from "@pulumi/pulumi";
import type {
  CheckResult,
  CreateResult,
  InvokeResult,
  Provider,
  ReadResult,
  UpdateResult,
} from "@pulumi/pulumi/provider";
import { type CliConfig, IncusClient, loadCliConfig } from "../client";
import type { DetailedDiffResult } from "./detailedDiff";
import { getClusterMembers, getClusterMembersToken } from "./functions/getClusterMembers";
import { getNetwork, getNetworkToken } from "./functions/getNetwork";
import { packageSchema } from "./packageSchema";
import type { HandlerContext, ResourceHandler } from "./handler";
import { CertificateHandler } from "./resources/certificate";
import { InstanceHandler } from "./resources/instance";
import { NetworkHandler } from "./resources/network";
import { NetworkAclHandler } from "./resources/networkAcl";
import { NetworkLbHandler } from "./resources/networkLb";
import { ProfileHandler } from "./resources/profile";
import { ServerHandler } from "./resources/server";
import { StorageBucketHandler } from "./resources/storageBucket";
import { StorageBucketKeyHandler } from "./resources/storageBucketKey";
import { StoragePoolHandler } from "./resources/storagePool";
import { StorageVolumeHandler } from "./resources/storageVolume";
import { maskError, type Masker, secretMasker, secretStrings } from "./secretMask";
import { type PropertyMap, type PropPath, unwrapMap, wrapSecrets } from "./values";

export const PROVIDER_VERSION = "0.1.0";

export interface ProviderSettings {
  remote?: string;
  project?: string;
  acceptRemoteCertificate?: boolean;
}

export function allHandlers(): ResourceHandler[] {
  return [
    new NetworkHandler(),
    new ProfileHandler(),
    new StoragePoolHandler(),
    new StorageVolumeHandler(),
    new StorageBucketHandler(),
    new StorageBucketKeyHandler(),
    new InstanceHandler(),
    new CertificateHandler(),
    new ServerHandler(),
    new NetworkLbHandler(),
    new NetworkAclHandler(),
  ];
}

/** `urn:pulumi:stack::project::[parent$]incus:index:Profile::name` → type and name. */
export function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return { type: qualified.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

/**
 * Provider configuration as the engine sends it: `incus:config:<key>` variables (values
 * JSON-encoded when not strings) and/or an args struct. Exported for tests.
 */
export function settingsFromConfigure(
  variables: Record<string, string>,
  args: Record<string, unknown> | undefined,
): ProviderSettings {
  const pick = (key: string): unknown => {
    const a = args?.[key];
    if (a !== undefined && a !== null && a !== "")
      return unwrapMap({ v: a as PropertyMap[string] }).value.v;
    return variables[`incus:config:${key}`] ?? variables[`incus:${key}`];
  };
  const str = (v: unknown): string | undefined =>
    typeof v === "string" && v !== "" ? v : undefined;
  const accept = pick("acceptRemoteCertificate");
  const acceptBool = bool(accept);
  if (accept !== undefined && acceptBool === undefined) {
    throw new Error(
      `incus provider: acceptRemoteCertificate must be true or false (got ${JSON.stringify(accept)})`,
    );
  }
  return {
    remote: str(pick("remote")),
    project: str(pick("project")),
    acceptRemoteCertificate: acceptBool,
  };
}

export class IncusProvider implements Provider {
  readonly version = PROVIDER_VERSION;
  private readonly handlers = new Map<string, ResourceHandler>();
  private settings: ProviderSettings;
  private readonly env: NodeJS.ProcessEnv;
  private readonly warn: Warn;
  private ctx?: HandlerContext;

  constructor(
    settings: ProviderSettings = {},
    env: NodeJS.ProcessEnv = process.env,
    warn: Warn = stderrWarn,
  ) {
    this.settings = settings;
    this.env = env;
    this.warn = warn;
    for (const h of allHandlers()) this.handlers.set(h.spec.token, h);
  }

  /**
   * The package schema, built from the handlers' specs: what `pulumi import` generates
   * code from and what documentation tools read.
   */
  async getSchema(): Promise<string> {
    const specs = [...this.handlers.values()].map((h) => h.spec);
    return JSON.stringify(packageSchema(specs, PROVIDER_VERSION));
  }

  /** Applies provider config; the connection is made lazily on first use. */
  configure(settings: ProviderSettings): void {
    this.settings = settings;
    this.ctx?.client.close();
    this.ctx = undefined;
  }

  /** The client and CLI config, created on first use so preview of a config error is cheap. */
  context(): HandlerContext {
    if (!this.ctx) {
      const cliConfig: CliConfig = loadCliConfig(this.env);
      const client = new IncusClient({
        remote: this.settings.remote,
        project: this.settings.project,
        acceptRemoteCertificate: this.settings.acceptRemoteCertificate,
        env: this.env,
        config: cliConfig,
      });
      this.ctx = { client, cliConfig, warn: this.warn };
    }
    return this.ctx;
  }

  handler(urn: string): ResourceHandler {
    const { type } = parseUrn(urn);
    const h = this.handlers.get(type);
    if (!h) {
      throw new Error(
        `incus provider: unknown resource type "${type}"; supported: ${[...this.handlers.keys()].join(", ")}`,
      );
    }
    return h;
  }

  private wrapOutputs(h: ResourceHandler, outs: PropertyMap, secrets: PropPath[]): PropertyMap {
    const always = (h.secretOutputs ?? []).map((k) => [k]);
    const derived = Object.entries(h.secretWithInput ?? {})
      .filter(([, input]) => secrets.some((p) => p[0] === input))
      .map(([output]) => [output]);
    const moved = h.secretOutputPath?.bind(h);
    const recorded = moved ? secrets.map(moved) : secrets;
    return wrapSecrets(outs, [...recorded, ...always, ...derived]);
  }

  /**
   * The handler context for one call, with warnings masked, and the masker for its errors:
   * messages built from command output or inputs must not print a secret in plain text.
   */
  private masked(...maps: { value: PropertyMap; secrets: PropPath[] }[]): {
    ctx: HandlerContext;
    mask: Masker;
  } {
    const base = this.context();
    const mask = secretMasker(maps.flatMap((m) => secretStrings(m.value, m.secrets)));
    return { ctx: { ...base, warn: (urn, message) => base.warn(urn, mask(message)) }, mask };
  }

  async check(urn: pulumi.URN, _olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    const h = this.handler(urn);
    const { value, secrets } = unwrapMap(news);
    const res = h.check(value, parseUrn(urn).name);
    return { inputs: wrapSecrets(res.inputs, secrets), failures: res.failures };
  }

  async diff(
    _id: pulumi.ID,
    urn: pulumi.URN,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<DetailedDiffResult> {
    const h = this.handler(urn);
    const d = h.diff(unwrapMap(olds).value, unwrapMap(news).value);
    return {
      changes: d.changes,
      replaces: d.replaces,
      deleteBeforeReplace: d.deleteBeforeReplace,
      ...(d.detailedDiff ? { diffs: d.changed, detailedDiff: d.detailedDiff } : {}),
    };
  }

  async create(urn: pulumi.URN, inputs: PropertyMap): Promise<CreateResult> {
    const h = this.handler(urn);
    const inputsPlain = unwrapMap(inputs);
    const { ctx, mask } = this.masked(inputsPlain);
    const res = await h.create(ctx, inputsPlain.value, urn).catch((e: unknown) => {
      throw maskError(e, mask);
    });
    return { id: res.id, outs: this.wrapOutputs(h, res.outs, inputsPlain.secrets) };
  }

  async read(id: pulumi.ID, urn: pulumi.URN, props?: PropertyMap): Promise<ReadResult> {
    const h = this.handler(urn);
    const { value, secrets } = unwrapMap(props);
    const res = await h.read(this.context(), id, value);
    // An empty id tells the engine the object is gone (deleted outside Pulumi).
    if (!res) return { id: "", props: {} };
    return {
      id: res.id,
      props: this.wrapOutputs(h, res.props, secrets),
      ...(res.inputs ? { inputs: wrapSecrets(res.inputs, secrets) } : {}),
    };
  }

  async update(
    id: pulumi.ID,
    urn: pulumi.URN,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<UpdateResult> {
    const h = this.handler(urn);
    const n = unwrapMap(news);
    const o = unwrapMap(olds);
    const { ctx, mask } = this.masked(n, o);
    const outs = await h.update(ctx, id, o.value, n.value, urn).catch((e: unknown) => {
      throw maskError(e, mask);
    });
    return { outs: this.wrapOutputs(h, outs, n.secrets) };
  }

  async delete(id: pulumi.ID, urn: pulumi.URN, props: PropertyMap): Promise<void> {
    await this.handler(urn).delete(this.context(), id, unwrapMap(props).value);
  }

  async invoke(token: string, inputs: PropertyMap): Promise<InvokeResult> {
    if (token === getClusterMembersToken) {
      return getClusterMembers(this.context(), unwrapMap(inputs).value);
    }
    if (token !== getNetworkToken) {
      throw new Error(
        `incus provider: unknown function "${token}"; supported: ${getNetworkToken}, ${getClusterMembersToken}`,
      );
    }
    let args = unwrapMap(inputs).value;
    // Tolerate the `{ args: {...} }` shape older SDK code sent.
    if (
      args.name === undefined &&
      typeof args.args === "object" &&
      args.args !== null &&
      !Array.isArray(args.args)
    ) {
      args = args.args as PropertyMap;
    }
    return getNetwork(this.context(), args);
  }
}
