import * as net from "node:net";

/**
 * Value rules for stack configuration. Each rule either accepts a raw config value
 * (returning it typed) or says what is allowed, so the loader can name the key, the bad
 * value and the allowed form in one message.
 */

/** A problem inside a value (a list element), named by its suffix to the setting's key. */
export interface NestedProblem {
  /** Appended to the setting's key, e.g. `[2]`. */
  suffix: string;
  value: unknown;
  allowed: string;
}

export type RuleResult<T> =
  { ok: true; value: T } | { ok: false; allowed: string; nested?: readonly NestedProblem[] };
export type Rule<T> = (value: unknown) => RuleResult<T>;

const accept = <T>(value: T): RuleResult<T> => ({ ok: true, value });
const reject = <T>(allowed: string): RuleResult<T> => ({ ok: false, allowed });

/**
 * A setting read as text. `pulumi config set storagePool 2024` and `--path` settings store
 * numbers and booleans as such; a setting whose rule expects text reads them as the text
 * the user typed, so only the rule decides what is allowed.
 */
export function asText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return String(v);
  return undefined;
}

/**
 * True when text holds no control characters: no line breaks (also U+2028/U+2029), NUL,
 * escape or the C1 range. No setting ever needs one, and each is a way out of the line or
 * word a value is placed in.
 */
export function isPrintable(text: string): boolean {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029)
      return false;
  }
  return true;
}

/** A text rule from a test on the (printable) text. */
function textRule(test: (text: string) => boolean, allowed: string): Rule<string> {
  return (v) => {
    const text = asText(v);
    return text !== undefined && isPrintable(text) && test(text) ? accept(text) : reject(allowed);
  };
}

export const anyString: Rule<string> = textRule(() => true, "text without control characters");

export const nonEmptyString: Rule<string> = textRule(
  (t) => t.trim() !== "",
  "a non-empty text without control characters",
);

/** Free text for display (a CA's name): printable, at most `max` characters. */
export function displayText(max: number): Rule<string> {
  return textRule(
    (t) => t.trim() !== "" && t.length <= max,
    `a non-empty text of at most ${max} characters without control characters`,
  );
}

/** The empty string (the feature is off) or what `rule` accepts. */
export function emptyOr(rule: Rule<string>, what: string): Rule<string> {
  return (v) => {
    if (v === "" || v === undefined || v === null) return accept("");
    const r = rule(v);
    return r.ok ? r : reject(`empty (${what} off) or ${r.allowed}`);
  };
}

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

/** A list; every bad element is reported under its own index (`key[2]`). */
export function listOf<T>(item: Rule<T>, what: string): Rule<T[]> {
  return (v) => {
    if (!Array.isArray(v)) return reject(`a list of ${what}`);
    const out: T[] = [];
    const nested: NestedProblem[] = [];
    v.forEach((element: unknown, index) => {
      const r = item(element);
      if (r.ok) out.push(r.value);
      else nested.push({ suffix: `[${index}]`, value: element, allowed: r.allowed });
    });
    return nested.length === 0 ? accept(out) : { ok: false, allowed: `a list of ${what}`, nested };
  };
}

export function optional<T>(rule: Rule<T>): Rule<T | undefined> {
  return (v) => (v === undefined || v === null || v === "" ? accept(undefined) : rule(v));
}

function pattern(re: RegExp, allowed: string): Rule<string> {
  return textRule((t) => re.test(t), allowed);
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

/** The ranges of a standard 5-field cron expression, as robfig/cron (Incus' parser) reads it. */
const cronFields: readonly { name: string; min: number; max: number; names?: string[] }[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day-of-week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

/** Incus' `snapshots.schedule` aliases (its `IsCron` validator's list). */
export const snapshotScheduleAliases = [
  "@hourly",
  "@daily",
  "@midnight",
  "@weekly",
  "@monthly",
  "@annually",
  "@yearly",
  "@startup",
  "@never",
] as const;

function cronNumber(text: string, field: (typeof cronFields)[number]): number | undefined {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text) ?? -1;
  return index < 0 ? undefined : field.min + index;
}

/** One cron field: `*`, `?`, `a`, `a-b`, each with an optional `/step`, joined by commas. */
function isCronField(text: string, field: (typeof cronFields)[number]): boolean {
  return text.split(",").every((part) => {
    const [range, step, ...extra] = part.split("/");
    if (extra.length > 0 || (step !== undefined && !/^[1-9]\d{0,1}$/.test(step))) return false;
    if (range === "*" || range === "?") return true;
    const [lowText, highText, ...more] = range.split("-");
    if (more.length > 0) return false;
    const low = cronNumber(lowText, field);
    const high = highText === undefined ? low : cronNumber(highText, field);
    return (
      low !== undefined &&
      high !== undefined &&
      low >= field.min &&
      high <= field.max &&
      low <= high
    );
  });
}

/** One schedule as Incus checks it: an alias, or five fields separated by single spaces. */
function isIncusSchedule(text: string): boolean {
  if ((snapshotScheduleAliases as readonly string[]).includes(text)) return true;
  const fields = text.split(" ");
  return fields.length === 5 && fields.every((f, i) => isCronField(f, cronFields[i]));
}

/**
 * Incus `snapshots.schedule`: what Incus itself accepts (its `IsCron`: case-insensitive,
 * several schedules joined by ", ", each an alias or a robfig/cron standard expression),
 * so a schedule the host would refuse is refused here, before anything is changed.
 */
export const snapshotSchedule: Rule<string> = textRule(
  (t) => t.toLowerCase().split(", ").every(isIncusSchedule),
  "@hourly, @daily, @weekly, @monthly or a 5-field cron expression like '0 2 * * *' " +
    "(minute 0-59, hour 0-23, day-of-month 1-31, month 1-12, day-of-week 0-6, separated by " +
    "single spaces; also @midnight, @yearly, @annually, @startup, @never; several joined by ', ')",
);

/** Incus `snapshots.expiry`: one or more `<n><unit>` with units M H d w m y. */
export const snapshotExpiry = pattern(
  /^[1-9]\d*[MHdwmy]( [1-9]\d*[MHdwmy])*$/,
  "an expiry like 7d, 2w or 1m (units M=minutes H=hours d w m=months y)",
);

/** Incus snapshot names (`snapshots.pattern`): no '/', at most 200 characters. */
export const snapshotPattern = pattern(
  /^[^/\s][^/]{0,199}$/,
  "a snapshot name pattern like auto-{{creation_date}} (no '/', at most 200 characters)",
);

/** The four octets of a dotted-quad IPv4 address (Node's own parser decides), or undefined. */
export function parseIpv4(text: string): number[] | undefined {
  return net.isIPv4(text) ? text.split(".").map(Number) : undefined;
}

/** An IPv6 address as Node's parser reads it, without a zone (`%eth0`), which Incus refuses. */
export function isIpv6(text: string): boolean {
  return net.isIPv6(text) && !text.includes("%");
}

export const ipv4Address: Rule<string> = textRule(
  (t) => parseIpv4(t) !== undefined,
  "an IPv4 address like 192.168.68.10",
);

/** `<address>/<prefix>` with a prefix of plain decimal digits in [min, max]. */
function splitCidr(
  text: string,
  min: number,
  max: number,
): { address: string; prefix: number } | undefined {
  const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  return prefix >= min && prefix <= max ? { address: m[1], prefix } : undefined;
}

/**
 * A bridge gateway in CIDR notation (`10.20.0.1/24`): Incus wants the host's address on
 * the network, so the network and broadcast addresses are refused.
 */
export const ipv4GatewayCidr: Rule<string> = (v) => {
  const allowed = "a gateway address in CIDR notation like 10.20.0.1/24 (prefix 8-30)";
  const text = asText(v);
  const cidr = text === undefined ? undefined : splitCidr(text, 8, 30);
  const octets = cidr && parseIpv4(cidr.address);
  if (!cidr || !octets || text === undefined) return reject(allowed);
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - cidr.prefix);
  const host = value % hostBits;
  if (host === 0 || host === hostBits - 1)
    return reject(allowed + ", not the network or broadcast address");
  return accept(text);
};

/** An IPv6 gateway in CIDR notation (`fd00:10:20::1/64`), or empty to disable IPv6. */
export const ipv6GatewayCidrOrEmpty: Rule<string> = (v) => {
  const allowed = "empty (IPv6 off) or an IPv6 address in CIDR notation like fd00:10:20::1/64";
  if (v === "" || v === undefined) return accept("");
  const text = asText(v);
  const cidr = text === undefined ? undefined : splitCidr(text, 8, 128);
  return cidr && text !== undefined && isIpv6(cidr.address) ? accept(text) : reject(allowed);
};

/** Incus object names: letters, digits and dashes, not starting with a dash or digit-only. */
export const incusName = pattern(
  /^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$/,
  "a name of letters, digits and dashes (at most 63 characters)",
);

export const port = integer(1, 65535);

const dnsNamePattern =
  /^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export const dnsName = pattern(dnsNamePattern, "a DNS name like accuser.dev");

/**
 * An upstream release version (`3.5.3`, `2025.8.1`, `24.03`, `latest`): it is placed in
 * download URLs, package names (`mosquitto~2.0.21`) and script comments.
 */
export const releaseVersion = pattern(
  /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/,
  "a version like 3.5.3 (letters, digits, '.', '_', '+' and '-'; at most 64 characters)",
);

/** An Incus image: `[remote:]alias`, e.g. `images:alpine/3.21/cloud`. */
export const imageReference = pattern(
  /^([A-Za-z0-9][A-Za-z0-9._-]*:)?[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}$/,
  "an image like images:alpine/3.21/cloud ([remote:]alias of letters, digits and . _ / : @ + -)",
);

/** A login name (Grafana's admin): letters, digits and `. _ @ + -`. */
export const loginName = pattern(
  /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/,
  "a user name of letters, digits and . _ @ + - (at most 64 characters)",
);

/** A Slack channel (`#alerts`) or user (`@oncall`). */
export const slackChannel = pattern(
  /^[#@]?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/,
  "a Slack channel like #alerts (letters, digits, '.', '_' and '-')",
);

const emailPattern = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

export const emailAddress = pattern(emailPattern, "an email address like alerts@example.org");

/** One address or several joined by commas (Alertmanager's `to`). */
export const emailAddresses = textRule(
  (t) => t.split(",").every((a) => emailPattern.test(a.trim())),
  "email addresses like ops@example.org, joined by commas",
);

/** `host:port` with a DNS name, an IPv4 address or a bracketed IPv6 address. */
export function isHostPort(text: string): boolean {
  const m = /^(\[([^\]]+)\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return false;
  const host = m[2] !== undefined ? isIpv6(m[2]) : net.isIPv4(m[1]) || dnsNamePattern.test(m[1]);
  const portNumber = Number(m[3]);
  return host && portNumber >= 1 && portNumber <= 65535 && !/^0\d/.test(m[3]);
}

export const hostPort = textRule(isHostPort, "host:port, e.g. smtp.example.org:587");

/** An http(s) URL with a host, as the WHATWG parser reads it, without spaces or quotes. */
export const httpUrl = textRule((t) => {
  if (/[\s"'`\\<>{}]/.test(t)) return false;
  try {
    const url = new URL(t);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}, "an http:// or https:// URL without spaces or quotes");

/** OVN database addresses: `tcp:` or `ssl:` + address + port, several joined by commas. */
export const ovnConnection = textRule(
  (t) =>
    t.split(",").every((entry) => {
      const m = /^(tcp|ssl):(.+)$/.exec(entry);
      return m !== null && isHostPort(m[2]);
    }),
  "tcp:<address>:<port> or ssl:<address>:<port>, several joined by commas, e.g. tcp:192.168.71.5:6641",
);

/** A GitHub account name. */
export const githubUser = pattern(
  /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/,
  "a GitHub user name (letters, digits and single dashes, at most 39 characters)",
);

/** Atlantis `--repo-allowlist`: repository patterns like github.com/org/repo or github.com/org/*. */
export const repoAllowlist = textRule(
  (t) => t.split(",").every((p) => /^[A-Za-z0-9.*_-]+(\/[A-Za-z0-9.*_-]+)*$/.test(p)),
  "repository patterns like github.com/accuser-dev/atlas or github.com/accuser-dev/*, joined by commas",
);

/** A Pulumi organisation or project name. */
export const pulumiName = pattern(
  /^[A-Za-z0-9_.-]{1,100}$/,
  "a name of letters, digits, '_', '.' and '-'",
);

/** A stack to reference: `stack`, `org/stack` or `org/project/stack`. */
export const stackName = pattern(
  /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]{1,100}$/,
  "a stack name like iapetus (or org/project/stack)",
);

/** A credential handed on verbatim (tokens, passwords): any printable text. */
export const credentialText = textRule(
  (t) => t !== "",
  "a non-empty text without control characters",
);

/** A Cloudflare tunnel token: the base64 text the dashboard prints. */
export const tunnelToken = pattern(
  /^[A-Za-z0-9+/=_-]+$/,
  "a Cloudflare tunnel token (letters, digits and + / = _ -)",
);

/**
 * The Grafana admin password. grafana.ini carries it between triple quotes (so `#` and `;`
 * stay literal), which a `"""` would end, and Grafana expands `${VAR}` and `$__file{…}`
 * in any setting, with no way to escape them: those are refused rather than rewritten.
 */
export const grafanaPassword = textRule(
  (t) => t !== "" && !t.includes('"""') && !t.endsWith('"') && !/\$(__\w+)?\{/.test(t),
  "a password without control characters or '\"\"\"', not ending with '\"', without '${' or '$__…{'",
);

/**
 * step-ca's root CA fingerprint as `step certificate fingerprint` prints it (the SHA-256
 * of the root certificate, 64 hex digits), or empty while it is not known yet.
 */
export const stepCaFingerprintOrEmpty: Rule<string> = (v) => {
  if (v === "" || v === undefined || v === null) return accept("");
  return typeof v === "string" && /^[0-9a-fA-F]{64}$/.test(v)
    ? accept(v.toLowerCase())
    : reject("64 hex digits as `step certificate fingerprint` prints them, or empty");
};

/** An https:// base URL without a path, e.g. https://step-ca01.incus:9000. */
export const httpsBaseUrl = pattern(
  /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/,
  "an https:// URL without a path, e.g. https://step-ca01.incus:9000",
);
