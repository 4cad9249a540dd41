/**
 * `npm run docs [-- --write | --check]`: the files generated from the program and its
 * configuration schema (docs/configuration.md, Pulumi.yaml's `config:` block, the README's
 * architecture diagram). Without a flag it lists the ones that differ; `--write` rewrites
 * them; `--check` exits 1 when any differs.
 */
import { parseArgs } from "node:util";
import { generatedFiles, writeGeneratedFiles } from "../automation/docs/generated";

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { write: { type: "boolean" }, check: { type: "boolean" } },
  });
  if (values.write) {
    const written = await writeGeneratedFiles();
    console.error(written.length > 0 ? `updated: ${written.join(", ")}` : "up to date");
    return 0;
  }
  const stale = (await generatedFiles()).filter((f) => f.current !== f.expected);
  for (const f of stale)
    console.error(`${f.file} differs from the program: run npm run docs -- --write`);
  return values.check && stale.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
