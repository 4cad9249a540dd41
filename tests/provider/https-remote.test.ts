/**
 * A real HTTPS remote with mutual TLS: the test daemon listens on loopback, trusts a client
 * certificate made here, and the client finds everything through a temporary INCUS_CONF,
 * as it would after `incus remote add`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IncusClient } from "../../incus/client";
import { IncusProvider } from "../../incus/provider/provider";
import { cleanup, incus, incusOk, makeCertificate, requireDaemon, uniq } from "../helpers/incus";

const port = 18000 + Math.floor(Math.random() * 1000);
const remote = "ptest-https";
let conf = "";
let fingerprint = "";
const profile = uniq("ptest-tls");

function writeConf(dir: string, serverCert: string, client: { cert: string; key: string }): void {
  fs.mkdirSync(path.join(dir, "servercerts"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "config.yml"),
    `default-remote: ${remote}\nremotes:\n  ${remote}:\n    addr: https://127.0.0.1:${port}\n    protocol: incus\n    auth_type: tls\n`,
  );
  fs.writeFileSync(path.join(dir, "client.crt"), client.cert);
  fs.writeFileSync(path.join(dir, "client.key"), client.key, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "servercerts", `${remote}.crt`), serverCert);
}

beforeAll(async () => {
  await requireDaemon();
  const client = makeCertificate("ptest-https-client");
  conf = fs.mkdtempSync(path.join(os.tmpdir(), "ptest-incus-conf-"));
  fs.writeFileSync(path.join(conf, "trust.crt"), client.cert);
  incus([
    "config",
    "trust",
    "add-certificate",
    path.join(conf, "trust.crt"),
    "--name",
    "ptest-https",
  ]);
  fingerprint = JSON.parse(incus(["query", "/1.0/certificates?recursion=1"])).find(
    (c: { name: string }) => c.name === "ptest-https",
  ).fingerprint;
  incus(["config", "set", `core.https_address=127.0.0.1:${port}`]);
  const serverCert = JSON.parse(incus(["query", "/1.0"])).environment.certificate as string;
  writeConf(conf, serverCert, client);
});

afterAll(() => {
  cleanup([
    ["profile", "delete", profile],
    ["config", "unset", "core.https_address"],
    ["config", "trust", "remove", fingerprint],
  ]);
  if (conf) fs.rmSync(conf, { recursive: true, force: true });
});

describe("HTTPS remote with mutual TLS", () => {
  it("talks to the daemon as a trusted client through the CLI config's default remote", async () => {
    const c = new IncusClient({ env: { INCUS_CONF: conf } });
    try {
      expect(c.endpoint.kind).toBe("https");
      expect(c.remote).toBe(remote);
      const info = await c.get<{ auth: string; auth_user_method: string }>("/1.0", {
        project: false,
      });
      expect(info.value.auth).toBe("trusted");
      expect(info.value.auth_user_method).toBe("tls");
    } finally {
      c.close();
    }
  });

  it("the provider creates, reads and deletes through the remote", async () => {
    const p = new IncusProvider({ remote }, { INCUS_CONF: conf });
    const u = `urn:pulumi:s::atlas::incus:index:Profile::tls`;
    const c = await p.check(u, {}, { name: profile, config: { "limits.cpu": "1" } });
    const r = await p.create(u, c.inputs);
    expect(incus(["profile", "get", profile, "limits.cpu"]).trim()).toBe("1");
    expect((await p.read(r.id, u, r.outs)).props).toMatchObject({ name: profile });
    await p.delete(r.id, u, r.outs);
    expect(incusOk(["profile", "show", profile])).toBe(false);
  });

  it("refuses a server whose certificate is not the pinned one", async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "ptest-incus-conf-"));
    try {
      writeConf(other, makeCertificate("impostor").cert, {
        cert: fs.readFileSync(path.join(conf, "client.crt"), "utf8"),
        key: fs.readFileSync(path.join(conf, "client.key"), "utf8"),
      });
      const c = new IncusClient({ env: { INCUS_CONF: other }, readAttempts: 1 });
      const err = await c
        .get("/1.0", { project: false, object: "server" })
        .catch((e: unknown) => e);
      c.close();
      expect(String(err)).toContain(`Incus remote "${remote}"`);
      expect(String(err)).toContain(`does not match the pinned servercerts/${remote}.crt`);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it("an untrusted client certificate is forbidden, with the remote named", async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "ptest-incus-conf-"));
    try {
      writeConf(
        other,
        fs.readFileSync(path.join(conf, "servercerts", `${remote}.crt`), "utf8"),
        makeCertificate("stranger"),
      );
      const c = new IncusClient({ env: { INCUS_CONF: other } });
      const err = await c.get("/1.0/profiles", { object: "profiles" }).catch((e: unknown) => e);
      c.close();
      expect(String(err)).toMatch(new RegExp(`Incus remote "${remote}": profiles: forbidden`));
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
