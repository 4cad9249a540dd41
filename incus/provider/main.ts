/**
 * Entry point of the `pulumi-resource-incus` plugin (bin/pulumi-resource-incus runs the
 * compiled file): serves the provider over gRPC and prints the port for the engine.
 */
import { main } from "@pulumi/pulumi/provider";
import { serveDiff } from "./detailedDiff";
import { engineWarn } from "./engineLog";
import { requireAsPulumi } from "./pulumiModule";
import { IncusProvider, settingsFromConfigure } from "./provider";

interface ConfigureCall {
  request: {
    getVariablesMap(): { forEach(fn: (value: string, key: string) => void): void };
    getArgs(): { toJavaScript(): Record<string, unknown> } | undefined;
  };
}
type Callback = (err: Error | null, value?: unknown) => void;
type Implementation = Record<string, unknown> & {
  configure?: (call: ConfigureCall, callback: Callback) => void;
};
interface GrpcModule {
  Server: { prototype: { addService(service: unknown, impl: Implementation): void } };
}

/**
 * `@pulumi/pulumi/provider`'s gRPC server acknowledges Configure without passing the
 * provider's configuration on (its Provider interface has no configure). The engine sends
 * `remote`, `project` and `acceptRemoteCertificate` only there, so the server's configure
 * handler is wrapped as it is registered: the settings reach the provider first, then the
 * original handler answers the engine. The grpc module is resolved from @pulumi/pulumi's
 * own location so the patch applies to the very copy its server uses.
 */
function forwardConfigure(provider: IncusProvider): void {
  const grpc = requireAsPulumi<GrpcModule>("@grpc/grpc-js");
  const original = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (service: unknown, impl: Implementation): void {
    const configure = impl.configure;
    if (typeof configure === "function") {
      impl.configure = (call: ConfigureCall, callback: Callback): void => {
        try {
          const variables: Record<string, string> = {};
          call.request.getVariablesMap().forEach((v, k) => {
            variables[k] = v;
          });
          provider.configure(
            settingsFromConfigure(variables, call.request.getArgs()?.toJavaScript()),
          );
        } catch (e) {
          callback(e as Error);
          return;
        }
        configure.call(impl, call, callback);
      };
    }
    // The server's own Diff drops the detailed diff (see detailedDiff.ts).
    if (typeof impl.diff === "function") impl.diff = serveDiff(provider);
    original.call(this, service, impl);
  };
}

export async function serve(args: string[]): Promise<void> {
  const provider = new IncusProvider({}, process.env, engineWarn(args));
  forwardConfigure(provider);
  await main(provider, args);
}

if (require.main === module) {
  serve(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
