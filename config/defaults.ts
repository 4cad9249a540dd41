import type { ServiceKey, ServiceSettings, SnapshotSettings } from "./schema";

/** The reference's system-container image for every cloud-init service. */
export const alpineCloudImage = "images:alpine/3.21/cloud";

const snapshotsOff = (schedule: string, expiry: string): SnapshotSettings => ({
  enabled: false,
  schedule,
  expiry,
  pattern: "auto-{{creation_date}}",
});

/**
 * Per-service defaults (the `services.<service>` keys of ./settings.ts), from the reference's
 * resource, storage and snapshot tables.
 * Root disks: 2GB for the heavier services (grafana, loki, prometheus, atlantis), 1GB
 * otherwise. Services without a data volume keep `dataPersistence: false`.
 */
export const serviceDefaults: Record<ServiceKey, ServiceSettings> = {
  grafana: {
    image: alpineCloudImage,
    version: "12.2.0",
    cpu: 2,
    memory: "1GB",
    rootDiskSize: "2GB",
    dataPersistence: true,
    dataVolumeSize: "10GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
  loki: {
    image: alpineCloudImage,
    version: "3.5.3",
    cpu: 2,
    memory: "2GB",
    rootDiskSize: "2GB",
    dataPersistence: true,
    dataVolumeSize: "50GB",
    snapshots: snapshotsOff("@weekly", "2w"),
  },
  prometheus: {
    image: alpineCloudImage,
    version: "3.5.0",
    cpu: 2,
    memory: "2GB",
    rootDiskSize: "2GB",
    dataPersistence: true,
    dataVolumeSize: "100GB",
    snapshots: snapshotsOff("@weekly", "2w"),
  },
  stepCa: {
    image: alpineCloudImage,
    version: "0.28.7",
    cpu: 1,
    memory: "512MB",
    rootDiskSize: "1GB",
    dataPersistence: true,
    dataVolumeSize: "1GB",
    snapshots: snapshotsOff("@weekly", "4w"),
  },
  nodeExporter: {
    image: alpineCloudImage,
    version: "1.9.1",
    cpu: 1,
    memory: "128MB",
    rootDiskSize: "1GB",
    dataPersistence: false,
    dataVolumeSize: "1GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
  cloudflared: {
    image: alpineCloudImage,
    // The newest release whose SHA-256 Atlas could pin (config/releases.ts).
    version: "2026.9.1",
    cpu: 1,
    memory: "256MB",
    rootDiskSize: "1GB",
    dataPersistence: false,
    dataVolumeSize: "1GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
  atlantis: {
    image: "ghcr:accuser-dev/atlas/atlantis:latest",
    version: "latest",
    cpu: 2,
    memory: "1GB",
    rootDiskSize: "2GB",
    dataPersistence: true,
    dataVolumeSize: "10GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
  alertmanager: {
    image: alpineCloudImage,
    version: "0.28.1",
    cpu: 1,
    memory: "256MB",
    rootDiskSize: "1GB",
    dataPersistence: true,
    dataVolumeSize: "1GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
  mosquitto: {
    image: alpineCloudImage,
    version: "2.0.21",
    cpu: 1,
    memory: "256MB",
    rootDiskSize: "1GB",
    dataPersistence: true,
    dataVolumeSize: "5GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
  coredns: {
    image: alpineCloudImage,
    // The newest release whose SHA-256 Atlas could pin (config/releases.ts).
    version: "1.14.4",
    cpu: 1,
    memory: "128MB",
    rootDiskSize: "1GB",
    dataPersistence: false,
    dataVolumeSize: "1GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
  promtail: {
    image: alpineCloudImage,
    version: "3.5.3",
    cpu: 1,
    memory: "256MB",
    rootDiskSize: "1GB",
    dataPersistence: false,
    dataVolumeSize: "1GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
  ovnCentral: {
    image: alpineCloudImage,
    version: "24.03",
    cpu: 1,
    memory: "512MB",
    rootDiskSize: "1GB",
    dataPersistence: true,
    dataVolumeSize: "1GB",
    snapshots: snapshotsOff("@daily", "7d"),
  },
};

export const defaultClusterNodes = ["node01", "node02", "node03"];
