import type { RequestOptions } from "../../client";
import { BaseHandler, type HandlerContext, type ReadResultProps, str } from "../handler";
import { asStringMap, managedView, mergeConfig, type StringMap } from "../diff";
import { type ResourceSpec } from "../schema";
import { validateConfig } from "../validators";
import { compact, deepEqual, type PropertyMap } from "../values";

interface LiveServer {
  config: StringMap;
}

export const serverSpec: ResourceSpec = {
  token: "incus:index:Server",
  label: "Server",
  description:
    "Part of an Incus server's configuration (`/1.0` config): only the keys it sets; delete unsets exactly these.",
  identity: [],
  props: {
    config: { kind: "stringMap", required: true },
    target: { kind: "string", replaceOnChange: true },
  },
  validate: (i) => validateConfig(i.config, "config"),
};

/**
 * Part of the server configuration (`/1.0`). It owns exactly the keys it sets: other keys,
 * set by the CLI or another stack, are carried through every PUT untouched, and delete
 * unsets only its own keys. Every write is guarded by the ETag of the config it was merged
 * into, so a concurrent change is never overwritten.
 */
export class ServerHandler extends BaseHandler {
  readonly spec = serverSpec;

  private opts(i: PropertyMap): RequestOptions {
    const target = str(i.target);
    return {
      object: `server config${target ? ` of member "${target}"` : ""}`,
      project: false,
      target,
    };
  }

  private async apply(
    ctx: HandlerContext,
    i: PropertyMap,
    previouslyManaged: StringMap,
    desired: StringMap,
  ): Promise<void> {
    const o = this.opts(i);
    const live = await ctx.client.get<LiveServer>("/1.0", o);
    const current = live.value.config ?? {};
    const next = mergeConfig(current, previouslyManaged, desired);
    if (deepEqual(next, current)) return;
    await ctx.client.mutate("PUT", "/1.0", { ...o, body: { config: next }, etag: live.etag });
  }

  private idOf(i: PropertyMap): string {
    const target = str(i.target);
    return target ? `server/${target}` : "server";
  }

  async create(
    ctx: HandlerContext,
    inputs: PropertyMap,
  ): Promise<{ id: string; outs: PropertyMap }> {
    await this.apply(ctx, inputs, {}, asStringMap(inputs.config));
    return {
      id: this.idOf(inputs),
      outs: compact({ config: asStringMap(inputs.config), target: str(inputs.target) }),
    };
  }

  async read(
    ctx: HandlerContext,
    id: string,
    props: PropertyMap,
  ): Promise<ReadResultProps | undefined> {
    const importing = Object.keys(props).length === 0;
    const target =
      str(props.target) ?? (id.startsWith("server/") ? id.slice("server/".length) : undefined);
    const state = { ...props, target };
    const live = await ctx.client.get<LiveServer>("/1.0", this.opts(state));
    const config = managedView(
      live.value.config ?? {},
      importing ? undefined : asStringMap(props.config),
    );
    const out = compact({ config, target });
    return { id, props: out, inputs: out };
  }

  async update(
    ctx: HandlerContext,
    _id: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<PropertyMap> {
    await this.apply(ctx, news, asStringMap(olds.config), asStringMap(news.config));
    return compact({ config: asStringMap(news.config), target: str(news.target) });
  }

  async delete(ctx: HandlerContext, _id: string, props: PropertyMap): Promise<void> {
    await this.apply(ctx, props, asStringMap(props.config), {});
  }
}
