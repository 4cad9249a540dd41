/**
 * What the state records of an instance's large inputs: their SHA-256, not their text.
 *
 * The engine keeps every resource's inputs and outputs, and rewrites the whole state after
 * each step of an `up` or `destroy`. An instance's cloud-init user-data and file contents
 * were in both: 13 of the 17 KiB a node exporter's instance took in state, 2 MiB in all at
 * 100 node exporters (docs/benchmarks.md, scale). The inputs keep the text (the engine
 * needs them to diff the next program run against); the outputs, which the provider reads
 * back in every diff, refresh and update, keep a digest: `files[i].contentSha256` in place
 * of `content`, and `config["cloud-init.user-data"]` as `sha256:<hex>`. A digest tells
 * whether the text changed, which is all the provider asks of it; an update that must put
 * a file back reads what the instance held (instanceFiles.ts, filesBefore).
 *
 * State written before this kept the text in the outputs too: the same functions record it
 * on the way in, so such state diffs as before; its outputs take the digests at the
 * instance's next update or refresh.
 */
import { createHash } from "node:crypto";
import {
  containsUnknown,
  isObject,
  type PropertyMap,
  type PropertyValue,
  type PropPath,
} from "../values";

export const USER_DATA_KEY = "cloud-init.user-data";

/** `sha256:<hex>`: how the outputs record the user-data. Never valid user-data itself. */
const RECORDED_USER_DATA = /^sha256:[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The user-data as the outputs record it (a recorded value, or an unknown, stays). */
export function recordedUserData(v: PropertyValue): PropertyValue {
  return typeof v === "string" && !containsUnknown(v) && !RECORDED_USER_DATA.test(v)
    ? `sha256:${sha256Hex(v)}`
    : v;
}

/** A config map with its user-data recorded; other keys are small and kept as they are. */
export function recordedConfig(config: PropertyValue): PropertyValue {
  if (!isObject(config) || !(USER_DATA_KEY in config)) return config;
  return { ...config, [USER_DATA_KEY]: recordedUserData(config[USER_DATA_KEY] ?? null) };
}

/** The files with each `content` replaced by its `contentSha256` (an unknown stays). */
export function recordedFiles(files: PropertyValue): PropertyValue {
  if (!Array.isArray(files)) return files;
  return files.map((f) => {
    if (!isObject(f) || typeof f.content !== "string" || containsUnknown(f.content)) return f;
    const { content, ...rest } = f;
    return { ...rest, contentSha256: sha256Hex(content) };
  });
}

/** An instance's properties as the outputs record them: what diffs compare. */
export function recordedInstance(props: PropertyMap): PropertyMap {
  const out: PropertyMap = { ...props };
  if (props.config !== undefined) out.config = recordedConfig(props.config);
  if (props.files !== undefined) out.files = recordedFiles(props.files);
  return out;
}

/**
 * Where a secret input lands in the outputs: a secret file content is recorded as a secret
 * digest (a digest of a short password could be guessed from state).
 */
export function recordedSecretPath(p: PropPath): PropPath {
  return p.length === 3 && p[0] === "files" && p[2] === "content"
    ? ["files", p[1] as number, "contentSha256"]
    : p;
}
