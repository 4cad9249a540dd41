import type { StepCaSettings } from "../../config";
import { daemonConfiguration, type ServiceConfiguration } from "../shared/serviceConfiguration";
import { stepCaAccount, stepCaDaemon, stepCaPaths } from "./install";

/** The settings file Atlas pushes: what the CA is initialised with and keeps in ca.json. */
export interface StepCaSettingsFile {
  /**
   * The CA's name, in its root and intermediate certificates: used once, at the first
   * initialisation. A later change is refused by the settings script (naming the name
   * the CA has), because honouring it would mean a new root that every client must trust.
   */
  caName: string;
  /**
   * Names of the CA's own TLS certificate (`dnsNames` in ca.json). Safe to change after
   * initialisation: the CA issues its server certificate itself, anew at each (re)load.
   */
  dnsNames: string[];
  /**
   * Default and maximum duration of the ACME provisioner's leaf certificates (its claims
   * in ca.json). Safe to change: it applies to the certificates issued from then on.
   */
  certDuration: string;
}

/**
 * step-ca's configuration: the settings file and the daemon's conf.d. Before SIGHUP the
 * settings script writes the settings into ca.json (a copy, moved into place only when the
 * CA name check and step's own provisioner editor accepted it), so a refused setting fails
 * the `up` and leaves the running CA untouched. There is no checker of a whole ca.json
 * short of starting a second CA, which would need the key password and the database the
 * running CA holds locked; the settings script is the check.
 */
export function stepCaConfiguration(stepCa: StepCaSettings): ServiceConfiguration {
  const settings: StepCaSettingsFile = {
    caName: stepCa.caName,
    dnsNames: stepCa.dnsNames,
    certDuration: stepCa.certDuration,
  };
  return daemonConfiguration({
    daemon: stepCaDaemon(),
    account: stepCaAccount,
    files: [{ path: stepCaPaths.settings, content: `${JSON.stringify(settings, null, 2)}\n` }],
    checks: [["/bin/sh", stepCaPaths.applySettings]],
  });
}
