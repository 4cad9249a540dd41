/**
 * The step-ca certificate helper (`step-ca-certificate.sh`) run by a real shell, with a
 * stand-in `step` (and `wget`) on PATH that records how it is called: the root is fetched
 * with the CA's base URL and the pinned fingerprint, and without a fingerprint the helper
 * stops before it fetches anything.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mosquittoCaTrust } from "../../components/mosquitto/stepCaTrust";
import { renderTemplate } from "../../components/shared/render";

const rootFingerprint = "3b1c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b";

// `step` as the helper uses it: `ca root FILE`, `ca certificate NAME CRT KEY`,
// `certificate needs-renewal` (renewal due). Every call is logged, one per line.
const fakeStep = `#!/bin/sh
echo "step $*" >> "$CALLS"
case "$1 $2" in
  "ca root") echo ROOT > "$3" ;;
  "ca certificate") echo CERT > "$4"; echo KEY > "$5" ;;
  "certificate needs-renewal") exit 0 ;;
esac
`;
const fakeWget = `#!/bin/sh
echo "wget $*" >> "$CALLS"
`;
const fakeReload = `#!/bin/sh
echo "reload" >> "$CALLS"
`;

let work = "";
afterEach(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  work = "";
});

interface HelperRun {
  status: number | null;
  stderr: string;
  calls: string[];
  certDir: string;
}

function runHelper(caUrl: string, fingerprint: string): HelperRun {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-step-helper-"));
  const bin = path.join(work, "bin");
  const certDir = path.join(work, "certs");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "step"), fakeStep, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "wget"), fakeWget, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "reload-service"), fakeReload, { mode: 0o755 });
  const calls = path.join(work, "calls");
  const script = renderTemplate("step-ca-certificate.sh.mustache", {
    commonName: "mosquitto01.incus",
    certDir,
    caUrl,
    fingerprint,
    owner: `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`,
    reloadCommand: "reload-service",
  });
  const file = path.join(work, "helper.sh");
  fs.writeFileSync(file, script, { mode: 0o755 });
  const result = spawnSync("/bin/sh", [file], {
    encoding: "utf8",
    env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: calls },
  });
  return {
    status: result.status,
    stderr: result.stderr,
    calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [],
    certDir,
  };
}

describe("step-ca certificate helper", () => {
  it("fetches the root from the CA's base URL against the pinned fingerprint, then the certificate", () => {
    const trust = mosquittoCaTrust("mosquitto01", "https://step-ca01.incus:9000", rootFingerprint);
    const run = runHelper(trust.caUrl, trust.fingerprint);
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls).toEqual([
      `step ca root ${run.certDir}/root_ca.crt --ca-url https://step-ca01.incus:9000 --fingerprint ${rootFingerprint}`,
      `step ca certificate mosquitto01.incus ${run.certDir}/server.crt ${run.certDir}/server.key ` +
        `--provisioner acme --ca-url https://step-ca01.incus:9000 --root ${run.certDir}/root_ca.crt --force`,
      "reload",
    ]);
  });

  it("without a fingerprint: exits non-zero before fetching anything, and never trusts blindly", () => {
    const run = runHelper("https://step-ca01.incus:9000", "");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("no step-ca root fingerprint");
    expect(run.calls).toEqual([]);
    expect(fs.existsSync(path.join(run.certDir, "root_ca.crt"))).toBe(false);
  });
});
