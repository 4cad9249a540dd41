/**
 * What every engine e2e suite needs before it starts. Missing pieces FAIL the suite with
 * the command that provides them: an e2e suite that skips silently proves nothing.
 */
import { pulumiCommand } from "../../automation/shared/pulumiCommand";
import { daemonAnswers } from "../../automation/e2e/host";

export async function e2ePreflight(): Promise<void> {
  try {
    await pulumiCommand();
  } catch (e) {
    throw new Error(
      `engine e2e needs the Pulumi CLI: ${(e as Error).message} ` +
        "(CI: .ci/run puts it on PATH with scripts/pulumi-cli.sh)",
    );
  }
  if (!daemonAnswers()) {
    throw new Error(
      "engine e2e needs a running Incus daemon: run `scripts/incus-test-daemon.sh up` as root",
    );
  }
}
