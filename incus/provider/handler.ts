/**
 * The common shape of a resource handler. The provider does the Pulumi plumbing (secrets,
 * unknowns, URNs); a handler only knows its Incus object.
 */
import type { CheckFailure, DiffResult } from "@pulumi/pulumi/provider";
import { type CliConfig, type IncusClient, isNotFound } from "../client";
import type { DetailedDiff } from "./detailedDiff";
import type { Warn } from "./engineLog";
import { checkInputs, type ResourceSpec } from "./schema";
import { diffProperties } from "./diff";
import type { PropertyMap, PropertyValue, PropPath } from "./values";

export interface HandlerContext {
  client: IncusClient;
  /** The incus CLI configuration (remotes for `remote:alias` image sources). */
  cliConfig: CliConfig;
  /** A warning shown against a resource in the engine's output. */
  warn: Warn;
}

export interface ReadResultProps {
  id: string;
  /** Full state (inputs plus computed outputs). */
  props: PropertyMap;
  /**
   * The inputs that would produce this state (for import and refresh); undefined keeps the
   * inputs the state has (the engine's rule for a refresh).
   */
  inputs?: PropertyMap;
}

export interface ResourceHandler {
  readonly spec: ResourceSpec;
  /** Output properties that are always secret, whatever the inputs were. */
  readonly secretOutputs?: readonly string[];
  /** Output → input: the output is secret whenever the input holds a secret. */
  readonly secretWithInput?: Readonly<Record<string, string>>;
  /**
   * Where a secret at this input path is in the outputs, when the outputs record it under
   * another name (e.g. a file's content as its digest); the same path when omitted.
   */
  secretOutputPath?(input: PropPath): PropPath;
  check(news: PropertyMap, resourceName: string): { inputs: PropertyMap; failures: CheckFailure[] };
  /** `detailedDiff`, when given, names the changed nested paths (see detailedDiff.ts). */
  diff(
    olds: PropertyMap,
    news: PropertyMap,
  ): DiffResult & { changed: string[]; detailedDiff?: DetailedDiff };
  /** `urn` is the resource's, which a create may tag the object with (see ownership.ts). */
  create(
    ctx: HandlerContext,
    inputs: PropertyMap,
    urn?: string,
  ): Promise<{ id: string; outs: PropertyMap }>;
  /** Returns undefined when the object no longer exists ("gone"). */
  read(ctx: HandlerContext, id: string, props: PropertyMap): Promise<ReadResultProps | undefined>;
  /** `urn` is the resource's, for warnings shown against it. */
  update(
    ctx: HandlerContext,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    urn?: string,
  ): Promise<PropertyMap>;
  delete(ctx: HandlerContext, id: string, props: PropertyMap): Promise<void>;
}

/** Base class giving every handler the shared check and diff. */
export abstract class BaseHandler implements ResourceHandler {
  abstract readonly spec: ResourceSpec;
  readonly secretOutputs?: readonly string[];

  check(
    news: PropertyMap,
    resourceName: string,
  ): { inputs: PropertyMap; failures: CheckFailure[] } {
    const name = typeof news.name === "string" && news.name ? news.name : resourceName;
    return checkInputs(this.spec, news, name);
  }

  diff(olds: PropertyMap, news: PropertyMap): DiffResult & { changed: string[] } {
    return diffProperties(this.spec, olds, news);
  }

  abstract create(
    ctx: HandlerContext,
    inputs: PropertyMap,
    urn?: string,
  ): Promise<{ id: string; outs: PropertyMap }>;
  abstract read(
    ctx: HandlerContext,
    id: string,
    props: PropertyMap,
  ): Promise<ReadResultProps | undefined>;
  abstract update(
    ctx: HandlerContext,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<PropertyMap>;
  abstract delete(ctx: HandlerContext, id: string, props: PropertyMap): Promise<void>;
}

/** Runs a read, mapping "not found" to undefined (the provider reports it as gone). */
export async function readOrGone<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Deletes, treating an already-missing object as deleted (delete must be idempotent). */
export async function deleteIfExists(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

export function str(v: PropertyValue): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** Splits an id like "pool/name" and fails clearly on a malformed import id. */
export function splitId(id: string, parts: number, shape: string, label: string): string[] {
  const out = id.split("/");
  if (out.length !== parts || out.some((p) => p === "")) {
    throw new Error(`${label}: id "${id}" must have the form ${shape}`);
  }
  return out;
}
