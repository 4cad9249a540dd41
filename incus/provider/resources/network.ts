import type { CheckFailure } from "@pulumi/pulumi/provider";
import { type HandlerContext, type ReadResultProps, enc, str } from "../handler";
import { asStringMap, isInternalKey, managedView, type StringMap } from "../diff";
import { NETWORK_NAME, type ResourceSpec } from "../schema";
import { validateConfig } from "../validators";
import type { PropertyMap } from "../values";
import { describedConfig, type Json, RestHandler } from "./rest";

export interface LiveNetwork extends Json {
  name: string;
  type: string;
  description: string;
  managed: boolean;
  config: StringMap;
}

export const NETWORK_TYPES = ["bridge", "physical", "ovn", "macvlan", "sriov"] as const;

export const networkSpec: ResourceSpec = {
  token: "incus:index:Network",
  label: "Network",
  description: "A managed Incus network (`/1.0/networks/<name>`).",
  outputs: {
    managed: {
      kind: "boolean",
      description: "Whether Incus manages the network (false for host interfaces).",
    },
  },
  identity: ["name", "project", "target"],
  props: {
    name: { kind: "string", required: true, pattern: NETWORK_NAME, replaceOnChange: true },
    type: { kind: "string", enum: NETWORK_TYPES, default: "bridge", replaceOnChange: true },
    description: { kind: "string", computedWhenOmitted: true },
    config: { kind: "stringMap", default: {} },
    project: { kind: "string", replaceOnChange: true },
    target: { kind: "string", replaceOnChange: true },
  },
  validate: (i) => {
    const failures: CheckFailure[] = validateConfig(i.config, "config");
    const config = asStringMap(i.config);
    if ((i.type === "physical" || i.type === "macvlan" || i.type === "sriov") && !config.parent) {
      failures.push({
        property: "config",
        reason: `a ${i.type} network needs config.parent (the host interface to use)`,
      });
    }
    if (i.type === "ovn" && !config.network) {
      failures.push({
        property: "config",
        reason: "an ovn network needs config.network (its uplink network)",
      });
    }
    return failures;
  },
};

/**
 * An OVN network that is not NATed is routed onto its uplink, and Incus refuses one whose
 * subnet the uplink does not route ("Uplink network doesn't contain ... in its routes"):
 * says which setting of which network to change.
 */
function uplinkRoutesHint(e: unknown, inputs: PropertyMap): unknown {
  const m = e instanceof Error ? /doesn't contain "([^"]+)" in its routes/.exec(e.message) : null;
  if (!m || !(e instanceof Error)) return e;
  const uplink = asStringMap(inputs.config).network ?? "?";
  return new Error(
    `${e.message}; with ipv4.nat=false the OVN network's subnet ${m[1]} is routed, not NATed, onto the uplink: add it to ipv4.routes of uplink network "${uplink}", or set ipv4.nat=true`,
  );
}

/**
 * `/1.0/networks/<name>`: type changes replace, config and description update in place.
 * Keys the host or Incus set (a physical network's settings, a bridge's generated addresses)
 * are never removed unless this resource set them before.
 */
export class NetworkHandler extends RestHandler<LiveNetwork> {
  readonly spec = networkSpec;
  protected readonly tagsOwner = true;
  protected computedKeys = ["managed"];

  protected describe(i: PropertyMap): string {
    return `network "${str(i.name)}"`;
  }

  async create(
    ctx: HandlerContext,
    inputs: PropertyMap,
    urn?: string,
  ): Promise<{ id: string; outs: PropertyMap }> {
    if (str(inputs.target) === undefined) await this.definePerMember(ctx, inputs);
    try {
      return await super.create(ctx, inputs, urn);
    } catch (e) {
      throw uplinkRoutesHint(e, inputs);
    }
  }
  /**
   * On a cluster, Incus creates a network in two steps: first pending on every member
   * (`?target=<member>`, member-specific keys only; a bridge has none; and the description,
   * which Incus takes from the first definition only), then once for the
   * whole cluster with its config. A standalone server takes the one create. A member
   * already holding the pending definition (a retried create) is left as it is.
   */
  private async definePerMember(ctx: HandlerContext, inputs: PropertyMap): Promise<void> {
    const cluster = await ctx.client.get<{ enabled: boolean }>("/1.0/cluster", {
      object: "cluster",
      project: false,
    });
    if (!cluster.value.enabled) return;
    const members = await ctx.client.get<{ server_name: string }[]>("/1.0/cluster/members", {
      object: "cluster members",
      project: false,
      query: { recursion: "1" },
    });
    for (const { server_name: member } of members.value) {
      try {
        await ctx.client.mutate("POST", "/1.0/networks", {
          object: `${this.describe(inputs)} on cluster member "${member}"`,
          target: member,
          // The description goes with the pending definitions: Incus keeps the one the
          // network was first defined with, and ignores it in the cluster-wide create.
          body: {
            name: inputs.name,
            type: inputs.type,
            description: str(inputs.description) ?? "",
            config: {},
          },
        });
      } catch (e) {
        if (e instanceof Error && /already (defined|exists)/i.test(e.message)) continue;
        throw e;
      }
    }
  }
  protected collectionPath(): string {
    return "/1.0/networks";
  }
  protected objectPath(i: PropertyMap): string {
    return `/1.0/networks/${enc(String(i.name))}`;
  }
  protected idOf(i: PropertyMap): string {
    return String(i.name);
  }
  protected identityFromId(id: string): PropertyMap {
    return { name: id };
  }
  protected stateAfterCreate(i: PropertyMap): PropertyMap {
    return { description: "", ...i, managed: true };
  }
  protected createBody(i: PropertyMap): Json {
    return {
      name: i.name,
      type: i.type,
      description: str(i.description) ?? "",
      config: asStringMap(i.config),
    };
  }
  protected putBody(live: LiveNetwork, olds: PropertyMap, news: PropertyMap): Json {
    return describedConfig(live, olds, news);
  }
  /**
   * incusd races when two bridges are deleted at once: it lists the links, one vanishes,
   * and the DELETE fails ("Failed to delete bridge children interfaces: ... does not
   * exist"). Pulumi destroys an environment's networks in parallel, so that one failure
   * is retried.
   */
  async delete(ctx: HandlerContext, id: string, props: PropertyMap): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await super.delete(ctx, id, props);
        return;
      } catch (e) {
        const raced = /Failed to delete bridge children interfaces/.test(String(e));
        if (!raced || attempt >= 5) throw e;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }
  protected fromLive(
    live: LiveNetwork,
    state: PropertyMap,
    importing: boolean,
  ): ReadResultProps["props"] {
    return {
      name: live.name ?? state.name,
      type: live.type,
      description: live.description ?? "",
      config: managedView(
        live.config ?? {},
        importing ? undefined : asStringMap(state.config),
        isInternalKey,
      ),
      managed: live.managed,
      project: str(state.project),
      target: str(state.target),
    };
  }
}
