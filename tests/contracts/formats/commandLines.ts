/**
 * step-ca and Cloudflared are configured by command lines (step-ca's `ca.json` is written
 * by `step ca init` inside the instance), so their rendered command lines are checked
 * against the commands' documented flags (smallstep's `step ca init`, `step ca
 * provisioner update` and `step-ca` references; Cloudflare's `cloudflared tunnel run`
 * reference), and against each other (the files one command writes are the ones the
 * next reads). Neither binary can run in the tests (not in Debian, no release download).
 */
import type { InstanceFiles } from "../renderedFiles";

/** Splits shell text into words as `sh` does for quotes and backslashes (no expansion). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word += text.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? text.length : end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && j + 1 < text.length) j++;
        word += text[j];
      }
      i = j;
      inWord = true;
    } else if (c === "\\") {
      word += text[++i] ?? "";
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * The command and arguments of an OpenRC service, wherever they are rendered: `command=`
 * in the init script, `command_args=` in `/etc/conf.d/<service>` (or, before the flags
 * moved there, the init script). OpenRC evaluates `command_args`, so its value is split
 * into words twice: once as the assignment, once as the daemon's arguments.
 */
export function serviceCommand(files: InstanceFiles): { command: string; args: string[] } {
  const valueOf = (name: string, onlyIn?: (path: string) => boolean): string | undefined => {
    for (const [path, file] of files) {
      if (onlyIn && !onlyIn(path)) continue;
      const line = new RegExp(`^${name}=(.*)$`, "m").exec(file.content)?.[1];
      if (line !== undefined) return shellWords(line)[0] ?? "";
    }
    return undefined;
  };
  const command = valueOf("command");
  const args =
    valueOf("command_args", (path) => path.startsWith("/etc/conf.d/")) ?? valueOf("command_args");
  if (!command || args === undefined) {
    throw new Error(
      `no OpenRC service (command=, command_args=) among ${[...files.keys()].join(", ")}`,
    );
  }
  return { command, args: shellWords(args) };
}

/** The words of one shell command in a script, its `\` continuations joined. */
export function shellCommand(script: string, start: RegExp): string[] | undefined {
  const joined = script.replace(/\\\n\s*/g, " ");
  const line = joined.split("\n").find((l) => start.test(l.trim()));
  if (!line) return undefined;
  return [...line.trim().matchAll(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g)].map((m) =>
    m[0].replace(/'([^']*)'/g, "$1").replace(/"([^"]*)"/g, "$1"),
  );
}

/** `--flag=value` / `--flag value` / `--switch` → flag → values. */
function flags(
  words: string[],
  switches: Set<string>,
): { flags: Map<string, string[]>; positional: string[] } {
  const result = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith("--")) {
      positional.push(word);
      continue;
    }
    const [name, inline] = word.slice(2).split(/=(.*)/s, 2);
    const value = inline ?? (switches.has(name) ? "true" : words[++i]);
    result.set(name, [...(result.get(name) ?? []), value]);
  }
  return { flags: result, positional };
}

const stepCaInitFlags = new Set([
  "deployment-type",
  "name",
  "dns",
  "address",
  "provisioner",
  "password-file",
  "provisioner-password-file",
  "acme",
  "ssh",
  "remote-management",
  "admin-subject",
  "pki",
  "context",
  "root",
  "key",
  "with-ca-url",
  "ra",
  "issuer",
  "credentials-file",
  "helm",
  "kms",
]);
const stepProvisionerUpdateFlags = new Set([
  "ca-config",
  "x509-default-dur",
  "x509-max-dur",
  "x509-min-dur",
  "ssh-user-default-dur",
  "ssh-user-max-dur",
  "ssh-host-default-dur",
  "ssh-host-max-dur",
  "disable-renewal",
  "allow-renewal-after-expiry",
  "force-cn",
  "challenge",
  "require-eab",
  "admin-cert",
  "admin-key",
  "admin-provisioner",
  "admin-subject",
  "password-file",
  "ca-url",
  "root",
  "context",
]);
const stepCaFlags = new Set([
  "password-file",
  "issuer-password-file",
  "resolver",
  "token",
  "context",
]);
const goDuration = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const durationHours = (d: string): number =>
  [...d.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)].reduce(
    (sum, [, n, u]) =>
      sum +
      (Number(n) * ({ ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }[u] ?? 0)) /
        3600,
    0,
  );

/** Shell variables a script sets from its settings, replaced by their values. */
function substitute(words: string[], values: Record<string, string>): string[] {
  return words.map((w) =>
    w.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => values[name] ?? m),
  );
}

/**
 * step-ca01: `step ca init` (in the one-time init script), `step ca provisioner update`
 * (in whichever script applies the settings), the daemon's command line, the settings
 * file they read (`caName`, `dnsNames`, `certDuration`, when the scripts take their
 * values from it), and the CA URL the stack publishes (`caUrl`).
 */
export function checkStepCa(files: InstanceFiles, caUrl: string): string[] {
  const problems: string[] = [];
  const scriptWith = (pattern: RegExp): string | undefined =>
    [...files.values()].map((f) => f.content).find((text) => pattern.test(text));
  const script = scriptWith(/^\s*step ca init\b/m);
  if (!script) return ["no rendered script runs `step ca init`"];
  const stepPath = /export STEPPATH=(\S+)/.exec(script)?.[1];
  if (!stepPath) problems.push("the init script sets no STEPPATH");
  // The values the scripts read from the pushed settings file (jq), if they do.
  const settingsPath = /^settings=(\S+)$/m.exec(script)?.[1];
  const settingsText = settingsPath ? files.get(settingsPath)?.content : undefined;
  if (settingsPath && !settingsText)
    problems.push(`the init script reads ${settingsPath}, which is not rendered`);
  const settings = settingsText
    ? (JSON.parse(settingsText) as { caName?: string; dnsNames?: string[]; certDuration?: string })
    : {};
  const values: Record<string, string> = {
    STEPPATH: stepPath ?? "",
    ...(settings.caName !== undefined ? { name: settings.caName } : {}),
    ...(settings.dnsNames ? { dns: settings.dnsNames.join(",") } : {}),
    ...(settings.certDuration ? { duration: settings.certDuration } : {}),
  };

  const init = substitute(shellCommand(script, /^step ca init\b/) ?? [], values);
  const parsed = flags(init.slice(3), new Set(["acme", "ssh", "remote-management", "helm", "ra"]));
  for (const name of parsed.flags.keys()) {
    if (!stepCaInitFlags.has(name)) problems.push(`step ca init --${name}: not a documented flag`);
  }
  const one = (name: string) => parsed.flags.get(name)?.[0];
  if (!["standalone", "linked", "hosted"].includes(one("deployment-type") ?? "standalone")) {
    problems.push(
      `step ca init --deployment-type=${one("deployment-type")}: standalone, linked or hosted`,
    );
  }
  for (const required of ["name", "dns", "address", "provisioner"]) {
    if (!parsed.flags.has(required))
      problems.push(`step ca init: --${required} is required without a prompt`);
  }
  if (one("name") === "") problems.push("step ca init --name: empty");
  const url = new URL(caUrl);
  const address = one("address") ?? "";
  if (!/^[^:]*:\d+$/.test(address))
    problems.push(`step ca init --address=${address}: must be [host]:port`);
  else if (address.split(":").pop() !== (url.port || "443")) {
    problems.push(
      `step ca init --address=${address}: the published CA URL ${caUrl} uses port ${url.port}`,
    );
  }
  // `--dns` may be repeated or comma-separated.
  const names = (parsed.flags.get("dns") ?? []).flatMap((d) => d.split(","));
  if (!names.includes(url.hostname)) {
    problems.push(
      `step ca init --dns: the CA certificate does not name ${url.hostname}, the host of ${caUrl}`,
    );
  }

  const updateScript = scriptWith(/^\s*step ca provisioner update\b/m);
  const update = updateScript
    ? substitute(shellCommand(updateScript, /^step ca provisioner update\b/) ?? [], values)
    : undefined;
  if (update) {
    // `--acme` adds an ACME provisioner named "acme"; that is the one to tune.
    if (parsed.flags.has("acme") && update[4] !== "acme") {
      problems.push(`step ca provisioner update ${update[4]}: the ACME provisioner is "acme"`);
    }
    const u = flags(
      update.slice(5),
      new Set(["disable-renewal", "allow-renewal-after-expiry", "force-cn", "require-eab"]),
    );
    for (const name of u.flags.keys()) {
      if (!stepProvisionerUpdateFlags.has(name))
        problems.push(`step ca provisioner update --${name}: not a documented flag`);
    }
    const def = u.flags.get("x509-default-dur")?.[0];
    const max = u.flags.get("x509-max-dur")?.[0];
    for (const d of [def, max])
      if (d && !goDuration.test(d))
        problems.push(`step ca provisioner update: ${d} is not a duration`);
    if (
      def &&
      max &&
      goDuration.test(def) &&
      goDuration.test(max) &&
      durationHours(def) > durationHours(max)
    ) {
      problems.push(`x509-default-dur ${def} exceeds x509-max-dur ${max}`);
    }
  }

  const daemon = serviceCommand(files);
  const d = flags(daemon.args, new Set());
  for (const name of d.flags.keys()) {
    if (!stepCaFlags.has(name)) problems.push(`step-ca --${name}: not a documented flag`);
  }
  if (stepPath) {
    if (d.positional[0] !== `${stepPath}/config/ca.json`) {
      problems.push(`step-ca ${d.positional[0]}: step ca init writes ${stepPath}/config/ca.json`);
    }
    const written = parsed.flags.get("password-file")?.[0] ?? "";
    if (d.flags.get("password-file")?.[0] !== written) {
      problems.push(
        `step-ca --password-file=${d.flags.get("password-file")?.[0]}: the key was encrypted with ${written}`,
      );
    }
  }
  return problems;
}

const cloudflaredTunnelFlags = new Set([
  "no-autoupdate",
  "metrics",
  "loglevel",
  "transport-loglevel",
  "logfile",
  "protocol",
  "edge-ip-version",
  "region",
  "grace-period",
  "retries",
  "pidfile",
  "autoupdate-freq",
  "post-quantum",
  "management-diagnostics",
  "label",
  "origincert",
]);
const cloudflaredRunFlags = new Set([
  "token",
  "token-file",
  "credentials-file",
  "credentials-contents",
  "url",
  "hello-world",
]);

/**
 * cloudflared01: `cloudflared tunnel [tunnel flags] run [run flags]`, the token from a
 * file (`--token-file`, or TUNNEL_TOKEN exported by one) that other accounts cannot read,
 * and metrics where Prometheus scrapes them.
 */
export function checkCloudflared(files: InstanceFiles, metricsPort: number): string[] {
  const problems: string[] = [];
  const { args } = serviceCommand(files);
  if (args[0] !== "tunnel")
    problems.push(`cloudflared ${args[0]}: the tunnel subcommand comes first`);
  const runAt = args.indexOf("run");
  if (runAt < 0) problems.push("cloudflared tunnel: no run subcommand");
  const tunnel = flags(
    args.slice(1, runAt < 0 ? undefined : runAt),
    new Set(["no-autoupdate", "post-quantum", "management-diagnostics"]),
  );
  const run = flags(runAt < 0 ? [] : args.slice(runAt + 1), new Set(["hello-world"]));
  for (const name of tunnel.flags.keys()) {
    if (!cloudflaredTunnelFlags.has(name))
      problems.push(`cloudflared tunnel --${name}: not a documented tunnel flag`);
  }
  for (const name of run.flags.keys()) {
    if (!cloudflaredRunFlags.has(name))
      problems.push(`cloudflared tunnel run --${name}: not a documented run flag`);
  }
  if (run.flags.has("token"))
    problems.push("cloudflared tunnel run --token: the token would show in the process list");
  const metrics = tunnel.flags.get("metrics")?.[0];
  if (!metrics || metrics.split(":").pop() !== String(metricsPort)) {
    problems.push(
      `cloudflared tunnel --metrics=${metrics}: Prometheus scrapes port ${metricsPort}`,
    );
  }
  // The token: a file named by --token-file, or TUNNEL_TOKEN exported by a rendered
  // file; either way readable by the service account only.
  const tokenFile = run.flags.get("token-file")?.[0];
  const sources = tokenFile
    ? [[tokenFile, files.get(tokenFile)] as const]
    : [...files].filter(([, f]) => /^export TUNNEL_TOKEN=/m.test(f.content));
  if (sources.length === 0)
    problems.push("cloudflared tunnel run: no token (--token-file or TUNNEL_TOKEN)");
  if (sources.length > 1)
    problems.push(`TUNNEL_TOKEN is exported by ${sources.length} rendered files`);
  for (const [file, f] of sources) {
    if (!f) {
      problems.push(`cloudflared tunnel run --token-file ${file}: not a rendered file`);
      continue;
    }
    if (f.content.trim() === "") problems.push(`${file}: the tunnel token is empty`);
    if (!f.mode || (parseInt(f.mode, 8) & 0o007) !== 0) {
      problems.push(
        `${file} holds the tunnel token with mode ${f.mode}: readable by every account`,
      );
    }
  }
  return problems;
}
