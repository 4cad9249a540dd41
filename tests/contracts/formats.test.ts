/**
 * Contract, format level: Grafana, Loki, Promtail, step-ca and Cloudflared cannot run in
 * the tests (not in Debian; Grafana and Loki are not to be built here; no release
 * downloads), so their rendered files are checked against the formats their upstream
 * documents (formats/*.ts name the references), with a negative case for each rule so
 * the checks are known to bite, and against the rest of the platform (the ports
 * Prometheus scrapes, the URLs the stacks publish).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { optionalFeatures } from "../../automation/shape/stackShape";
import { renderStack, renderedFile, type RenderedStack } from "./renderedFiles";
import { checkCloudflared, checkStepCa } from "./formats/commandLines";
import { checkGrafanaIni, checkGrafanaProvisioning, parseIni } from "./formats/grafana";
import { checkLokiConfig, checkPromtailConfig } from "./formats/loki";
import { renderedTargets } from "./lab/scrapeTargets";
import type { InstanceFiles } from "./renderedFiles";

let iapetus: RenderedStack;
let cluster01: RenderedStack;

const filesOf = (rendered: RenderedStack, instance: string): InstanceFiles => {
  const files = rendered.instances.get(instance);
  if (!files) throw new Error(`${rendered.stack} renders no ${instance}`);
  return files;
};
const texts = (files: InstanceFiles): Map<string, string> =>
  new Map([...files].map(([p, f]) => [p, f.content]));
const scrapePort = (rendered: RenderedStack, job: string): number => {
  const target = renderedTargets(
    renderedFile(rendered, "prometheus01", "/etc/prometheus/prometheus.yml"),
  ).find((t) => t.job === job);
  if (!target) throw new Error(`${rendered.stack}'s Prometheus has no ${job} job`);
  return target.port;
};

beforeAll(async () => {
  iapetus = await renderStack("iapetus", optionalFeatures("iapetus"));
  cluster01 = await renderStack("cluster01");
});

describe("Grafana (grafana.ini, provisioning, dashboards)", () => {
  const ini = () => renderedFile(iapetus, "grafana01", "/etc/grafana/grafana.ini");

  it("the rendered grafana.ini uses only documented sections, keys and values", () => {
    expect(checkGrafanaIni(ini())).toEqual([]);
  });

  it("serves on the port Prometheus scrapes, and provisions from the folder it renders", () => {
    const { sections } = parseIni(ini());
    expect(Number(sections.server.http_port)).toBe(scrapePort(iapetus, "grafana"));
    expect(sections.metrics.enabled).toBe("true");
    const provisioning = sections.paths.provisioning;
    expect(checkGrafanaProvisioning(texts(filesOf(iapetus, "grafana01")), provisioning)).toEqual(
      [],
    );
  });

  it("its data sources are the endpoints iapetus publishes", () => {
    const datasources = renderedFile(
      iapetus,
      "grafana01",
      "/etc/grafana/provisioning/datasources/atlas.yml",
    );
    expect(datasources).toContain(`url: ${String(iapetus.outputs.prometheus_endpoint)}\n`);
    expect(datasources).toContain(`url: ${String(iapetus.outputs.loki_endpoint)}\n`);
  });

  it("refuses what Grafana would not read as meant", () => {
    const problems = (text: string) => checkGrafanaIni(text).join("\n");
    expect(problems(`${ini()}\n[server]\nhttp_port = 3000\n`)).toMatch(
      /section \[server\] repeated/,
    );
    expect(problems(ini().replace("[metrics]", "[metrix]"))).toMatch(/\[metrix\]: not a section/);
    expect(problems(ini().replace("enforce_domain", "enforce_domian"))).toMatch(
      /enforce_domian: unknown key/,
    );
    expect(problems(ini().replace("cookie_secure = true", "cookie_secure = yes"))).toMatch(
      /cookie_secure: "yes" is not one of true, false/,
    );
    expect(problems(ini().replace("http_port = 3000", "http_port = 70000"))).toMatch(
      /http_port: "70000" is not a port/,
    );
    expect(problems(ini().replace("admin_user = admin", "admin_user = a#b"))).toMatch(
      /holds # or ; unquoted/,
    );
    const provisioning = texts(filesOf(iapetus, "grafana01"));
    const broken = new Map(provisioning);
    const key = "/etc/grafana/provisioning/datasources/atlas.yml";
    broken.set(
      key,
      String(broken.get(key))
        .replace("isDefault: false", "isDefault: true")
        .replace("access: proxy", "access: browser"),
    );
    const found = checkGrafanaProvisioning(broken, "/etc/grafana/provisioning").join("\n");
    expect(found).toMatch(/more than one isDefault/);
    expect(found).toMatch(/access: "browser" is not one of proxy, direct/);
    const orphan = new Map(provisioning);
    orphan.set(key, String(orphan.get(key)).replace("uid: prometheus", "uid: prom"));
    expect(checkGrafanaProvisioning(orphan, "/etc/grafana/provisioning").join("\n")).toMatch(
      /uses data source uid prometheus, which is not provisioned/,
    );
  });
});

describe("Loki (loki.yml)", () => {
  const loki = () => renderedFile(iapetus, "loki01", "/etc/loki/loki.yml");

  it("the rendered loki.yml uses only documented keys and satisfies the storage rules", () => {
    expect(checkLokiConfig(loki())).toEqual([]);
  });

  it("listens on the port Prometheus scrapes and the push URL names", () => {
    expect(loki()).toMatch(new RegExp(`http_listen_port: ${scrapePort(iapetus, "loki")}\\n`));
    expect(new URL(String(iapetus.outputs.loki_push_url)).port).toBe(
      String(scrapePort(iapetus, "loki")),
    );
  });

  it("refuses what Loki would refuse", () => {
    const problems = (text: string) => checkLokiConfig(text).join("\n");
    expect(
      problems(loki().replace("auth_enabled: false", "auth_enabled: false\nauth: true")),
    ).toMatch(/unknown key auth/);
    expect(problems(loki().replace("period: 24h", "period: 168h"))).toMatch(
      /tsdb needs index.period 24h/,
    );
    expect(problems(loki().replace("store: tsdb", "store: boltdb-shipper"))).toMatch(
      /schema v13 needs store tsdb/,
    );
    expect(problems(loki().replace(/\n\s*delete_request_store: filesystem/, ""))).toMatch(
      /retention_enabled needs delete_request_store/,
    );
    expect(problems(loki().replace("retention_period: 720h", "retention_period: 36h"))).toMatch(
      /multiple of the 24h/,
    );
    expect(problems(loki().replace("schema: v13", "schema: v14"))).toMatch(/"v14" is not one of/);
  });
});

describe("Promtail (promtail.yml)", () => {
  const promtail = () => renderedFile(cluster01, "promtail01", "/etc/promtail/promtail.yml");

  it("the rendered promtail.yml uses only documented keys and pushes to Loki's push API", () => {
    expect(checkPromtailConfig(promtail())).toEqual([]);
  });

  it("listens on the port cluster01's Prometheus scrapes", () => {
    expect(promtail()).toMatch(
      new RegExp(`http_listen_port: ${scrapePort(cluster01, "promtail")}\\n`),
    );
  });

  it("refuses what Promtail would refuse or silently ignore", () => {
    const problems = (text: string) => checkPromtailConfig(text).join("\n");
    expect(problems(promtail().replace("/loki/api/v1/push", "/loki/push"))).toMatch(
      /Loki's push API is \/loki\/api\/v1\/push/,
    );
    expect(problems(promtail().replace("positions:", "position:"))).toMatch(/unknown key position/);
    expect(problems(promtail().replace(/\n\s*__path__: \/var\/log\/messages/, ""))).toMatch(
      /labels need __path__/,
    );
    expect(
      problems(promtail().replace("job_name: system", "job_name: system\n  - job_name: system")),
    ).toMatch(/job_name system repeated|missing required/);
  });
});

describe("step-ca (init, settings and daemon command lines)", () => {
  const caUrl = () => String(iapetus.outputs.step_ca_url);
  const files = () => filesOf(iapetus, "step-ca01");

  it("`step ca init`, the provisioner update and `step-ca` use documented flags and agree", () => {
    expect(checkStepCa(files(), caUrl())).toEqual([]);
  });

  it("refuses command lines step would reject or that disagree", () => {
    /** Every rendered file of step-ca01 with `from` replaced by `to`. */
    const mutate = (from: string | RegExp, to: string): InstanceFiles =>
      new Map([...files()].map(([p, f]) => [p, { ...f, content: f.content.replace(from, to) }]));
    const problems = (mutated: InstanceFiles) => checkStepCa(mutated, caUrl()).join("\n");
    expect(problems(mutate("--acme", "--acme --acmee"))).toMatch(/--acmee: not a documented flag/);
    expect(problems(mutate("--address=:9000", "--address=:9443"))).toMatch(/uses port 9000/);
    expect(problems(mutate('"step-ca01.incus"', '"ca.example"'))).toMatch(
      /does not name step-ca01.incus/,
    );
    expect(problems(mutate(/"certDuration": "[^"]*"/, '"certDuration": "1 day"'))).toMatch(
      /1 day is not a duration/,
    );
    expect(problems(mutate("--deployment-type=standalone", "--deployment-type=cluster"))).toMatch(
      /standalone, linked or hosted/,
    );
    expect(
      problems(
        mutate(
          '--password-file="$STEPPATH/secrets/password"',
          '--password-file="$STEPPATH/secrets/other"',
        ),
      ),
    ).toMatch(/the key was encrypted with/);
  });
});

describe("Cloudflared (command line and token file)", () => {
  const files = () => filesOf(iapetus, "cloudflared01");

  it("`cloudflared tunnel ... run` uses documented flags, the token file and the scraped metrics port", () => {
    expect(checkCloudflared(files(), scrapePort(iapetus, "cloudflared"))).toEqual([]);
  });

  it("refuses a wrong subcommand order, a token on the command line and a readable token file", () => {
    const withArgs = (args: string): InstanceFiles =>
      new Map(
        [...files()].map(([p, f]) => [
          p,
          { ...f, content: f.content.replace(/^command_args=.*$/m, `command_args='${args}'`) },
        ]),
      );
    const port = scrapePort(iapetus, "cloudflared");
    expect(
      checkCloudflared(withArgs(`run tunnel --metrics 0.0.0.0:${port}`), port).join("\n"),
    ).toMatch(/tunnel subcommand comes first/);
    expect(
      checkCloudflared(withArgs(`tunnel --metrics 0.0.0.0:${port} run --token abc`), port).join(
        "\n",
      ),
    ).toMatch(/process list/);
    expect(
      checkCloudflared(withArgs(`tunnel --metrics 0.0.0.0:${port + 1} run`), port).join("\n"),
    ).toMatch(/Prometheus scrapes port/);
    expect(
      checkCloudflared(withArgs(`tunnel --metric 0.0.0.0:${port} run`), port).join("\n"),
    ).toMatch(/--metric: not a documented/);
    const readable: InstanceFiles = new Map(
      [...files()].map(([p, f]) => [
        p,
        p.endsWith("/token") || /TUNNEL_TOKEN=/.test(f.content) ? { ...f, mode: "0644" } : f,
      ]),
    );
    expect(checkCloudflared(readable, port).join("\n")).toMatch(
      /mode 0644: readable by every account/,
    );
  });
});
