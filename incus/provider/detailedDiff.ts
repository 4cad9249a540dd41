/**
 * Detailed diffs: which nested property changed (`files[2]`, `config["limits.cpu"]`), so
 * that `pulumi preview --diff` shows the changed file with its path, and so that a
 * resource option `replaceOnChanges: ['config["cloud-init.user-data"]']` matches one config
 * key. The engine matches replaceOnChanges against the detailed diff's paths only (a
 * changed top-level `config` does not match a path inside it).
 *
 * `@pulumi/pulumi/provider`'s gRPC server drops every diff field but changes, replaces and
 * deleteBeforeReplace, so the plugin answers Diff itself (see serveDiff, wired in main.ts).
 */
import type { DiffResult } from "@pulumi/pulumi/provider";
import { requireAsPulumi } from "./pulumiModule";
import type { PropertyMap } from "./values";

export type PropertyDiffKind =
  "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

/** Property path (the engine's syntax) → how it changed. Paths compare inputs. */
export type DetailedDiff = Record<string, PropertyDiffKind>;

export interface DetailedDiffResult extends DiffResult {
  /** Top-level properties that changed. */
  readonly diffs?: string[];
  readonly detailedDiff?: DetailedDiff;
}

/** A property path in the engine's syntax: `config["cloud-init.user-data"]`, `files[0]`. */
export function propertyPath(top: string, ...keys: (string | number)[]): string {
  return (
    top + keys.map((k) => (typeof k === "number" ? `[${k}]` : `[${JSON.stringify(k)}]`)).join("")
  );
}

/** The kind for a path under a property that does (or does not) force replacement. */
export function kindOf(change: "add" | "delete" | "update", replaces: boolean): PropertyDiffKind {
  return replaces ? `${change}-replace` : change;
}

interface PropertyDiffMessage {
  setKind(v: number): PropertyDiffMessage;
  setInputdiff(v: boolean): PropertyDiffMessage;
}
interface DiffResponseMessage {
  setChanges(v: number): void;
  setReplacesList(v: string[]): void;
  setDeletebeforereplace(v: boolean): void;
  setDiffsList(v: string[]): void;
  setHasdetaileddiff(v: boolean): void;
  getDetaileddiffMap(): { set(k: string, v: PropertyDiffMessage): void };
}
interface ProviderProto {
  DiffResponse: (new () => DiffResponseMessage) & {
    DiffChanges: { DIFF_UNKNOWN: number; DIFF_NONE: number; DIFF_SOME: number };
  };
  PropertyDiff: (new () => PropertyDiffMessage) & { Kind: Record<string, number> };
}
interface StructMessage {
  toJavaScript(): PropertyMap;
}
interface DiffCall {
  request: {
    getId(): string;
    getUrn(): string;
    getOlds(): StructMessage | undefined;
    getNews(): StructMessage | undefined;
  };
}
type Callback = (err: Error | null, value?: unknown) => void;

export interface DiffingProvider {
  diff(id: string, urn: string, olds: PropertyMap, news: PropertyMap): Promise<DetailedDiffResult>;
}

/** The gRPC Diff handler: the provider's diff with its detailed diff passed on. */
export function serveDiff(provider: DiffingProvider): (call: DiffCall, callback: Callback) => void {
  const proto = requireAsPulumi<ProviderProto>("proto/provider_pb");
  return (call, callback) => {
    const req = call.request;
    provider
      .diff(
        req.getId(),
        req.getUrn(),
        req.getOlds()?.toJavaScript() ?? {},
        req.getNews()?.toJavaScript() ?? {},
      )
      .then((d) => {
        const resp = new proto.DiffResponse();
        const changes = proto.DiffResponse.DiffChanges;
        resp.setChanges(
          d.changes === true
            ? changes.DIFF_SOME
            : d.changes === false
              ? changes.DIFF_NONE
              : changes.DIFF_UNKNOWN,
        );
        if (d.replaces && d.replaces.length > 0) resp.setReplacesList(d.replaces);
        if (d.deleteBeforeReplace) resp.setDeletebeforereplace(true);
        if (d.detailedDiff) {
          resp.setDiffsList(d.diffs ?? []);
          const map = resp.getDetaileddiffMap();
          for (const [p, kind] of Object.entries(d.detailedDiff)) {
            const pd = new proto.PropertyDiff();
            pd.setKind(proto.PropertyDiff.Kind[kind.toUpperCase().replace("-", "_")]);
            pd.setInputdiff(true);
            map.set(p, pd);
          }
          resp.setHasdetaileddiff(true);
        }
        callback(null, resp);
      })
      .catch((e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
  };
}
