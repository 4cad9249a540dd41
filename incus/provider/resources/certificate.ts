import * as crypto from "node:crypto";
import type { CheckFailure } from "@pulumi/pulumi/provider";
import { type ReadResultProps, enc, str } from "../handler";
import { type ResourceSpec } from "../schema";
import type { PropertyMap } from "../values";
import { type Json, RestHandler } from "./rest";

interface LiveCertificate extends Json {
  name: string;
  type: string;
  certificate: string;
  description: string;
  restricted: boolean;
  projects: string[];
  fingerprint: string;
}

/** Canonical PEM and SHA-256 fingerprint (lowercase hex, as Incus prints it). */
export function parseCertificate(pem: string): { pem: string; fingerprint: string; der: Buffer } {
  const cert = new crypto.X509Certificate(pem);
  return {
    pem: cert.toString().trim() + "\n",
    fingerprint: cert.fingerprint256.replace(/:/g, "").toLowerCase(),
    der: cert.raw,
  };
}

export const certificateSpec: ResourceSpec = {
  token: "incus:index:Certificate",
  label: "Certificate",
  description: "A trusted client or metrics certificate (`/1.0/certificates/<fingerprint>`).",
  outputs: {
    fingerprint: {
      kind: "string",
      description: "SHA-256 fingerprint Incus computed for the certificate.",
    },
  },
  identity: ["certificate"],
  props: {
    name: { kind: "string", required: true },
    certificate: { kind: "string", required: true, replaceOnChange: true },
    type: { kind: "string", enum: ["client", "metrics"], default: "client", replaceOnChange: true },
    description: { kind: "string", computedWhenOmitted: true },
    restricted: { kind: "boolean", default: false },
    projects: { kind: "stringList", default: [] },
  },
  validate: (i) => {
    const failures: CheckFailure[] = [];
    if (typeof i.certificate === "string") {
      try {
        parseCertificate(i.certificate);
      } catch (e) {
        failures.push({
          property: "certificate",
          reason: `must be a PEM-encoded X.509 certificate (${(e as Error).message})`,
        });
      }
    }
    if (i.restricted !== true && Array.isArray(i.projects) && i.projects.length > 0) {
      failures.push({
        property: "projects",
        reason: "projects only apply to a restricted certificate; set restricted=true",
      });
    }
    return failures;
  },
};

/** A trusted certificate, `/1.0/certificates/<fingerprint>`; id is the fingerprint. */
export class CertificateHandler extends RestHandler<LiveCertificate> {
  readonly spec = certificateSpec;
  protected readonly projectScoped = false;
  protected computedKeys = ["fingerprint"];

  check(
    news: PropertyMap,
    resourceName: string,
  ): { inputs: PropertyMap; failures: CheckFailure[] } {
    const res = super.check(news, resourceName);
    // Canonical PEM so that whitespace differences never show up as a (replacing) change.
    if (res.failures.length === 0 && typeof res.inputs.certificate === "string") {
      res.inputs.certificate = parseCertificate(res.inputs.certificate).pem;
    }
    return res;
  }
  protected target(): undefined {
    return undefined;
  }
  protected describe(i: PropertyMap): string {
    return `certificate "${str(i.name) ?? "(import)"}"${typeof i.fingerprint === "string" ? ` (${i.fingerprint.slice(0, 12)})` : ""}`;
  }
  protected collectionPath(): string {
    return "/1.0/certificates";
  }
  protected objectPath(i: PropertyMap): string {
    const fp =
      typeof i.fingerprint === "string"
        ? i.fingerprint
        : parseCertificate(String(i.certificate)).fingerprint;
    return `/1.0/certificates/${enc(fp)}`;
  }
  protected idOf(i: PropertyMap): string {
    return parseCertificate(String(i.certificate)).fingerprint;
  }
  protected identityFromId(id: string): PropertyMap {
    return { fingerprint: id };
  }
  protected stateAfterCreate(i: PropertyMap): PropertyMap {
    return { description: "", ...i, fingerprint: this.idOf(i) };
  }
  createBody(i: PropertyMap): Json {
    return {
      name: i.name,
      type: i.type,
      // The API takes the DER bytes base64-encoded (PEM without its armour and line breaks).
      certificate: parseCertificate(String(i.certificate)).der.toString("base64"),
      description: str(i.description) ?? "",
      restricted: i.restricted === true,
      projects: Array.isArray(i.projects) ? i.projects : [],
    };
  }
  protected putBody(live: LiveCertificate, _olds: PropertyMap, news: PropertyMap): Json {
    return {
      name: news.name,
      type: live.type,
      description: str(news.description) ?? live.description,
      restricted: news.restricted === true,
      projects: Array.isArray(news.projects) ? news.projects : [],
    };
  }
  protected fromLive(live: LiveCertificate, state: PropertyMap): ReadResultProps["props"] {
    return {
      name: live.name,
      certificate: live.certificate ? parseCertificate(live.certificate).pem : state.certificate,
      type: live.type,
      description: live.description ?? "",
      restricted: live.restricted === true,
      projects: [...(live.projects ?? [])],
      fingerprint: live.fingerprint ?? state.fingerprint,
    };
  }
}
