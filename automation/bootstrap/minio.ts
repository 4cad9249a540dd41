/**
 * Local storage buckets need MinIO on the Incus host: the `minio` server and its client
 * (`mc`, packaged as `mcli` on Debian) on incusd's PATH. When the remote is the local
 * daemon, the bootstrap checks that before asking Incus for a bucket, because a bucket
 * creation that fails for lack of MinIO leaves the bucket's directory behind in the pool
 * (Incus does not clean it up) and every later attempt then fails on that leftover.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const standardDirs = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
];

/** PATH of the running incusd, when this process may read it (same host, root). */
function incusdPath(procRoot: string): string | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync(procRoot).filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const pid of entries) {
    try {
      const argv0 = fs.readFileSync(path.join(procRoot, pid, "cmdline"), "utf8").split("\0")[0];
      if (path.basename(argv0) !== "incusd") continue;
      const environ = fs.readFileSync(path.join(procRoot, pid, "environ"), "utf8").split("\0");
      const entry = environ.find((e) => e.startsWith("PATH="));
      return entry ? entry.slice("PATH=".length) : "";
    } catch {
      // a process that ended meanwhile, or one we may not read
    }
  }
  return undefined;
}

export interface MinioCheck {
  /** Directories searched (incusd's PATH when readable, else ours plus the usual ones). */
  searched: string[];
  missing: string[];
}

/** Which of the MinIO binaries incusd needs are missing on this host. */
export function checkLocalMinio(
  env: NodeJS.ProcessEnv = process.env,
  procRoot = "/proc",
): MinioCheck {
  const daemonPath = incusdPath(procRoot);
  const dirs = (daemonPath ?? `${env.PATH ?? ""}:${standardDirs.join(":")}`)
    .split(":")
    .filter((d, i, all) => d !== "" && all.indexOf(d) === i);
  const found = (name: string): boolean =>
    dirs.some((d) => {
      try {
        fs.accessSync(path.join(d, name), fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  const missing: string[] = [];
  if (!found("minio")) missing.push("minio");
  if (!found("mc") && !found("mcli")) missing.push("mc (or mcli)");
  return { searched: dirs, missing };
}

/** Local buckets need MinIO on the Incus host; raised with what to install. */
export class MinioMissingError extends Error {
  constructor(
    readonly remote: string,
    readonly detail: string,
  ) {
    super(
      `the Incus host of remote "${remote}" cannot create local storage buckets: MinIO is not installed there (${detail}). ` +
        `Install MinIO on the Incus host: the \`minio\` server and the \`mc\` client binaries (MinIO's release downloads), in a directory on incusd's PATH such as /usr/local/bin, then restart incusd; ` +
        `or put the state on a cephobject pool (--pool, --pool-driver). The buckets address and the state pool are in place and stay so.`,
    );
    this.name = "MinioMissingError";
  }
}
