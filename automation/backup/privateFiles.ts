/**
 * Where export tarballs go. They hold secrets (step-ca01-data holds the CA's private keys,
 * grafana01-data Grafana's database with its users and data-source credentials), so each
 * is written 0600 inside a directory only its owner can write: created 0700 when missing,
 * refused when someone else could replace a tarball there before it is restored.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/**
 * Makes sure `dir` is a private directory for tarballs and returns its absolute path.
 * `note` receives a line when the directory is readable by others (the tarballs stay 0600,
 * only their names show).
 */
export function privateExportDirectory(dir: string, note: (line: string) => void): string {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs)) {
    fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
    fs.chmodSync(abs, 0o700); // whatever the umask
    return abs;
  }
  const st = fs.statSync(abs);
  if (!st.isDirectory()) throw new Error(`export directory ${abs} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new Error(
      `export directory ${abs} belongs to uid ${st.uid}, not to this user (uid ${uid}): its owner could replace a tarball before it is restored; choose a directory of your own with --dir`,
    );
  }
  if ((st.mode & 0o022) !== 0) {
    const who = [st.mode & 0o020 ? "its group" : "", st.mode & 0o002 ? "everyone" : ""]
      .filter(Boolean)
      .join(" and ");
    throw new Error(
      `export directory ${abs} has mode ${octal(st.mode)}: ${who} can write there and could replace a tarball before it is restored; \`chmod 700 ${abs}\` or choose another --dir`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    note(
      `  note: ${abs} has mode ${octal(st.mode)}; the tarballs are 0600, but others can list their names (\`chmod 700 ${abs}\` hides them)`,
    );
  }
  return abs;
}

/**
 * Creates (or truncates) `file` as 0600 before a tool writes into it: the incus CLI opens
 * an existing file without changing its mode, so the data is never readable by others,
 * not even while it is written.
 */
export function createPrivateFile(file: string): void {
  const fd = fs.openSync(file, "w", 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // an existing file keeps its mode on open
  } finally {
    fs.closeSync(fd);
  }
}
