/**
 * step-ca's one-time initialisation and its settings script, run for real (`sh`, `jq`) in
 * a scratch folder against a stand-in `step` that writes and edits ca.json the way the
 * step CLI does (the step CLI is not in Debian). What is checked is the scripts' own
 * behaviour: the CA is initialised from the pushed settings; DNS names and certificate
 * duration reach ca.json; a changed CA name, or a value step refuses, fails with the reason
 * and leaves ca.json byte for byte as it was.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderTemplate } from "../../components/shared/render";

// A stand-in for the step CLI: only the three commands the scripts run.
const fakeStep = `#!/bin/sh
set -eu
echo "$*" >> "$STEPPATH/../step.log"
case "$1 $2" in
"ca init")
	name=""; dns=""
	for a; do
		case "$a" in --name=*) name="\${a#--name=}" ;; --dns=*) dns="\${a#--dns=}" ;; esac
	done
	mkdir -p "$STEPPATH/config" "$STEPPATH/certs"
	echo "root of $name" > "$STEPPATH/certs/root_ca.crt"
	jq -n --arg dns "$dns" '{dnsNames: ($dns | split(",")), authority: {provisioners: [
		{type: "JWK", name: "admin"}, {type: "ACME", name: "acme"}]}}' > "$STEPPATH/config/ca.json"
	;;
"ca provisioner")
	shift 3 # ca provisioner update
	name="$1"; shift
	for a; do
		case "$a" in
		--ca-config=*) file="\${a#--ca-config=}" ;;
		--x509-default-dur=*) def="\${a#--x509-default-dur=}" ;;
		--x509-max-dur=*) max="\${a#--x509-max-dur=}" ;;
		esac
	done
	case "$def" in *[0-9]h | *[0-9]m) ;; *) echo "error: invalid duration $def" >&2; exit 1 ;; esac
	jq --arg n "$name" --arg d "$def" --arg m "$max" \\
		'(.authority.provisioners[] | select(.name == $n) | .claims) =
			{defaultTLSCertDuration: $d, maxTLSCertDuration: $m}' "$file" > "$file.tmp"
	mv "$file.tmp" "$file"
	;;
"certificate fingerprint") echo "f1f2f3" ;;
*) echo "fake step: unexpected $*" >&2; exit 2 ;;
esac
`;

let dir: string;
let stepPath: string;
let settingsFile: string;
const user = os.userInfo().username;

function scripts(): { init: string; settings: string } {
  const common = { stepPath, settingsFile, user };
  fs.writeFileSync(
    path.join(dir, "settings.sh"),
    renderTemplate("step-ca-settings.sh.mustache", common),
  );
  fs.writeFileSync(
    path.join(dir, "init.sh"),
    renderTemplate("step-ca-init.sh.mustache", {
      ...common,
      port: 9000,
      settingsScript: path.join(dir, "settings.sh"),
      fingerprintFile: path.join(stepPath, "fingerprint"),
    }),
  );
  return { init: path.join(dir, "init.sh"), settings: path.join(dir, "settings.sh") };
}

function run(script: string): { status: number | null; stderr: string } {
  const result = spawnSync("sh", [script], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}` },
  });
  return { status: result.status, stderr: result.stderr };
}

function settle(settings: { caName: string; dnsNames: string[]; certDuration: string }): void {
  fs.writeFileSync(settingsFile, JSON.stringify(settings));
}

const caJson = () => fs.readFileSync(path.join(stepPath, "config/ca.json"), "utf8");
const acmeClaims = () =>
  (
    JSON.parse(caJson()) as {
      authority: { provisioners: { name: string; claims?: Record<string, string> }[] };
    }
  ).authority.provisioners.find((p) => p.name === "acme")?.claims;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-step-ca-"));
  stepPath = path.join(dir, "step");
  settingsFile = path.join(dir, "settings.json");
  fs.mkdirSync(path.join(dir, "bin"));
  fs.writeFileSync(path.join(dir, "bin/step"), fakeStep, { mode: 0o755 });
  settle({ caName: "Lab CA", dnsNames: ["step-ca01.incus", "localhost"], certDuration: "24h" });
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("step-ca initialisation and settings", () => {
  it("initialises the CA once from the pushed settings and applies the duration", () => {
    const { init } = scripts();
    expect(run(init)).toMatchObject({ status: 0, stderr: "" });
    const log = fs.readFileSync(path.join(dir, "step.log"), "utf8");
    expect(log).toContain("ca init --deployment-type=standalone --name=Lab CA");
    expect(log).toContain("--dns=step-ca01.incus,localhost --address=:9000");
    expect(JSON.parse(caJson()).dnsNames).toEqual(["step-ca01.incus", "localhost"]);
    expect(acmeClaims()).toEqual({ defaultTLSCertDuration: "24h", maxTLSCertDuration: "24h" });
    expect(fs.readFileSync(path.join(stepPath, "config/atlas-ca-name"), "utf8")).toBe("Lab CA\n");
    expect(fs.readFileSync(path.join(stepPath, "fingerprint"), "utf8")).toBe("f1f2f3\n");
    // A second run (a replaced instance on the same volume) initialises nothing again.
    expect(run(init).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "step.log"), "utf8").match(/ca init/g)).toHaveLength(1);
  });

  it("brings changed DNS names and certificate duration into ca.json", () => {
    const { init, settings } = scripts();
    expect(run(init).status).toBe(0);
    settle({ caName: "Lab CA", dnsNames: ["ca.lab.example"], certDuration: "48h" });
    expect(run(settings)).toMatchObject({ status: 0, stderr: "" });
    expect(JSON.parse(caJson()).dnsNames).toEqual(["ca.lab.example"]);
    expect(acmeClaims()).toEqual({ defaultTLSCertDuration: "48h", maxTLSCertDuration: "48h" });
    expect(fs.readdirSync(path.join(stepPath, "config")).sort()).toEqual([
      "atlas-ca-name",
      "ca.json",
    ]);
  });

  it("refuses a new CA name, naming the one the CA has, and leaves ca.json as it was", () => {
    const { init, settings } = scripts();
    expect(run(init).status).toBe(0);
    const before = caJson();
    settle({ caName: "Other CA", dnsNames: ["ca.lab.example"], certDuration: "48h" });
    const result = run(settings);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('stepCa.caName is "Other CA"');
    expect(result.stderr).toContain('initialised as "Lab CA"');
    expect(caJson()).toBe(before);
  });

  it("on a kept volume, a refused setting does not stop the CA's install: it starts on its ca.json", () => {
    const { init } = scripts();
    expect(run(init).status).toBe(0);
    const before = caJson();
    settle({ caName: "Other CA", dnsNames: ["ca.lab.example"], certDuration: "48h" });
    const result = run(init);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('initialised as "Lab CA"');
    expect(result.stderr).toContain("the CA starts with its current ca.json");
    expect(caJson()).toBe(before);
  });

  it("leaves ca.json as it was when step refuses a value, with step's words", () => {
    const { init, settings } = scripts();
    expect(run(init).status).toBe(0);
    const before = caJson();
    settle({ caName: "Lab CA", dnsNames: ["ca.lab.example"], certDuration: "forever" });
    const result = run(settings);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("invalid duration forever");
    expect(caJson()).toBe(before);
    expect(fs.existsSync(path.join(stepPath, "config/ca.json.atlas-new"))).toBe(false);
  });

  it("says the CA is not initialised yet instead of inventing a ca.json", () => {
    const { settings } = scripts();
    const result = run(settings);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ca\.json does not exist yet .*run up again/);
  });
});
