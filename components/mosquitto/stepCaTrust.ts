/** step-ca as the certificate helper reaches and trusts it, checked for the script. */
export interface MosquittoCaTrust {
  /** The CA's base URL: `https://host[:port]`, nothing a shell word would need quoted. */
  caUrl: string;
  /** The pinned root fingerprint: 64 lowercase hex digits. */
  fingerprint: string;
}

const baseUrl = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const fingerprintPattern = /^[0-9a-f]{64}$/;

/**
 * The values the certificate helper runs with. Both arrive from another stack, so they
 * are checked before they go into a shell script: the CA's base URL (step appends
 * `/roots.pem` and the ACME paths; an ACME directory URL here breaks both), and a root
 * fingerprint, without which the helper would have to trust whatever root it is served.
 */
export function mosquittoCaTrust(
  instanceName: string,
  caUrl: string | undefined,
  fingerprint: string | undefined,
): MosquittoCaTrust {
  if (!caUrl || !baseUrl.test(caUrl)) {
    throw new Error(
      `${instanceName}: mosquitto.enableTls: step-ca URL '${caUrl ?? ""}' is not the CA's base URL ` +
        `(https://host:port, no path, e.g. https://step-ca01.incus:9000)`,
    );
  }
  const pin = (fingerprint ?? "").toLowerCase();
  if (!fingerprintPattern.test(pin)) {
    throw new Error(
      `${instanceName}: mosquitto.enableTls: step-ca root fingerprint '${fingerprint ?? ""}' is not ` +
        `64 hex digits as \`step certificate fingerprint\` prints them; TLS is not enabled without one`,
    );
  }
  return { caUrl, fingerprint: pin };
}
