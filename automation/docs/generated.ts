/**
 * The files generated from the program and its configuration schema, each with the text it
 * must hold: docs/configuration.md, Pulumi.yaml's `config:` block and the README's
 * architecture diagram. `npm run docs -- --write` writes them; `--check` and the unit test
 * compare.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../repoRoot";
import { configurationMarkdown } from "./configurationDoc";
import { architectureMermaid } from "./architecture";
import { withProjectConfig } from "./projectConfig";

export const diagramStart =
  "<!-- diagram:start (generated from the program by `npm run docs -- --write`) -->";
export const diagramEnd = "<!-- diagram:end -->";

export interface GeneratedFile {
  /** Path from the repository root. */
  file: string;
  /** What the file holds now. */
  current: string;
  /** What it must hold. */
  expected: string;
}

function read(file: string): string {
  const full = path.join(repoRoot, file);
  return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : "";
}

/** README.md with the text between the diagram markers replaced. */
export function withDiagram(readme: string, mermaid: string): string {
  const start = readme.indexOf(diagramStart);
  const end = readme.indexOf(diagramEnd);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no diagram section (${diagramStart} ... ${diagramEnd})`);
  }
  return `${readme.slice(0, start + diagramStart.length)}\n${mermaid}\n${readme.slice(end)}`;
}

export async function generatedFiles(): Promise<GeneratedFile[]> {
  const readme = read("README.md");
  const pulumiYaml = read("Pulumi.yaml");
  return [
    {
      file: "docs/configuration.md",
      current: read("docs/configuration.md"),
      expected: configurationMarkdown(),
    },
    { file: "Pulumi.yaml", current: pulumiYaml, expected: withProjectConfig(pulumiYaml) },
    {
      file: "README.md",
      current: readme,
      expected: withDiagram(readme, await architectureMermaid()),
    },
  ];
}

/** Writes every generated file that differs; returns the paths written. */
export async function writeGeneratedFiles(): Promise<string[]> {
  const written: string[] = [];
  for (const f of await generatedFiles()) {
    if (f.current === f.expected) continue;
    fs.writeFileSync(path.join(repoRoot, f.file), f.expected);
    written.push(f.file);
  }
  return written;
}
