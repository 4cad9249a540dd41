/**
 * Format checks for config values whose mistakes Incus would only report at apply time
 * (or, for snapshot schedules, silently at the first missed snapshot).
 */
import type { CheckFailure } from "@pulumi/pulumi/provider";
import { isObject, type PropertyValue, UNKNOWN } from "./values";

const SCHEDULE_ALIASES = [
  "@hourly",
  "@daily",
  "@midnight",
  "@weekly",
  "@monthly",
  "@annually",
  "@yearly",
  "@startup",
  "@never",
];
const CRON_FIELD =
  /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;
const EXPIRY = /^\d+[MHdwmy](\s+\d+[MHdwmy])*$/;
const SIZE = /^\d+(\.\d+)?\s*(B|kB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)?$/;
const MEMORY = /^(\d+(\.\d+)?\s*(B|kB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)?|\d{1,3}%)$/;
const CPU = /^(\d+|\d+(-\d+)?(,\d+(-\d+)?)*)$/;

export function isValidSchedule(v: string): boolean {
  if (v === "") return true;
  return v.split(",").every((part) => {
    const p = part.trim();
    if (SCHEDULE_ALIASES.includes(p)) return true;
    const fields = p.split(/\s+/);
    return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
  });
}

/** Validates well-known keys of a config map; `property` names the map in messages. */
export function validateConfig(config: PropertyValue, property: string): CheckFailure[] {
  if (!isObject(config)) return [];
  const failures: CheckFailure[] = [];
  const fail = (key: string, value: string, allowed: string): void => {
    failures.push({
      property,
      reason: `key "${key}" = ${JSON.stringify(value)} is invalid; ${allowed}`,
    });
  };
  for (const [key, raw] of Object.entries(config)) {
    // Unknown until apply (preview): checked again once known.
    if (typeof raw !== "string" || raw === UNKNOWN) continue;
    const v = raw.trim();
    if (key.endsWith("snapshots.schedule") && !isValidSchedule(v)) {
      fail(
        key,
        raw,
        `expected a 5-field cron expression (e.g. "0 2 * * *"), several separated by commas, or one of ${SCHEDULE_ALIASES.join(", ")}`,
      );
    } else if (key.endsWith("snapshots.expiry") && v !== "" && !EXPIRY.test(v)) {
      fail(
        key,
        raw,
        'expected durations like "7d", "2w" or "1m 2d" (units M minutes, H hours, d days, w weeks, m months, y years)',
      );
    } else if (key.endsWith("snapshots.pattern") && (v === "" || v.includes("/"))) {
      fail(
        key,
        raw,
        'expected a snapshot name pattern without "/", e.g. "snap-{{ creation_date|date:\'2006-01-02\' }}" or "snap%d"',
      );
    } else if ((key === "size" || key.endsWith(".size")) && v !== "" && !SIZE.test(v)) {
      fail(key, raw, 'expected a size such as "10GiB" or "500MB"');
    } else if (key === "limits.memory" && !MEMORY.test(v)) {
      fail(key, raw, 'expected a size such as "512MiB" or "2GB", or a percentage such as "50%"');
    } else if (key === "limits.cpu" && !CPU.test(v)) {
      fail(key, raw, 'expected a CPU count such as "2" or a CPU set such as "0-3" or "0,2"');
    } else if (key.startsWith("volatile.")) {
      fail(key, raw, "volatile.* keys are maintained by Incus and cannot be set");
    }
  }
  return failures;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
export function isIpAddress(v: string): boolean {
  return IPV4.test(v) || (v.includes(":") && /^[0-9a-fA-F:.]+$/.test(v));
}

/** Port lists as Incus takes them: "80", "80,443", "8000-8010". */
export const PORT_LIST = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;
