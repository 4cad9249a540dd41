import type { CheckFailure } from "@pulumi/pulumi/provider";
import { type ReadResultProps, enc, str } from "../handler";
import { asStringMap, isInternalKey, managedView, type StringMap } from "../diff";
import { GENERIC_NAME, type ResourceSpec } from "../schema";
import { PORT_LIST } from "../validators";
import { isObject, type PropertyMap, type PropertyValue } from "../values";
import { describedConfig, type Json, RestHandler } from "./rest";

type ApiRule = Record<string, string>;

interface LiveAcl extends Json {
  name: string;
  description: string;
  config: StringMap;
  egress: ApiRule[];
  ingress: ApiRule[];
}

/** camelCase SDK field → Incus JSON field. */
const RULE_FIELDS: Record<string, string> = {
  action: "action",
  state: "state",
  description: "description",
  source: "source",
  destination: "destination",
  protocol: "protocol",
  sourcePort: "source_port",
  destinationPort: "destination_port",
  icmpType: "icmp_type",
  icmpCode: "icmp_code",
};

const ACTIONS = ["allow", "allow-stateless", "drop", "reject"];
const STATES = ["enabled", "disabled", "logged"];
const PROTOCOLS = ["icmp4", "icmp6", "tcp", "udp"];

/** Keeps only the non-empty string fields, so "" from Incus and an omitted field compare equal. */
export function normalizeRule(v: PropertyValue): PropertyValue {
  if (!isObject(v)) return v;
  const out: Record<string, PropertyValue> = {};
  for (const k of Object.keys(RULE_FIELDS)) {
    const e = v[k];
    if (typeof e === "number") out[k] = String(e);
    else if (typeof e === "string" && e !== "") out[k] = e;
  }
  return out;
}

function validateRule(dir: string) {
  return (v: PropertyValue, i: number): string[] => {
    const where = `${dir}[${i}]`;
    if (!isObject(v)) return [`${where} must be a rule object`];
    const r: string[] = [];
    for (const k of Object.keys(v)) {
      if (!(k in RULE_FIELDS))
        r.push(`${where}: unknown field "${k}"; allowed: ${Object.keys(RULE_FIELDS).join(", ")}`);
    }
    if (typeof v.action !== "string" || !ACTIONS.includes(v.action)) {
      r.push(
        `${where}: action must be one of ${ACTIONS.join(", ")} (got ${JSON.stringify(v.action ?? null)})`,
      );
    }
    if (typeof v.state !== "string" || !STATES.includes(v.state)) {
      r.push(
        `${where}: state must be one of ${STATES.join(", ")} (got ${JSON.stringify(v.state ?? null)})`,
      );
    }
    const proto = v.protocol;
    if (
      proto !== undefined &&
      proto !== "" &&
      (typeof proto !== "string" || !PROTOCOLS.includes(proto))
    ) {
      r.push(
        `${where}: protocol must be one of ${PROTOCOLS.join(", ")} (got ${JSON.stringify(proto)})`,
      );
    }
    for (const k of ["sourcePort", "destinationPort"]) {
      const p = v[k];
      if (p === undefined || p === "") continue;
      if (proto !== "tcp" && proto !== "udp") r.push(`${where}: ${k} needs protocol tcp or udp`);
      else if (typeof p !== "string" || !PORT_LIST.test(p))
        r.push(`${where}: ${k} must be ports like "80", "80,443" or "8000-8010"`);
    }
    for (const k of ["icmpType", "icmpCode"]) {
      if (v[k] !== undefined && v[k] !== "" && proto !== "icmp4" && proto !== "icmp6") {
        r.push(`${where}: ${k} needs protocol icmp4 or icmp6`);
      }
    }
    return r;
  };
}

export function rulesToApi(v: PropertyValue): ApiRule[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((rule) => {
    const out: ApiRule = {};
    for (const [k, apiKey] of Object.entries(RULE_FIELDS)) {
      const e = rule[k];
      if (typeof e === "string" && e !== "") out[apiKey] = e;
    }
    return out;
  });
}

function rulesFromApi(rules: ApiRule[] | null | undefined): PropertyValue[] {
  return (rules ?? []).map((rule) => {
    const out: Record<string, PropertyValue> = {};
    for (const [k, apiKey] of Object.entries(RULE_FIELDS)) {
      if (rule[apiKey]) out[k] = rule[apiKey];
    }
    return out;
  });
}

export const networkAclSpec: ResourceSpec = {
  token: "incus:index:NetworkAcl",
  label: "NetworkAcl",
  description: "A network ACL (`/1.0/network-acls/<name>`).",
  identity: ["name", "project"],
  props: {
    name: { kind: "string", required: true, pattern: GENERIC_NAME, replaceOnChange: true },
    description: { kind: "string", computedWhenOmitted: true },
    config: { kind: "stringMap", default: {} },
    egress: {
      kind: "list",
      default: [],
      item: validateRule("egress"),
      itemType: "incus:index:NetworkAclRule",
    },
    ingress: {
      kind: "list",
      default: [],
      item: validateRule("ingress"),
      itemType: "incus:index:NetworkAclRule",
    },
    project: { kind: "string", replaceOnChange: true },
  },
};

/** `/1.0/network-acls/<name>`: rules, config and description all update in place. */
export class NetworkAclHandler extends RestHandler<LiveAcl> {
  readonly spec = networkAclSpec;

  check(
    news: PropertyMap,
    resourceName: string,
  ): { inputs: PropertyMap; failures: CheckFailure[] } {
    const res = super.check(news, resourceName);
    for (const dir of ["egress", "ingress"]) {
      const rules = res.inputs[dir];
      if (Array.isArray(rules)) res.inputs[dir] = rules.map(normalizeRule);
    }
    return res;
  }
  protected describe(i: PropertyMap): string {
    return `network ACL "${str(i.name)}"`;
  }
  protected collectionPath(): string {
    return "/1.0/network-acls";
  }
  protected objectPath(i: PropertyMap): string {
    return `/1.0/network-acls/${enc(String(i.name))}`;
  }
  protected idOf(i: PropertyMap): string {
    return String(i.name);
  }
  protected identityFromId(id: string): PropertyMap {
    return { name: id };
  }
  createBody(i: PropertyMap): Json {
    return {
      name: i.name,
      description: str(i.description) ?? "",
      config: asStringMap(i.config),
      egress: rulesToApi(i.egress),
      ingress: rulesToApi(i.ingress),
    };
  }
  protected putBody(live: LiveAcl, olds: PropertyMap, news: PropertyMap): Json {
    return {
      ...describedConfig(live, olds, news),
      egress: rulesToApi(news.egress),
      ingress: rulesToApi(news.ingress),
    };
  }
  protected fromLive(
    live: LiveAcl,
    state: PropertyMap,
    importing: boolean,
  ): ReadResultProps["props"] {
    return {
      name: live.name ?? state.name,
      description: live.description ?? "",
      config: managedView(
        live.config ?? {},
        importing ? undefined : asStringMap(state.config),
        isInternalKey,
      ),
      egress: rulesFromApi(live.egress),
      ingress: rulesFromApi(live.ingress),
      project: str(state.project),
    };
  }
}

export type { CheckFailure };
