import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Alertmanager } from "../../../components/alertmanager";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  expectAnatomy,
  serviceRun,
  userDataIsSecret,
} from "./serviceHarness";

async function deploy(values: Record<string, unknown> = {}, secretKeys: string[] = []) {
  const service = await serviceRun("cluster01");
  const config = atlasConfig("cluster01", values, secretKeys);
  const alertmanager = new Alertmanager(
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
  const cloud = cloudConfigOf(service, "alertmanager01");
  return {
    service,
    alertmanager,
    cloud,
    yml: YAML.parse(cloud.file("/etc/alertmanager/alertmanager.yml")),
  };
}

describe("Alertmanager", () => {
  it("follows the anatomy and persists silences on its 1GB volume", async () => {
    const { service, alertmanager, cloud } = await deploy();
    expectAnatomy(service, {
      instance: "alertmanager01",
      profile: "alertmanager",
      cpu: "1",
      memory: "256MB",
      rootDiskSize: "1GB",
      pool: "local",
      volume: { size: "1GB", path: "/var/lib/alertmanager" },
    });
    expect(cloud.file("/etc/init.d/alertmanager")).toContain(
      "--storage.path=/var/lib/alertmanager",
    );
    expect(await valueOf(alertmanager.endpoint)).toBe("http://alertmanager01.incus:9093");
    expect(await valueOf(alertmanager.target)).toBe("alertmanager01.incus:9093");
  });

  it("routes to the null receiver when no receiver is configured", async () => {
    const { yml, service } = await deploy();
    expect(yml.route.receiver).toBe("null");
    expect(yml.route.routes).toEqual([]);
    expect(yml.receivers).toEqual([{ name: "null" }]);
    expect(await userDataIsSecret(service, "alertmanager01")).toBe(false);
  });

  it("routes to Slack, email and webhook receivers when configured, keeping secrets secret", async () => {
    const { yml, service } = await deploy(
      {
        "atlas:alertmanager": {
          slackChannel: "#ops",
          emailTo: "ops@example.org",
          smtpSmarthost: "smtp.example.org:587",
          smtpUsername: "alerts",
          webhookUrl: "http://hooks.example.org/alert",
        },
        "atlas:alertmanagerSlackWebhookUrl": "https://hooks.slack.com/services/T/B/X",
        "atlas:alertmanagerSmtpPassword": "smtp-pw",
      },
      ["atlas:alertmanagerSlackWebhookUrl", "atlas:alertmanagerSmtpPassword"],
    );
    expect(yml.route.routes.map((r: { receiver: string }) => r.receiver)).toEqual([
      "slack",
      "email",
      "webhook",
    ]);
    const byName = Object.fromEntries(yml.receivers.map((r: { name: string }) => [r.name, r]));
    expect(byName.slack.slack_configs[0]).toMatchObject({
      api_url: "https://hooks.slack.com/services/T/B/X",
      channel: "#ops",
    });
    expect(byName.email.email_configs[0]).toMatchObject({
      to: "ops@example.org",
      smarthost: "smtp.example.org:587",
      auth_username: "alerts",
      auth_password: "smtp-pw",
    });
    expect(byName.webhook.webhook_configs[0].url).toBe("http://hooks.example.org/alert");
    expect(await userDataIsSecret(service, "alertmanager01")).toBe(true);
  });
});
