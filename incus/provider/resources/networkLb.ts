import type { CheckFailure } from "@pulumi/pulumi/provider";
import { type ReadResultProps, enc, splitId, str } from "../handler";
import { asStringMap, isInternalKey, managedView, type StringMap } from "../diff";
import { NETWORK_NAME, type ResourceSpec } from "../schema";
import { isIpAddress, PORT_LIST } from "../validators";
import { isObject, type PropertyMap, type PropertyValue } from "../values";
import { describedConfig, type Json, RestHandler } from "./rest";

interface ApiBackend {
  name: string;
  description?: string;
  target_address: string;
  target_port?: string;
}
interface ApiPort {
  description?: string;
  protocol: string;
  listen_port: string;
  target_backend: string[];
}
interface LiveLb extends Json {
  listen_address: string;
  description: string;
  config: StringMap;
  backends: ApiBackend[];
  ports: ApiPort[];
}

function validateBackend(v: PropertyValue, i: number): string[] {
  const where = `backends[${i}]`;
  if (!isObject(v)) return [`${where} must be {name, targetAddress, targetPort?, description?}`];
  const r: string[] = [];
  if (typeof v.name !== "string" || v.name === "") r.push(`${where}: name is required`);
  if (typeof v.targetAddress !== "string" || !isIpAddress(v.targetAddress)) {
    r.push(
      `${where}: targetAddress must be an IP address (got ${JSON.stringify(v.targetAddress ?? null)})`,
    );
  }
  if (
    v.targetPort !== undefined &&
    (typeof v.targetPort !== "string" || !PORT_LIST.test(v.targetPort))
  ) {
    r.push(`${where}: targetPort must be ports like "80", "80,443" or "8000-8010"`);
  }
  return r;
}

function validatePort(v: PropertyValue, i: number): string[] {
  const where = `ports[${i}]`;
  if (!isObject(v))
    return [`${where} must be {listenPort, targetBackend, protocol?, description?}`];
  const r: string[] = [];
  if (v.protocol !== undefined && v.protocol !== "tcp" && v.protocol !== "udp") {
    r.push(`${where}: protocol must be tcp or udp (got ${JSON.stringify(v.protocol)})`);
  }
  if (typeof v.listenPort !== "string" || !PORT_LIST.test(v.listenPort)) {
    r.push(
      `${where}: listenPort must be ports like "80", "80,443" or "8000-8010" (got ${JSON.stringify(v.listenPort ?? null)})`,
    );
  }
  if (!Array.isArray(v.targetBackend) || v.targetBackend.length === 0) {
    r.push(`${where}: targetBackend must list at least one backend name`);
  }
  return r;
}

export const networkLbSpec: ResourceSpec = {
  token: "incus:index:NetworkLb",
  label: "NetworkLb",
  description: "An OVN network load balancer (`/1.0/networks/<network>/load-balancers/<address>`).",
  identity: ["network", "listenAddress", "project"],
  props: {
    network: { kind: "string", required: true, pattern: NETWORK_NAME, replaceOnChange: true },
    listenAddress: {
      kind: "string",
      required: true,
      pattern: {
        re: /^[0-9a-fA-F:.]+$/,
        allowed: "an IPv4 or IPv6 address from the uplink's ipv4.ovn.ranges/ipv6.ovn.ranges",
      },
      replaceOnChange: true,
    },
    description: { kind: "string", computedWhenOmitted: true },
    config: { kind: "stringMap", default: {} },
    backends: {
      kind: "list",
      default: [],
      item: validateBackend,
      itemType: "incus:index:NetworkLbBackend",
    },
    ports: { kind: "list", default: [], item: validatePort, itemType: "incus:index:NetworkLbPort" },
    project: { kind: "string", replaceOnChange: true },
  },
  validate: (i) => {
    const failures: CheckFailure[] = [];
    const names = new Set<string>();
    for (const b of Array.isArray(i.backends) ? i.backends : []) {
      if (!isObject(b) || typeof b.name !== "string") continue;
      if (names.has(b.name))
        failures.push({ property: "backends", reason: `backend name "${b.name}" is used twice` });
      names.add(b.name);
    }
    for (const [n, p] of (Array.isArray(i.ports) ? i.ports : []).entries()) {
      if (!isObject(p) || !Array.isArray(p.targetBackend)) continue;
      for (const t of p.targetBackend) {
        if (typeof t === "string" && !names.has(t)) {
          failures.push({
            property: "ports",
            reason: `ports[${n}].targetBackend names "${t}", which is not one of the backends (${[...names].join(", ") || "none defined"})`,
          });
        }
      }
    }
    return failures;
  },
};

export function backendsToApi(v: PropertyValue): ApiBackend[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((b) => ({
    name: String(b.name),
    description: str(b.description) ?? "",
    target_address: String(b.targetAddress),
    target_port: str(b.targetPort) ?? "",
  }));
}

export function portsToApi(v: PropertyValue): ApiPort[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((p) => ({
    description: str(p.description) ?? "",
    protocol: str(p.protocol) ?? "tcp",
    listen_port: String(p.listenPort),
    target_backend: Array.isArray(p.targetBackend) ? p.targetBackend.map(String) : [],
  }));
}

function backendsFromApi(v: ApiBackend[] | null | undefined): PropertyValue[] {
  return (v ?? []).map((b) => {
    const out: Record<string, PropertyValue> = { name: b.name, targetAddress: b.target_address };
    if (b.description) out.description = b.description;
    if (b.target_port) out.targetPort = b.target_port;
    return out;
  });
}

function portsFromApi(v: ApiPort[] | null | undefined): PropertyValue[] {
  return (v ?? []).map((p) => {
    const out: Record<string, PropertyValue> = {
      protocol: p.protocol || "tcp",
      listenPort: p.listen_port,
      targetBackend: [...(p.target_backend ?? [])],
    };
    if (p.description) out.description = p.description;
    return out;
  });
}

/**
 * `/1.0/networks/<network>/load-balancers/<listenAddress>`, id `<network>/<listenAddress>`.
 * Only OVN networks have load balancers; other network types get Incus's own refusal.
 */
export class NetworkLbHandler extends RestHandler<LiveLb> {
  readonly spec = networkLbSpec;

  check(
    news: PropertyMap,
    resourceName: string,
  ): { inputs: PropertyMap; failures: CheckFailure[] } {
    const res = super.check(news, resourceName);
    // Defaults Incus fills in, so that state read back compares equal to the inputs.
    if (Array.isArray(res.inputs.ports)) {
      res.inputs.ports = res.inputs.ports.map((p) =>
        isObject(p) && p.protocol === undefined ? { ...p, protocol: "tcp" } : p,
      );
    }
    return res;
  }
  protected target(): undefined {
    return undefined;
  }
  protected describe(i: PropertyMap): string {
    return `load balancer ${str(i.listenAddress)} of network "${str(i.network)}"`;
  }
  protected collectionPath(i: PropertyMap): string {
    return `/1.0/networks/${enc(String(i.network))}/load-balancers`;
  }
  protected objectPath(i: PropertyMap): string {
    return `${this.collectionPath(i)}/${enc(String(i.listenAddress))}`;
  }
  protected idOf(i: PropertyMap): string {
    return `${i.network}/${i.listenAddress}`;
  }
  protected identityFromId(id: string): PropertyMap {
    const [network, listenAddress] = splitId(id, 2, "<network>/<listenAddress>", "NetworkLb");
    return { network, listenAddress };
  }
  createBody(i: PropertyMap): Json {
    return {
      listen_address: i.listenAddress,
      description: str(i.description) ?? "",
      config: asStringMap(i.config),
      backends: backendsToApi(i.backends),
      ports: portsToApi(i.ports),
    };
  }
  protected putBody(live: LiveLb, olds: PropertyMap, news: PropertyMap): Json {
    return {
      ...describedConfig(live, olds, news),
      backends: backendsToApi(news.backends),
      ports: portsToApi(news.ports),
    };
  }
  protected fromLive(
    live: LiveLb,
    state: PropertyMap,
    importing: boolean,
  ): ReadResultProps["props"] {
    return {
      network: state.network,
      listenAddress: live.listen_address ?? state.listenAddress,
      description: live.description ?? "",
      config: managedView(
        live.config ?? {},
        importing ? undefined : asStringMap(state.config),
        isInternalKey,
      ),
      backends: backendsFromApi(live.backends),
      ports: portsFromApi(live.ports),
      project: str(state.project),
    };
  }
}
