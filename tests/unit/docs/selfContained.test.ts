/**
 * The repository's docs and comments describe the platform in their own words: no path
 * that leads out of the repository, and every relative link in the Markdown docs names a
 * file that is here.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../automation/repoRoot";

/** Tracked text files (docs, code, config), without recorded fixtures and the lock file. */
function trackedFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  return out
    .split("\n")
    .filter((f) => /\.(md|ts|mts|sh|yaml|yml|mustache)$/.test(f))
    .filter(
      (f) => !f.startsWith("tests/policies/fixtures/") && fs.existsSync(path.join(repoRoot, f)),
    );
}

/** Paths that lead out of the repository: the authors' workspace and the seed's notes. */
const outside =
  /(\.\.\/shared\/reference|\/work\/(shared|main)|shared\/reference\/|atlas-terraform-CLAUDE|\/tmp\/prompts)/;

describe("docs and comments stay inside the repository", () => {
  it("name no path outside it", () => {
    const found: string[] = [];
    for (const file of trackedFiles()) {
      if (file === "tests/unit/docs/selfContained.test.ts") continue;
      fs.readFileSync(path.join(repoRoot, file), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (outside.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("link only to files that exist here", () => {
    const broken: string[] = [];
    for (const file of trackedFiles().filter((f) => f.endsWith(".md"))) {
      const text = fs.readFileSync(path.join(repoRoot, file), "utf8");
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue;
        const resolved = path.resolve(path.dirname(path.join(repoRoot, file)), target);
        if (!resolved.startsWith(repoRoot + path.sep) || !fs.existsSync(resolved)) {
          broken.push(`${file}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
