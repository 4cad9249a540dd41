import * as pulumi from "@pulumi/pulumi";
import type { MosquittoSettings } from "../../config";
import type { ServiceConfiguration, ServiceFile } from "../shared/serviceConfiguration";
import { mosquittoPaths, mosquittoTlsFiles, renderMosquittoConf } from "./config";
import { mosquittoAccount } from "./install";
import { mosquittoPasswordFile } from "./passwordFile";

/**
 * mosquitto.conf and, with users, the hashed password file (0640, group mosquitto: the
 * broker reads it, nobody else). A secret output whenever passwords are configured.
 *
 * Applied by a restart, not SIGHUP: SIGHUP re-reads the password file, ACLs and logging,
 * but not listeners, ports or certificates, and the package's init script (under
 * supervise-daemon) has no `reload`. Clients reconnect after the restart.
 *
 * No check runs first: Mosquitto has no config-test mode (the broker only reports a bad
 * file by failing to start). Both files are rendered from validated settings here, and
 * the template test starts a real broker on them.
 *
 * The package's own OpenRC service, not one of ours, so the configuration is built
 * directly instead of through `daemonConfiguration` (there is no conf.d of ours).
 */
export function mosquittoConfiguration(
  mosquitto: MosquittoSettings,
  tls: boolean,
): ServiceConfiguration {
  const passwords: pulumi.Output<Record<string, string> | undefined> =
    mosquitto.passwords ?? pulumi.output(undefined);
  const files = passwords.apply((users): ServiceFile[] => {
    const conf: ServiceFile = {
      path: mosquittoPaths.config,
      content: renderMosquittoConf({
        mqttPort: mosquitto.mqttPort,
        mqttsPort: mosquitto.mqttsPort,
        passwordFile: users ? mosquittoPaths.passwordFile : undefined,
        tls: tls ? mosquittoTlsFiles() : undefined,
      }),
    };
    if (!users) return [conf];
    return [
      conf,
      { path: mosquittoPaths.passwordFile, content: mosquittoPasswordFile(users), mode: "0640" },
    ];
  });
  return {
    account: mosquittoAccount,
    files,
    apply: { service: "mosquitto", checks: [], action: "restart", restartFiles: [] },
  };
}
