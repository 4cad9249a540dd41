/**
 * Warnings from the provider to the Pulumi engine, shown against the resource in
 * `pulumi up` like any diagnostic. The Node provider server keeps the engine's address to
 * itself, so the plugin opens its own client to the engine's Log service from the address
 * the engine passes on the command line.
 */
import { requireAsPulumi } from "./pulumiModule";

/** Reports a warning about one resource (by URN). Never throws. */
export type Warn = (urn: string, message: string) => void;

interface LogRequestMessage {
  setSeverity(v: number): LogRequestMessage;
  setMessage(v: string): LogRequestMessage;
  setUrn(v: string): LogRequestMessage;
}
interface EngineProto {
  LogRequest: new () => LogRequestMessage;
  LogSeverity: { WARNING: number };
}
interface EngineClient {
  log(req: LogRequestMessage, callback: (err: Error | null) => void): void;
}
interface EngineGrpc {
  EngineClient: new (address: string, credentials: unknown) => EngineClient;
}
interface GrpcModule {
  credentials: { createInsecure(): unknown };
}

/** Without an engine (tests, a plugin run by hand) warnings go to stderr. */
export const stderrWarn: Warn = (urn, message) => {
  process.stderr.write(`warning: ${urn}: ${message}\n`);
};

/** The engine's address: the first argument that is not one of the engine's logging flags. */
export function engineAddress(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--tracing") i++;
    else if (args[i] !== "--logtostderr" && !args[i].startsWith("-v=")) return args[i];
  }
  return undefined;
}

/** A Warn that sends to the engine named in the plugin's arguments, if there is one. */
export function engineWarn(args: string[]): Warn {
  const address = engineAddress(args);
  if (!address) return stderrWarn;
  const grpc = requireAsPulumi<GrpcModule>("@grpc/grpc-js");
  const proto = requireAsPulumi<EngineProto>("proto/engine_pb");
  const rpc = requireAsPulumi<EngineGrpc>("proto/engine_grpc_pb");
  const client = new rpc.EngineClient(address, grpc.credentials.createInsecure());
  return (urn, message) => {
    const req = new proto.LogRequest()
      .setSeverity(proto.LogSeverity.WARNING)
      .setMessage(message)
      .setUrn(urn);
    client.log(req, (err) => {
      if (err) stderrWarn(urn, message);
    });
  };
}
