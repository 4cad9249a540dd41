/**
 * `npm run backup -- snapshot|list|export|restore --stack NAME [--volume NAME] ...`
 * (automation/backup/run.ts; procedures in BACKUP.md).
 */
import { backupRequest, backupUsage, runBackup } from "../automation/backup/run";
import { parseCommandLine, UsageError } from "../automation/shared/args";

async function main(argv: string[]): Promise<number> {
  let request;
  try {
    request = backupRequest(
      parseCommandLine(argv, ["volume", "pool", "remote", "dir", "snapshot", "file", "expiry"]),
    );
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n${backupUsage}`);
    return 2;
  }
  try {
    await runBackup(request, (line) => console.log(line));
    return 0;
  } catch (e) {
    console.error(
      `backup ${request.command} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
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
