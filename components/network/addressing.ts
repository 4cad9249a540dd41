import type { NetworkSettings } from "../../config";

/**
 * Incus config for a network's addressing: the IPv4 gateway with NAT, and either a ULA
 * IPv6 gateway with NAT66 or IPv6 switched off (the reference's default).
 */
export function addressingConfig(settings: NetworkSettings): Record<string, string> {
  const config: Record<string, string> = {
    "ipv4.address": settings.ipv4Address,
    "ipv4.nat": String(settings.ipv4Nat),
  };
  if (settings.ipv6Address) {
    config["ipv6.address"] = settings.ipv6Address;
    config["ipv6.nat"] = String(settings.ipv6Nat);
  } else {
    config["ipv6.address"] = "none";
  }
  return config;
}

/** The gateway's address without its prefix length (`10.20.0.1/24` → `10.20.0.1`). */
export function gatewayAddress(cidr: string): string {
  return cidr.split("/")[0];
}
