import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Alertmanager } from "../../components/alertmanager";
import {
  renderAlertmanagerConfig,
  type AlertmanagerReceivers,
} from "../../components/alertmanager/config";
import { amtoolCheckConfig } from "../helpers/validators";
import {
  atlasConfig,
  baseProfiles,
  configurationOf,
  serviceRun,
} from "../unit/components/serviceHarness";

const allReceivers: AlertmanagerReceivers = {
  slack: { apiUrl: "https://hooks.slack.com/services/T000/B000/XXXX", channel: "#alerts" },
  email: {
    to: "ops@example.org",
    from: "alertmanager@accuser.dev",
    smarthost: "smtp.example.org:587",
    username: "alerts",
    password: "smtp-pw",
  },
  webhook: { url: "http://hooks.example.org/alert" },
};

describe("alertmanager.yml", () => {
  it("passes amtool check-config without receivers (null receiver only)", () => {
    const rendered = renderAlertmanagerConfig({});
    const result = amtoolCheckConfig(rendered);
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toContain("SUCCESS");
    expect(result.output).toMatch(/1 receivers/);
  });

  it("passes amtool check-config with Slack, email and webhook receivers", () => {
    const result = amtoolCheckConfig(renderAlertmanagerConfig(allReceivers));
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toMatch(/4 receivers/);
    expect(result.output).toMatch(/2 inhibit rules/);
  });

  it("passes with each receiver alone, and email without SMTP authentication", () => {
    for (const receivers of [
      { slack: allReceivers.slack },
      { email: { ...allReceivers.email!, username: "", password: "" } },
      { webhook: allReceivers.webhook },
    ]) {
      const rendered = renderAlertmanagerConfig(receivers);
      const result = amtoolCheckConfig(rendered);
      expect(result.ok, `${rendered}\n${result.output}`).toBe(true);
      expect(YAML.parse(rendered).route.routes).toHaveLength(1);
    }
  });

  it("fails amtool on a malformed value", () => {
    const result = amtoolCheckConfig(
      renderAlertmanagerConfig({ email: { ...allReceivers.email!, smarthost: "no-port-here" } }),
    );
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/no-port-here|port/i);
  });

  it("fails amtool on a broken webhook URL", () => {
    const result = amtoolCheckConfig(renderAlertmanagerConfig({ webhook: { url: "::not a url" } }));
    expect(result.ok).toBe(false);
  });
});

describe("alertmanager.yml as Atlas pushes it", () => {
  it("the file in the Instance's files (with secret receivers) passes amtool check-config", async () => {
    const service = await serviceRun("cluster01");
    const secrets = {
      "atlas:alertmanagerSlackWebhookUrl": "https://hooks.slack.com/services/T/B/X",
      "atlas:alertmanagerSmtpPassword": "smtp-pw",
    };
    const config = atlasConfig(
      "cluster01",
      {
        ...secrets,
        "atlas:alertmanager": { emailTo: "ops@example.org", smtpSmarthost: "smtp.example.org:587" },
      },
      Object.keys(secrets),
    );
    new Alertmanager(
      "alertmanager",
      {
        settings: config.services.alertmanager,
        alertmanager: config.alertmanager,
        storagePool: "local",
        baseProfiles,
      },
      service.opts,
    );
    await service.run.settle();
    const pushed = configurationOf(service, "alertmanager01").file(
      "/etc/alertmanager/alertmanager.yml",
    );
    const result = amtoolCheckConfig(pushed.content);
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toMatch(/3 receivers/);
  });
});
