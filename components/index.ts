// Every Atlas component, for the topologies. One export line per component.
export * from "./baseInfrastructure";
export * from "./grafana";
export * from "./prometheus";
export * from "./loki";
export * from "./alertmanager";
export * from "./nodeExporter";
export * from "./promtail";
export * from "./stepCa";
