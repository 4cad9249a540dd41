import * as YAML from "yaml";

export const promtailPort = 9080;

/**
 * Promtail's config: ship the container's system logs to a Loki push URL, labelled
 * with the shipping host and environment. (Alpine has no journal; OpenRC services log
 * to /var/log.)
 */
export function renderPromtailConfig(args: {
  lokiPushUrl: string;
  host: string;
  environment: string;
  positionsFile: string;
}): string {
  const labels = { host: args.host, environment: args.environment };
  const document = {
    server: { http_listen_port: promtailPort, grpc_listen_port: 0 },
    positions: { filename: args.positionsFile },
    clients: [{ url: args.lokiPushUrl }],
    scrape_configs: [
      {
        job_name: "system",
        static_configs: [
          {
            targets: ["localhost"],
            labels: { ...labels, job: "varlogs", __path__: "/var/log/*.log" },
          },
          {
            targets: ["localhost"],
            labels: { ...labels, job: "syslog", __path__: "/var/log/messages" },
          },
        ],
      },
    ],
  };
  return YAML.stringify(document, { lineWidth: 0 });
}
