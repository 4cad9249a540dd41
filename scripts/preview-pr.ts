/**
 * `npm run preview:pr -- --stack NAME [--policy-config FILE] [--output FILE]
 * [--events FILE] [--cwd DIR]`: a policy-checked `pulumi preview` of one stack, summarised as
 * Markdown for a pull-request comment (stdout, and `--output` when given). Exits
 * non-zero when a mandatory policy is violated or the preview fails.
 *
 * The preview runs with `--json` and PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1: the CLI
 * then streams its engine events (one JSON object per line), which carry the steps
 * (`resourcePreEvent`), the policy violations (`policyEvent`), diagnostics and the
 * summary. The plain `--json` document has steps and diagnostics but no policy
 * violations. `--events FILE` renders a saved event stream without running the CLI;
 * `--cwd DIR` previews another Pulumi project (default: this repository).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../automation/repoRoot";
import { engineEnvironmentFor } from "../automation/shared/previewCheckpoints";

/** The engine events the summary reads (fields as the CLI writes them). */
export interface EngineEvent {
  resourcePreEvent?: {
    metadata: { op: string; urn: string; type: string };
    planning?: boolean;
  };
  policyEvent?: {
    resourceUrn?: string;
    message: string;
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: string;
  };
  diagnosticEvent?: { message: string; severity: string; urn?: string };
  summaryEvent?: { resourceChanges?: Record<string, number>; result?: string };
}

export interface PreviewSummary {
  markdown: string;
  /** A mandatory policy was violated. */
  blocked: boolean;
  /** The preview did not complete for another reason (errors, CLI failure). */
  failed: boolean;
}

/** Parses the CLI's JSON-lines stream; lines that are not JSON objects are skipped. */
export function parseEventStream(text: string): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    try {
      events.push(JSON.parse(trimmed) as EngineEvent);
    } catch {
      // not an event (a stray log line)
    }
  }
  return events;
}

// Parts of a replacement, counted once under `replace`; `same` is no change.
const notCounted = new Set(["same", "create-replacement", "delete-replaced", "read"]);
const opOrder = ["create", "update", "replace", "delete", "import", "refresh"];
const levelIcon: Record<string, string> = { mandatory: "🚫", advisory: "⚠️", remediate: "🔧" };

const cell = (text: string): string =>
  text
    .replace(/\|/g, "\\|")
    .replace(/\s*\n\s*/g, " ")
    .trim();

/** `incus:index:Instance::grafana01` from a URN (type and name, without stack and project). */
function shortUrn(urn: string | undefined): string {
  if (!urn) return "(stack)";
  const parts = urn.split("::");
  const type = parts[2]?.split("$").pop() ?? "";
  return parts.length >= 4 ? `${type}::${parts[3]}` : urn;
}

/** The violation itself: the event's message is "<policy description>\n<violation>". */
function violationText(message: string): string {
  const lines = message.trim().split("\n");
  return lines.length > 1 ? lines.slice(1).join(" ") : lines[0];
}

/** Markdown for a PR comment from a preview's engine events. Pure. */
export function summarizePreview(
  events: readonly EngineEvent[],
  options: { stack: string; exitCode: number },
): PreviewSummary {
  const changes = new Map<string, Map<string, number>>();
  for (const e of events) {
    const step = e.resourcePreEvent?.metadata;
    if (!step || notCounted.has(step.op)) continue;
    if (step.type === "pulumi:pulumi:Stack" || step.type.startsWith("pulumi:providers:")) continue;
    const byOp = changes.get(step.type) ?? new Map<string, number>();
    byOp.set(step.op, (byOp.get(step.op) ?? 0) + 1);
    changes.set(step.type, byOp);
  }
  const violations = events.flatMap((e) => (e.policyEvent ? [e.policyEvent] : []));
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
  const errors = events
    .flatMap((e) => (e.diagnosticEvent?.severity === "error" ? [e.diagnosticEvent] : []))
    // the engine's closing "preview failed" only restates that something above failed
    .filter((d) => !/^preview failed\s*$/.test(d.message.trim()));
  const warnings = events.flatMap((e) =>
    e.diagnosticEvent?.severity === "warning" ? [e.diagnosticEvent] : [],
  );
  const summary = events.find((e) => e.summaryEvent)?.summaryEvent;
  const blocked = mandatory.length > 0;
  const failed =
    errors.length > 0 ||
    summary === undefined ||
    (options.exitCode !== 0 && !blocked) ||
    (summary.result === "failed" && !blocked);

  const status = blocked
    ? `🚫 blocked by ${mandatory.length} mandatory policy violation${mandatory.length === 1 ? "" : "s"}`
    : failed
      ? "❌ preview failed"
      : violations.length > 0
        ? "⚠️ passed with advisory policy violations"
        : "✅ passed";
  const lines = [`### Preview of stack \`${options.stack}\`: ${status}`, ""];

  const ops = opOrder.filter((op) => [...changes.values()].some((m) => m.has(op)));
  for (const m of changes.values()) {
    for (const op of m.keys()) if (!ops.includes(op)) ops.push(op);
  }
  if (changes.size === 0) {
    lines.push("No resource changes.", "");
  } else {
    lines.push(
      `| Resource type | ${ops.join(" | ")} |`,
      `|---|${ops.map(() => "---:").join("|")}|`,
    );
    for (const [type, byOp] of [...changes.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`| \`${type}\` | ${ops.map((op) => byOp.get(op) ?? "").join(" | ")} |`);
    }
    lines.push("");
  }

  if (violations.length > 0) {
    const { policyPackName, policyPackVersion } = violations[0];
    lines.push(
      `**Policy violations** (${policyPackName} ${policyPackVersion})`,
      "",
      "| Level | Policy | Resource | Violation |",
      "|---|---|---|---|",
    );
    const rank = (level: string) => (level === "mandatory" ? 0 : 1);
    for (const v of [...violations].sort(
      (a, b) => rank(a.enforcementLevel) - rank(b.enforcementLevel),
    )) {
      lines.push(
        `| ${levelIcon[v.enforcementLevel] ?? ""} ${v.enforcementLevel} | \`${v.policyName}\` | \`${shortUrn(v.resourceUrn)}\` | ${cell(violationText(v.message))} |`,
      );
    }
    lines.push("");
  }
  if (errors.length > 0) {
    lines.push("**Errors**", "");
    for (const d of errors)
      lines.push(`- ${d.urn ? `\`${shortUrn(d.urn)}\`: ` : ""}${cell(d.message)}`);
    lines.push("");
  }
  if (warnings.length > 0) {
    lines.push("<details><summary>Warnings</summary>", "");
    for (const d of warnings)
      lines.push(`- ${d.urn ? `\`${shortUrn(d.urn)}\`: ` : ""}${cell(d.message)}`);
    lines.push("", "</details>", "");
  }
  if (summary === undefined && options.exitCode !== 0) {
    lines.push(
      `The Pulumi CLI exited with code ${options.exitCode} before finishing the preview.`,
      "",
    );
  }
  return { markdown: lines.join("\n").trimEnd() + "\n", blocked, failed };
}

interface Options {
  stack: string;
  policyConfig?: string;
  output?: string;
  events?: string;
  cwd: string;
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stack = value("--stack") ?? value("-s");
  if (!stack) {
    console.error(
      "usage: npm run preview:pr -- --stack NAME [--policy-config FILE] [--output FILE] [--events FILE] [--cwd DIR]",
    );
    process.exit(2);
  }
  return {
    stack,
    policyConfig: value("--policy-config"),
    output: value("--output"),
    events: value("--events"),
    cwd: path.resolve(value("--cwd") ?? repoRoot),
  };
}

/** Runs the policy-checked preview and returns its event stream and exit code. */
function runPreview(options: Options): { events: EngineEvent[]; exitCode: number } {
  const pack = path.join(repoRoot, "policies");
  if (!fs.existsSync(path.join(repoRoot, "dist", "policies", "index.js"))) {
    throw new Error("the policy pack is not compiled: run `npm run build` first");
  }
  const args = ["preview", "--stack", options.stack, "--non-interactive", "--json"];
  args.push("--policy-pack", pack);
  if (options.policyConfig) args.push("--policy-pack-config", path.resolve(options.policyConfig));
  console.error(`$ pulumi ${args.join(" ")}`);
  const result = spawnSync("pulumi", args, {
    cwd: options.cwd,
    env: {
      ...process.env,
      ...engineEnvironmentFor("preview", process.env),
      PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "1",
    },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.error) {
    throw new Error(`could not run pulumi: ${result.error.message} (see scripts/pulumi-cli.sh)`);
  }
  return { events: parseEventStream(result.stdout), exitCode: result.status ?? 1 };
}

function main(argv: string[]): number {
  const options = parseArgs(argv);
  const { events, exitCode } = options.events
    ? { events: parseEventStream(fs.readFileSync(options.events, "utf8")), exitCode: 0 }
    : runPreview(options);
  const summary = summarizePreview(events, { stack: options.stack, exitCode });
  process.stdout.write(summary.markdown);
  if (options.output) fs.writeFileSync(options.output, summary.markdown);
  return summary.blocked || summary.failed ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (error: unknown) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
