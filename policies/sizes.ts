/**
 * Sizes as Incus writes them (`512MB`, `2GB`, `1TB`, `10GiB`), in bytes. Incus reads
 * decimal suffixes as powers of 1000 and `*iB` suffixes as powers of 1024, so the
 * policies do too: a limit and a capacity are always compared in the same unit.
 *
 * The strict formats Atlas accepts in stack config (memory in MB/GB, disks in MB/GB/TB)
 * live in config/rules.ts and are reused here for the format checks.
 */
import { cpuCores, diskSize, memorySize } from "../config/rules";

const unitBytes: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  PiB: 1024 ** 5,
};

/** Bytes in an Incus size, or undefined when it is not one (a bare number is bytes). */
export function parseSize(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kKMGTP]i?B|B)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = unitBytes[m[2] ?? "B"];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** A size for messages: the largest decimal unit that keeps it readable (`1.5GB`). */
export function formatSize(bytes: number): string {
  for (const unit of ["TB", "GB", "MB", "kB"]) {
    const value = bytes / unitBytes[unit];
    if (value >= 1) return `${Number(value.toFixed(1))}${unit}`;
  }
  return `${bytes}B`;
}

/** Whether `limits.memory` is in the reference's format: a whole number of MB or GB. */
export function isMemoryLimitFormat(text: string): boolean {
  return memorySize(text).ok;
}

/** Whether a disk or volume size is in Atlas's format: a whole number of MB, GB or TB. */
export function isDiskSizeFormat(text: string): boolean {
  return diskSize(text).ok;
}

/** Whether `limits.cpu` is a core count from 1 to 64 (the reference's validation). */
export function isCpuLimit(text: string): boolean {
  return cpuCores(text).ok;
}
