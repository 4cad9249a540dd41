import { type HandlerContext, type ReadResultProps, enc, str } from "../handler";
import {
  asStringMap,
  devicesFromApi,
  devicesFromInputs,
  devicesToApi,
  devicesValue,
  managedView,
  type StringMap,
} from "../diff";
import { GENERIC_NAME, type ResourceSpec } from "../schema";
import type { PropertyMap } from "../values";
import { assertMembersAnswer } from "./profileMembers";
import { describedConfig, type Json, RestHandler } from "./rest";

interface LiveProfile extends Json {
  name: string;
  description: string;
  config: StringMap;
  devices: Record<string, StringMap>;
  used_by?: string[];
}

export const profileSpec: ResourceSpec = {
  token: "incus:index:Profile",
  label: "Profile",
  description: "An Incus profile (`/1.0/profiles/<name>`).",
  identity: ["name", "project"],
  props: {
    name: { kind: "string", required: true, pattern: GENERIC_NAME, replaceOnChange: true },
    description: { kind: "string", computedWhenOmitted: true },
    config: { kind: "stringMap", default: {} },
    devices: { kind: "devices", default: [], unorderedByName: true },
    project: { kind: "string", replaceOnChange: true },
  },
};

/** `/1.0/profiles/<name>`: config and devices change in place; a rename replaces. */
export class ProfileHandler extends RestHandler<LiveProfile> {
  readonly spec = profileSpec;
  protected readonly tagsOwner = true;

  protected describe(i: PropertyMap): string {
    return `profile "${str(i.name)}"`;
  }
  protected collectionPath(): string {
    return "/1.0/profiles";
  }
  protected objectPath(i: PropertyMap): string {
    return `/1.0/profiles/${enc(String(i.name))}`;
  }
  protected idOf(i: PropertyMap): string {
    return String(i.name);
  }
  protected identityFromId(id: string): PropertyMap {
    return { name: id };
  }
  protected createBody(i: PropertyMap): Json {
    return {
      name: i.name,
      description: str(i.description) ?? "",
      config: asStringMap(i.config),
      devices: devicesToApi(devicesFromInputs(i.devices)),
    };
  }
  /** A profile change reaches other members by notification: they must answer first (profileMembers.ts). */
  protected async beforeUpdate(
    ctx: HandlerContext,
    live: LiveProfile,
    news: PropertyMap,
  ): Promise<void> {
    await assertMembersAnswer(ctx, this.describe(news), str(news.project), live.used_by);
  }

  protected putBody(live: LiveProfile, olds: PropertyMap, news: PropertyMap): Json {
    return {
      ...describedConfig(live, olds, news),
      devices: devicesToApi(devicesFromInputs(news.devices)),
    };
  }
  protected fromLive(
    live: LiveProfile,
    state: PropertyMap,
    importing: boolean,
  ): ReadResultProps["props"] {
    return {
      name: live.name ?? state.name,
      description: live.description ?? "",
      config: managedView(live.config ?? {}, importing ? undefined : asStringMap(state.config)),
      devices: devicesValue(devicesFromApi(live.devices)),
      project: str(state.project),
    };
  }
}
