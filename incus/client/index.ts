export * from "./errors";
export * from "./config";
export {
  IncusClient,
  type ClientOptions,
  type RequestOptions,
  type IncusResponse,
  type Operation,
  type RequestStats,
} from "./client";
