import * as pulumi from "@pulumi/pulumi";
import type { IncusLokiServerKeys, IncusLokiSettings } from "../config";
import * as incus from "../incus/sdk";

/** Event types Incus can push; the reference sends lifecycle and logging events. */
export type IncusEventType = "lifecycle" | "logging" | "network-acl";

export interface IncusLokiArgs {
  /** Name of the logging target (`logging.<name>.*`), e.g. `loki01`. */
  loggingName: string;
  /** Loki base URL, e.g. `http://loki01.incus:3100` (Incus appends the push path). */
  lokiUrl: pulumi.Input<string>;
  /** Which server keys this Incus version understands (see IncusLokiServerKeys). */
  serverKeys: IncusLokiServerKeys;
  types?: IncusEventType[];
}

// Incus does not store a value equal to its default, so sending one would read back as
// missing and show as drift on every refresh: only keys that differ are set. Both key
// families default to these types (Incus 6.0 `loki.types`, later `logging.NAME.types`).
const defaultTypes = "lifecycle,logging";

/**
 * The server config keys for Loki logging. Incus 6.0 LTS (Debian's incus) only knows the
 * single `loki.*` target; later Incus (and IncusOS) replaced it with named targets
 * (`logging.<name>.target.type=loki`) and rejects nothing but unknown keys, so the stack
 * chooses with `incusLoki.serverKeys`.
 */
export function incusLokiServerConfig(
  serverKeys: IncusLokiServerKeys,
  loggingName: string,
  lokiUrl: string,
  types: IncusEventType[] = ["lifecycle", "logging"],
): Record<string, string> {
  const typeList = types.join(",");
  if (serverKeys === "loki") {
    return {
      "loki.api.url": lokiUrl,
      ...(typeList === defaultTypes ? {} : { "loki.types": typeList }),
    };
  }
  const prefix = `logging.${loggingName}`;
  return {
    [`${prefix}.target.type`]: "loki",
    [`${prefix}.target.address`]: lokiUrl,
    ...(typeList === defaultTypes ? {} : { [`${prefix}.types`]: typeList }),
  };
}

/**
 * Native Incus logging to Loki (the reference's incus-loki module): lifecycle events and
 * instance log output, pushed by the Incus server itself, no Promtail needed.
 */
export class IncusLoki extends pulumi.ComponentResource {
  public readonly loggingName: string;
  public readonly serverConfig: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: IncusLokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:IncusLoki", name, {}, opts);
    const config = pulumi
      .output(args.lokiUrl)
      .apply((url) => incusLokiServerConfig(args.serverKeys, args.loggingName, url, args.types));
    const server = new incus.Server(`${name}-logging`, { config }, { parent: this });

    this.loggingName = args.loggingName;
    this.serverConfig = server.config;
    this.registerOutputs({ loggingName: this.loggingName, serverConfig: this.serverConfig });
  }
}

/** IncusLoki only when `incusLoki.enabled` (the reference's default: on). */
export function incusLokiIfEnabled(
  name: string,
  settings: IncusLokiSettings,
  lokiUrl: pulumi.Input<string>,
  opts?: pulumi.ComponentResourceOptions,
): IncusLoki | undefined {
  if (!settings.enabled) return undefined;
  return new IncusLoki(
    name,
    { loggingName: settings.loggingName, serverKeys: settings.serverKeys, lokiUrl },
    opts,
  );
}
