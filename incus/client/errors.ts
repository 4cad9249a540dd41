/**
 * Typed Incus errors. Every error names the object (e.g. `profile "web" in project
 * "default"`) and the remote it was sent to, so a failed `pulumi up` says what broke where
 * without a debug log.
 */

export type IncusErrorKind =
  | "not-found"
  | "conflict"
  | "precondition-failed"
  | "forbidden"
  | "bad-request"
  | "server"
  | "transport"
  | "timeout"
  | "operation-failed";

export interface IncusErrorDetails {
  kind: IncusErrorKind;
  /** HTTP status (or the operation's status code); 0 for transport failures. */
  status: number;
  /** Human name of the object, e.g. `network "br0" in project "default"`. */
  object: string;
  remote: string;
  method: string;
  path: string;
  /** The message Incus returned, unchanged. */
  incusMessage: string;
}

export class IncusError extends Error {
  readonly kind: IncusErrorKind;
  readonly status: number;
  readonly object: string;
  readonly remote: string;
  readonly method: string;
  readonly path: string;
  readonly incusMessage: string;

  constructor(details: IncusErrorDetails, message?: string) {
    super(message ?? IncusError.describe(details));
    this.name = new.target.name;
    this.kind = details.kind;
    this.status = details.status;
    this.object = details.object;
    this.remote = details.remote;
    this.method = details.method;
    this.path = details.path;
    this.incusMessage = details.incusMessage;
  }

  static describe(d: IncusErrorDetails): string {
    const what: Record<IncusErrorKind, string> = {
      "not-found": "not found",
      conflict: "conflict (already exists or in use)",
      "precondition-failed":
        "changed on the server since it was read (ETag mismatch); refresh and retry",
      forbidden: "forbidden (the client certificate is not allowed to do this)",
      "bad-request": "rejected",
      server: "server error",
      transport: "could not reach the Incus daemon",
      timeout: "no answer in time",
      "operation-failed": "operation failed",
    };
    return `Incus remote "${d.remote}": ${d.object}: ${what[d.kind]}: ${d.incusMessage} (${d.method} ${d.path}${d.status ? `, ${d.status}` : ""})`;
  }
}

export class NotFoundError extends IncusError {}
export class ConflictError extends IncusError {}
export class PreconditionFailedError extends IncusError {}
export class ForbiddenError extends IncusError {}
export class TransportError extends IncusError {}
/** The daemon did not connect or did not answer within the client's timeouts. */
export class TimeoutError extends TransportError {}
export class OperationError extends IncusError {}

/**
 * How Incus words a duplicate when it does not answer 409: a database error (500) on some
 * requests, and a failed operation ("UNIQUE constraint failed") on an instance create.
 */
const DUPLICATE = /already exists|UNIQUE constraint failed/i;

/** Whether the request failed because an object of that name exists already. */
export function isAlreadyExists(e: unknown): e is IncusError {
  return e instanceof IncusError && (e.kind === "conflict" || DUPLICATE.test(e.incusMessage));
}

/** Builds the most specific error class for an HTTP status. */
export function errorFor(details: Omit<IncusErrorDetails, "kind">): IncusError {
  if (DUPLICATE.test(details.incusMessage)) {
    return new ConflictError({ ...details, kind: "conflict" });
  }
  switch (details.status) {
    case 404:
      return new NotFoundError({ ...details, kind: "not-found" });
    case 409:
      return new ConflictError({ ...details, kind: "conflict" });
    case 412:
      return new PreconditionFailedError({ ...details, kind: "precondition-failed" });
    case 401:
    case 403:
      return new ForbiddenError({ ...details, kind: "forbidden" });
    default:
      return new IncusError({
        ...details,
        kind: details.status >= 500 ? "server" : "bad-request",
      });
  }
}

export function isNotFound(e: unknown): e is NotFoundError {
  return e instanceof NotFoundError;
}
