/**
 * A throwaway certificate authority for the contract tests (openssl): server
 * certificates for the names a client checks (Mosquitto's MQTTS listener, the SMTP
 * receiver) and client certificates (Prometheus' Incus metrics certificate), standing
 * in for what step-ca and the Pulumi tls provider issue in a deployment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "./network";

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

export class TestCa {
  readonly certFile: string;
  private readonly keyFile: string;

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.certFile = path.join(dir, "ca.crt");
    this.keyFile = path.join(dir, "ca.key");
    run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=Atlas contract test CA",
      "-keyout",
      this.keyFile,
      "-out",
      this.certFile,
    ]);
  }

  /** Issues a certificate for `name` with DNS/IP `altNames`; `client` for client auth. */
  issue(name: string, altNames: string[], usage: "server" | "client"): IssuedCertificate {
    const base = path.join(this.dir, name.replace(/[^A-Za-z0-9.-]/g, "_"));
    const keyFile = `${base}.key`;
    const certFile = `${base}.crt`;
    const csr = `${base}.csr`;
    const ext = `${base}.ext`;
    run("openssl", [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      keyFile,
      "-out",
      csr,
    ]);
    const sans = altNames.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
    fs.writeFileSync(
      ext,
      [
        ...(sans ? [`subjectAltName=${sans}`] : []),
        `extendedKeyUsage=${usage === "server" ? "serverAuth" : "clientAuth"}`,
        "",
      ].join("\n"),
    );
    run("openssl", [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      this.certFile,
      "-CAkey",
      this.keyFile,
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      ext,
      "-out",
      certFile,
    ]);
    return {
      certFile,
      keyFile,
      certPem: fs.readFileSync(certFile, "utf8"),
      keyPem: fs.readFileSync(keyFile, "utf8"),
    };
  }
}
