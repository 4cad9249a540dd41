/**
 * Which Pulumi resource created an Incus object. Every create writes the resource's URN
 * into a `user.*` config key of the object it makes. When a create's request reached
 * incusd but its answer was lost (the daemon or the connection died), Pulumi records
 * nothing and the next `up` creates again: the tag lets that second create recognise the
 * object as its own leftover and take it over, where it would otherwise fail on "already
 * exists". An object without the tag, or with another resource's, is never touched.
 */
import type { StringMap } from "./diff";

export const OWNER_KEY = "user.pulumi.urn";

/** The config to send on create: the resource's own keys plus the owner tag. */
export function withOwner(config: StringMap, urn: string | undefined): StringMap {
  return urn ? { ...config, [OWNER_KEY]: urn } : config;
}

/** Whether a live object was created by the resource with this URN. */
export function isOwnedBy(config: StringMap | undefined, urn: string | undefined): boolean {
  return urn !== undefined && urn !== "" && config?.[OWNER_KEY] === urn;
}

/** A word single-quoted for the shell (a URN holds `$` when the resource has a parent). */
function quoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A word the shell reads back unchanged: quoted unless it is plainly safe. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : quoted(word);
}

/**
 * The message for an object of the same name that this resource did not create. A bare
 * `pulumi import TYPE NAME ID` would record the object without the resource's parent
 * component and provider, under a URN the program never registers (the next `up` creates
 * it again and deletes the import), and the provider cannot name the parent: only its type
 * is in the URN. So the hint names `npm run import`, which asks the engine for the
 * resource's parent and provider and imports it under exactly this URN.
 */
export function notOursHint(token: string, urn: string | undefined, id: string): string {
  if (!urn) {
    return (
      `it exists already and was not created by this resource: adopt it with ` +
      `\`pulumi import ${token} <name> ${shellWord(id)}\`, or remove it, or choose another name`
    );
  }
  return (
    `it exists already and was not created by this resource: adopt it with ` +
    `\`npm run import -- ${quoted(urn)} ${shellWord(id)}\` (imports it as ${urn.split("::").slice(3).join("::")}, ` +
    `under its parent component and provider), or remove it, or choose another name`
  );
}

/** The warning when a create finds what its own cut-off predecessor left, and `done` to it. */
export function leftoverMessage(object: string, remote: string, done: string): string {
  return (
    `${object} on remote "${remote}" was left by an earlier create of this resource that was ` +
    `cut off before Pulumi recorded it; it was ${done}`
  );
}
