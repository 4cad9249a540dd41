import type { HandlerContext } from "../handler";

/** An instance as `GET /1.0/instances?recursion=1` lists it (the fields read here). */
interface ListedInstance {
  name: string;
  /** The cluster member it runs on; `none` (or empty) on a standalone server. */
  location?: string;
}

/** Instance names in a profile's `used_by` (`/1.0/instances/<name>?project=...`). */
export function instancesUsing(usedBy: readonly string[] | undefined): string[] {
  const prefix = "/1.0/instances/";
  return (usedBy ?? [])
    .filter((url) => url.startsWith(prefix))
    .map((url) => decodeURIComponent(url.slice(prefix.length).split("?")[0]));
}

/** Members hosting the named instances, each with its instances (standalone: none). */
export function membersHosting(
  listed: readonly ListedInstance[],
  names: readonly string[],
): Map<string, string[]> {
  const wanted = new Set(names);
  const members = new Map<string, string[]>();
  for (const i of listed) {
    const member = i.location ?? "";
    if (!wanted.has(i.name) || member === "" || member === "none") continue;
    members.set(member, [...(members.get(member) ?? []), i.name]);
  }
  return members;
}

/**
 * Before a profile in use on a cluster changes: every member hosting one of its instances
 * must answer. Incus stores the new profile and applies it on each other member by a
 * notification that skips a member it cannot reach, so the PUT succeeds while that
 * member's instances keep the old limits and devices, and a later `up` sees nothing left
 * to do. Asking each member first (`GET /1.0?target=<member>`, forwarded by the member the
 * remote points at) turns that into an error naming the member, and the change stays
 * pending in the stack until an `up` after the member is back applies it.
 */
export async function assertMembersAnswer(
  ctx: HandlerContext,
  object: string,
  project: string | undefined,
  usedBy: readonly string[] | undefined,
): Promise<void> {
  const names = instancesUsing(usedBy);
  if (names.length === 0) return;
  const listed = await ctx.client.get<ListedInstance[]>("/1.0/instances", {
    object: `the instances using ${object}`,
    project,
    query: { recursion: "1" },
  });
  const members = membersHosting(listed.value, names);
  await Promise.all(
    [...members].map(async ([member, instances]) => {
      try {
        await ctx.client.get("/1.0", {
          object: `cluster member ${member}`,
          project: false,
          target: member,
        });
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new Error(
          `${object}: cluster member ${member} does not answer (${why}), so the change would not ` +
            `reach ${instances.join(", ")} there (Incus skips a member it cannot reach). ` +
            `Bring ${member} back online, then run the up again.`,
        );
      }
    }),
  );
}
