/**
 * Release pins in the configuration: every version Atlas installs from a release has a
 * SHA-256 from the table (config/releases.ts) or from `services.<name>.releaseSha256`,
 * and a version with neither is refused before anything is registered.
 */
import { describe, expect, it } from "vitest";
import {
  ConfigValidationError,
  parseAtlasConfig,
  pinnedRelease,
  releaseArchitectures,
  releases,
  releaseServices,
  serviceDefaults,
  unpinnedArchitectures,
  type AtlasConfig,
  type ConfigProblem,
} from "../../../config";

const hashA = "a".repeat(64);
const hashB = "b".repeat(64);

function parse(values: Record<string, unknown>, stack = "iapetus"): AtlasConfig {
  const encoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    encoded[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return parseAtlasConfig({ stack, values: encoded, secretKeys: [] });
}

function problemFor(values: Record<string, unknown>, key: string): ConfigProblem {
  let problems: readonly ConfigProblem[] = [];
  try {
    parse(values);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    problems = (e as ConfigValidationError).problems;
  }
  const problem = problems.find((p) => p.key === key);
  expect(problem, `expected a problem for ${key}, got ${JSON.stringify(problems)}`).toBeDefined();
  return problem!;
}

describe("the release table", () => {
  it("knows every default version, so a default stack plans", () => {
    for (const service of releaseServices) {
      expect(Object.keys(releases[service].sha256), service).toContain(
        serviceDefaults[service].version,
      );
    }
    expect(() => parse({})).not.toThrow();
    expect(() => parse({}, "cluster01")).not.toThrow();
  });

  it("holds only SHA-256 digests: 64 lowercase hex digits", () => {
    for (const service of releaseServices) {
      for (const [version, pins] of Object.entries(releases[service].sha256)) {
        for (const digest of Object.values(pins)) {
          expect(digest, `${service} ${version}`).toMatch(/^[0-9a-f]{64}$/);
        }
      }
    }
  });

  it("pins both architectures of the defaults it found published hashes for", () => {
    // loki, promtail and step-ca have none yet: their scripts refuse until they are pinned.
    const pinned = [
      "grafana",
      "prometheus",
      "nodeExporter",
      "alertmanager",
      "cloudflared",
      "coredns",
    ];
    for (const service of pinned) {
      const settings = serviceDefaults[service as (typeof releaseServices)[number]];
      const release = pinnedRelease(service as (typeof releaseServices)[number], settings);
      expect(
        release.artifacts.map((a) => a.arch),
        service,
      ).toEqual([...releaseArchitectures]);
    }
  });

  it("resolves a default to exact per-architecture downloads and hashes", () => {
    const release = pinnedRelease("prometheus", serviceDefaults.prometheus);
    expect(release).toEqual({
      version: "3.5.0",
      pinKey: "atlas:services.prometheus.releaseSha256",
      artifacts: [
        {
          arch: "amd64",
          url: "https://github.com/prometheus/prometheus/releases/download/v3.5.0/prometheus-3.5.0.linux-amd64.tar.gz",
          sha256: "e811827af26d822afb09a4f28314f61b618b12cff5369835a67f674d8b46f39a",
        },
        {
          arch: "arm64",
          url: "https://github.com/prometheus/prometheus/releases/download/v3.5.0/prometheus-3.5.0.linux-arm64.tar.gz",
          sha256: "173389cc42bf09c4e6e54cb53fa07a5a835d7c261e14775d2183181d6e385d1c",
        },
      ],
    });
    expect(unpinnedArchitectures(release)).toEqual([]);
  });
});

describe("services.<name>.releaseSha256", () => {
  it("refuses a version Atlas has no hash for, naming the service, version, files and key", () => {
    const problem = problemFor(
      { "atlas:services": { loki: { version: "3.6.0" } } },
      "atlas:services.loki.releaseSha256",
    );
    expect(problem.value).toBe("(unset)");
    expect(problem.allowed).toContain("Atlas pins no hash for loki 3.6.0");
    expect(problem.allowed).toContain('"amd64": <SHA-256 of loki-linux-amd64.zip>');
    expect(problem.allowed).toContain('"arm64": <SHA-256 of loki-linux-arm64.zip>');
    expect(problem.allowed).toContain("known versions: 3.5.3");
  });

  it("accepts such a version with the operator's hash, and installs only what is pinned", () => {
    const config = parse({
      "atlas:services": { prometheus: { version: "3.6.0", releaseSha256: { amd64: hashA } } },
    });
    const release = pinnedRelease("prometheus", config.services.prometheus);
    expect(release.artifacts).toEqual([
      {
        arch: "amd64",
        url: "https://github.com/prometheus/prometheus/releases/download/v3.6.0/prometheus-3.6.0.linux-amd64.tar.gz",
        sha256: hashA,
      },
    ]);
    expect(unpinnedArchitectures(release)).toEqual(["arm64"]);
  });

  it("fills in an architecture the table lacks for a known version", () => {
    const config = parse({
      "atlas:services": { loki: { releaseSha256: { amd64: hashA, arm64: hashB } } },
    });
    expect(pinnedRelease("loki", config.services.loki).artifacts.map((a) => a.sha256)).toEqual([
      hashA,
      hashB,
    ]);
  });

  it("normalises upper-case digests", () => {
    const config = parse({
      "atlas:services": { loki: { releaseSha256: { arm64: hashA.toUpperCase() } } },
    });
    expect(config.services.loki.releaseSha256).toEqual({ arm64: hashA });
  });

  it("rejects a value that is not a SHA-256 per known architecture", () => {
    for (const releaseSha256 of [{ amd64: "abc" }, { riscv64: hashA }, [hashA], hashA]) {
      const problem = problemFor(
        { "atlas:services": { loki: { releaseSha256 } } },
        "atlas:services.loki.releaseSha256",
      );
      expect(problem.allowed).toContain("64 hex digits");
      expect(problem.allowed).toContain('"amd64"');
    }
  });

  it("rejects an operator hash that contradicts the pinned one", () => {
    const problem = problemFor(
      { "atlas:services": { prometheus: { releaseSha256: { arm64: hashA } } } },
      "atlas:services.prometheus.releaseSha256.arm64",
    );
    expect(problem.value).toBe(`'${hashA}'`);
    expect(problem.allowed).toContain("prometheus-3.5.0.linux-arm64.tar.gz");
    expect(problem.allowed).toContain(releases.prometheus.sha256["3.5.0"]?.arm64);
  });

  it("rejects a hash for a service that downloads no release", () => {
    const problem = problemFor(
      { "atlas:services": { mosquitto: { releaseSha256: { amd64: hashA } } } },
      "atlas:services.mosquitto.releaseSha256",
    );
    expect(problem.allowed).toContain("not from a release download");
  });
});
