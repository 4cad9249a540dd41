import { pinnedRelease, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { renderTemplate } from "../shared/render";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";

export const stepCaPort = 9000;

// Everything of the CA (keys, certificates, database, ca.json) lives on the data volume;
// the settings Atlas manages are pushed beside it, into /etc/step-ca.
export const stepCaPaths = {
  step: "/home/step",
  caConfig: "/home/step/config/ca.json",
  password: "/home/step/secrets/password",
  fingerprint: "/home/step/fingerprint",
  settings: "/etc/step-ca/settings.json",
  init: "/usr/local/sbin/step-ca-init.sh",
  applySettings: "/usr/local/sbin/atlas-step-ca-settings",
} as const;

export const stepCaAccount = serviceAccount("step-ca");

/**
 * step-ca under OpenRC. SIGHUP makes it re-read ca.json and build a new authority and TLS
 * certificate from it (new DNS names and claims without a restart; the listen address stays).
 * Its flags are read only at start (a change restarts it).
 */
export function stepCaDaemon(): OpenRcService {
  return {
    name: "step-ca",
    description: "step-ca internal ACME certificate authority",
    command: "/usr/local/bin/step-ca",
    args: [stepCaPaths.caConfig, `--password-file=${stepCaPaths.password}`],
    user: stepCaAccount.user,
    workingDirectory: stepCaPaths.step,
    environment: { STEPPATH: stepCaPaths.step },
    reloadSignal: "HUP",
  };
}

/**
 * What cloud-init installs once: the pinned step-ca release, the step CLI and jq (which
 * initialise the CA and edit ca.json), the one-time initialisation and the settings script.
 * No setting is in it: the CA's name, DNS names and certificate duration are read from the
 * pushed settings file, so changing them never re-provisions the instance.
 */
export function stepCaInstall(settings: ServiceSettings): string {
  const { user } = stepCaAccount;
  const common = { stepPath: stepCaPaths.step, settingsFile: stepCaPaths.settings, user };
  return releaseInstall({
    daemon: stepCaDaemon(),
    account: stepCaAccount,
    release: {
      ...pinnedRelease("stepCa", settings),
      binaries: [{ source: "step-ca", target: "step-ca" }],
    },
    packages: ["step-cli", "jq"],
    home: stepCaPaths.step,
    ownedPaths: [stepCaPaths.step],
    installFiles: [
      {
        path: stepCaPaths.init,
        content: renderTemplate("step-ca-init.sh.mustache", {
          ...common,
          port: stepCaPort,
          settingsScript: stepCaPaths.applySettings,
          fingerprintFile: stepCaPaths.fingerprint,
        }),
        permissions: "0700",
      },
      {
        path: stepCaPaths.applySettings,
        content: renderTemplate("step-ca-settings.sh.mustache", common),
        permissions: "0700",
      },
    ],
    postInstall: `/bin/sh ${stepCaPaths.init}`,
  });
}
