/**
 * Recovering a stack after an `up` died with the daemon. A create whose request reached
 * incusd but whose answer was lost leaves an object on the host that Pulumi's state does
 * not know; the next `up` would fail on it ("already exists"). The tracker notes every
 * create that started but never finished; after the daemon is back, those found on the
 * host (in the stack's own project, so certainly this stack's) are reconciled: plain
 * objects (profiles, volumes, networks) are imported under their original parent;
 * instances are deleted, because a crash mid-create leaves an instance record without
 * its storage ("Instance storage pool not found") that can never start. The next `up`
 * then converges instead of duplicating or orphaning anything.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { incus } from "./host";

interface InterruptedCreate {
  urn: string;
  type: string;
  parent: string;
  inputs: Record<string, unknown>;
}

export class CreateTracker {
  private readonly started = new Map<string, InterruptedCreate>();

  readonly onEvent = (event: EngineEvent): void => {
    const pre = event.resourcePreEvent?.metadata;
    if (pre && (pre.op === "create" || pre.op === "create-replacement") && pre.new) {
      this.started.set(pre.urn, {
        urn: pre.urn,
        type: pre.type,
        parent: pre.new.parent,
        inputs: pre.new.inputs,
      });
    }
    const done = event.resOutputsEvent?.metadata;
    if (done) this.started.delete(done.urn);
  };

  /** Creates that began but never reported outputs (failed or cut off). */
  interrupted(): InterruptedCreate[] {
    return [...this.started.values()];
  }
}

/** The import id of an object, and the API path that shows whether it exists. */
function hostObject(
  c: InterruptedCreate,
  project: string,
): { id: string; path: string } | undefined {
  const name = typeof c.inputs.name === "string" ? c.inputs.name : undefined;
  if (!name) return undefined;
  const q = `?project=${encodeURIComponent(project)}`;
  switch (c.type) {
    case "incus:index:Network":
      return { id: name, path: `/1.0/networks/${name}${q}` };
    case "incus:index:Profile":
      return { id: name, path: `/1.0/profiles/${name}${q}` };
    case "incus:index:Instance":
      return { id: name, path: `/1.0/instances/${name}${q}` };
    case "incus:index:StorageVolume": {
      const pool = String(c.inputs.pool);
      return {
        id: `${pool}/${name}`,
        path: `/1.0/storage-pools/${pool}/volumes/custom/${name}${q}`,
      };
    }
    default:
      return undefined;
  }
}

function existsOnHost(path: string): boolean {
  try {
    incus(["query", path]);
    return true;
  } catch {
    return false;
  }
}

export interface Reconciled {
  /** URNs imported into the state. */
  adopted: string[];
  /** URNs whose half-created object was deleted from the host. */
  removed: string[];
}

/** Reconciles the interrupted creates with the host (see the file comment). */
export async function reconcileInterruptedCreates(
  stack: Stack,
  tracker: CreateTracker,
  project: string,
): Promise<Reconciled> {
  const found = tracker
    .interrupted()
    .map((c) => ({ c, obj: hostObject(c, project) }))
    .filter((x) => x.obj !== undefined && existsOnHost(x.obj.path));
  const removed = found.filter(({ c }) => c.type === "incus:index:Instance");
  for (const { c } of removed) {
    incus(["delete", "--force", "--project", project, String(c.inputs.name)]);
  }
  const adopt = found.filter(({ c }) => c.type !== "incus:index:Instance");
  if (adopt.length > 0) {
    const nameTable: Record<string, string> = {};
    const resources = adopt.map(({ c, obj }, i) => {
      const parentName = `parent${i}`;
      nameTable[parentName] = c.parent;
      return {
        type: c.type,
        name: c.urn.split("::").slice(3).join("::"),
        id: obj?.id,
        parent: parentName,
      };
    });
    await stack.import({ resources, nameTable, protect: false, generateCode: false });
  }
  return { adopted: adopt.map(({ c }) => c.urn), removed: removed.map(({ c }) => c.urn) };
}
