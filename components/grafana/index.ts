import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { GrafanaSettings } from "../../config";
import type { ScrapeTarget } from "../prometheus/scrapeConfigs";
import { serviceScrapeTarget } from "../prometheus/serviceTarget";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { grafanaConfiguration } from "./configuration";
import { grafanaInstall, grafanaPaths, grafanaPort } from "./install";

export { grafanaPort } from "./install";

export interface GrafanaArgs extends ServiceComponentArgs {
  grafana: GrafanaSettings;
  /** Endpoints of the Prometheus (default datasource) and Loki components. */
  datasources: { prometheus: pulumi.Input<string>; loki?: pulumi.Input<string> };
}

/**
 * Grafana (the reference's `grafana01`): datasources from the Prometheus and Loki
 * components, a provisioned health dashboard, admin credentials kept secret.
 */
export class Grafana extends pulumi.ComponentResource implements ServiceOutputs {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** `https://<domain>/`, served through the Cloudflare tunnel. */
  public readonly url: pulumi.Output<string>;
  public readonly adminUser: pulumi.Output<string>;
  /** The configured password, or a generated one; always a secret. */
  public readonly adminPassword: pulumi.Output<string>;
  public readonly scrapeTarget: pulumi.Output<ScrapeTarget>;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Grafana", name, {}, opts);
    const { domain, adminUser } = args.grafana;

    const password =
      args.grafana.adminPassword ??
      new random.RandomPassword(
        `${name}-admin-password`,
        // Specials limited to characters grafana.ini's triple quotes carry verbatim.
        { length: 24, special: true, overrideSpecial: "-_=+!#%" },
        { parent: this },
      ).result;
    this.adminPassword = pulumi.secret(password);

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, "grafana01", "grafana"),
      dataPath: grafanaPaths.data,
      install: grafanaInstall(args.settings),
      configuration: grafanaConfiguration({
        grafana: args.grafana,
        adminPassword: this.adminPassword,
        datasources: args.datasources,
      }),
      port: grafanaPort,
    });
    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.url = pulumi.output(`https://${domain}/`);
    this.adminUser = pulumi.output(adminUser);
    this.scrapeTarget = serviceScrapeTarget("grafana", this.instanceName, grafanaPort);
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
      url: this.url,
      adminUser: this.adminUser,
      adminPassword: this.adminPassword,
    });
  }
}
