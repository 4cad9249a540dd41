/**
 * The `ghcr` and `docker` OCI image remotes (`incus remote add ghcr https://ghcr.io
 * --protocol=oci --public`), added to the incus CLI's config.yml when missing. The file is
 * edited as a YAML document, so every other remote, key and comment stays as it was.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Document, isMap, parseDocument } from "yaml";

export const ociRemotes: Record<string, string> = {
  ghcr: "https://ghcr.io",
  docker: "https://docker.io",
};

/** What the CLI uses when config.yml does not exist; kept when the file is first created. */
const cliDefaults = {
  "default-remote": "local",
  remotes: {
    images: { addr: "https://images.linuxcontainers.org", protocol: "simplestreams", public: true },
  },
};

export interface OciRemotesResult {
  file: string;
  added: string[];
  present: string[];
}

/**
 * Adds the missing OCI remotes to `<dir>/config.yml`. A remote of the same name pointing
 * elsewhere is an error: it is the user's, and image references like `ghcr:...` would
 * silently resolve to it.
 */
export function ensureOciRemotes(dir: string): OciRemotesResult {
  const file = path.join(dir, "config.yml");
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  const parsed = parseDocument(text ?? "");
  if (parsed.errors.length > 0) throw new Error(`${file}: ${parsed.errors[0].message}`);
  const doc = text === undefined || parsed.contents === null ? new Document(cliDefaults) : parsed;
  if (!isMap(doc.contents)) throw new Error(`${file}: expected a YAML mapping at the top level`);
  if (!doc.has("remotes") || doc.get("remotes") === null) doc.set("remotes", doc.createNode({}));
  const remotes = doc.get("remotes");
  if (!isMap(remotes)) throw new Error(`${file}: "remotes" must be a mapping`);

  const added: string[] = [];
  const present: string[] = [];
  for (const [name, addr] of Object.entries(ociRemotes)) {
    const existing: unknown = doc.getIn(["remotes", name, "addr"]);
    if (existing === undefined) {
      remotes.set(name, doc.createNode({ addr, protocol: "oci", public: true }));
      added.push(name);
      continue;
    }
    const protocol: unknown = doc.getIn(["remotes", name, "protocol"]);
    if (String(existing).replace(/\/+$/, "") !== addr || protocol !== "oci") {
      throw new Error(
        `${file}: remote "${name}" already exists as ${String(existing)} (protocol ${String(protocol ?? "incus")}); ` +
          `Atlas images need "${name}" to be ${addr} with protocol oci: \`incus remote remove ${name}\`, then rerun`,
      );
    }
    present.push(name);
  }
  if (added.length > 0) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    // Keep the file's own permissions; a new file is private like the CLI's.
    const mode = text === undefined ? 0o600 : fs.statSync(file).mode & 0o777;
    fs.writeFileSync(tmp, doc.toString(), { mode });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  }
  return { file, added, present };
}
