/**
 * Shapes shared by several Incus resources, mirroring the Terraform Incus provider's
 * nested blocks (camelCased) so a published provider could replace this SDK by an
 * import change.
 */

/** An Incus device (`devices.<name>` in the REST API): its type and its properties. */
export interface Device {
  name: string;
  /** Incus device type: disk, nic, proxy, unix-char, ... */
  type: string;
  properties: Record<string, string>;
}

/** A file pushed into an instance after creation. */
export interface InstanceFile {
  /** Absolute path inside the instance. */
  targetPath: string;
  /** File content (mutually exclusive with sourcePath). */
  content?: string;
  /** Path of a local file to upload (mutually exclusive with content). */
  sourcePath?: string;
  /** Octal mode string, e.g. "0644" (default "0644"). */
  mode?: string;
  uid?: number;
  gid?: number;
  /** Create missing parent directories (default true). */
  createDirectories?: boolean;
}

/** A backend of an OVN network load balancer. */
export interface NetworkLbBackend {
  name: string;
  description?: string;
  targetAddress: string;
  /** Target port(s), e.g. "1883" or "80,443"; defaults to the listen port. */
  targetPort?: string;
}

/** A listening port of an OVN network load balancer. */
export interface NetworkLbPort {
  description?: string;
  /** tcp or udp (default tcp). */
  protocol?: string;
  /** Listen port(s), e.g. "1883" or "53". */
  listenPort: string;
  /** Names of the backends that serve this port. */
  targetBackend: string[];
}

/** A network ACL rule. */
export interface NetworkAclRule {
  /** allow, allow-stateless, drop or reject. */
  action: string;
  /** enabled, disabled or logged. */
  state: string;
  description?: string;
  source?: string;
  destination?: string;
  /** icmp4, icmp6, tcp or udp. */
  protocol?: string;
  sourcePort?: string;
  destinationPort?: string;
  icmpType?: string;
  icmpCode?: string;
}
