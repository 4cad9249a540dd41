/**
 * The lifecycle shared by Incus objects that are created with POST on a collection, read
 * with GET, changed with PUT (ETag-guarded) and removed with DELETE. A resource file only
 * says where its object lives and how its JSON maps to Pulumi properties.
 */
import { ConflictError, type IncusError, isAlreadyExists, type RequestOptions } from "../../client";
import { asStringMap, mergeConfig, type StringMap } from "../diff";
import {
  BaseHandler,
  deleteIfExists,
  type HandlerContext,
  readOrGone,
  type ReadResultProps,
  str,
} from "../handler";
import { isOwnedBy, leftoverMessage, notOursHint, withOwner } from "../ownership";
import { compact, type PropertyMap } from "../values";

export type Json = Record<string, unknown>;

/**
 * The description and config of a PUT: the new description (or the live one when the
 * program leaves it to Incus) and the live config with the managed keys replaced.
 */
export function describedConfig(
  live: { description?: string; config?: StringMap },
  olds: PropertyMap,
  news: PropertyMap,
): { description: string; config: StringMap } {
  return {
    description: str(news.description) ?? live.description ?? "",
    config: mergeConfig(live.config ?? {}, asStringMap(olds.config), asStringMap(news.config)),
  };
}

export abstract class RestHandler<Live extends Json> extends BaseHandler {
  /** Whether the object lives in a project (storage pools and certificates do not). */
  protected readonly projectScoped: boolean = true;

  /** e.g. `profile "web"`, for error messages. */
  protected abstract describe(inputs: PropertyMap): string;
  protected abstract collectionPath(inputs: PropertyMap): string;
  protected abstract objectPath(inputs: PropertyMap): string;
  protected abstract idOf(inputs: PropertyMap): string;
  /** The identity properties encoded in an id (used by import, where only the id is known). */
  protected abstract identityFromId(id: string): PropertyMap;
  protected abstract createBody(inputs: PropertyMap): Json;
  protected abstract putBody(live: Live, olds: PropertyMap, news: PropertyMap): Json;
  /**
   * State and inputs from the live object. `state` is the previous state on refresh and
   * only the identity on import (`importing`), where every user-settable value is adopted.
   */
  protected abstract fromLive(
    live: Live,
    state: PropertyMap,
    importing: boolean,
  ): ReadResultProps["props"];
  /** Properties Incus computes (outputs that are not inputs). */
  protected computedKeys: readonly string[] = [];
  /**
   * Whether the object's config takes `user.*` keys, so a create can tag it with its URN
   * and a repeated create can take over its own interrupted one (see ownership.ts).
   */
  protected readonly tagsOwner: boolean = false;

  /**
   * State right after create when Incus computes nothing the state needs, saving a GET;
   * undefined means "read it back".
   */
  protected stateAfterCreate(inputs: PropertyMap): PropertyMap | undefined {
    return { description: "", ...inputs };
  }

  protected target(inputs: PropertyMap): string | undefined {
    return str(inputs.target);
  }

  protected opts(inputs: PropertyMap, extra: RequestOptions = {}): RequestOptions {
    return {
      object: this.describe(inputs),
      project: this.projectScoped ? str(inputs.project) : false,
      target: this.target(inputs),
      ...extra,
    };
  }

  async create(
    ctx: HandlerContext,
    inputs: PropertyMap,
    urn?: string,
  ): Promise<{ id: string; outs: PropertyMap }> {
    const body = this.createBody(inputs);
    if (this.tagsOwner) body.config = withOwner(asStringMap(body.config as StringMap), urn);
    const id = this.idOf(inputs);
    try {
      await ctx.client.mutate("POST", this.collectionPath(inputs), { ...this.opts(inputs), body });
    } catch (e) {
      if (!isAlreadyExists(e) || !this.tagsOwner) throw e;
      return this.takeOverInterruptedCreate(ctx, inputs, urn, id, e);
    }
    const known = this.stateAfterCreate(inputs);
    if (known) return { id, outs: compact(known) };
    const live = await ctx.client.get<Live>(this.objectPath(inputs), this.opts(inputs));
    return { id, outs: compact(this.fromLive(live.value, inputs, false)) };
  }

  /**
   * "Already exists": when the object carries this resource's URN, an earlier create of it
   * reached Incus but its answer never came back, so it is brought to the inputs and
   * recorded; anything else is somebody else's object and stays untouched.
   */
  private async takeOverInterruptedCreate(
    ctx: HandlerContext,
    inputs: PropertyMap,
    urn: string | undefined,
    id: string,
    conflict: IncusError,
  ): Promise<{ id: string; outs: PropertyMap }> {
    const o = this.opts(inputs);
    const live = await readOrGone(() => ctx.client.get<Live>(this.objectPath(inputs), o));
    if (!live || !isOwnedBy(live.value.config as StringMap | undefined, urn)) {
      throw new ConflictError(
        conflict,
        `${conflict.message}: ${notOursHint(this.spec.token, urn, id)}`,
      );
    }
    const body = this.putBody(live.value, {}, inputs);
    await ctx.client.mutate("PUT", this.objectPath(inputs), { ...o, body, etag: live.etag });
    ctx.warn(
      urn ?? "",
      leftoverMessage(
        this.describe(inputs),
        ctx.client.remote,
        "taken over and brought to the program's settings",
      ),
    );
    return { id, outs: compact(this.stateAfterUpdate(live.value, body, {}, inputs)) };
  }

  async read(
    ctx: HandlerContext,
    id: string,
    props: PropertyMap,
  ): Promise<ReadResultProps | undefined> {
    const importing = Object.keys(props).length === 0;
    const state = { ...props, ...this.identityFromId(id) };
    const live = await readOrGone(() =>
      ctx.client.get<Live>(this.objectPath(state), this.opts(state)),
    );
    if (!live) return undefined;
    const out = compact(this.fromLive(live.value, state, importing));
    const inputs: PropertyMap = {};
    for (const [k, v] of Object.entries(out)) {
      if (!this.computedKeys.includes(k) && k in this.spec.props) inputs[k] = v;
    }
    return { id, props: out, inputs };
  }

  /** Checks an update must pass against the live object before it is written (none by default). */
  protected async beforeUpdate(
    _ctx: HandlerContext,
    _live: Live,
    _news: PropertyMap,
  ): Promise<void> {
    // Nothing to check for most objects.
  }

  async update(
    ctx: HandlerContext,
    _id: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<PropertyMap> {
    const o = this.opts(news);
    const live = await ctx.client.get<Live>(this.objectPath(news), o);
    await this.beforeUpdate(ctx, live.value, news);
    const body = this.putBody(live.value, olds, news);
    await ctx.client.mutate("PUT", this.objectPath(news), { ...o, body, etag: live.etag });
    return compact(this.stateAfterUpdate(live.value, body, olds, news));
  }

  /** State after a PUT, derived from what was sent (no read-back needed). */
  protected stateAfterUpdate(
    live: Live,
    body: Json,
    olds: PropertyMap,
    news: PropertyMap,
  ): PropertyMap {
    const merged = { ...live, ...body } as Live;
    return { ...this.fromLive(merged, { ...olds, ...news }, false) };
  }

  async delete(ctx: HandlerContext, id: string, props: PropertyMap): Promise<void> {
    const state = { ...props, ...this.identityFromId(id) };
    await deleteIfExists(() =>
      ctx.client.mutate("DELETE", this.objectPath(state), this.opts(state)),
    );
  }
}
