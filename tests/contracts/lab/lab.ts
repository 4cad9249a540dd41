/**
 * One contract lab: a scratch folder, the namespaces (./network), the daemons
 * (./processes) and a test CA. Create it in `beforeAll`, `destroy()` it in `afterAll`:
 * every daemon is stopped and every namespace deleted, also when a test failed; the
 * scratch folder (logs, rendered files) is kept only with ATLAS_CONTRACT_KEEP=1.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RenderedStack } from "../renderedFiles";
import { layOut } from "./instanceRoot";
import { LabNetwork, type LabInstance } from "./network";
import { Supervisor } from "./processes";
import { TestCa } from "./testCa";

/** Tools the labs need on the test machine (scripts/install-test-host.sh installs them). */
const requiredTools = ["ip", "nft", "curl", "openssl", "node"];

/** Why this machine cannot run the labs, or undefined when it can. */
export function labUnavailable(extraTools: string[] = []): string | undefined {
  if (process.getuid?.() !== 0) return "the contract labs need root (network namespaces)";
  const missing = [...requiredTools, ...extraTools].filter(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
  );
  if (missing.length > 0) {
    return `missing ${missing.join(", ")}: run scripts/install-test-host.sh as root`;
  }
  return undefined;
}

export class Lab {
  readonly dir: string;
  readonly network: LabNetwork;
  readonly daemons: Supervisor;
  readonly ca: TestCa;

  constructor(name: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `atlas-contract-${name}-`));
    this.network = new LabNetwork();
    this.daemons = new Supervisor(path.join(this.dir, "logs"));
    this.ca = new TestCa(path.join(this.dir, "ca"));
  }

  /** The scratch root standing in for an instance's filesystem. */
  root(stack: string, instance: string): string {
    return path.join(this.dir, stack, instance);
  }

  /**
   * An instance of a rendered stack in the lab: its namespace on the stack's bridge and
   * its rendered files under `root(stack, instance)`.
   */
  addInstance(rendered: RenderedStack, instance: string): LabInstance {
    const files = rendered.instances.get(instance);
    if (!files) {
      throw new Error(
        `${rendered.stack} renders no instance ${instance}; instances: ${[...rendered.instances.keys()].join(", ")}`,
      );
    }
    const labInstance = this.network.addInstance(rendered.stack, instance);
    layOut(files, this.root(rendered.stack, instance));
    return labInstance;
  }

  /** Daemon logs of everything that died, for failure messages. */
  deaths(): string {
    return this.daemons.exited().join("\n\n");
  }

  async destroy(): Promise<void> {
    try {
      await this.daemons.stopAll();
    } finally {
      this.network.destroy();
      if (process.env.ATLAS_CONTRACT_KEEP !== "1") {
        fs.rmSync(this.dir, { recursive: true, force: true });
      } else {
        console.log(`contract lab kept in ${this.dir}`);
      }
    }
  }
}
