/**
 * How long a manual snapshot is kept. Incus gives a snapshot made without an explicit
 * expiry the volume's scheduled-snapshot expiry (`snapshots.expiry`), so a `backup-*`
 * snapshot taken before an upgrade would silently vanish with the `auto-*` ones a week
 * later. Manual snapshots therefore always carry an explicit expiry: none (kept until
 * deleted) unless `--expiry` says otherwise.
 */
import { UsageError } from "../shared/args";

/** `never`, or a duration in Incus's own expiry notation (`30d`, `2w`, `1y 6m`). */
export type SnapshotLifetime = { kind: "never" } | { kind: "for"; text: string; parts: Part[] };

interface Part {
  amount: number;
  unit: Unit;
}

/** Incus's expiry units: minutes, hours, days, weeks, months, years. */
type Unit = "M" | "H" | "d" | "w" | "m" | "y";

const allowed =
  "`never`, or a duration as Incus writes snapshot expiries: a number and a unit, M (minutes), H (hours), d (days), w (weeks), m (months) or y (years), several separated by spaces, e.g. 30d, 2w, 1y 6m";

/** Parses `--expiry`; no value means kept until deleted. */
export function parseLifetime(value: string | undefined): SnapshotLifetime {
  if (value === undefined || value.trim() === "never") return { kind: "never" };
  const tokens = value.trim().split(/\s+/);
  const parts: Part[] = [];
  for (const token of tokens) {
    const m = /^([1-9][0-9]{0,5})([MHdwmy])$/.exec(token);
    if (!m) throw new UsageError(`--expiry "${value}" is not allowed: expected ${allowed}`);
    parts.push({ amount: Number(m[1]), unit: m[2] as Unit });
  }
  return { kind: "for", text: tokens.join(" "), parts };
}

/**
 * The `expires_at` to send: the zero time for `never` (Incus's "does not expire"), else
 * now plus the duration, calendar months and years as Incus counts them.
 */
export function expiresAt(lifetime: SnapshotLifetime, now: Date = new Date()): string {
  if (lifetime.kind === "never") return "0001-01-01T00:00:00Z";
  const at = new Date(now.getTime());
  for (const { amount, unit } of lifetime.parts) {
    switch (unit) {
      case "M":
        at.setUTCMinutes(at.getUTCMinutes() + amount);
        break;
      case "H":
        at.setUTCHours(at.getUTCHours() + amount);
        break;
      case "d":
        at.setUTCDate(at.getUTCDate() + amount);
        break;
      case "w":
        at.setUTCDate(at.getUTCDate() + 7 * amount);
        break;
      case "m":
        at.setUTCMonth(at.getUTCMonth() + amount);
        break;
      case "y":
        at.setUTCFullYear(at.getUTCFullYear() + amount);
        break;
    }
  }
  return at.toISOString();
}

/** How `snapshot` and `list` state a lifetime. */
export function describeExpiry(expiresAtValue: string | undefined): string {
  return !expiresAtValue || expiresAtValue.startsWith("0001-")
    ? "kept until deleted"
    : `expires ${expiresAtValue}`;
}
