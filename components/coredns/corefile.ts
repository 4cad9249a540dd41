import { renderTemplate } from "../shared/render";

/** CoreDNS' listening ports (the reference's endpoints). */
export const corednsPorts = { dns: 53, health: 8080, metrics: 9153 } as const;

export interface CorefileOptions {
  zone: string;
  zoneFile: string;
  /** Resolver for `.incus` names (the management gateway). */
  incusResolver: string;
  upstreams: string[];
  dnsPort?: number;
}

/** Renders the split-horizon Corefile. */
export function renderCorefile(options: CorefileOptions): string {
  if (options.upstreams.length === 0) throw new Error("CoreDNS needs at least one upstream");
  return renderTemplate("Corefile.mustache", {
    zone: options.zone.replace(/\.$/, ""),
    zoneFile: options.zoneFile,
    incusResolver: options.incusResolver,
    upstreams: options.upstreams,
    dnsPort: options.dnsPort ?? corednsPorts.dns,
    healthPort: corednsPorts.health,
    metricsPort: corednsPorts.metrics,
  });
}
