import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Alertmanager } from "../../../components/alertmanager";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  configurationOf,
  expectAnatomy,
  serviceRun,
  userDataIsSecret,
} from "./serviceHarness";

const configFile = "/etc/alertmanager/alertmanager.yml";

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
  const configuration = configurationOf(service, "alertmanager01");
  return {
    service,
    alertmanager,
    cloud,
    configuration,
    yml: YAML.parse(configuration.file(configFile).content),
  };
}

const allReceivers = {
  values: {
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
  secretKeys: ["atlas:alertmanagerSlackWebhookUrl", "atlas:alertmanagerSmtpPassword"],
};

describe("Alertmanager", () => {
  it("follows the anatomy and persists silences on its 1GB volume", async () => {
    const { service, alertmanager, configuration } = await deploy();
    expectAnatomy(service, {
      instance: "alertmanager01",
      profile: "alertmanager",
      cpu: "1",
      memory: "256MB",
      rootDiskSize: "1GB",
      pool: "local",
      volume: { size: "1GB", path: "/var/lib/alertmanager" },
    });
    expect(configuration.file("/etc/conf.d/alertmanager").content).toContain(
      "--storage.path=/var/lib/alertmanager",
    );
    expect(await valueOf(alertmanager.endpoint)).toBe("http://alertmanager01.incus:9093");
    expect(await valueOf(alertmanager.target)).toBe("alertmanager01.incus:9093");
  });

  it("routes to the null receiver when no receiver is configured", async () => {
    const { yml, service, configuration } = await deploy();
    expect(yml.route.receiver).toBe("null");
    expect(yml.route.routes).toEqual([]);
    expect(yml.receivers).toEqual([{ name: "null" }]);
    expect(await userDataIsSecret(service, "alertmanager01")).toBe(false);
    expect(configuration.secret).toBe(false);
  });

  it("routes to Slack, email and webhook receivers when configured, secrets only in secret files", async () => {
    const { yml, service, cloud, configuration } = await deploy(
      allReceivers.values,
      allReceivers.secretKeys,
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
    // The secrets travel in the Instance's files, as a secret, in a file only root and the
    // alertmanager group read; the user-data holds none of them and is no secret.
    expect(configuration.secret).toBe(true);
    expect(configuration.file(configFile)).toMatchObject({ mode: "0640", uid: 0, gid: 902 });
    expect(cloud.text).not.toContain("hooks.slack.com");
    expect(cloud.text).not.toContain("smtp-pw");
    expect(await userDataIsSecret(service, "alertmanager01")).toBe(false);
  });

  it("installs once: the user-data holds no configuration file, and a receiver change leaves it as is", async () => {
    const plain = await deploy();
    const withReceivers = await deploy(allReceivers.values, allReceivers.secretKeys);
    expect(withReceivers.cloud.text).toBe(plain.cloud.text);
    expect(plain.cloud.config.write_files!.map((f) => f.path).sort()).toEqual([
      "/etc/init.d/alertmanager",
      "/usr/local/sbin/atlas-install-alertmanager.sh",
    ]);
    expect(plain.cloud.text).not.toContain("alertmanager.yml\n");
    expect(plain.cloud.text).not.toContain("receivers");
    const install = plain.cloud.file("/usr/local/sbin/atlas-install-alertmanager.sh");
    expect(install).toContain("addgroup -S -g 902 alertmanager");
    // Root owns the configuration: only the data folder is handed to the daemon.
    expect(install).toContain('chown -R alertmanager:alertmanager "$root"/var/lib/alertmanager');
    expect(install).not.toContain('"$root"/etc/alertmanager');
    expect(plain.cloud.file("/etc/init.d/alertmanager")).toContain(
      'extra_started_commands="reload"',
    );
  });

  it("applies a change with amtool check-config first, then SIGHUP; a changed conf.d restarts", async () => {
    const { configuration } = await deploy();
    expect(configuration.paths.sort()).toEqual([
      "/etc/alertmanager/alertmanager.yml",
      "/etc/conf.d/alertmanager",
      "/usr/local/sbin/atlas-apply-alertmanager",
    ]);
    expect(configuration.execs).toEqual([
      {
        name: "apply-alertmanager-configuration",
        command: ["/bin/sh", "/usr/local/sbin/atlas-apply-alertmanager"],
        trigger: "on_change",
      },
    ]);
    const script = configuration.file("/usr/local/sbin/atlas-apply-alertmanager").content;
    const check = script.indexOf(
      "/usr/local/bin/amtool check-config /etc/alertmanager/alertmanager.yml",
    );
    expect(check).toBeGreaterThan(0);
    expect(script.indexOf('rc-service alertmanager "$action"')).toBeGreaterThan(check);
    expect(script).toContain("action=reload");
    expect(script).toContain("for f in /etc/conf.d/alertmanager ; do");
  });
});
