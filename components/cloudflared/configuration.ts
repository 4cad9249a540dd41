import * as pulumi from "@pulumi/pulumi";
import { daemonConfiguration, type ServiceConfiguration } from "../shared/serviceConfiguration";
import { cloudflaredAccount, cloudflaredDaemon, cloudflaredPaths } from "./install";

// What the configuration accepts (the same rule validates `cloudflaredTunnelToken`).
const tokenPattern = /^[A-Za-z0-9+/=_-]+$/;

/**
 * The tunnel token file (a secret, 0640: root's, read by the cloudflared group) and the
 * daemon's conf.d. cloudflared has no checker for a token short of connecting to
 * Cloudflare, so nothing is checked in the instance: the token's shape is checked here,
 * and a change restarts the daemon.
 */
export function cloudflaredConfiguration(
  name: string,
  tunnelToken: pulumi.Input<string>,
): ServiceConfiguration {
  // Built inside apply on a secret input, so the file (and the Instance's files) stay secret.
  const tokenFile = pulumi.secret(tunnelToken).apply((token) => {
    if (!tokenPattern.test(token)) {
      // The value is a secret: the message names the setting and the rule, not the token.
      throw new Error(
        `${name}: cloudflaredTunnelToken has characters a Cloudflare tunnel token never has ` +
          `(allowed: letters, digits and + / = _ -); the value is not shown as it is a secret`,
      );
    }
    // The token alone, without a trailing newline: nothing for cloudflared to trim.
    return { path: cloudflaredPaths.token, content: token, mode: "0640" };
  });
  return daemonConfiguration({
    daemon: cloudflaredDaemon(),
    account: cloudflaredAccount,
    files: [tokenFile],
  });
}
