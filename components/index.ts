// Every Atlas component, for the topologies. One export line per component.
export * from "./baseInfrastructure";
