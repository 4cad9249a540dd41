/**
 * Loads a module as `@pulumi/pulumi` itself sees it (its grpc copy, its generated
 * protobuf clients), so objects the plugin builds or patches are the very ones the
 * Pulumi provider server uses.
 */
import * as path from "node:path";

const pulumiDir = (): string => path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/** `id` is a package (`@grpc/grpc-js`) or a path inside @pulumi/pulumi (`proto/engine_pb`). */
export function requireAsPulumi<T>(id: string): T {
  const resolved = id.startsWith("@")
    ? require.resolve(id, { paths: [pulumiDir()] })
    : path.join(pulumiDir(), id);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolved) as T;
}
