/**
 * `npm run import`: adopts an Incus object that exists under a name the program wants, as
 * the very resource the program declares. The provider's "exists already" error names
 * the resource's URN, which holds its type and name but not its parent component's name
 * nor its provider; a preview of the program does (each step's parent and provider), so
 * the import is made with both and the next `up` finds the object in state under the URN
 * it registers.
 */
import type { ImportResult, Stack } from "@pulumi/pulumi/automation";

/** The parts of a URN `urn:pulumi:<stack>::<project>::<type chain>::<name>`. */
export interface ParsedUrn {
  stack: string;
  project: string;
  /** The resource's own type, the last of the chain (`incus:index:Profile`). */
  type: string;
  name: string;
}

/** Reads a resource URN; a malformed one is refused with what was expected. */
export function parseResourceUrn(urn: string): ParsedUrn {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::([^:]+(?::[^:]+)*)::(.+)$/.exec(urn);
  if (!m) {
    throw new Error(
      `"${urn}" is not a resource URN: expected urn:pulumi:<stack>::<project>::<type>::<name>, as the provider's error prints it`,
    );
  }
  const type = m[3].split("$").pop() ?? "";
  return { stack: m[1], project: m[2], type, name: m[4] };
}

/** Where the program puts the resource: its parent's URN and its provider's, if explicit. */
export interface Placement {
  parent?: string;
  provider?: string;
}

/** `urn::id` (a provider reference) → the provider's URN. */
function providerUrn(reference: string): string {
  const cut = reference.lastIndexOf("::");
  return cut > 0 ? reference.slice(0, cut) : reference;
}

/** A default provider is the engine's own: it is used without being named. */
function isDefaultProvider(urn: string): boolean {
  return /::pulumi:providers:[^:]+::default(_[0-9_]+)?$/.test(urn);
}

/** Asks the engine, through a preview of the program, where the program puts `urn`. */
export async function placementOf(stack: Stack, urn: string): Promise<Placement> {
  let found: Placement | undefined;
  await stack.preview({
    onEvent: (event) => {
      const meta = event.resourcePreEvent?.metadata;
      if (meta?.urn !== urn) return;
      const state = meta.new ?? meta.old;
      const provider = state?.provider ? providerUrn(state.provider) : undefined;
      found = {
        parent:
          state?.parent && !state.parent.includes("::pulumi:pulumi:Stack::")
            ? state.parent
            : undefined,
        provider: provider && !isDefaultProvider(provider) ? provider : undefined,
      };
    },
  });
  if (!found) {
    throw new Error(
      `the program of stack "${stack.name}" does not declare ${urn}: nothing to import it as (check the stack and the resource's name)`,
    );
  }
  return found;
}

export interface AdoptResult {
  urn: string;
  placement: Placement;
  result: ImportResult;
}

/**
 * Imports the object `id` as the resource `urn` of the program, under its parent and
 * provider, unprotected (as the program declares it). Code generation is off: the program
 * already declares the resource.
 */
export async function adoptResource(stack: Stack, urn: string, id: string): Promise<AdoptResult> {
  const parsed = parseResourceUrn(urn);
  if (parsed.stack !== stack.name) {
    throw new Error(`${urn} belongs to stack "${parsed.stack}", not "${stack.name}"`);
  }
  if (id === "") throw new Error("the Incus object's id is empty: pass the id the error printed");
  const placement = await placementOf(stack, urn);
  const nameTable: Record<string, string> = {};
  if (placement.parent) nameTable.parent = placement.parent;
  if (placement.provider) nameTable.provider = placement.provider;
  const result = await stack.import({
    resources: [
      {
        type: parsed.type,
        name: parsed.name,
        id,
        ...(placement.parent ? { parent: "parent" } : {}),
        ...(placement.provider ? { provider: "provider" } : {}),
      },
    ],
    ...(Object.keys(nameTable).length > 0 ? { nameTable } : {}),
    protect: false,
    generateCode: false,
  });
  return { urn, placement, result };
}
