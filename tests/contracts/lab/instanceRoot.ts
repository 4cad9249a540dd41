/**
 * An instance's rendered files laid out under a scratch folder that stands in for the
 * container's root (`<root>/etc/prometheus/prometheus.yml`).
 *
 * Files that name other files by absolute path (mosquitto.conf's `password_file`, the
 * Corefile's zone file) are relocated: each absolute path under one of the given
 * folders gets the scratch root in front, and nothing else in the file changes. The
 * relocation is checked both ways: removing the root again must give back the rendered
 * text byte for byte, and the list of rewritten paths is returned for the test to assert.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { InstanceFiles } from "../renderedFiles";

/** Writes every rendered file of an instance under `root` with its rendered mode. */
export function layOut(files: InstanceFiles, root: string): void {
  for (const [target, file] of files) {
    const local = path.join(root, target);
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, file.content, { mode: file.mode ? parseInt(file.mode, 8) : 0o644 });
  }
}

export interface Relocation {
  content: string;
  /** The absolute paths (as rendered) that now point under the root. */
  rewritten: string[];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Prefixes every absolute path in `content` that lies in one of `folders` (e.g.
 * `/etc/mosquitto`, `/mosquitto/data`) with `root`. A path starts after whitespace, a
 * quote or line start, so `/etc/mosquittoX` or `foo/etc/mosquitto` are never touched.
 */
export function relocate(content: string, root: string, folders: string[]): Relocation {
  const rewritten: string[] = [];
  let result = content;
  for (const folder of folders) {
    const pattern = new RegExp(`(^|[\\s"'=])(${escape(folder)})(?=/|\\s|$|["'])([^\\s"']*)`, "gm");
    result = result.replace(pattern, (_m, lead: string, base: string, rest: string) => {
      rewritten.push(`${base}${rest}`);
      return `${lead}${root}${base}${rest}`;
    });
  }
  // The only change is the root in front of those paths.
  if (result.split(root).join("") !== content) {
    throw new Error(`relocating under ${root} changed more than the listed paths`);
  }
  return { content: result, rewritten };
}
