/** One invalid setting: the full config key, the value as given, and what is allowed. */
export interface ConfigProblem {
  key: string;
  /** Rendered value; secrets are shown as `[secret]`. */
  value: string;
  allowed: string;
}

/** Every problem found in the stack configuration, reported together. */
export class ConfigValidationError extends Error {
  constructor(
    public readonly stack: string,
    public readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid Atlas configuration for stack '${stack}' (${problems.length} problem${
        problems.length === 1 ? "" : "s"
      }); nothing was changed:\n` +
        problems.map((p) => `  - ${p.key} = ${p.value}: must be ${p.allowed}`).join("\n"),
    );
    this.name = "ConfigValidationError";
  }
}
