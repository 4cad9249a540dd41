import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The repository root (the folder holding Pulumi.yaml), found from this file so it works
 * from the sources and from the compiled dist/ alike.
 */
export const repoRoot: string = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no Pulumi.yaml above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();
