import { renderTemplate } from "../shared/render";

/** Where Mosquitto's files live in the container (the reference's paths). */
export const mosquittoPaths = {
  config: "/etc/mosquitto/mosquitto.conf",
  passwordFile: "/etc/mosquitto/passwd",
  dataDir: "/mosquitto/data",
  certDir: "/etc/mosquitto/certs",
} as const;

export interface MosquittoTlsFiles {
  cafile: string;
  certfile: string;
  keyfile: string;
}

export interface MosquittoConfOptions {
  mqttPort: number;
  mqttsPort: number;
  /** Password file path; omit for anonymous access. */
  passwordFile?: string;
  /** Certificate files of the MQTTS listener; omit to serve MQTT only. */
  tls?: MosquittoTlsFiles;
  dataDir?: string;
  /** Listen address; omit for every interface. */
  bindAddress?: string;
  /** Account the broker drops privileges to. */
  runAsUser?: string;
  /** `log_dest` value, e.g. `syslog` or `stdout`. */
  logDest?: string;
}

/** The certificate files the step-ca helper writes for the MQTTS listener. */
export function mosquittoTlsFiles(certDir: string = mosquittoPaths.certDir): MosquittoTlsFiles {
  return {
    cafile: `${certDir}/root_ca.crt`,
    certfile: `${certDir}/server.crt`,
    keyfile: `${certDir}/server.key`,
  };
}

/**
 * Renders mosquitto.conf. The component renders it with the container's paths; the
 * template test renders it with a scratch directory and loopback ports and starts a real
 * broker on it.
 */
export function renderMosquittoConf(options: MosquittoConfOptions): string {
  return renderTemplate("mosquitto.conf.mustache", {
    mqttPort: options.mqttPort,
    mqttsPort: options.mqttsPort,
    passwordFile: options.passwordFile ?? "",
    tls: options.tls ?? false,
    dataDir: options.dataDir ?? mosquittoPaths.dataDir,
    bindAddress: options.bindAddress ?? "",
    runAsUser: options.runAsUser ?? "mosquitto",
    logDest: options.logDest ?? "syslog",
  });
}
