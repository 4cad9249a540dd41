// Every Atlas component, for the topologies. One export line per component.
export * from "./baseInfrastructure";
export * from "./grafana";
export * from "./prometheus";
export * from "./loki";
export * from "./alertmanager";
export * from "./nodeExporter";
export * from "./promtail";
export * from "./stepCa";
export * from "./mosquitto";
export * from "./coredns";
export * from "./cloudflared";
export * from "./atlantis";
export * from "./ovnCentral";
export * from "./ovnLoadBalancer";
export * from "./incusMetrics";
export * from "./incusLoki";
export * from "./incusVm";
export { externalAccessFor, type ExternalAccess } from "./shared/externalAccess";
