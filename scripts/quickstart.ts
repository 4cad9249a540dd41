/**
 * `scripts/quickstart.sh [options]` (after it provided Incus and the Pulumi CLI) runs this:
 * deploys the iapetus topology onto the local Incus daemon (automation/quickstart/run.ts).
 */
import { parseQuickstartOptions, quickstartUsage } from "../automation/quickstart/options";
import {
  destroyQuickstart,
  formatReport,
  QuickstartStop,
  runQuickstart,
} from "../automation/quickstart/run";
import { UsageError } from "../automation/shared/args";

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseQuickstartOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n${quickstartUsage}`);
    return 2;
  }
  const log = (line: string): void => console.log(line);
  try {
    if (options.destroy) {
      for (const line of await destroyQuickstart(options, log)) console.log(line);
      return 0;
    }
    console.log(formatReport(await runQuickstart(options, log), options));
    return 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`\nAtlas quick start stopped: ${message}`);
    return e instanceof QuickstartStop ? 3 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
