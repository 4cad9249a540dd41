/**
 * Day 2 on the real daemon through the real engine (issue 19): a changed setting reaches
 * the running service during the `up` that reports it, as pushed files and a reload, and
 * never through cloud-init. Each change is checked from the host with the `incus` CLI:
 * the file inside the container has the new content, the service's reload or restart ran
 * (the test image's `rc-service` logs its arguments), the instance's user-data and
 * cloud-init instance id did not move (a reboot would not re-provision), and a second `up`
 * is a no-op. A configuration the service's checker rejects fails the `up` naming the
 * instance and the checker's words and leaves the previous file in place; an install
 * change (a version) replaces the instance and keeps its data volume.
 *
 * iapetus first, then cluster01 reading iapetus, as in the lifecycle suite. See
 * docs/e2e.md.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import {
  e2eSpec,
  e2eStackConfig,
  type E2eDayTwoSettings,
  type E2eStackSpec,
} from "../../automation/e2e/config";
import * as host from "../../automation/e2e/host";
import { changedOps, StepRecorder } from "../../automation/e2e/summary";
import { incusResources, isSecretValue } from "../../automation/e2e/verify";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
  type E2eRun,
} from "../../automation/e2e/workspace";
import { mosquittoPasswordLine } from "../../components/mosquitto/passwordFile";
import { e2ePreflight } from "./preflight";

const pool = "default";
const slow = 600_000;
/** What the test image's fake `rc-service` appends each call to. */
const rcCalls = "/var/log/atlas-rc-service.calls";
/** The marker the test image's fake checkers reject. */
const rejectMarker = "ATLAS_TEST_REJECT";

interface DayTwoStack {
  spec: E2eStackSpec;
  stack: Stack;
}

/** The settings both stacks start from; each test changes one of them. */
const firstSettings = {
  iapetus: {
    prometheus: { retentionTime: "15d", scrapeInterval: "30s" },
    loki: { retentionPeriod: "720h" },
  },
  cluster01: {
    prometheus: { retentionTime: "15d", scrapeInterval: "30s" },
    alertmanager: { webhookUrl: "http://hooks.example.org/atlas" },
    mosquittoPasswords: { sensor: "first-sensor-password" },
  },
} satisfies Record<"iapetus" | "cluster01", E2eDayTwoSettings>;

/** What one instance looks like from the host, for before/after comparisons. */
interface InstanceSnapshot {
  userData: string;
  cloudInitInstanceId: string;
  /** Lines of the fake rc-service's log (empty before the first call). */
  rcCalls: string[];
}

function fileIn(project: string, instance: string, path: string): string {
  return host.incus(["file", "pull", "--project", project, `${instance}${path}`, "-"]);
}

function rcCallsOf(project: string, instance: string): string[] {
  try {
    return fileIn(project, instance, rcCalls).split("\n").filter(Boolean);
  } catch {
    return []; // no call yet: the file does not exist
  }
}

function snapshot(project: string): Map<string, InstanceSnapshot> {
  const out = new Map<string, InstanceSnapshot>();
  for (const i of host.instances(project)) {
    out.set(i.name, {
      userData: i.config["cloud-init.user-data"] ?? "",
      cloudInitInstanceId: i.config["volatile.cloud-init.instance-id"] ?? "",
      rcCalls: rcCallsOf(project, i.name),
    });
  }
  return out;
}

/** Files under `dir` whose bytes contain `text`. */
function filesContaining(dir: string, text: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(text)) found.push(file);
  }
  return found;
}

/** The rc-service calls that change a daemon (`status` probes left out), since `before`. */
function newActions(before: InstanceSnapshot | undefined, after: InstanceSnapshot): string[] {
  return after.rcCalls
    .slice(before?.rcCalls.length ?? 0)
    .filter((line) => !line.endsWith(" status"));
}

/** Every instance's new rc-service actions, for the instances that have any. */
function actionsSince(
  before: Map<string, InstanceSnapshot>,
  after: Map<string, InstanceSnapshot>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, now] of after) {
    const actions = newActions(before.get(name), now);
    if (actions.length > 0) out[name] = actions;
  }
  return out;
}

/** User-data and cloud-init instance id of every instance (what a reboot would act on). */
function installIdentity(snap: Map<string, InstanceSnapshot>): Record<string, string[]> {
  return Object.fromEntries(
    [...snap].map(([name, s]) => [name, [s.userData, s.cloudInitInstanceId]]),
  );
}

describe("engine e2e, day 2: configuration changes reach the running services", () => {
  const runId = crypto.randomBytes(2).toString("hex");
  let run: E2eRun;
  let iapetus: DayTwoStack;
  let cluster01: DayTwoStack;

  beforeAll(async () => {
    await e2ePreflight();
    assertProviderBuilt();
    const server = host.serverName();
    run = startE2eRun();
    const ipv4Prefix = host.freeIpv4Prefix();
    const iapetusSpec = e2eSpec("iapetus", runId, server, {
      ipv4Prefix,
      stackName: "e2e-day2-iapetus",
      incusProject: `atlas-e2e-${runId}-d2i`,
      networks: { production: `d2${runId}ip`, management: `d2${runId}im` },
      subnetBase: 21,
      dayTwo: firstSettings.iapetus,
    });
    const clusterSpec = e2eSpec("cluster01", runId, server, {
      ipv4Prefix,
      stackName: "e2e-day2-cluster01",
      incusProject: `atlas-e2e-${runId}-d2c`,
      networks: { production: `d2${runId}cp`, management: `d2${runId}cm` },
      subnetBase: 41,
      peerStack: iapetusSpec.stackName,
      dayTwo: firstSettings.cluster01,
    });
    for (const spec of [iapetusSpec, clusterSpec]) host.createProject(spec.incusProject);
    const open = async (spec: E2eStackSpec): Promise<DayTwoStack> => ({
      spec,
      stack: await openE2eStack(run, { stackName: spec.stackName, config: e2eStackConfig(spec) }),
    });
    iapetus = await open(iapetusSpec);
    cluster01 = await open(clusterSpec);
  }, slow);

  afterAll(async () => {
    // Best effort: a failed test must not leave anything on the shared daemon.
    for (const s of [cluster01, iapetus]) {
      if (!s) continue;
      await s.stack.destroy().catch(() => undefined);
      host.forceDeleteProject(s.spec.incusProject, pool);
      host.forceDeleteNetworks(s.spec.networks.production.slice(0, -1));
    }
    if (run) endE2eRun(run);
  }, slow);

  /**
   * Sets the stack's day-2 settings to `dayTwo` (the rest of its spec unchanged). The spec
   * is updated in place, so a failed test leaves the next one starting from what the
   * stack was last configured with.
   */
  async function configure(s: DayTwoStack, dayTwo: E2eDayTwoSettings): Promise<DayTwoStack> {
    s.spec = { ...s.spec, dayTwo };
    await s.stack.setAllConfig(e2eStackConfig(s.spec));
    return s;
  }

  interface DayTwoChange {
    /** The instance the change concerns, e.g. `prometheus01`. */
    instance: string;
    /** The rc-service call(s) the change must cause there, e.g. `prometheus reload`. */
    actions: string[];
    /** Files inside the instance and text each must now contain. */
    files: Record<string, string>;
  }

  /**
   * Applies `dayTwo` to the stack with one `up` and checks the four points: the
   * only step is an update of the changed instance; (a) its files hold the new content;
   * (b) its daemon got exactly `actions` and no other instance's daemon was touched;
   * (c) no instance's user-data or cloud-init instance id moved; (d) a second `up` is a
   * no-op.
   */
  async function dayTwoUp(
    s: DayTwoStack,
    dayTwo: E2eDayTwoSettings,
    change: DayTwoChange,
  ): Promise<DayTwoStack> {
    const project = s.spec.incusProject;
    const before = snapshot(project);
    const next = await configure(s, dayTwo);

    const steps = new StepRecorder();
    const up = await next.stack.up({ onEvent: steps.onEvent });
    expect(up.summary.result).toBe("succeeded");
    expect(steps.steps).toEqual([`update incus:index:Instance::${change.instance}`]);

    for (const [path, text] of Object.entries(change.files)) {
      expect(fileIn(project, change.instance, path), `${change.instance}:${path}`).toContain(text);
    }
    const after = snapshot(project);
    expect(actionsSince(before, after)).toEqual({ [change.instance]: change.actions });
    expect(installIdentity(after)).toEqual(installIdentity(before));
    for (const s of after.values()) expect(s.cloudInitInstanceId).not.toBe("");

    const again = await next.stack.up();
    expect(changedOps(again.summary.resourceChanges)).toEqual({});
    expect(actionsSince(after, snapshot(project))).toEqual({});
    return next;
  }

  it(
    "iapetus, then cluster01 reading it: the first up succeeds with the day-2 settings in place",
    async () => {
      for (const s of [iapetus, cluster01]) {
        const up = await s.stack.up();
        expect(up.summary.result).toBe("succeeded");
      }
      expect(fileIn(iapetus.spec.incusProject, "prometheus01", "/etc/conf.d/prometheus")).toContain(
        "--storage.tsdb.retention.time=15d",
      );
      // The user-data holds the install only: no configuration file, no setting.
      for (const s of [iapetus, cluster01]) {
        for (const i of host.instances(s.spec.incusProject)) {
          const userData = i.config["cloud-init.user-data"] ?? "";
          expect(userData, i.name).not.toContain("retention.time");
          expect(userData, i.name).not.toContain("first-sensor-password");
          expect(userData, i.name).not.toContain("sensor:$7$");
          expect(userData, i.name).not.toContain("hooks.example.org");
        }
      }
    },
    slow,
  );

  it(
    "Prometheus retention (a daemon flag in conf.d): the file changes and Prometheus restarts",
    async () => {
      await dayTwoUp(
        iapetus,
        { ...iapetus.spec.dayTwo, prometheus: { retentionTime: "20d", scrapeInterval: "30s" } },
        {
          instance: "prometheus01",
          actions: ["prometheus restart"],
          files: { "/etc/conf.d/prometheus": "--storage.tsdb.retention.time=20d" },
        },
      );
    },
    slow,
  );

  it(
    "Prometheus scrape interval (prometheus.yml and the alert rules' group interval): reloaded",
    async () => {
      await dayTwoUp(
        iapetus,
        { ...iapetus.spec.dayTwo, prometheus: { retentionTime: "20d", scrapeInterval: "45s" } },
        {
          instance: "prometheus01",
          actions: ["prometheus reload"],
          files: {
            "/etc/prometheus/prometheus.yml": "scrape_interval: 45s",
            "/etc/prometheus/rules/alerts.yml": "interval: 45s",
          },
        },
      );
    },
    slow,
  );

  it(
    "Loki retention: loki.yml changes and Loki takes it up",
    async () => {
      await dayTwoUp(
        iapetus,
        { ...iapetus.spec.dayTwo, loki: { retentionPeriod: "336h" } },
        {
          instance: "loki01",
          actions: ["loki restart"],
          files: { "/etc/loki/loki.yml": "retention_period: 336h" },
        },
      );
    },
    slow,
  );

  it(
    "a Mosquitto password: the password file holds the new hash, Mosquitto takes it up, and the password is nowhere in plain text",
    async () => {
      const passwords = { sensor: "second-sensor-password" };
      await dayTwoUp(
        cluster01,
        { ...cluster01.spec.dayTwo, mosquittoPasswords: passwords },
        {
          instance: "mosquitto01",
          actions: ["mosquitto restart"],
          files: {
            "/etc/mosquitto/passwd": mosquittoPasswordLine("sensor", passwords.sensor),
          },
        },
      );
      // The Instance's files reach the engine as a secret (the Automation API's export shows
      // secrets decrypted, with their signature) ...
      const exported = incusResources(await cluster01.stack.exportStack());
      const mosquitto = exported.find((r) => r.urn.endsWith("Instance::mosquitto01"));
      expect(isSecretValue(mosquitto?.inputs.files)).toBe(true);
      expect(isSecretValue(mosquitto?.outputs.files)).toBe(true);
      // ... so no file of the state backend (plain JSON: the search would find it) (checkpoints, history, backups) holds the
      // password or its hash.
      const stateDir = path.join(run.root, "state");
      expect(filesContaining(stateDir, "Instance::mosquitto01").length).toBeGreaterThan(0);
      for (const text of [passwords.sensor, mosquittoPasswordLine("sensor", passwords.sensor)]) {
        expect(filesContaining(stateDir, text)).toEqual([]);
      }
    },
    slow,
  );

  it(
    "a CoreDNS record: an instance that gains an address joins the zone at the next up, and CoreDNS takes it up",
    async () => {
      const { spec } = cluster01;
      // The busybox image starts no DHCP client: mosquitto01 asks the network's DHCP server
      // for a lease once (busybox udhcpc), then refresh reads the address into the state
      // from the network's lease list, as it would for an Alpine instance.
      const dhcp = host.incus([
        "exec",
        "mosquitto01",
        "--project",
        spec.incusProject,
        "--",
        "sh",
        "-c",
        // udhcpc reports on stderr; -s /bin/true: only the lease is wanted, not the address.
        "udhcpc -i eth0 -n -q -s /bin/true 2>&1",
      ]);
      const address = /lease of (\d+\.\d+\.\d+\.\d+) obtained/.exec(dhcp)?.[1];
      expect(address, dhcp).toBeDefined();
      await cluster01.stack.refresh();
      await dayTwoUp(cluster01, spec.dayTwo ?? {}, {
        instance: "coredns01",
        actions: ["coredns reload"],
        files: { "/etc/coredns/accuser.dev.db": `mqtt` },
      });
      const zone = fileIn(spec.incusProject, "coredns01", "/etc/coredns/accuser.dev.db");
      const escaped = String(address).replace(/\./g, "\\.");
      expect(zone).toMatch(new RegExp(`^mqtt\\s+IN\\s+A\\s+${escaped}$`, "m"));
      expect(zone).toMatch(new RegExp(`^mosquitto01\\s+IN\\s+A\\s+${escaped}$`, "m"));
    },
    slow,
  );

  it(
    "a configuration Alertmanager's checker rejects fails the up naming the instance and the checker's words; the old file stays; reverting converges",
    async () => {
      const project = cluster01.spec.incusProject;
      const configPath = "/etc/alertmanager/alertmanager.yml";
      const good = cluster01.spec.dayTwo ?? {};
      const fileBefore = fileIn(project, "alertmanager01", configPath);
      const before = snapshot(project);

      const rejected = await configure(cluster01, {
        ...good,
        alertmanager: { webhookUrl: `http://hooks.example.org/${rejectMarker}` },
      });
      const failure = await rejected.stack.up().then(
        () => "the up succeeded",
        (e: unknown) => String(e),
      );
      expect(failure).toContain('Instance "alertmanager01"');
      expect(failure).toContain(`rejected: ${configPath}`);
      expect(fileIn(project, "alertmanager01", configPath)).toBe(fileBefore);
      const after = snapshot(project);
      expect(actionsSince(before, after)).toEqual({});
      expect(installIdentity(after)).toEqual(installIdentity(before));

      await configure(rejected, good);
      const revert = await cluster01.stack.up();
      expect(revert.summary.result).toBe("succeeded");
      const again = await cluster01.stack.up();
      expect(changedOps(again.summary.resourceChanges)).toEqual({});
      expect(fileIn(project, "alertmanager01", configPath)).toBe(fileBefore);
    },
    slow,
  );

  it(
    "a version bump replaces the instance (the preview says replace) and keeps its data volume",
    async () => {
      const { spec } = cluster01;
      const project = spec.incusProject;
      const marker = `day2-${runId}\n`;
      // Written by a process in the instance, as Prometheus writes its TSDB there.
      host.incus(
        [
          "exec",
          "prometheus01",
          "--project",
          project,
          "--",
          "sh",
          "-c",
          "cat >/prometheus/day2-marker",
        ],
        marker,
      );
      const before = snapshot(project);
      const bumped = await configure(cluster01, {
        ...spec.dayTwo,
        releases: {
          // Not in Atlas' release table, so its hash is the operator's (never downloaded here).
          prometheus: { version: "3.5.1", releaseSha256: { amd64: "ab".repeat(32) } },
        },
      });

      const previewSteps = new StepRecorder();
      const preview = await bumped.stack.preview({ onEvent: previewSteps.onEvent });
      expect(preview.changeSummary.replace).toBe(1);
      expect(previewSteps.steps).toContain("replace incus:index:Instance::prometheus01");
      // CoreDNS' zone holds prometheus01's address, unknown until the new instance exists,
      // so the preview may show coredns01 as an update; the up finds the zone unchanged
      // (this image never gets an address). Nothing else may move.
      const previewed = new Set(previewSteps.steps.map((s) => s.split(" ")[1]));
      previewed.delete("incus:index:Instance::coredns01");
      expect(previewed).toEqual(new Set(["incus:index:Instance::prometheus01"]));

      const steps = new StepRecorder();
      const up = await bumped.stack.up({ onEvent: steps.onEvent });
      expect(changedOps(up.summary.resourceChanges)).toEqual({ replace: 1 });
      expect(new Set(steps.steps.map((s) => s.split(" ")[1]))).toEqual(
        new Set(["incus:index:Instance::prometheus01"]),
      );
      const after = snapshot(project);
      expect(after.get("prometheus01")?.userData).toContain("3.5.1");
      expect(after.get("prometheus01")?.cloudInitInstanceId).not.toBe(
        before.get("prometheus01")?.cloudInitInstanceId,
      );
      expect(fileIn(project, "prometheus01", "/prometheus/day2-marker")).toBe(marker);
      // Every other instance kept its install.
      after.delete("prometheus01");
      before.delete("prometheus01");
      expect(installIdentity(after)).toEqual(installIdentity(before));

      const again = await bumped.stack.up();
      expect(changedOps(again.summary.resourceChanges)).toEqual({});
    },
    slow,
  );
});
