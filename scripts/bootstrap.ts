/**
 * `npm run bootstrap -- --stack iapetus|cluster01 [--remote NAME] [--pool NAME]
 * [--bucket NAME] [--buckets-address ADDR] [--region REGION]`: the self-hosted S3 state
 * for a stack (see automation/bootstrap/run.ts for the steps).
 */
import { bootstrapSettings } from "../automation/bootstrap/settings";
import { runBootstrap } from "../automation/bootstrap/run";
import { parseCommandLine, UsageError } from "../automation/shared/args";
import { StepFailedError } from "../automation/shared/progress";

const usage =
  "usage: npm run bootstrap -- --stack iapetus|cluster01 [--remote NAME] [--pool NAME] [--pool-driver DRIVER] [--bucket NAME] [--buckets-address ADDR] [--region REGION]";

async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCommandLine(argv, [
      "remote",
      "pool",
      "pool-driver",
      "bucket",
      "buckets-address",
      "region",
    ]);
    if (cli.positionals.length > 0)
      throw new UsageError(`unexpected argument "${cli.positionals[0]}"`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n${usage}`);
    return 2;
  }
  const o = cli.options;
  const settings = bootstrapSettings(cli.stack, {
    remote: o.remote,
    statePool: o.pool,
    statePoolDriver: o["pool-driver"],
    bucket: o.bucket,
    bucketsAddress: o["buckets-address"],
    region: o.region,
  });
  try {
    await runBootstrap(settings, (line) => console.log(line));
    return 0;
  } catch (e) {
    console.error(e instanceof StepFailedError ? `bootstrap: ${e.message}` : e);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
