// @ts-check
/**
 * Alert receivers for the contract tests, run inside a lab namespace (so it is plain
 * JavaScript started with `node`): a webhook and a Slack endpoint (HTTP) and an SMTP
 * server with STARTTLS and AUTH PLAIN/LOGIN. Every delivery is appended as one JSON line
 * to the output file the test reads.
 *
 *   node receivers.mjs '{"address":"10.20.0.1","webhookPort":9095,"slackPort":9096,
 *     "smtpPort":2525,"certFile":"...","keyFile":"...","out":"deliveries.jsonl"}'
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as tls from "node:tls";

/** @type {{address: string, webhookPort: number, slackPort: number, smtpPort: number, certFile: string, keyFile: string, out: string}} */
const options = JSON.parse(process.argv[2] ?? "{}");

/** @param {Record<string, unknown>} record */
function deliver(record) {
  fs.appendFileSync(
    options.out,
    `${JSON.stringify({ at: new Date().toISOString(), ...record })}\n`,
  );
}

/** @param {"webhook" | "slack"} kind @param {number} port */
function httpReceiver(kind, port) {
  http
    .createServer((request, response) => {
      const chunks = /** @type {Buffer[]} */ ([]);
      request.on("data", (chunk) => chunks.push(chunk));
      request.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        /** @type {unknown} */
        let body = text;
        try {
          body = JSON.parse(text);
        } catch {
          // kept as text
        }
        deliver({ kind, method: request.method, path: request.url, body });
        response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
    })
    .listen(port, options.address);
}

const key = fs.readFileSync(options.keyFile);
const cert = fs.readFileSync(options.certFile);

/** @param {net.Socket} plain */
function smtpSession(plain) {
  /** @type {net.Socket | tls.TLSSocket} */
  let socket = plain;
  let secure = false;
  let buffer = "";
  let inData = false;
  /** @type {string[]} */
  let data = [];
  /** @type {{from: string, to: string[], auth: {user: string, password: string} | null}} */
  const envelope = { from: "", to: [], auth: null };
  /** @type {((line: string) => void) | null} */
  let pending = null;

  /** @param {string} text */
  const reply = (text) => socket.write(`${text}\r\n`);

  /** @param {string} line */
  function onLine(line) {
    if (pending) {
      const next = pending;
      pending = null;
      next(line);
      return;
    }
    if (inData) {
      if (line === ".") {
        inData = false;
        deliver({
          kind: "email",
          tls: secure,
          from: envelope.from,
          to: envelope.to,
          auth: envelope.auth,
          data: data.join("\n"),
        });
        data = [];
        reply("250 2.0.0 queued");
      } else {
        data.push(line.startsWith("..") ? line.slice(1) : line);
      }
      return;
    }
    const [verb, ...rest] = line.split(" ");
    const argument = rest.join(" ");
    switch (verb.toUpperCase()) {
      case "EHLO":
      case "HELO":
        socket.write(
          secure
            ? "250-receiver.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
            : "250-receiver.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
        );
        return;
      case "STARTTLS": {
        reply("220 2.0.0 ready to start TLS");
        plain.removeAllListeners("data");
        const upgraded = new tls.TLSSocket(plain, { isServer: true, key, cert });
        socket = upgraded;
        secure = true;
        buffer = "";
        upgraded.on("data", onData);
        upgraded.on("error", () => upgraded.destroy());
        return;
      }
      case "AUTH": {
        const [mechanism, initial] = argument.split(" ");
        if (mechanism.toUpperCase() === "PLAIN") {
          /** @param {string} encoded */
          const plainAuth = (encoded) => {
            const [, user, password] = Buffer.from(encoded, "base64").toString("utf8").split("\0");
            envelope.auth = { user, password };
            reply("235 2.7.0 accepted");
          };
          if (initial) plainAuth(initial);
          else {
            reply("334 ");
            pending = plainAuth;
          }
          return;
        }
        if (mechanism.toUpperCase() === "LOGIN") {
          reply("334 VXNlcm5hbWU6");
          pending = (userLine) => {
            reply("334 UGFzc3dvcmQ6");
            pending = (passwordLine) => {
              envelope.auth = {
                user: Buffer.from(userLine, "base64").toString("utf8"),
                password: Buffer.from(passwordLine, "base64").toString("utf8"),
              };
              reply("235 2.7.0 accepted");
            };
          };
          return;
        }
        reply("504 5.5.4 mechanism not supported");
        return;
      }
      case "MAIL":
        envelope.from = argument.replace(/^FROM:/i, "").trim();
        envelope.to = [];
        reply("250 2.1.0 ok");
        return;
      case "RCPT":
        envelope.to.push(argument.replace(/^TO:/i, "").trim());
        reply("250 2.1.5 ok");
        return;
      case "DATA":
        inData = true;
        reply("354 end with <CRLF>.<CRLF>");
        return;
      case "RSET":
      case "NOOP":
        reply("250 2.0.0 ok");
        return;
      case "QUIT":
        reply("221 2.0.0 bye");
        socket.end();
        return;
      default:
        reply("502 5.5.2 unknown command");
    }
  }

  /** @param {Buffer} chunk */
  function onData(chunk) {
    buffer += chunk.toString("utf8");
    let index;
    while ((index = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      onLine(line);
    }
  }

  plain.on("data", onData);
  plain.on("error", () => plain.destroy());
  reply("220 receiver.test ESMTP atlas contract sink");
}

httpReceiver("webhook", options.webhookPort);
httpReceiver("slack", options.slackPort);
net.createServer(smtpSession).listen(options.smtpPort, options.address);
process.on("SIGTERM", () => process.exit(0));
