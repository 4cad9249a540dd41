/**
 * The extractor the contract tests start every daemon from (./instanceFiles.ts): files from cloud-init's
 * `write_files` and from the Instance's `files` input are both found, secrets unwrapped,
 * and the `files` input wins where both name a path (Incus writes it last).
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../automation/shape/mockedRun";
import { instanceFiles, unwrapSecrets } from "./instanceFiles";

const secret = (value: unknown) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  value,
});

function instance(inputs: Record<string, unknown>): RecordedResource {
  return { type: "incus:index:Instance", name: "mosquitto01", inputs, dependencies: [] };
}

const userData = [
  "#cloud-config",
  "write_files:",
  "  - path: /etc/mosquitto/mosquitto.conf",
  "    content: |",
  "      listener 1883",
  '    permissions: "0644"',
  "  - path: /etc/init.d/mosquitto",
  "    content: '#!/sbin/openrc-run'",
  "",
].join("\n");

describe("renderedFiles", () => {
  it("collects write_files from the user-data and the Instance files input", () => {
    const files = instanceFiles(
      instance({
        config: { "cloud-init.user-data": userData },
        files: [
          { targetPath: "/etc/conf.d/mosquitto", content: "command_args='-c x'\n", mode: "0644" },
        ],
      }),
    );
    expect([...files.keys()].sort()).toEqual([
      "/etc/conf.d/mosquitto",
      "/etc/init.d/mosquitto",
      "/etc/mosquitto/mosquitto.conf",
    ]);
    expect(files.get("/etc/mosquitto/mosquitto.conf")).toEqual({
      content: "listener 1883\n",
      mode: "0644",
      source: "write_files",
    });
    expect(files.get("/etc/conf.d/mosquitto")?.source).toBe("files");
  });

  it("unwraps secret user-data and secret file contents", () => {
    const files = instanceFiles(
      instance({
        config: secret({ "cloud-init.user-data": secret(userData) }),
        files: secret([
          { targetPath: "/etc/mosquitto/passwd", content: secret("u:$7$x\n"), mode: "0640" },
        ]),
      }),
    );
    expect(files.get("/etc/mosquitto/passwd")).toEqual({
      content: "u:$7$x\n",
      mode: "0640",
      source: "files",
    });
    expect(files.get("/etc/mosquitto/mosquitto.conf")?.content).toBe("listener 1883\n");
  });

  it("the files input wins over write_files for the same path; uploads without content are skipped", () => {
    const files = instanceFiles(
      instance({
        config: { "cloud-init.user-data": userData },
        files: [
          { targetPath: "/etc/mosquitto/mosquitto.conf", content: "listener 1884\n", mode: "0640" },
          { targetPath: "/etc/mosquitto/ca.crt", sourcePath: "/tmp/ca.crt" },
        ],
      }),
    );
    expect(files.get("/etc/mosquitto/mosquitto.conf")).toEqual({
      content: "listener 1884\n",
      mode: "0640",
      source: "files",
    });
    expect(files.has("/etc/mosquitto/ca.crt")).toBe(false);
  });

  it("an instance without user-data or files has none", () => {
    expect(instanceFiles(instance({ name: "x" })).size).toBe(0);
    expect(unwrapSecrets([secret(1), { a: secret("b") }])).toEqual([1, { a: "b" }]);
  });
});
