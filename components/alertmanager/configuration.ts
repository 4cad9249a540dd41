import * as pulumi from "@pulumi/pulumi";
import type { AlertmanagerSettings } from "../../config";
import { daemonConfiguration, type ServiceConfiguration } from "../shared/serviceConfiguration";
import { renderAlertmanagerConfig, type AlertmanagerReceivers } from "./config";
import { alertmanagerAccount, alertmanagerConfigFile, alertmanagerDaemon } from "./install";

/** The configured receivers, with their secrets resolved (inside an Output). */
export function receiversOf(settings: AlertmanagerSettings): pulumi.Output<AlertmanagerReceivers> {
  return pulumi
    .all([settings.slackWebhookUrl ?? "", settings.smtpPassword ?? ""])
    .apply(([slackUrl, smtpPassword]) => ({
      slack: slackUrl ? { apiUrl: slackUrl, channel: settings.slackChannel } : undefined,
      email:
        settings.emailTo && settings.smtpSmarthost
          ? {
              to: settings.emailTo,
              from: settings.emailFrom,
              smarthost: settings.smtpSmarthost,
              username: settings.smtpUsername,
              password: smtpPassword,
            }
          : undefined,
      webhook: settings.webhookUrl ? { url: settings.webhookUrl } : undefined,
    }));
}

/**
 * alertmanager.yml, checked with `amtool check-config` (routes, receivers, templates)
 * before the daemon gets SIGHUP. The file is a secret Output whenever a receiver holds a
 * secret (the Slack webhook URL, the SMTP password), so the Instance's files reach the
 * engine as a secret; it is mode 0640 either way (root's, read by the alertmanager group),
 * as a webhook URL can carry a credential too.
 */
export function alertmanagerConfiguration(settings: AlertmanagerSettings): ServiceConfiguration {
  const file = receiversOf(settings).apply((receivers) => ({
    path: alertmanagerConfigFile,
    content: renderAlertmanagerConfig(receivers),
    mode: "0640",
  }));
  return daemonConfiguration({
    daemon: alertmanagerDaemon(),
    account: alertmanagerAccount,
    files: [file],
    checks: [["/usr/local/bin/amtool", "check-config", alertmanagerConfigFile]],
  });
}
