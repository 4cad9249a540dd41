/**
 * Wiring on a real Incus daemon, for the connection that crosses networks on one host:
 * cluster01's Prometheus (management network) scraping CoreDNS (production network).
 * `coredns01.incus` does not resolve there (each bridge's DNS knows only its own
 * instances), so the program renders a proxy device on the management gateway; this test
 * takes the scrape target and the proxy device from the program itself (rendered under
 * mocks with this test's networks), creates the two bridges and two busybox containers on
 * the shared test daemon, adds the rendered device to the CoreDNS stand-in, starts a
 * listener at the metrics port inside it (busybox httpd) and fetches the exact host:port of
 * the rendered target from inside the Prometheus stand-in.
 *
 * The connections between hosts (Promtail -> Loki, federation, Mosquitto -> step-ca) need
 * two hosts: they are wired under mocks (tests/unit/stacks/connections.test.ts) and, for
 * federation, run on real Prometheus in the monitoring contract's lab.
 */
import * as crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderedTargets } from "../contracts/lab/scrapeTargets";
import { renderStack, renderedFile } from "../contracts/renderedFiles";
import { TEST_IMAGE, cleanup, incus, requireDaemon } from "../helpers/incus";

const id = crypto.randomBytes(2).toString("hex");
const octet = (parseInt(id, 16) % 200) + 20;
const management = { name: `cr${id}m`, cidr: `10.237.${octet}.1/24` };
const production = { name: `cr${id}p`, cidr: `10.238.${octet}.1/24` };
const prometheus = `cr${id}-prometheus`;
const coredns = `cr${id}-coredns`;
const slow = 300_000;

interface ProxyDevice {
  name: string;
  listen: string;
  connect: string;
}

function execIn(instance: string, script: string): string {
  return incus(["exec", instance, "--", "sh", "-c", script]);
}

describe("wiring on the test daemon: Prometheus (management) -> CoreDNS (production)", () => {
  let target = "";
  let device: ProxyDevice | undefined;

  beforeAll(async () => {
    await requireDaemon();
    const network = (n: { name: string; cidr: string }) => ({
      name: n.name,
      ipv4Address: n.cidr,
      ipv4Nat: false,
      ipv6Address: "",
    });
    const rendered = await renderStack("cluster01", {
      config: {
        "atlas:managementNetwork": network(management),
        "atlas:productionNetwork": { ...network(production), type: "bridge" },
      },
    });
    const yml = renderedFile(rendered, "prometheus01", "/etc/prometheus/prometheus.yml");
    target = renderedTargets(yml).find((t) => t.job === "coredns")?.target ?? "";
    const profile = rendered.resources.find(
      (r) => r.type === "incus:index:Profile" && r.inputs.name === "coredns",
    );
    const devices = (profile?.inputs.devices ?? []) as {
      name: string;
      type: string;
      properties: Record<string, string>;
    }[];
    const proxy = devices.find((d) => d.type === "proxy" && d.properties.listen.endsWith(":9153"));
    device = proxy && ({ name: proxy.name, ...proxy.properties } as ProxyDevice);

    for (const n of [management, production]) {
      incus([
        "network",
        "create",
        n.name,
        `ipv4.address=${n.cidr}`,
        "ipv4.nat=false",
        "ipv6.address=none",
      ]);
    }
    const address = (cidr: string, host: number) => cidr.replace(/\.1\/24$/, `.${host}/24`);
    for (const [name, n] of [
      [prometheus, management],
      [coredns, production],
    ] as const) {
      incus(["launch", TEST_IMAGE, name, "--network", n.name, "--storage", "default"]);
      // The busybox image runs no DHCP client: a static address and the gateway route.
      const gateway = n.cidr.split("/")[0];
      execIn(
        name,
        `ip link set lo up; ip link set eth0 up; ip addr add ${address(n.cidr, 10)} dev eth0; ip route add default via ${gateway}`,
      );
    }
  }, slow);

  afterAll(() => {
    cleanup([
      ["delete", "--force", prometheus],
      ["delete", "--force", coredns],
      ["network", "delete", management.name],
      ["network", "delete", production.name],
    ]);
  }, slow);

  it("the rendered target is the management gateway, where the rendered proxy device listens", () => {
    expect(target).toBe(`${management.cidr.split("/")[0]}:9153`);
    expect(device?.listen).toBe(`tcp:${target}`);
  });

  it(
    "from inside Prometheus' container, the rendered target reaches a listener in CoreDNS' container",
    () => {
      if (!device) throw new Error("coredns renders no proxy device for its metrics port");
      incus([
        "config",
        "device",
        "add",
        coredns,
        device.name,
        "proxy",
        `listen=${device.listen}`,
        `connect=${device.connect}`,
      ]);
      execIn(
        coredns,
        "mkdir -p /tmp/www && echo coredns_up 1 > /tmp/www/metrics && httpd -p 9153 -h /tmp/www",
      );
      // The stand-in must answer on its own loopback (where the proxy device connects)
      // before the route is tried, so that a failure below is the route's.
      execIn(
        coredns,
        "for i in $(seq 1 30); do " +
          "(printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n'; sleep 1) | nc -w 2 127.0.0.1 9153 | grep -q coredns_up && exit 0; " +
          "sleep 1; done; " +
          "echo 'httpd never listened on 9153' >&2; exit 1",
      );
      let answer = "";
      try {
        // nc, not wget: busybox wget of the test image crashes on the proxied answer.
        const [host, port] = target.split(":");
        answer = execIn(
          prometheus,
          // The proxy device takes a moment to listen: up to 30 tries.
          `for i in $(seq 1 30); do ` +
            // The request's pipe stays open a second: busybox nc that sees the end of its
            // input at once closes before the answer comes back through a proxy device.
            `out=$( (printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n'; sleep 1) | nc -w 5 ${host} ${port}); ` +
            `[ -n "$out" ] && break; sleep 1; done; echo "$out"`,
        );
      } catch (error) {
        throw new Error(
          `prometheus01 -> coredns01:9153 (bridge mode) at ${target} failed: ${String(error)}`,
        );
      }
      expect(answer).toContain("coredns_up 1");
    },
    slow,
  );

  it("while the .incus name of CoreDNS does not resolve from Prometheus' network", () => {
    // Why the route exists: the management bridge's DNS has no record of the production
    // network's instances (nslookup exits non-zero for NXDOMAIN).
    const gateway = management.cidr.split("/")[0];
    expect(() => execIn(prometheus, `nslookup ${coredns}.incus ${gateway}`)).toThrow();
  });
});
