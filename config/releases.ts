/**
 * The upstream releases Atlas installs, in one table: where each service's download
 * lives and the published SHA-256 of every (version, architecture) Atlas has pinned.
 * The install script refuses any download whose hash differs, and any architecture
 * without a hash (templates/install-release.sh.mustache). A version missing from the
 * table is refused at config validation unless the operator pins it in
 * `atlas:services.<service>.releaseSha256` (config/releasePins.ts).
 *
 * Only a hash found published for that exact file name goes in, with where it was found
 * beside it; none is ever guessed. A version listed with no hash for an architecture is
 * one Atlas knows but could not find a published hash for: it plans, and its install
 * script refuses that architecture until the operator (or a maintainer, here) pins it.
 */

/** The CPU architectures Atlas instances run on, as the release archives name them. */
export const releaseArchitectures = ["amd64", "arm64"] as const;
export type ReleaseArchitecture = (typeof releaseArchitectures)[number];

/** SHA-256 (64 lowercase hex digits) of a release download, per architecture. */
export type ReleaseSha256 = Partial<Record<ReleaseArchitecture, string>>;

/** Where one service's releases come from and the hashes pinned for them. */
export interface ReleaseSource {
  /** The download for one version and architecture (archive or bare binary). */
  url(version: string, arch: ReleaseArchitecture): string;
  /** Pinned SHA-256 per known version, per architecture (see above for a missing one). */
  sha256: Readonly<Record<string, ReleaseSha256>>;
}

/** The services installed from an upstream release (the others come from Alpine packages). */
export const releaseServices = [
  "grafana",
  "loki",
  "prometheus",
  "stepCa",
  "nodeExporter",
  "cloudflared",
  "alertmanager",
  "coredns",
  "promtail",
] as const;
export type ReleaseService = (typeof releaseServices)[number];

const github = (project: string, tag: string, file: string): string =>
  `https://github.com/${project}/releases/download/${tag}/${file}`;

export const releases: Readonly<Record<ReleaseService, ReleaseSource>> = {
  grafana: {
    // Grafana's release pipeline publishes its linux archive a second time as
    // `-musl.tar.gz`, a copy of the same build with the same .sha256 (grafana/grafana's
    // artifact mapping, "OSS: Linux AMD64 with MUSL copy"): the plain name runs on Alpine
    // alike, and it is the name whose hashes are published in pins Atlas could check.
    url: (v, arch) => `https://dl.grafana.com/oss/release/grafana-${v}.linux-${arch}.tar.gz`,
    sha256: {
      // As pinned in Zulip's puppet/zulip/manifests/common.pp ('grafana', from
      // grafana.com/grafana/download); amd64 also matches the pin of the same build's
      // grafana_12.2.0_17949786146_linux_amd64.tar.gz in other projects.
      "12.2.0": {
        amd64: "c4f53551ed4887c792caeb9d02fa0c1a36e3db9ee8bdda32b1ced810cb135a93",
        arm64: "ef84a75b6888e4674e3d2a21ae586cda61999ec202298e855c5de71fd242eb35",
      },
    },
  },
  loki: {
    url: (v, arch) => github("grafana/loki", `v${v}`, `loki-linux-${arch}.zip`),
    sha256: {
      // No published hash of v3.5.3's zips was found (its SHA256SUMS was out of reach):
      // refused at install until pinned.
      "3.5.3": {},
    },
  },
  prometheus: {
    url: (v, arch) =>
      github("prometheus/prometheus", `v${v}`, `prometheus-${v}.linux-${arch}.tar.gz`),
    sha256: {
      // Upstream sha256sums.txt of v3.5.0, as pinned in OpenStack Kolla's
      // kolla/common/sources.py ('prometheus-server'); amd64 also in several CI pins.
      "3.5.0": {
        amd64: "e811827af26d822afb09a4f28314f61b618b12cff5369835a67f674d8b46f39a",
        arm64: "173389cc42bf09c4e6e54cb53fa07a5a835d7c261e14775d2183181d6e385d1c",
      },
    },
  },
  stepCa: {
    url: (v, arch) =>
      github("smallstep/certificates", `v${v}`, `step-ca_linux_${v}_${arch}.tar.gz`),
    sha256: {
      // No published hash of v0.28.7's archives was found (its checksums.txt was out of
      // reach): refused at install until pinned.
      "0.28.7": {},
    },
  },
  nodeExporter: {
    url: (v, arch) =>
      github("prometheus/node_exporter", `v${v}`, `node_exporter-${v}.linux-${arch}.tar.gz`),
    sha256: {
      // Upstream sha256sums.txt of v1.9.1, as pinned in OpenStack Kolla's
      // kolla/common/sources.py ('prometheus-node-exporter') and in boxcutter's Chef
      // cookbook (boxcutter-chef-cookbooks, boxcutter_prometheus attributes).
      "1.9.1": {
        amd64: "becb950ee80daa8ae7331d77966d94a611af79ad0d3307380907e0ec08f5b4e8",
        arm64: "848f139986f63232ced83babe3cad1679efdbb26c694737edc1f4fbd27b96203",
      },
    },
  },
  cloudflared: {
    // A bare binary, no archive.
    url: (v, arch) => github("cloudflare/cloudflared", v, `cloudflared-linux-${arch}`),
    sha256: {
      // Cloudflare lists the SHA-256 in each release's notes; 2026.9.1's, as pinned in
      // two unrelated projects (Coolify Control's connector.Dockerfile, "verified against
      // the SHA256 published in its release notes", and Sessionboxer's PINNED_SHA256).
      "2026.9.1": {
        amd64: "03f1f25d1cc93b9ad6c60569d44060bc4f17ed97075760ed8cfca4b12dcd68cc",
        arm64: "3d97437c71848bd8df68041e12436b484a661d95073ea1937f01a845ce88faa3",
      },
    },
  },
  alertmanager: {
    url: (v, arch) =>
      github("prometheus/alertmanager", `v${v}`, `alertmanager-${v}.linux-${arch}.tar.gz`),
    sha256: {
      // Upstream sha256sums.txt of v0.28.1, as pinned in OpenStack Kolla's
      // kolla/common/sources.py ('prometheus-alertmanager') and boxcutter/oci's
      // prometheus/alertmanager/docker-bake.hcl.
      "0.28.1": {
        amd64: "5ac7ab5e4b8ee5ce4d8fb0988f9cb275efcc3f181b4b408179fafee121693311",
        arm64: "d8832540e5b9f613d2fd759e31d603173b9c61cc7bb5e3bc7ae2f12038b1ce4f",
      },
    },
  },
  coredns: {
    url: (v, arch) => github("coredns/coredns", `v${v}`, `coredns_${v}_linux_${arch}.tgz`),
    sha256: {
      // The release's coredns_1.14.4_linux_<arch>.tgz.sha256 files, as pinned in
      // cloud-in-a-bottle's ansible/tasks/coredns.yml and pinned_binary.py, and in the
      // AUR's coredns-bin PKGBUILD (sha256sums_x86_64 / _aarch64).
      "1.14.4": {
        amd64: "5b0e6a6a8b97bdcaec65baa70e83ca88ce03ab852355c656e3f7953405cfe36e",
        arm64: "b3491ed0fbe530a549640a4073d90037ffafa483f007936e1943c1ae0def7325",
      },
    },
  },
  promtail: {
    url: (v, arch) => github("grafana/loki", `v${v}`, `promtail-linux-${arch}.zip`),
    sha256: {
      // Released with Loki v3.5.3; no published hash of its zips was found: refused at
      // install until pinned.
      "3.5.3": {},
    },
  },
};

/** Whether a service is installed from an upstream release (and so pinned here). */
export function isReleaseService(service: string): service is ReleaseService {
  return (releaseServices as readonly string[]).includes(service);
}
