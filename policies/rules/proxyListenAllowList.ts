import { describe, devicesOf, incusTypes } from "../incusResources";
import { resourcePolicy } from "../policy";
import { parseProxyListen } from "../proxyListen";
import { platformConnections } from "../../topologies/connections";
import { platformProxyPorts } from "../../topologies/connectionRoute";

/**
 * Proxy devices open host ports: by default only the platform's own endpoints may, the
 * ports of its modelled connections that go through a proxy device (MQTT 1883, MQTTS 8883
 * and DNS 53 from the LAN; Loki's push 3100, step-ca 9000 and Prometheus federation 9090
 * from the peer host; CoreDNS' metrics 9153 on the management gateway; node exporters'
 * 9100 on their cluster member's address), on any address.
 * Anything else is listed per address in
 * `allowedListeners`, e.g. OVN central's northbound/southbound databases on the
 * configured `ovn.centralListenAddress` (`192.168.71.5:6641`, `192.168.71.5:6642`), which
 * the operator adds with the OVN backend: the policy cannot read stack config, and a
 * blanket 6641/6642 on every address would expose the OVN databases anywhere.
 */
export const proxyListenAllowList = resourcePolicy({
  name: "proxy-listen-allow-list",
  description:
    "Proxy devices only listen on allowedPorts (any address) or on allowedListeners (address:port).",
  enforcementLevel: "mandatory",
  defaults: {
    allowedPorts: platformProxyPorts(platformConnections()),
    allowedListeners: [] as string[],
  },
  schema: {
    allowedPorts: {
      type: "array",
      items: { type: "integer", minimum: 1, maximum: 65535 },
      description: "Host ports a proxy device may listen on, on any address.",
    },
    allowedListeners: {
      type: "array",
      items: { type: "string" },
      description:
        "Extra 'address:port' listeners, e.g. '192.168.71.5:6641' for OVN central (IPv6: '[addr]:port').",
    },
  },
  types: [incusTypes.instance, incusTypes.profile],
  validate(resource, config, report) {
    for (const device of devicesOf(resource).filter((d) => d.type === "proxy")) {
      const listen = device.properties.listen ?? "";
      const parsed = parseProxyListen(listen);
      if (parsed === "unix") continue; // a socket on the host, not a network listener
      if (parsed === undefined) {
        report(
          `${describe(resource)} proxy device '${device.name}' has listen '${listen}', which is not tcp|udp:<address>:<port>: fix the listen value.`,
        );
        continue;
      }
      const address = parsed.address.includes(":") ? `[${parsed.address}]` : parsed.address;
      const refused = parsed.ports.filter(
        (port) =>
          !config.allowedPorts.includes(port) &&
          !config.allowedListeners.includes(`${address}:${port}`),
      );
      if (refused.length > 0) {
        report(
          `${describe(resource)} proxy device '${device.name}' listens on ${listen} (port ${refused.join(", ")} not allowed): ` +
            `use an allowed port (${config.allowedPorts.join(", ")}), or add '${address}:${refused[0]}' ` +
            `to proxy-listen-allow-list.allowedListeners in the policy config.`,
        );
      }
    }
  },
});
