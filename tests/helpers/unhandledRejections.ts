/**
 * Errors a Pulumi program throws inside an `apply` fail the run under the engine; under
 * mocks they surface as unhandled promise rejections. This collects them for one test
 * body instead of letting the test runner report them as stray errors.
 */
export async function unhandledRejectionsDuring(body: () => Promise<void>): Promise<Error[]> {
  const runnerListeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const caught: Error[] = [];
  const catcher = (reason: unknown): void => {
    caught.push(reason instanceof Error ? reason : new Error(String(reason)));
  };
  process.on("unhandledRejection", catcher);
  try {
    await body();
    // Rejections are reported after the microtasks that produced them.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off("unhandledRejection", catcher);
    for (const listener of runnerListeners) process.on("unhandledRejection", listener);
  }
  return caught;
}
