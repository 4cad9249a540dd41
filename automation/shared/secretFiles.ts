/**
 * Files that hold credentials: created 0600 in a 0700 folder, written atomically, and never
 * inside the repository (checked, so a misconfigured ATLAS_CONFIG_DIR cannot leak a key).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export function assertOutsideRepo(file: string, repoRoot: string): void {
  const rel = path.relative(path.resolve(repoRoot), path.resolve(file));
  if (!rel.startsWith("..") && !path.isAbsolute(rel)) {
    throw new Error(`refusing to write credentials inside the repository: ${file}`);
  }
}

/** Writes `content` with mode 0600; returns whether the file changed. */
export function writePrivateFile(file: string, content: string, repoRoot: string): boolean {
  assertOutsideRepo(file, repoRoot);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  if (existing === content) {
    fs.chmodSync(file, 0o600);
    return false;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return true;
}

/** A random passphrase kept in a private file, created once and reused afterwards. */
export function ensurePassphraseFile(file: string, repoRoot: string): string {
  if (!fs.existsSync(file)) {
    writePrivateFile(file, `${crypto.randomBytes(24).toString("base64url")}\n`, repoRoot);
  }
  return file;
}
