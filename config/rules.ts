/**
 * Value rules for stack configuration. Each rule either accepts a raw config value
 * (returning it typed) or says what is allowed, so the loader can name the key, the bad
 * value and the allowed form in one message.
 */

export type RuleResult<T> = { ok: true; value: T } | { ok: false; allowed: string };
export type Rule<T> = (value: unknown) => RuleResult<T>;

const accept = <T>(value: T): RuleResult<T> => ({ ok: true, value });
const reject = <T>(allowed: string): RuleResult<T> => ({ ok: false, allowed });

export const anyString: Rule<string> = (v) =>
  typeof v === "string" ? accept(v) : reject("a string");

export const nonEmptyString: Rule<string> = (v) =>
  typeof v === "string" && v.trim() !== "" ? accept(v) : reject("a non-empty string");

export const boolean: Rule<boolean> = (v) => {
  if (typeof v === "boolean") return accept(v);
  if (v === "true" || v === "false") return accept(v === "true");
  return reject("true or false");
};

export function integer(min: number, max: number): Rule<number> {
  return (v) => {
    const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    return typeof n === "number" && Number.isInteger(n) && n >= min && n <= max
      ? accept(n)
      : reject(`an integer from ${min} to ${max}`);
  };
}

export function oneOf<T extends string>(values: readonly T[]): Rule<T> {
  return (v) =>
    typeof v === "string" && (values as readonly string[]).includes(v)
      ? accept(v as T)
      : reject(`one of ${values.join(", ")}`);
}

export function listOf<T>(item: Rule<T>, what: string): Rule<T[]> {
  return (v) => {
    if (!Array.isArray(v)) return reject(`a list of ${what}`);
    const out: T[] = [];
    for (const element of v) {
      const r = item(element);
      if (!r.ok) return reject(`a list of ${what}`);
      out.push(r.value);
    }
    return accept(out);
  };
}

export function optional<T>(rule: Rule<T>): Rule<T | undefined> {
  return (v) => (v === undefined || v === null || v === "" ? accept(undefined) : rule(v));
}

function pattern(re: RegExp, allowed: string): Rule<string> {
  return (v) => (typeof v === "string" && re.test(v) ? accept(v) : reject(allowed));
}

/** The reference's memory validation: a whole number of MB or GB. */
export const memorySize = pattern(/^[1-9]\d*(MB|GB)$/, "a size in MB or GB, e.g. 512MB or 2GB");

/** Disk and volume sizes. */
export const diskSize = pattern(
  /^[1-9]\d*(MB|GB|TB)$/,
  "a size in MB, GB or TB, e.g. 1GB or 100GB",
);

export const cpuCores = integer(1, 64);

/** Prometheus durations for `retention.time`. */
export const prometheusDuration = pattern(
  /^[1-9]\d*(ms|s|m|h|d|w|y)$/,
  "a duration like 30d, 720h, 2w or 1y",
);

/** Prometheus `retention.size`: empty for no limit. */
export const prometheusRetentionSize = pattern(
  /^(|[1-9]\d*(B|KB|MB|GB|TB|PB))$/,
  "empty (no size limit) or a size like 90GB",
);

const durationUnitSeconds: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/** Seconds in a Loki-style duration (`720h`, `30d`), or undefined when malformed. */
export function durationSeconds(text: string): number | undefined {
  const m = /^([1-9]\d*)(s|m|h|d|w|y)$/.exec(text);
  return m ? Number(m[1]) * durationUnitSeconds[m[2]] : undefined;
}

export const lokiRetentionPeriod: Rule<string> = (v) =>
  typeof v === "string" && durationSeconds(v) !== undefined
    ? accept(v)
    : reject("a duration like 720h or 30d");

/** Loki's compactor delete delay: the reference's safety minimum is 2h. */
export const lokiDeleteDelay: Rule<string> = (v) => {
  const seconds = typeof v === "string" ? durationSeconds(v) : undefined;
  return seconds !== undefined && seconds >= 2 * 3600
    ? accept(v as string)
    : reject("a duration of at least 2h, e.g. 2h or 24h");
};

export const certificateDuration = pattern(
  /^[1-9]\d*(m|h)$/,
  "a duration in minutes or hours, e.g. 24h",
);

const cronField =
  /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

/** Incus `snapshots.schedule`: a shorthand or a 5-field cron expression. */
export const snapshotSchedule: Rule<string> = (v) => {
  const allowed =
    "@hourly, @daily, @weekly, @monthly or a 5-field cron expression like '0 2 * * *'";
  if (typeof v !== "string") return reject(allowed);
  if (["@hourly", "@daily", "@weekly", "@monthly"].includes(v)) return accept(v);
  const fields = v.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => cronField.test(f))
    ? accept(v)
    : reject(allowed);
};

/** Incus `snapshots.expiry`: one or more `<n><unit>` with units M H d w m y. */
export const snapshotExpiry = pattern(
  /^[1-9]\d*[MHdwmy]( [1-9]\d*[MHdwmy])*$/,
  "an expiry like 7d, 2w or 1m (units M=minutes H=hours d w m=months y)",
);

export function parseIpv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return octets.every((o) => o >= 0 && o <= 255) ? octets : undefined;
}

export const ipv4Address: Rule<string> = (v) =>
  typeof v === "string" && parseIpv4(v) ? accept(v) : reject("an IPv4 address like 192.168.68.10");

/**
 * A bridge gateway in CIDR notation (`10.20.0.1/24`): Incus wants the host's address on
 * the network, so the network and broadcast addresses are refused.
 */
export const ipv4GatewayCidr: Rule<string> = (v) => {
  const allowed = "a gateway address in CIDR notation like 10.20.0.1/24 (prefix 8-30)";
  if (typeof v !== "string") return reject(allowed);
  const [address, prefixText, ...rest] = v.split("/");
  const octets = parseIpv4(address ?? "");
  const prefix = /^\d+$/.test(prefixText ?? "") ? Number(prefixText) : NaN;
  if (rest.length > 0 || !octets || !(prefix >= 8 && prefix <= 30)) return reject(allowed);
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  const host = value % hostBits;
  if (host === 0 || host === hostBits - 1)
    return reject(allowed + ", not the network or broadcast address");
  return accept(v);
};

/** An IPv6 gateway in CIDR notation (`fd00:10:20::1/64`), or empty to disable IPv6. */
export const ipv6GatewayCidrOrEmpty: Rule<string> = (v) => {
  const allowed = "empty (IPv6 off) or an IPv6 address in CIDR notation like fd00:10:20::1/64";
  if (v === "" || v === undefined) return accept("");
  if (typeof v !== "string") return reject(allowed);
  const [address, prefixText, ...rest] = v.split("/");
  const prefix = /^\d+$/.test(prefixText ?? "") ? Number(prefixText) : NaN;
  const groups = /^[0-9a-fA-F:]+$/.test(address ?? "") && (address ?? "").includes(":");
  const compressions = (address ?? "").split("::").length - 1;
  return rest.length === 0 && groups && compressions <= 1 && prefix >= 8 && prefix <= 128
    ? accept(v)
    : reject(allowed);
};

/** Incus object names: letters, digits and dashes, not starting with a dash or digit-only. */
export const incusName = pattern(
  /^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$/,
  "a name of letters, digits and dashes (at most 63 characters)",
);

export const port = integer(1, 65535);

export const dnsName = pattern(
  /^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/,
  "a DNS name like accuser.dev",
);
