import type { ServiceSettings } from "../../config";
import { cloudInitUserData, type CloudConfig, type CloudInitFile } from "../shared/cloudInit";
import { renderTemplate, shellCode } from "../shared/render";
import { serviceAccount } from "../shared/serviceAccounts";
import { mosquittoPaths } from "./config";
import type { MosquittoCaTrust } from "./stepCaTrust";

/** The broker's account: created with these ids before the package, which then reuses it. */
export const mosquittoAccount = serviceAccount("mosquitto");

/** The certificate helper (installed once, run at install and hourly by crond). */
export const mosquittoCertificateHelper = "/usr/local/bin/mosquitto-certificate";

/**
 * What cloud-init installs once: Alpine's `mosquitto` package at the pinned version (its
 * own OpenRC service), the data folder and, with TLS, step-cli, the certificate helper and
 * crond to renew the short-lived certificate. No configuration file and no password is
 * here: those are pushed by the file API (configuration.ts), so a changed user or port
 * never re-provisions the broker, and a changed version or TLS switch replaces it.
 *
 * The account is created by bootcmd, which runs before the packages are installed: the
 * package's pre-install script only adds `mosquitto` when it is missing, so it keeps the
 * fixed ids the configuration files are pushed with. Those files are in place before the
 * first boot; apk keeps an existing file under /etc and writes its own as `.apk-new`.
 */
export function mosquittoInstall(
  instanceName: string,
  settings: ServiceSettings,
  tls?: MosquittoCaTrust,
): string {
  const { user, uid, gid } = mosquittoAccount;
  const packages = [`mosquitto~${settings.version}`];
  const files: CloudInitFile[] = [];
  const runcmd: (string | string[])[] = [
    ["install", "-d", "-o", user, "-g", user, "-m", "0750", mosquittoPaths.dataDir],
  ];
  if (tls) {
    packages.push("step-cli");
    files.push(
      {
        path: mosquittoCertificateHelper,
        permissions: "0755",
        content: renderTemplate("step-ca-certificate.sh.mustache", {
          commonName: `${instanceName}.incus`,
          certDir: mosquittoPaths.certDir,
          caUrl: tls.caUrl,
          fingerprint: tls.fingerprint,
          owner: `${user}:${user}`,
          // A new certificate is read only at start: SIGHUP does not reload listeners.
          reloadCommand: shellCode("rc-service --ifstarted mosquitto restart"),
        }),
      },
      {
        path: "/etc/periodic/hourly/mosquitto-certificate",
        permissions: "0755",
        content: `#!/bin/sh\nexec ${mosquittoCertificateHelper}\n`,
      },
    );
    runcmd.push(
      mosquittoCertificateHelper,
      ["rc-update", "add", "crond", "default"],
      ["rc-service", "crond", "start"],
    );
  }
  runcmd.push(["rc-update", "add", "mosquitto", "default"], ["rc-service", "mosquitto", "start"]);
  const config: CloudConfig = {
    bootcmd: [
      // Every boot runs bootcmd: an account that exists already is left as it is.
      `addgroup -S -g ${gid} ${user} 2>/dev/null || true`,
      `adduser -S -D -H -u ${uid} -h /var/empty -s /sbin/nologin -G ${user} ${user} 2>/dev/null || true`,
    ],
    package_update: true,
    packages,
    runcmd,
  };
  if (files.length > 0) config.write_files = files;
  return cloudInitUserData(config);
}
