import * as YAML from "yaml";

/** A file written by cloud-init's `write_files` module. */
export interface CloudInitFile {
  path: string;
  content: string;
  /** Octal mode, e.g. "0644". */
  permissions?: string;
  owner?: string;
  /** Write after users/packages exist (cloud-init's `defer`). */
  defer?: boolean;
}

/** The subset of cloud-config that Atlas services use; serialised, never concatenated. */
export interface CloudConfig {
  package_update?: boolean;
  packages?: string[];
  users?: (string | Record<string, unknown>)[];
  groups?: string[];
  write_files?: CloudInitFile[];
  runcmd?: (string | string[])[];
  bootcmd?: (string | string[])[];
}

/** Serialises a cloud-config document for `cloud-init.user-data`. */
export function cloudInitUserData(config: CloudConfig): string {
  const document = YAML.stringify(config, { lineWidth: 0, blockQuote: "literal" });
  return `#cloud-config\n${document}`;
}
