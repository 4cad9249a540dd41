import * as fs from "node:fs";
import * as path from "node:path";
import type { CheckFailure } from "@pulumi/pulumi/provider";
import { type CliConfig, IncusError, isAlreadyExists, type RequestOptions } from "../../client";
import {
  asStringMap,
  devicesFromApi,
  devicesFromInputs,
  devicesToApi,
  devicesValue,
  isInternalKey,
  managedView,
  mergeConfig,
  type ResourceDiff,
  type StringMap,
} from "../diff";
import {
  BaseHandler,
  enc,
  type HandlerContext,
  readOrGone,
  type ReadResultProps,
  str,
} from "../handler";
import { type DetailedDiff, kindOf, propertyPath } from "../detailedDiff";
import { INSTANCE_NAME, type ResourceSpec } from "../schema";
import { isOwnedBy, leftoverMessage, notOursHint, withOwner } from "../ownership";
import { validateConfig } from "../validators";
import {
  compact,
  containsUnknown,
  deepEqual,
  type PropertyMap,
  type PropertyValue,
  type PropPath,
} from "../values";
import {
  duplicateExecNames,
  type ExecSpec,
  type ExecTrigger,
  execsFromInputs,
  ExecFailedError,
  onceKey,
  runExecs,
  validateExec,
} from "./instanceExec";
import {
  changedFiles,
  type FileSpec,
  filesBefore,
  filesFromInputs,
  pushFiles,
  restoreFiles,
  validateFile,
} from "./instanceFiles";
import { helperPhases } from "./fileHelperPhases";
import { type Eth0Addresses, eth0Addresses } from "./instanceAddresses";
import {
  recordedConfig,
  recordedFiles,
  recordedInstance,
  recordedSecretPath,
  USER_DATA_KEY,
} from "./instanceRecord";
import type { LeaseFreshness } from "./networkLeases";
import type { Json } from "./rest";

interface LiveInstance extends Json {
  name: string;
  type: string;
  architecture: string;
  description: string;
  ephemeral: boolean;
  stateful: boolean;
  profiles: string[];
  config: StringMap;
  devices: Record<string, StringMap>;
  expanded_devices?: Record<string, StringMap>;
  status: string;
  location: string;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;
const CLOUD_INIT_HEADERS = [
  "#cloud-config",
  "#!",
  "#include",
  "## template: jinja",
  "Content-Type:",
];

export const instanceSpec: ResourceSpec = {
  token: "incus:index:Instance",
  label: "Instance",
  description:
    "An Incus instance (`/1.0/instances/<name>`), with the files pushed into it and the commands run in it.",
  outputs: {
    completedOnceExecs: {
      kind: "stringList",
      description: "The `once` execs that have run, as `name@digest` of their definition.",
    },
    status: { kind: "string", description: "Status reported by Incus (Running, Stopped, ...)." },
    location: { kind: "string", description: "Cluster member the instance runs on." },
    ipv4Address: {
      kind: "string",
      description: "First global IPv4 address of eth0, when the instance runs and has one.",
    },
    ipv6Address: { kind: "string", description: "First global IPv6 address of eth0." },
    macAddress: { kind: "string", description: "MAC address of eth0." },
  },
  identity: ["name", "project"],
  props: {
    name: { kind: "string", required: true, pattern: INSTANCE_NAME, replaceOnChange: true },
    image: { kind: "string", required: true, replaceOnChange: true },
    type: {
      kind: "string",
      enum: ["container", "virtual-machine"],
      default: "container",
      replaceOnChange: true,
    },
    description: { kind: "string", computedWhenOmitted: true },
    ephemeral: { kind: "boolean", default: false },
    // Omitted: Incus applies its default profile, and the provider leaves the list alone.
    profiles: { kind: "stringList", computedWhenOmitted: true },
    config: { kind: "stringMap", default: {} },
    devices: { kind: "devices", default: [], unorderedByName: true },
    running: { kind: "boolean", default: true },
    targetNode: { kind: "string", replaceOnChange: true },
    files: { kind: "list", item: validateFile, itemType: "incus:index:InstanceFile" },
    execs: { kind: "list", item: validateExec, itemType: "incus:index:InstanceExec" },
    project: { kind: "string", replaceOnChange: true },
  },
  validate: (i) => {
    const failures: CheckFailure[] = validateConfig(i.config, "config");
    for (const name of duplicateExecNames(i.execs)) {
      failures.push({
        property: "execs",
        reason: `exec name "${name}" is used twice; each exec needs its own name`,
      });
    }
    if (i.ephemeral === true && i.running === false) {
      failures.push({
        property: "running",
        reason:
          "an ephemeral instance is deleted when it stops; running=false is not possible (set ephemeral=false)",
      });
    }
    const userData = asStringMap(i.config)[USER_DATA_KEY];
    if (
      userData !== undefined &&
      !CLOUD_INIT_HEADERS.some((h) => userData.trimStart().startsWith(h))
    ) {
      failures.push({
        property: "config",
        reason: `cloud-init.user-data must start with one of ${CLOUD_INIT_HEADERS.map((h) => JSON.stringify(h)).join(", ")} (cloud-init ignores it otherwise)`,
      });
    }
    return failures;
  },
};

/**
 * The `source` of an instance create for an image reference: a local alias or fingerprint,
 * or `remote:alias` resolved through the incus CLI's remotes (what `incus launch
 * images:debian/12` does).
 */
export function imageSource(
  image: string,
  cfg: CliConfig,
  currentRemote: string,
  instance = "?",
): Json {
  const colon = image.indexOf(":");
  const remoteName = colon > 0 ? image.slice(0, colon) : undefined;
  const ref = colon > 0 ? image.slice(colon + 1) : image;
  if (ref === "")
    throw new Error(`Instance "${instance}": image "${image}" names no image after the remote`);
  const local = (): Json =>
    FINGERPRINT.test(ref) || /^[0-9a-f]{12,63}$/.test(ref)
      ? { type: "image", fingerprint: ref }
      : { type: "image", alias: ref };
  if (remoteName === undefined || remoteName === currentRemote) return local();
  const remote = cfg.remotes[remoteName];
  if (!remote) {
    throw new Error(
      `Instance "${instance}": image "${image}": remote "${remoteName}" is not in the incus CLI config (${cfg.dir}); known remotes: ${Object.keys(cfg.remotes).sort().join(", ")}`,
    );
  }
  if (remote.addr.startsWith("unix:")) {
    throw new Error(
      `Instance "${instance}": image "${image}": remote "${remoteName}" is a local unix socket, which remote "${currentRemote}" cannot pull from; copy the image first (incus image copy)`,
    );
  }
  const source: Json = {
    type: "image",
    mode: "pull",
    server: remote.addr,
    protocol: remote.protocol,
  };
  if (FINGERPRINT.test(ref)) source.fingerprint = ref;
  else source.alias = ref;
  if (remote.protocol === "incus" && !remote.public) {
    try {
      source.certificate = fs.readFileSync(
        path.join(cfg.dir, "servercerts", `${remoteName}.crt`),
        "utf8",
      );
    } catch {
      // Without a pinned certificate the server verifies the image server with its own CAs.
    }
  }
  return source;
}

/**
 * Incus accepts OVN networks before any member is an OVN chassis; only starting an instance
 * on one needs the member's integration bridge, which ovn-controller creates. Says so.
 */
function chassisHint(message: string): string {
  return message.includes('OVS integration bridge device "br-int"')
    ? "; the Incus member is not an OVN chassis yet: configure its OVN service (ovn-controller pointing at OVN central's southbound database; on IncusOS `incus admin os service edit ovn --target=<member>`), then run up again"
    : "";
}

/**
 * `/1.0/instances/<name>`. Image, type, placement and name replace the instance; profiles,
 * config, devices, files and the power state change in place.
 */
export class InstanceHandler extends BaseHandler {
  readonly spec = instanceSpec;
  // A digest of a secret command or environment could be guessed from state.
  readonly secretWithInput = { completedOnceExecs: "execs" };

  secretOutputPath(input: PropPath): PropPath {
    return recordedSecretPath(input);
  }

  /**
   * Compares as the outputs record an instance (instanceRecord.ts): the program's user-data
   * and file contents by their digests, so state of either form diffs the same.
   */
  diff(oldProps: PropertyMap, newProps: PropertyMap): InstanceDiff {
    const olds = recordedInstance(oldProps);
    const news = recordedInstance(newProps);
    let d = super.diff(olds, news) as ResourceDiff;
    // An imported instance records the fingerprint it was built from; Incus cannot tell which
    // alias that was, so a program naming the image by alias is not a reason to rebuild it.
    if (
      d.changed.includes("image") &&
      typeof olds.image === "string" &&
      FINGERPRINT.test(olds.image) &&
      !containsUnknown(news.image)
    ) {
      const changed = d.changed.filter((k) => k !== "image");
      const replaces = (d.replaces ?? []).filter((k) => k !== "image");
      d = {
        ...d,
        changed,
        replaces,
        changes: changed.length > 0,
        deleteBeforeReplace: replaces.length > 0 && d.deleteBeforeReplace,
      };
    }
    return { ...d, diffs: d.changed, detailedDiff: detailedInstanceDiff(olds, news, d) };
  }

  private opts(i: PropertyMap, extra: RequestOptions = {}): RequestOptions {
    return { object: `instance "${str(i.name)}"`, project: str(i.project), ...extra };
  }

  private path(i: PropertyMap): string {
    return `/1.0/instances/${enc(String(i.name))}`;
  }

  private async setState(
    ctx: HandlerContext,
    i: PropertyMap,
    action: "start" | "stop",
    force = false,
  ): Promise<void> {
    // Incus stops the instance's file helper first: kept apart from file requests.
    await helperPhases(ctx.client).run("helperExit", () =>
      ctx.client.mutate("PUT", `${this.path(i)}/state`, {
        ...this.opts(i),
        body: { action, timeout: force ? -1 : 30, force },
      }),
    );
  }

  private async stop(ctx: HandlerContext, i: PropertyMap): Promise<void> {
    try {
      await this.setState(ctx, i, "stop");
    } catch (e) {
      // A clean shutdown that does not finish in time falls back to a forced stop.
      if (!(e instanceof IncusError) || e.kind !== "operation-failed") throw e;
      await this.setState(ctx, i, "stop", true);
    }
  }

  /** The instance without its live state (see instanceAddresses.ts for why). */
  private async getLive(
    ctx: HandlerContext,
    i: PropertyMap,
  ): Promise<{ value: LiveInstance; etag?: string }> {
    return ctx.client.get<LiveInstance>(this.path(i), this.opts(i));
  }

  /** The instance and eth0's addresses: what the outputs are made of. */
  private async readLive(
    ctx: HandlerContext,
    i: PropertyMap,
  ): Promise<{ live: LiveInstance; addresses: Eth0Addresses }> {
    const { value } = await this.getLive(ctx, i);
    return { live: value, addresses: await this.addresses(ctx, i, value) };
  }

  /** After a change (`fresh`), or for a refresh, which accepts a lease list read just now. */
  private addresses(
    ctx: HandlerContext,
    i: PropertyMap,
    live: LiveInstance,
    freshness: LeaseFreshness = "fresh",
  ): Promise<Eth0Addresses> {
    return eth0Addresses(ctx.client, live.name, live, this.opts(i), freshness);
  }

  /** The config keys the state manages (all but Incus' own, on import), as Incus has them. */
  private liveConfig(live: LiveInstance, state: PropertyMap, importing: boolean): StringMap {
    return managedView(
      live.config ?? {},
      importing ? undefined : asStringMap(state.config),
      isInternalKey,
    );
  }

  private fromLive(
    live: LiveInstance,
    addresses: Eth0Addresses,
    state: PropertyMap,
    importing: boolean,
    image: string,
  ): PropertyMap {
    return compact({
      name: live.name,
      image,
      type: live.type,
      description: live.description ?? "",
      ephemeral: live.ephemeral === true,
      profiles: [...(live.profiles ?? [])],
      config: recordedConfig(this.liveConfig(live, state, importing)),
      devices: devicesValue(devicesFromApi(live.devices)),
      running: live.status === "Running",
      targetNode: str(state.targetNode),
      files: recordedFiles(state.files),
      execs: state.execs,
      completedOnceExecs: state.completedOnceExecs,
      project: str(state.project),
      status: live.status,
      location: live.location ?? "",
      ipv4Address: addresses.ipv4,
      ipv6Address: addresses.ipv6,
      macAddress: live.config?.["volatile.eth0.hwaddr"] ?? "",
    });
  }

  async create(
    ctx: HandlerContext,
    inputs: PropertyMap,
    urn?: string,
  ): Promise<{ id: string; outs: PropertyMap }> {
    const name = String(inputs.name);
    const files = filesFromInputs(inputs.files);
    const running = inputs.running !== false;
    const body: Json = {
      name,
      type: inputs.type ?? "container",
      description: str(inputs.description) ?? "",
      ephemeral: inputs.ephemeral === true,
      config: withOwner(asStringMap(inputs.config), urn),
      devices: devicesToApi(devicesFromInputs(inputs.devices)),
      source: imageSource(String(inputs.image), ctx.cliConfig, ctx.client.remote, name),
      // Files must be in place before first boot (cloud-init, service configs), so the
      // instance is only started in the same request when there are none.
      start: running && files.length === 0,
    };
    if (Array.isArray(inputs.profiles)) body.profiles = inputs.profiles;
    const post = (): Promise<unknown> =>
      ctx.client.mutate("POST", "/1.0/instances", {
        ...this.opts(inputs, { target: str(inputs.targetNode) }),
        body,
      });
    const failed = (e: unknown, removed: boolean): unknown =>
      e instanceof IncusError ? this.createError(inputs, body, ctx, e, removed) : e;
    try {
      await post();
    } catch (e) {
      if (!(e instanceof IncusError)) throw e;
      const removed = await this.removeOwnLeftover(ctx, inputs, urn);
      if (!isAlreadyExists(e)) throw failed(e, removed);
      if (!removed) {
        throw new Error(
          `Instance "${name}": ${notOursHint(this.spec.token, urn, name)} (Incus: ${e.incusMessage})`,
        );
      }
      // An earlier create of this very instance reached Incus but its answer was lost;
      // what it left is removed above and the create runs once more.
      ctx.warn(
        urn ?? "",
        leftoverMessage(`instance "${name}"`, ctx.client.remote, "removed and is created again"),
      );
      await post().catch((again: unknown) => {
        throw failed(again, false);
      });
    }
    try {
      if (files.length > 0) {
        await pushFiles(ctx.client, name, files, this.opts(inputs));
        if (running) await this.setState(ctx, inputs, "start");
      }
      // on_change execs do not run here: the files are in place before the first start,
      // and the service's installer (cloud-init) has not run yet.
      let completedOnceExecs: string[] = [];
      if (running) {
        const warn = (m: string): void => ctx.warn(urn ?? "", m);
        await this.run(ctx, inputs, "on_start", warn);
        completedOnceExecs = await this.runPendingOnce(ctx, inputs, [], warn);
      }
      const { live, addresses } = await this.readLive(ctx, inputs);
      return {
        id: name,
        outs: this.fromLive(
          live,
          addresses,
          { ...inputs, completedOnceExecs },
          false,
          String(inputs.image),
        ),
      };
    } catch (e) {
      // A create either completes or leaves nothing: a half-made instance (files missing,
      // never started) is no use, and Pulumi would not know it.
      const removed = await this.removeOwnLeftover(ctx, inputs, urn).catch(() => false);
      throw new Error(
        `Instance "${name}" was created but could not be completed: ${(e as Error).message}` +
          (removed ? "; the half-made instance was removed, the next up creates it again" : "") +
          chassisHint((e as Error).message),
      );
    }
  }

  private createError(
    inputs: PropertyMap,
    body: Json,
    ctx: HandlerContext,
    e: IncusError,
    removed: boolean,
  ): Error {
    // Incus words an unknown local alias as "Image not provided": say which image it was.
    const server = (body.source as Json).server;
    const where =
      typeof server === "string" ? `from ${server}` : `on remote "${ctx.client.remote}"`;
    return new Error(
      `Instance "${str(inputs.name)}": creating it from image "${String(inputs.image)}" (${where}) failed: ${e.message}` +
        (removed ? "; the half-made instance was removed" : "") +
        chassisHint(e.message),
    );
  }

  /**
   * Deletes the instance when this resource created it (its owner tag) but Pulumi has no
   * record of it: what a failed or interrupted create leaves. Best effort: when the daemon
   * cannot be reached, the next create finds the leftover and removes it then.
   */
  private async removeOwnLeftover(
    ctx: HandlerContext,
    inputs: PropertyMap,
    urn: string | undefined,
  ): Promise<boolean> {
    const name = String(inputs.name);
    let live: { value: LiveInstance } | undefined;
    try {
      live = await readOrGone(() => this.getLive(ctx, inputs));
    } catch {
      return false;
    }
    if (!live || !isOwnedBy(live.value.config, urn)) return false;
    try {
      // A record cut off mid-create may have no storage and cannot be stopped: only a
      // running one is stopped first.
      await this.delete(ctx, name, { ...inputs, running: live.value.status === "Running" });
    } catch (e) {
      throw new Error(
        `Instance "${name}": removing what an interrupted create of it left failed: ${(e as Error).message}; remove it with \`incus delete --force ${name}\` and run up again`,
      );
    }
    return true;
  }

  async read(
    ctx: HandlerContext,
    id: string,
    props: PropertyMap,
  ): Promise<ReadResultProps | undefined> {
    const importing = Object.keys(props).length === 0;
    const state = { ...props, name: id };
    const found = await readOrGone(() => this.getLive(ctx, state));
    if (!found) return undefined;
    const live = found.value;
    const addresses = await this.addresses(ctx, state, live, "recent");
    let image = str(props.image) ?? "";
    if (importing) {
      // Import: name the image by a local alias of the fingerprint it was built from, if any.
      const fp = live.config?.["volatile.base_image"] ?? "";
      image = fp;
      if (fp) {
        const img = await readOrGone(() =>
          ctx.client.get<{ aliases?: { name: string }[] }>(
            `/1.0/images/${enc(fp)}`,
            this.opts(state),
          ),
        );
        image = img?.value.aliases?.[0]?.name ?? fp;
      }
    }
    const out = this.fromLive(live, addresses, state, importing, image);
    // A refresh keeps the inputs the state has: the outputs record the user-data and the
    // files by digest, which are no inputs. An import takes them from Incus, user-data as is.
    if (!importing) return { id, props: out };
    const inputs: PropertyMap = {};
    for (const k of Object.keys(this.spec.props)) if (out[k] !== undefined) inputs[k] = out[k];
    inputs.config = this.liveConfig(live, state, true);
    return { id, props: out, inputs };
  }

  /** Runs the execs of one trigger, in list order. */
  private async run(
    ctx: HandlerContext,
    i: PropertyMap,
    trigger: ExecTrigger,
    warn: (m: string) => void,
  ): Promise<void> {
    const execs = execsFromInputs(i.execs).filter((e) => e.trigger === trigger);
    await runExecs(ctx.client, String(i.name), execs, this.opts(i), warn);
  }

  /**
   * Runs the `once` execs not run yet (by name and definition) and returns the record of
   * those that have run, limited to the execs the inputs still list.
   */
  private async runPendingOnce(
    ctx: HandlerContext,
    i: PropertyMap,
    done: string[],
    warn: (m: string) => void,
  ): Promise<string[]> {
    const once: ExecSpec[] = execsFromInputs(i.execs).filter((e) => e.trigger === "once");
    const record: string[] = [];
    for (const e of once) {
      const key = onceKey(e);
      if (!done.includes(key)) await runExecs(ctx.client, String(i.name), [e], this.opts(i), warn);
      record.push(key);
    }
    return record;
  }

  async update(
    ctx: HandlerContext,
    _id: string,
    olds: PropertyMap,
    news: PropertyMap,
    urn?: string,
  ): Promise<PropertyMap> {
    const d = this.diff(olds, news);
    const name = String(news.name);
    const opts = this.opts(news);
    const warn = (m: string): void => ctx.warn(urn ?? "", m);
    const live = await this.getLive(ctx, news);
    let current = live.value;
    const configChanged = ["description", "ephemeral", "profiles", "config", "devices"].some((k) =>
      d.changed.includes(k),
    );
    // What to PUT back when the on_change execs reject the change.
    let previous: Json | undefined;
    if (configChanged) {
      previous = putBody(current);
      const body: Json = {
        ...putBody(current),
        description: str(news.description) ?? current.description,
        ephemeral: news.ephemeral === true,
        profiles: Array.isArray(news.profiles) ? news.profiles : current.profiles,
        config: mergeConfig(
          current.config ?? {},
          asStringMap(olds.config),
          asStringMap(news.config),
        ),
        devices: devicesToApi(devicesFromInputs(news.devices)),
      };
      await ctx.client.mutate("PUT", this.path(news), { ...opts, body, etag: live.etag });
      current = { ...current, ...body } as LiveInstance;
    }
    // Only the files whose content, mode or owner changed are pushed.
    const oldFiles = filesFromInputs(olds.files);
    const changed = d.changed.includes("files")
      ? changedFiles(oldFiles, filesFromInputs(news.files))
      : [];
    const wantRunning = news.running !== false;
    const reloads =
      wantRunning &&
      current.status === "Running" &&
      (changed.length > 0 || d.changed.includes("config"))
        ? execsFromInputs(news.execs)
            .filter((e) => e.trigger === "on_change")
            .map((e) => withChangedFiles(e, changed))
        : [];
    if (reloads.length === 0) {
      await pushFiles(ctx.client, name, changed, opts);
    } else {
      // One transaction: the changed files and config, then the on_change execs; when one
      // of them fails, what was there before is put back, so the running service keeps its
      // working configuration and the next up retries (state keeps the old inputs).
      const before = await filesBefore(ctx.client, name, changed, oldFiles, opts);
      try {
        await pushFiles(ctx.client, name, changed, opts);
        await runExecs(ctx.client, name, reloads, opts, warn);
      } catch (e) {
        const problems = await restoreFiles(ctx.client, name, before, opts);
        if (previous) {
          await ctx.client
            .mutate("PUT", this.path(news), { ...opts, body: previous })
            .catch((x: unknown) => problems.push(`config: ${(x as Error).message}`));
        }
        const undone = [...before.map((b) => b.path), ...(previous ? ["config"] : [])];
        const message =
          e instanceof ExecFailedError ? e.message : `Instance "${name}": ${(e as Error).message}`;
        throw new Error(
          problems.length === 0
            ? `${message}\nThe update was rolled back: ${undone.join(", ")} restored as before.`
            : `${message}\nRolling the update back failed for ${problems.join("; ")}; run up again once the cause is fixed.`,
        );
      }
    }
    const isRunning = current.status === "Running";
    if (wantRunning !== isRunning) {
      if (wantRunning) await this.setState(ctx, news, "start");
      else await this.stop(ctx, news);
      // Status changes with the power state: read it once more (addresses are read below).
      current = (await this.getLive(ctx, news)).value;
    }
    let completedOnceExecs = asStrings(olds.completedOnceExecs);
    if (wantRunning) {
      // A start recorded as pending (state said stopped) runs on_start, also when the
      // instance had been started behind Pulumi's back or a previous up failed after it.
      if (!isRunning || olds.running === false) await this.run(ctx, news, "on_start", warn);
      completedOnceExecs = await this.runPendingOnce(ctx, news, completedOnceExecs, warn);
    } else {
      const keys = execsFromInputs(news.execs).map(onceKey);
      completedOnceExecs = completedOnceExecs.filter((k) => keys.includes(k));
    }
    // The PUT body holds the instance's own devices only: a NIC moved by a profile shows in
    // the expanded devices, which a fresh read has.
    if (configChanged && wantRunning === isRunning) current = (await this.getLive(ctx, news)).value;
    const addresses = await this.addresses(ctx, news, current);
    return this.fromLive(
      current,
      addresses,
      { ...news, completedOnceExecs },
      false,
      String(news.image),
    );
  }

  async delete(ctx: HandlerContext, id: string, props: PropertyMap): Promise<void> {
    const state = { ...props, name: id };
    const del = (): Promise<unknown> =>
      helperPhases(ctx.client).run("helperExit", () =>
        ctx.client.mutate("DELETE", this.path(state), this.opts(state)),
      );
    const forceStop = async (): Promise<void> => {
      try {
        await this.setState(ctx, state, "stop", true);
      } catch (e) {
        if (!(e instanceof IncusError) || !/already stopped|not running/i.test(e.incusMessage))
          throw e;
      }
    };
    try {
      if (props.running !== false) await forceStop();
      await del();
    } catch (e) {
      if (!(e instanceof IncusError)) throw e;
      if (e.kind === "not-found") return;
      // State said stopped but it was started behind Pulumi's back.
      if (/running/i.test(e.incusMessage)) {
        await forceStop();
        await del();
        return;
      }
      throw e;
    }
  }
}

/**
 * An `on_change` exec with the paths of the files the update pushed in
 * `ATLAS_CHANGED_FILES`, one per line (empty for a config-only change): how a command
 * tells what it has to do (Atlas' apply scripts restart for a start-time file, else reload).
 */
const changedFilesVariable = "ATLAS_CHANGED_FILES";

function withChangedFiles(exec: ExecSpec, changed: FileSpec[]): ExecSpec {
  return {
    ...exec,
    environment: {
      ...exec.environment,
      [changedFilesVariable]: changed.map((f) => f.targetPath).join("\n"),
    },
  };
}

/** The writable part of a live instance, as a PUT body. */
function putBody(live: LiveInstance): Json {
  return {
    architecture: live.architecture,
    description: live.description,
    ephemeral: live.ephemeral,
    profiles: live.profiles,
    config: live.config ?? {},
    devices: live.devices ?? {},
    stateful: live.stateful,
  };
}

function asStrings(v: PropertyValue): string[] {
  return Array.isArray(v) ? v.filter((e): e is string => typeof e === "string") : [];
}

export type InstanceDiff = ResourceDiff & { diffs: string[]; detailedDiff: DetailedDiff };

/**
 * The detailed diff of an instance: one path per changed config key (so that
 * `replaceOnChanges: ['config["cloud-init.user-data"]']` matches that key alone), one per
 * changed element of `files` and `execs` (the preview shows the file with its path), the
 * property itself for the rest.
 */
export function detailedInstanceDiff(
  olds: PropertyMap,
  news: PropertyMap,
  d: ResourceDiff,
): DetailedDiff {
  const out: DetailedDiff = {};
  for (const key of d.changed) {
    const replaces = (d.replaces ?? []).includes(key);
    const o = olds[key];
    const n = news[key];
    if (containsUnknown(n ?? null)) {
      out[key] = kindOf("update", replaces);
    } else if (key === "config") {
      const om = asStringMap(o);
      const nm = asStringMap(n);
      for (const k of new Set([...Object.keys(om), ...Object.keys(nm)])) {
        const change = !(k in om)
          ? "add"
          : !(k in nm)
            ? "delete"
            : om[k] !== nm[k]
              ? "update"
              : undefined;
        if (change) out[propertyPath("config", k)] = kindOf(change, replaces);
      }
    } else if (key === "files" || key === "execs") {
      const ol = Array.isArray(o) ? o : [];
      const nl = Array.isArray(n) ? n : [];
      for (let i = 0; i < Math.max(ol.length, nl.length); i++) {
        const change =
          i >= ol.length
            ? "add"
            : i >= nl.length
              ? "delete"
              : deepEqual(ol[i], nl[i])
                ? undefined
                : "update";
        if (change) out[propertyPath(key, i)] = kindOf(change, replaces);
      }
    } else {
      out[key] = kindOf("update", replaces);
    }
  }
  return out;
}
