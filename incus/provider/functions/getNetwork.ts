import type { CheckFailure } from "@pulumi/pulumi/provider";
import { enc, type HandlerContext } from "../handler";
import type { PropertyMap } from "../values";
import type { LiveNetwork } from "../resources/network";

export const getNetworkToken = "incus:index:getNetwork";

/** Looks up any network, managed or not (host interfaces show as managed=false). */
export async function getNetwork(
  ctx: HandlerContext,
  args: PropertyMap,
): Promise<{ outputs?: PropertyMap; failures?: CheckFailure[] }> {
  if (typeof args.name !== "string" || args.name === "") {
    return {
      failures: [
        { property: "name", reason: "getNetwork: name is required (the network to look up)" },
      ],
    };
  }
  const project = typeof args.project === "string" ? args.project : undefined;
  const target = typeof args.target === "string" ? args.target : undefined;
  const live = await ctx.client.get<LiveNetwork>(`/1.0/networks/${enc(args.name)}`, {
    object: `network "${args.name}"`,
    project,
    target,
  });
  const n = live.value;
  return {
    outputs: {
      name: n.name,
      type: n.type,
      description: n.description ?? "",
      config: { ...(n.config ?? {}) },
      managed: n.managed === true,
    },
  };
}
