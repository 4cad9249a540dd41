import * as YAML from "yaml";

export const alertmanagerPort = 9093;

/** Receivers, resolved to plain values (secrets included: the result is kept secret). */
export interface AlertmanagerReceivers {
  slack?: { apiUrl: string; channel: string };
  email?: {
    to: string;
    from: string;
    smarthost: string;
    username: string;
    password: string;
  };
  webhook?: { url: string };
}

/** Alerts no configured receiver wants end here. */
export const nullReceiver = "null";

/**
 * alertmanager.yml: every configured receiver (Slack, email, webhook) gets every
 * warning and critical alert through its own route; without any, alerts go to the
 * null receiver. Critical alerts silence their warning counterparts.
 */
export function renderAlertmanagerConfig(receivers: AlertmanagerReceivers): string {
  const configured: Record<string, unknown>[] = [];
  if (receivers.slack) {
    configured.push({
      name: "slack",
      slack_configs: [
        {
          api_url: receivers.slack.apiUrl,
          channel: receivers.slack.channel,
          send_resolved: true,
          title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
          text: "{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}",
        },
      ],
    });
  }
  if (receivers.email) {
    const email = receivers.email;
    configured.push({
      name: "email",
      email_configs: [
        {
          to: email.to,
          from: email.from,
          smarthost: email.smarthost,
          ...(email.username
            ? { auth_username: email.username, auth_password: email.password }
            : {}),
          send_resolved: true,
        },
      ],
    });
  }
  if (receivers.webhook) {
    configured.push({
      name: "webhook",
      webhook_configs: [{ url: receivers.webhook.url, send_resolved: true }],
    });
  }

  const document = {
    route: {
      receiver: nullReceiver,
      group_by: ["alertname", "instance"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: configured.map((receiver) => ({
        receiver: receiver.name,
        matchers: ['severity=~"warning|critical"'],
        continue: true,
      })),
    },
    receivers: [{ name: nullReceiver }, ...configured],
    inhibit_rules: [
      {
        source_matchers: ['alertname="CriticalMemoryUsage"'],
        target_matchers: ['alertname="HighMemoryUsage"'],
        equal: ["name", "project"],
      },
      {
        source_matchers: ['alertname="DiskSpaceCritical"'],
        target_matchers: ['alertname="DiskSpaceWarning"'],
        equal: ["instance", "mountpoint"],
      },
    ],
  };
  return YAML.stringify(document, { lineWidth: 0 });
}
