/**
 * Contract: the monitoring plane runs on what the program renders. Both stacks' real
 * Prometheus (Debian's `prometheus`), cluster01's Alertmanager
 * (`prometheus-alertmanager`), node-exporters (`prometheus-node-exporter`) and CoreDNS
 * (built by scripts/coredns-build.sh) start on the rendered files, each in the lab
 * namespace of its instance (see lab/network.ts: one namespace per instance on its
 * stack host's bridge, `<instance>.incus` resolved per host through
 * /etc/netns/<ns>/hosts, so no file is edited for names or ports).
 *
 * Services whose binaries cannot run here (Grafana, Loki, Promtail) and the Incus host's
 * own metrics endpoint (HTTPS, client certificate required) are fixed metrics endpoints
 * (lab/metricsEndpoint.mjs) on the address and port the scrape config names.
 *
 * What the files do not hold: the Incus metrics client certificate is a Pulumi tls
 * provider output (placeholders under mocks), so the lab issues a test-CA pair in its
 * place; Alertmanager trusts the test CA for the SMTP receiver through SSL_CERT_FILE.
 *
 * cluster01 runs with every alert receiver configured (webhook, Slack, email with
 * STARTTLS and AUTH), all pointing at lab/receivers.mjs on its host; iapetus federates
 * cluster01 through `crossStack.federationTargetsFallback` = cluster01's LAN address, where
 * the lab exposes cluster01's Prometheus as a proxy device would.
 *
 * Wall time: about two and a half minutes, most of it the alert rule with the shortest
 * `for` (CriticalMemoryUsage, 1m) becoming firing, then Alertmanager's 30s group_wait.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardPanels } from "./formats/grafana";
import { renderStack, renderedFile, type RenderedStack } from "./renderedFiles";
import { Lab, labUnavailable } from "./lab/lab";
import { execIn, getJson, waitFor } from "./lab/processes";
import { renderedRuleGroups, renderedTargets, type RenderedTarget } from "./lab/scrapeTargets";
import {
  installIncusMetricsCertificate,
  startAlertmanager,
  startCoredns,
  startMetricsEndpoint,
  startNodeExporter,
  startPrometheus,
  startProxyDevice,
  startReceivers,
  type Delivery,
  type Receivers,
} from "./lab/services";

const unavailable = labUnavailable(["prometheus", "prometheus-alertmanager", "amtool"]);
const gateway = "10.20.0.1";
const receiverName = "receiver.test";
const receiverPorts = { webhook: 9095, slack: 9096, smtp: 2525 };
const smtpPassword = "contract-smtp-password";
const lanSubnet = "192.168.100";

/** cluster01 with every receiver Alertmanager supports configured, on the lab's receivers. */
const cluster01Settings = {
  config: {
    "atlas:alertmanager": {
      webhookUrl: `http://${receiverName}:${receiverPorts.webhook}/alerts`,
      emailTo: "oncall@accuser.dev",
      smtpSmarthost: `${receiverName}:${receiverPorts.smtp}`,
      smtpUsername: "alertmanager",
    },
    "atlas:alertmanagerSmtpPassword": smtpPassword,
    "atlas:alertmanagerSlackWebhookUrl": `http://${receiverName}:${receiverPorts.slack}/slack`,
    // cluster01's LAN address in the lab: its proxy devices (Prometheus for federation)
    // listen there, and its federation target output names it.
    "atlas:proxyListenAddress": `${lanSubnet}.2`,
  },
  secretKeys: ["atlas:alertmanagerSmtpPassword", "atlas:alertmanagerSlackWebhookUrl"],
};
/** iapetus federating cluster01 at its LAN address (the peer reference stays off). */
const iapetusSettings = {
  config: { "atlas:crossStack": { federationTargetsFallback: [`${lanSubnet}.2:9090`] } },
};

/** Memory of one container above 95% of its limit: CriticalMemoryUsage's condition. */
const incusMetricsCritical = [
  "# TYPE incus_memory_MemAvailable_bytes gauge",
  'incus_memory_MemAvailable_bytes{name="mosquitto01",project="default",type="container"} 4000000',
  "# TYPE incus_memory_MemTotal_bytes gauge",
  'incus_memory_MemTotal_bytes{name="mosquitto01",project="default",type="container"} 256000000',
  "",
].join("\n");
const incusMetricsCalm = incusMetricsCritical.replace(" 4000000", " 200000000");

const fixedMetrics = (service: string): string =>
  [
    "# TYPE atlas_contract_fixture gauge",
    `atlas_contract_fixture{service="${service}"} 1`,
    "# TYPE process_start_time_seconds gauge",
    "process_start_time_seconds 1700000000",
    "",
  ].join("\n");

interface TargetsResponse {
  data: {
    activeTargets: {
      labels: { job: string; instance: string };
      scrapeUrl: string;
      health: string;
      lastError: string;
    }[];
  };
}
interface RulesResponse {
  data: { groups: { name: string; rules: { name: string; type: string }[] }[] };
}
interface QueryResponse {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

let lab: Lab;
let cluster01: RenderedStack;
let iapetus: RenderedStack;
let receivers: Receivers;

/**
 * The instance behind a rendered proxy device listening on `host:port` (a service on
 * another network, reached on the consumer network's gateway), or undefined.
 */
function proxiedInstance(rendered: RenderedStack, host: string, port: number): string | undefined {
  const listen = `tcp:${host}:${port}`;
  const profile = rendered.resources.find(
    (r) => r.type === "incus:index:Profile" && JSON.stringify(r.inputs).includes(`"${listen}"`),
  );
  if (!profile) return undefined;
  const instance = rendered.resources.find(
    (r) =>
      r.type === "incus:index:Instance" &&
      Array.isArray(r.inputs.profiles) &&
      r.inputs.profiles.includes(profile.inputs.name),
  );
  return instance ? String(instance.inputs.name) : undefined;
}

/** Starts whatever serves each target of a rendered prometheus.yml. */
function serveTargets(rendered: RenderedStack, incusMetrics: string): void {
  const prometheusYml = renderedFile(rendered, "prometheus01", "/etc/prometheus/prometheus.yml");
  const started = new Set<string>(["prometheus01"]);
  for (const target of renderedTargets(prometheusYml)) {
    const proxied = proxiedInstance(rendered, target.host, target.port);
    if (proxied) {
      // The proxy device of the instance's profile, as Incus' forkproxy would relay it.
      const { address } = lab.network.hosts.get(rendered.stack)!.instances.get(proxied)!;
      startProxyDevice(lab, rendered.stack, target.target, `${address}:${target.port}`);
    }
    const instance = target.host.endsWith(".incus") ? target.host.slice(0, -6) : proxied;
    if (target.host === "localhost" || target.host.startsWith(`${lanSubnet}.`)) continue;
    if (target.host === gateway && !proxied) {
      startMetricsEndpoint(lab, `${rendered.stack}-incus`, lab.network.netnsOf(rendered.stack), {
        port: target.port,
        path: target.metricsPath,
        metrics: incusMetrics,
        tls: { serverNames: [gateway] },
      });
      continue;
    }
    if (!instance)
      throw new Error(`${rendered.stack}: no lab stand-in for target ${target.target}`);
    if (started.has(instance)) continue;
    started.add(instance);
    if (instance.startsWith("node-exporter")) startNodeExporter(lab, rendered.stack, instance);
    else if (instance === "alertmanager01") startAlertmanager(lab, rendered);
    else if (instance === "coredns01") startCoredns(lab, rendered);
    else {
      startMetricsEndpoint(
        lab,
        `${rendered.stack}-${instance}`,
        lab.network.netnsOf(rendered.stack, instance),
        { port: target.port, path: target.metricsPath, metrics: fixedMetrics(target.job) },
      );
    }
  }
}

/** Adds the instances every target of a stack needs (and Prometheus itself). */
function addScrapedInstances(rendered: RenderedStack): void {
  lab.addInstance(rendered, "prometheus01");
  const yml = renderedFile(rendered, "prometheus01", "/etc/prometheus/prometheus.yml");
  const instances = new Set(
    renderedTargets(yml).flatMap((t) => {
      if (t.host.endsWith(".incus")) return [t.host.slice(0, -6)];
      const proxied = proxiedInstance(rendered, t.host, t.port);
      return proxied ? [proxied] : [];
    }),
  );
  for (const instance of instances) {
    if (instance !== "prometheus01") lab.addInstance(rendered, instance);
  }
}

const prometheusNetns = (stack: string): string => lab.network.netnsOf(stack, "prometheus01");

async function allTargetsUp(stack: string): Promise<TargetsResponse["data"]["activeTargets"]> {
  return waitFor(
    `${stack}: every target up`,
    async () => {
      const dead = lab.deaths();
      if (dead) throw new Error(dead);
      const response = await getJson<TargetsResponse>(
        prometheusNetns(stack),
        "http://localhost:9090/api/v1/targets",
      );
      const targets = response.data.activeTargets;
      const down = targets.filter((t) => t.health !== "up");
      if (down.length > 0) {
        throw new Error(
          down
            .map((t) => `${t.labels.job} ${t.labels.instance}: ${t.health} ${t.lastError}`)
            .join("; "),
        );
      }
      return targets.length > 0 ? targets : undefined;
    },
    60_000,
  );
}

/** `amtool alert add` against the rendered Alertmanager, from cluster01's Prometheus. */
async function postAlert(labels: Record<string, string>): Promise<void> {
  const result = await execIn(prometheusNetns("cluster01"), "amtool", [
    "alert",
    "add",
    "--alertmanager.url=http://alertmanager01.incus:9093",
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    "--annotation=summary=posted by the contract test",
  ]);
  if (result.status !== 0)
    throw new Error(`amtool alert add ${JSON.stringify(labels)}: ${result.stderr}`);
}

type Labels = Record<string, string>;
const webhookAlerts = (d: Delivery): Labels[] =>
  ((d.body as { alerts?: { labels: Labels }[] } | undefined)?.alerts ?? []).map((a) => a.labels);
const subject = (d: Delivery): string => /^Subject: (.*)$/m.exec(d.data ?? "")?.[1] ?? "";
const slackTitle = (d: Delivery): string =>
  (d.body as { attachments?: { title?: string }[] } | undefined)?.attachments?.[0]?.title ?? "";

/** The alerts posted for routing: one per rule of the rendered rule file, and the rest. */
let ruleAlerts: { alert: string; severity: string; instance: string }[] = [];
const notRouted = { alertname: "ContractInfoOnly", severity: "info", instance: "contract-info" };

describe("contract: monitoring (Prometheus, Alertmanager, federation)", () => {
  beforeAll(async () => {
    if (unavailable) throw new Error(`the monitoring contract cannot run here: ${unavailable}`);
    cluster01 = await renderStack("cluster01", cluster01Settings);
    iapetus = await renderStack("iapetus", iapetusSettings);
    lab = new Lab("monitoring");
    lab.network.addHost("cluster01", `${gateway}/24`);
    lab.network.addHost("iapetus", `${gateway}/24`);
    lab.network.joinLan("iapetus", "cluster01", lanSubnet);
    addScrapedInstances(cluster01);
    addScrapedInstances(iapetus);
    lab.network.addName("cluster01", receiverName, gateway);
    lab.network.natAndExpose("cluster01", [{ instance: "prometheus01", port: 9090 }]);
    lab.network.natAndExpose("iapetus");

    receivers = startReceivers(
      lab,
      lab.network.netnsOf("cluster01"),
      gateway,
      receiverPorts,
      receiverName,
    );
    serveTargets(cluster01, incusMetricsCritical);
    serveTargets(iapetus, incusMetricsCalm);
    for (const stack of [cluster01, iapetus]) {
      installIncusMetricsCertificate(lab, stack.stack);
      startPrometheus(lab, stack);
    }

    // Post the routing alerts now: their 30s group_wait runs while the other tests do.
    await waitFor(
      "Alertmanager ready",
      async () => {
        const r = await execIn(prometheusNetns("cluster01"), "curl", [
          "-sf",
          "http://alertmanager01.incus:9093/-/ready",
        ]);
        return r.status === 0 ? true : undefined;
      },
      30_000,
      500,
    );
    const rules = renderedRuleGroups(
      renderedFile(cluster01, "prometheus01", "/etc/prometheus/rules/alerts.yml"),
    ).flatMap((g) => g.rules);
    ruleAlerts = rules.map((r) => ({
      alert: r.alert,
      severity: r.labels.severity,
      instance: `contract-${r.alert}`,
    }));
    for (const r of ruleAlerts) {
      // Distinct `name` per alert: the memory inhibition (equal name, project) stays out.
      await postAlert({
        alertname: r.alert,
        severity: r.severity,
        instance: r.instance,
        name: `c-${r.alert}`,
        project: "default",
        mountpoint: "/",
      });
    }
    await postAlert(notRouted);
    // Grouping: two alerts of one rule on one instance make one notification.
    for (const mountpoint of ["/a", "/b"]) {
      await postAlert({
        alertname: "DiskSpaceWarning",
        severity: "warning",
        instance: "contract-group",
        mountpoint,
      });
    }
    // Inhibition: critical disk space silences the warning for the same instance and
    // mount point only; critical memory silences high memory for the same container.
    await postAlert({
      alertname: "DiskSpaceCritical",
      severity: "critical",
      instance: "contract-inhibit",
      mountpoint: "/data",
    });
    for (const mountpoint of ["/data", "/var"]) {
      await postAlert({
        alertname: "DiskSpaceWarning",
        severity: "warning",
        instance: "contract-inhibit",
        mountpoint,
      });
    }
    await postAlert({
      alertname: "CriticalMemoryUsage",
      severity: "critical",
      instance: "contract-mem",
      name: "c1",
      project: "default",
    });
    await postAlert({
      alertname: "HighMemoryUsage",
      severity: "warning",
      instance: "contract-mem",
      name: "c1",
      project: "default",
    });
    await postAlert({
      alertname: "HighMemoryUsage",
      severity: "warning",
      instance: "contract-mem-other",
      name: "c2",
      project: "default",
    });
  }, 660_000); // CoreDNS is built here when scripts/coredns-build.sh has not run yet

  afterAll(async () => {
    await lab?.destroy();
  });

  for (const stack of ["cluster01", "iapetus"]) {
    it(`${stack}: every job and target of the rendered prometheus.yml is up`, async () => {
      const rendered = stack === "cluster01" ? cluster01 : iapetus;
      const expected: RenderedTarget[] = renderedTargets(
        renderedFile(rendered, "prometheus01", "/etc/prometheus/prometheus.yml"),
      );
      const targets = await allTargetsUp(stack);
      expect(targets.map((t) => `${t.labels.job} ${t.labels.instance}`).sort()).toEqual(
        expected.map((t) => `${t.job} ${t.target}`).sort(),
      );
    }, 90_000);

    it(`${stack}: every rule group of the rendered rule file is loaded`, async () => {
      const rendered = stack === "cluster01" ? cluster01 : iapetus;
      const expected = renderedRuleGroups(
        renderedFile(rendered, "prometheus01", "/etc/prometheus/rules/alerts.yml"),
      );
      const loaded = await waitFor(
        `${stack}: rules loaded`,
        async () => {
          const r = await getJson<RulesResponse>(
            prometheusNetns(stack),
            "http://localhost:9090/api/v1/rules",
          );
          return r.data.groups.length > 0 ? r.data.groups : undefined;
        },
        30_000,
      );
      expect(loaded.map((g) => ({ name: g.name, rules: g.rules.map((r) => r.name) }))).toEqual(
        expected.map((g) => ({ name: g.name, rules: g.rules.map((r) => r.alert) })),
      );
      expect(loaded.flatMap((g) => g.rules).every((r) => r.type === "alerting")).toBe(true);
    }, 60_000);
  }

  it("iapetus' federation job pulls cluster01's series with the rendered match[]", async () => {
    const federation = renderedTargets(
      renderedFile(iapetus, "prometheus01", "/etc/prometheus/prometheus.yml"),
    ).filter((t) => t.job === "federate");
    expect(federation.map((t) => t.target)).toEqual([`${lanSubnet}.2:9090`]);
    const targets = await allTargetsUp("iapetus");
    // The same question the federation-defect test asks, here with the answer it wants.
    const config = await execIn(prometheusNetns("iapetus"), "curl", [
      "-sS",
      "--max-time",
      "5",
      `http://${federation[0].target}/api/v1/status/config`,
    ]);
    expect(config.stdout).toContain("environment: cluster01");
    const scrapeUrl = new URL(
      targets.find((t) => t.labels.job === "federate")?.scrapeUrl ?? "http://x",
    );
    expect(scrapeUrl.searchParams.getAll("match[]")).toEqual(federation[0].params["match[]"]);
    const cluster01Jobs = new Set(
      renderedTargets(
        renderedFile(cluster01, "prometheus01", "/etc/prometheus/prometheus.yml"),
      ).map((t) => t.job),
    );
    // honor_labels keeps cluster01's job and environment labels on the pulled series.
    const series = await waitFor(
      "cluster01's series on iapetus",
      async () => {
        const query = encodeURIComponent('up{environment="cluster01"}');
        const r = await getJson<QueryResponse>(
          prometheusNetns("iapetus"),
          `http://localhost:9090/api/v1/query?query=${query}`,
        );
        const jobs = new Set(r.data.result.map((s) => s.metric.job));
        return [...cluster01Jobs].every((job) => jobs.has(job)) ? jobs : undefined;
      },
      60_000,
    );
    expect([...series].sort()).toEqual([...cluster01Jobs].sort());
  }, 90_000);

  it("every Grafana dashboard query runs in iapetus' real Prometheus and finds series", async () => {
    const dashboards = [...(iapetus.instances.get("grafana01") ?? new Map()).entries()].filter(
      ([file]) => file.endsWith(".json"),
    );
    expect(dashboards.length).toBeGreaterThan(0);
    await allTargetsUp("iapetus");
    for (const [file, { content }] of dashboards) {
      const panels = dashboardPanels((JSON.parse(content) as { panels?: [] }).panels ?? []);
      for (const target of panels.flatMap((p) => p.targets ?? [])) {
        if (!target.expr) continue;
        const expr = target.expr;
        // ALERTS has series only while something fires; every other query reads targets
        // (rates need two scrapes first, so each query gets a little time).
        const needsSeries = !expr.includes("ALERTS");
        await waitFor(
          `${file}: ${expr} answered${needsSeries ? " with series" : ""}`,
          async () => {
            const r = await getJson<QueryResponse & { status: string }>(
              prometheusNetns("iapetus"),
              `http://localhost:9090/api/v1/query?query=${encodeURIComponent(expr)}`,
            );
            if (r.status !== "success") throw new Error(JSON.stringify(r));
            return !needsSeries || r.data.result.length > 0 ? true : undefined;
          },
          45_000,
          2_000,
        );
      }
    }
  }, 90_000);

  // cluster01 publishes its federation target on its LAN address (its proxyListenAddress,
  // where a proxy device exposes Prometheus); before, it published `prometheus01.incus:9090`,
  // which on iapetus is iapetus' own Prometheus, so iapetus federated itself.
  it("iapetus' federation target from cluster01's stack output reaches cluster01's Prometheus", async () => {
    const peer = await renderStack("iapetus", {
      config: { "atlas:crossStack": { cluster01Stack: "cluster01" } },
      stackOutputs: { cluster01: cluster01.outputs },
    });
    const [target] = renderedTargets(
      renderedFile(peer, "prometheus01", "/etc/prometheus/prometheus.yml"),
    ).filter((t) => t.job === "federate");
    expect(target).toBeDefined();
    // Whose Prometheus answers at that address, seen from iapetus' Prometheus: its
    // configuration's external labels say (its /federate would also show cluster01's
    // series federated through the fallback target, so it cannot tell).
    const result = await execIn(prometheusNetns("iapetus"), "curl", [
      "-sS",
      "--max-time",
      "5",
      `http://${target.target}/api/v1/status/config`,
    ]);
    expect(result.stdout).toContain("environment: cluster01");
  });

  it("Alertmanager routes every rule's alert to every receiver; info goes nowhere; grouping and inhibition as configured", async () => {
    // One notification per group (alertname, instance): one per rule, the grouped pair,
    // the critical disk and memory alerts, the disk warning left uninhibited, and the
    // high memory alert of the other container. The inhibited and info alerts add none.
    const expected = ruleAlerts.length + 5;
    const contractWebhooks = (): Delivery[] =>
      receivers
        .deliveries()
        .filter(
          (d) =>
            d.kind === "webhook" &&
            webhookAlerts(d).some((l) => l.instance?.startsWith("contract-")),
        );
    await waitFor(
      `${expected} routed notifications`,
      async () => (contractWebhooks().length >= expected ? true : undefined),
      90_000,
      2_000,
    );
    // Every group was posted within seconds: anything still due would arrive now.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(contractWebhooks()).toHaveLength(expected);
    const all = receivers.deliveries();
    const webhooks = all.filter((d) => d.kind === "webhook");
    const emails = all.filter((d) => d.kind === "email");
    const slacks = all.filter((d) => d.kind === "slack");
    for (const rule of ruleAlerts) {
      const hit = webhooks.find((d) =>
        webhookAlerts(d).some((l) => l.alertname === rule.alert && l.instance === rule.instance),
      );
      expect(hit, `webhook got ${rule.alert}`).toBeDefined();
      expect(webhookAlerts(hit!)[0].severity).toBe(rule.severity);
      expect(
        emails.some((d) => subject(d).includes(rule.alert) && subject(d).includes(rule.instance)),
        `email got ${rule.alert}`,
      ).toBe(true);
      expect(
        slacks.some((d) => slackTitle(d) === `[FIRING] ${rule.alert}`),
        `slack got ${rule.alert}`,
      ).toBe(true);
    }
    const instancesSeen = (list: Delivery[]) => list.flatMap(webhookAlerts).map((l) => l.instance);
    expect(instancesSeen(webhooks)).not.toContain(notRouted.instance);
    expect(all.some((d) => JSON.stringify(d).includes(notRouted.alertname))).toBe(false);

    const grouped = webhooks.filter((d) =>
      webhookAlerts(d).some((l) => l.instance === "contract-group"),
    );
    expect(grouped).toHaveLength(1);
    expect(
      webhookAlerts(grouped[0])
        .map((l) => l.mountpoint)
        .sort(),
    ).toEqual(["/a", "/b"]);

    const diskWarnings = webhooks
      .flatMap(webhookAlerts)
      .filter((l) => l.instance === "contract-inhibit" && l.alertname === "DiskSpaceWarning");
    expect(diskWarnings.map((l) => l.mountpoint)).toEqual(["/var"]);
    const memory = webhooks
      .flatMap(webhookAlerts)
      .filter((l) => l.alertname === "HighMemoryUsage" && l.instance?.startsWith("contract-mem"));
    expect(memory.map((l) => l.name)).toEqual(["c2"]);
  }, 120_000);

  it("a real rule fires in Prometheus and reaches the webhook, Slack and email receivers with its labels", async () => {
    const fromPrometheus = (d: Delivery) =>
      webhookAlerts(d).some(
        (l) => l.alertname === "CriticalMemoryUsage" && l.environment === "cluster01",
      );
    const webhook = await waitFor(
      "CriticalMemoryUsage from cluster01's Prometheus at the webhook",
      async () => receivers.deliveries().find((d) => d.kind === "webhook" && fromPrometheus(d)),
      200_000,
      2_000,
    );
    expect(webhookAlerts(webhook)[0]).toMatchObject({
      alertname: "CriticalMemoryUsage",
      severity: "critical",
      name: "mosquitto01",
      project: "default",
      job: "incus",
      instance: `${gateway}:8443`,
      environment: "cluster01",
    });
    expect((webhook.body as { status: string }).status).toBe("firing");
    const email = await waitFor(
      "the email",
      async () =>
        receivers
          .deliveries()
          .find(
            (d) =>
              d.kind === "email" &&
              subject(d).includes("CriticalMemoryUsage") &&
              subject(d).includes(gateway),
          ),
      30_000,
    );
    expect(email.tls).toBe(true);
    expect(email.auth).toEqual({ user: "alertmanager", password: smtpPassword });
    expect(email.to?.join(",")).toContain("oncall@accuser.dev");
    expect(
      receivers
        .deliveries()
        .some(
          (d) =>
            d.kind === "slack" &&
            slackTitle(d) === "[FIRING] CriticalMemoryUsage" &&
            JSON.stringify(d.body).includes("mosquitto01"),
        ),
    ).toBe(true);
  }, 240_000);
});
