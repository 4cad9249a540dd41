import * as crypto from "node:crypto";
import { renderTemplate } from "../shared/render";

/** An address record of the internal zone, e.g. `{ name: "grafana", address: "10.20.0.5" }`. */
export interface DnsRecord {
  /** Name relative to the zone (`grafana`), or `@` for the apex. */
  name: string;
  /** IPv4 (A) or IPv6 (AAAA) address. */
  address: string;
}

export interface ZoneOptions {
  /** Zone origin without the trailing dot, e.g. `accuser.dev`. */
  zone: string;
  records: DnsRecord[];
  /**
   * The zone's name server for SOA/NS: either out of zone, fully qualified (the component
   * uses `coredns01.incus.`), or `ns` inside the zone with `nameserverAddress` as its glue.
   */
  nameserver?: string;
  /** Address of an in-zone `ns` name server (adds its A/AAAA record). */
  nameserverAddress?: string;
  /** Default TTL and negative-caching TTL, in seconds. */
  ttl?: number;
}

const labelPattern =
  /^(@|\*|([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?)*)$/i;

function recordType(address: string): "A" | "AAAA" {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return "A";
  if (address.includes(":")) return "AAAA";
  throw new Error(`zone record address '${address}': not an IPv4 or IPv6 address`);
}

/**
 * The SOA serial: a 32-bit number derived from the zone's content (never 0), so the same
 * records always give the same file (no diff on re-runs) and any change gives a new
 * serial (CoreDNS' `file` plugin reloads a zone when its serial changes).
 */
export function zoneSerial(zone: string, records: DnsRecord[]): number {
  const digest = crypto.createHash("sha256").update(JSON.stringify({ zone, records })).digest();
  return digest.readUInt32BE(0) % 4294967295 || 1;
}

/** Renders the zone file for CoreDNS' `file` plugin; records sorted by name for stability. */
export function renderZoneFile(options: ZoneOptions): string {
  const zone = options.zone.replace(/\.$/, "");
  const glue: DnsRecord[] = options.nameserverAddress
    ? [{ name: "ns", address: options.nameserverAddress }]
    : [];
  const nameserver = options.nameserver ?? `ns.${zone}.`;
  if (nameserver === `ns.${zone}.` && glue.length === 0) {
    throw new Error(`zone ${zone}: the in-zone name server ns.${zone}. needs nameserverAddress`);
  }
  const records = [...options.records, ...glue].sort(
    (a, b) => a.name.localeCompare(b.name) || a.address.localeCompare(b.address),
  );
  const seen = new Set<string>();
  for (const record of records) {
    if (!labelPattern.test(record.name)) {
      throw new Error(`zone ${zone}: record name '${record.name}' is not a valid DNS name`);
    }
    const key = `${record.name} ${record.address}`;
    if (seen.has(key)) throw new Error(`zone ${zone}: duplicate record ${key}`);
    seen.add(key);
  }
  return renderTemplate("coredns-zone.db.mustache", {
    zone,
    ttl: options.ttl ?? 300,
    nameserver,
    hostmaster: `hostmaster.${zone}.`,
    serial: zoneSerial(zone, records),
    records: records.map((r) => ({ ...r, type: recordType(r.address) })),
  });
}
