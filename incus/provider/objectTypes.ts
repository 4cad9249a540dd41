/**
 * The nested object shapes the resources take in their lists (devices, files, execs,
 * load-balancer backends and ports, ACL rules), described once for the package schema.
 * The per-element validators beside each resource enforce them; the schema test checks
 * that these descriptions, the validators' field names and the SDK's interfaces agree.
 */
import { DEVICE_TYPES } from "./schema";

export type FieldKind = "string" | "boolean" | "integer" | "stringMap" | "stringList" | "list";

export interface FieldSpec {
  kind: FieldKind;
  required?: boolean;
  description: string;
  /** Allowed values of a string. */
  enum?: readonly string[];
  /** Type token of a `list`'s elements. */
  itemType?: string;
}

export interface ObjectTypeSpec {
  token: string;
  description: string;
  properties: Record<string, FieldSpec>;
}

export const objectTypes: readonly ObjectTypeSpec[] = [
  {
    token: "incus:index:Device",
    description: "An Incus device (`devices.<name>` in the REST API): its type and properties.",
    properties: {
      name: { kind: "string", required: true, description: "Device name, unique per owner." },
      type: {
        kind: "string",
        required: true,
        enum: DEVICE_TYPES,
        description: "Incus device type: disk, nic, proxy, unix-char, ...",
      },
      properties: {
        kind: "stringMap",
        required: true,
        description: "The device's settings (path, pool, listen, connect, ...).",
      },
    },
  },
  {
    token: "incus:index:InstanceFile",
    description: "A file pushed into an instance; in an update only changed files are pushed.",
    properties: {
      targetPath: {
        kind: "string",
        required: true,
        description: "Absolute path inside the instance.",
      },
      content: {
        kind: "string",
        description: "File content (or sourcePath). The outputs record contentSha256 instead.",
      },
      contentSha256: {
        kind: "string",
        description: "Output only: the SHA-256 (hex) of content, which state records in its place.",
      },
      sourcePath: { kind: "string", description: "Path of a local file to upload (or content)." },
      mode: { kind: "string", description: 'Octal mode string, e.g. "0644" (default "0644").' },
      uid: { kind: "integer", description: "Owner user id (default 0)." },
      gid: { kind: "integer", description: "Owner group id (default 0)." },
      createDirectories: {
        kind: "boolean",
        description: "Create missing parent directories (default true).",
      },
    },
  },
  {
    token: "incus:index:InstanceExec",
    description:
      "A command run inside the instance through the Incus exec API, waited for until it exits.",
    properties: {
      name: {
        kind: "string",
        required: true,
        description: "Unique among the instance's execs; names the command in messages and state.",
      },
      command: {
        kind: "stringList",
        required: true,
        description: "The argv, run as is (no shell is implied).",
      },
      environment: { kind: "stringMap", description: "Environment variables for the command." },
      uid: { kind: "integer", description: "User id the command runs as (default 0)." },
      gid: { kind: "integer", description: "Group id the command runs as (default 0)." },
      cwd: { kind: "string", description: "Working directory, an absolute path in the instance." },
      trigger: {
        kind: "string",
        required: true,
        enum: ["once", "on_change", "on_start"],
        description:
          "`once` after create (and when new), `on_change` after changed files or config, `on_start` after every start.",
      },
      failOnError: {
        kind: "boolean",
        description: "Whether a non-zero exit or a timeout fails the operation (default true).",
      },
      timeoutSeconds: {
        kind: "integer",
        description: "Seconds the command may run before it is killed (default 120, 1-3600).",
      },
    },
  },
  {
    token: "incus:index:NetworkLbBackend",
    description: "A backend of an OVN network load balancer.",
    properties: {
      name: { kind: "string", required: true, description: "Backend name." },
      description: { kind: "string", description: "Free-form description." },
      targetAddress: { kind: "string", required: true, description: "The backend's IP address." },
      targetPort: {
        kind: "string",
        description: 'Target port(s), e.g. "1883" or "80,443"; defaults to the listen port.',
      },
    },
  },
  {
    token: "incus:index:NetworkLbPort",
    description: "A listening port of an OVN network load balancer.",
    properties: {
      description: { kind: "string", description: "Free-form description." },
      protocol: {
        kind: "string",
        enum: ["tcp", "udp"],
        description: "tcp or udp (default tcp).",
      },
      listenPort: {
        kind: "string",
        required: true,
        description: 'Listen port(s), e.g. "1883" or "53".',
      },
      targetBackend: {
        kind: "stringList",
        required: true,
        description: "Names of the backends that serve this port.",
      },
    },
  },
  {
    token: "incus:index:NetworkAclRule",
    description: "A network ACL rule.",
    properties: {
      action: {
        kind: "string",
        required: true,
        enum: ["allow", "allow-stateless", "drop", "reject"],
        description: "What the rule does to matching traffic.",
      },
      state: {
        kind: "string",
        required: true,
        enum: ["enabled", "disabled", "logged"],
        description: "Whether the rule applies, and whether matches are logged.",
      },
      description: { kind: "string", description: "Free-form description." },
      source: { kind: "string", description: "Source addresses, ranges or subjects." },
      destination: { kind: "string", description: "Destination addresses, ranges or subjects." },
      protocol: {
        kind: "string",
        enum: ["icmp4", "icmp6", "tcp", "udp"],
        description: "icmp4, icmp6, tcp or udp.",
      },
      sourcePort: { kind: "string", description: "Source port(s) (tcp or udp)." },
      destinationPort: { kind: "string", description: "Destination port(s) (tcp or udp)." },
      icmpType: { kind: "string", description: "ICMP type (icmp4 or icmp6)." },
      icmpCode: { kind: "string", description: "ICMP code (icmp4 or icmp6)." },
    },
  },
];
