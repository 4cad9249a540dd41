/**
 * The contract tests run the services' own binaries; where one is built here (CoreDNS,
 * from tools/coredns), it must be the version Atlas deploys, or the contract proves
 * another program.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { serviceDefaults } from "../../../config/defaults";

const repoRoot = path.resolve(__dirname, "../../..");

describe("contract binaries", () => {
  it("CoreDNS built for the contract tests is the deployed default version", () => {
    const goMod = fs.readFileSync(path.join(repoRoot, "tools/coredns/go.mod"), "utf8");
    const built = /github\.com\/coredns\/coredns v(\S+)/.exec(goMod)?.[1];
    expect(built).toBe(serviceDefaults.coredns.version);
  });
});
