import * as pulumi from "@pulumi/pulumi";
import {
  daemonConfiguration,
  type ServiceConfiguration,
  type ServiceFile,
} from "../shared/serviceConfiguration";
import { corednsAccount, corednsDaemon, namedCheckzone } from "./install";

/** Where the zone of `zone` lives in the instance. */
export function zoneFilePath(configDir: string, zone: string): string {
  return `${configDir}/${zone}.db`;
}

/**
 * The Corefile and the zone file. The zone is checked by `named-checkzone` before CoreDNS
 * sees it (a rejected zone fails the `up` and the previous files are put back), then
 * SIGUSR1 reloads both. The Corefile has no checker (CoreDNS has no config-test mode): it
 * is rendered from validated settings, and on SIGUSR1 CoreDNS keeps serving the running
 * configuration when it cannot load the new one.
 */
export function corednsConfiguration(args: {
  corefile: string;
  corefilePath: string;
  zone: string;
  zonePath: string;
  zoneFile: pulumi.Input<string>;
}): ServiceConfiguration {
  const files: pulumi.Input<ServiceFile>[] = [
    { path: args.corefilePath, content: args.corefile },
    pulumi.output(args.zoneFile).apply((content) => ({ path: args.zonePath, content })),
  ];
  return daemonConfiguration({
    daemon: corednsDaemon(),
    account: corednsAccount,
    files,
    // `local`: the zone's own records; the out-of-zone name server is not looked up.
    checks: [[namedCheckzone, "-i", "local", args.zone, args.zonePath]],
  });
}
