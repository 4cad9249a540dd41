/**
 * Step-by-step progress for the operator scripts: every step says what it is about to do
 * and what it did, and a failure names the step and how to resume.
 */

/** What a finished step reports: whether it changed anything, and a one-line summary. */
export interface StepResult {
  changed: boolean;
  summary: string;
}

export interface Step<C> {
  /** Short, stable name, e.g. "state bucket". */
  name: string;
  /** What the step does, printed before it runs. */
  describe: string;
  /** A step that only checks: it reports "ok" rather than "unchanged". */
  checkOnly?: boolean;
  run: (context: C) => Promise<StepResult>;
}

export type Print = (line: string) => void;

/** A step that failed: carries the step's name and position and the resume hint. */
export class StepFailedError extends Error {
  constructor(
    readonly step: string,
    readonly index: number,
    readonly total: number,
    readonly cause: Error,
    readonly resume: string,
  ) {
    super(`step ${index}/${total} "${step}" failed: ${cause.message}\n${resume}`);
    this.name = "StepFailedError";
  }
}

export interface StepsOutcome {
  results: { step: string; result: StepResult }[];
  changed: boolean;
}

/**
 * Runs the steps in order, printing each. Stops at the first failure with a
 * StepFailedError whose message says which steps were done and how to resume.
 */
export async function runSteps<C>(
  steps: readonly Step<C>[],
  context: C,
  print: Print,
  resumeCommand: string,
): Promise<StepsOutcome> {
  const results: StepsOutcome["results"] = [];
  for (const [i, step] of steps.entries()) {
    const n = i + 1;
    print(`[${n}/${steps.length}] ${step.name}: ${step.describe}`);
    let result: StepResult;
    try {
      result = await step.run(context);
    } catch (e) {
      const cause = e instanceof Error ? e : new Error(String(e));
      const done = results.map((r) => `"${r.step}"`).join(", ");
      const resume =
        `${done ? `Steps done and kept: ${done}. ` : ""}Nothing after "${step.name}" was started. ` +
        `Fix the cause above, then resume with \`${resumeCommand}\`: every step is idempotent, so finished steps report "unchanged".`;
      print(`[${n}/${steps.length}] ${step.name}: FAILED (see below)`);
      throw new StepFailedError(step.name, n, steps.length, cause, resume);
    }
    print(
      `[${n}/${steps.length}] ${step.name}: ${result.changed ? "done" : step.checkOnly ? "ok" : "unchanged"}: ${result.summary}`,
    );
    results.push({ step: step.name, result });
  }
  const changed = results.some((r) => r.result.changed);
  print(
    changed
      ? "Finished: changes were made (see above)."
      : "Finished: nothing to do, everything was already in place.",
  );
  return { results, changed };
}
