/**
 * The files one mocked Instance receives, from both places a file can reach it:
 * cloud-init user-data's `write_files` (`config["cloud-init.user-data"]`) and the
 * Instance's `files` input (`{targetPath, content, mode}`). When a path appears in both,
 * the `files` input wins: Incus writes it last.
 */
import * as YAML from "yaml";
import type { RecordedResource } from "../../automation/shape/mockedRun";

/** One rendered file. */
export interface RenderedFile {
  content: string;
  /** Octal mode as rendered (`0644`); undefined when the program sets none. */
  mode?: string;
  /** Where it came from: cloud-init `write_files` or the Instance `files` input. */
  source: "write_files" | "files";
}

/** Absolute path inside the instance → file. */
export type InstanceFiles = Map<string, RenderedFile>;

// The mocks hand secret inputs over in Pulumi's wire envelope.
const signatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

/** A mocked input with every secret envelope replaced by its value. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[signatureKey] === secretSignature) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

interface WriteFile {
  path: string;
  content?: string;
  permissions?: string;
}

interface InstanceFileInput {
  targetPath: string;
  content?: string;
  mode?: string;
}

/** The files of one recorded Instance, from both places. */
export function instanceFiles(instance: RecordedResource): InstanceFiles {
  const inputs = unwrapSecrets(instance.inputs) as {
    config?: Record<string, string>;
    files?: InstanceFileInput[];
  };
  const files: InstanceFiles = new Map();
  const userData = inputs.config?.["cloud-init.user-data"];
  if (userData) {
    const document = YAML.parse(userData) as { write_files?: WriteFile[] } | null;
    for (const file of document?.write_files ?? []) {
      files.set(file.path, {
        content: file.content ?? "",
        mode: file.permissions,
        source: "write_files",
      });
    }
  }
  for (const file of inputs.files ?? []) {
    if (file.content === undefined) continue; // sourcePath uploads carry no rendered text
    files.set(file.targetPath, { content: file.content, mode: file.mode, source: "files" });
  }
  return files;
}
