/**
 * Counting and timing the Incus API requests of the plugin process: the client appends
 * `METHOD /path startMs durationMs` to `$ATLAS_INCUS_REQUEST_LOG` when each request ends
 * (incus/client/client.ts).
 */
import * as fs from "node:fs";

export class RequestLog {
  constructor(readonly file: string) {
    fs.writeFileSync(file, "");
  }

  reset(): void {
    fs.writeFileSync(this.file, "");
  }

  /** Requests since the last reset, by HTTP method. */
  byMethod(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const line of fs.readFileSync(this.file, "utf8").split("\n")) {
      const method = line.split(" ")[0];
      if (method) counts[method] = (counts[method] ?? 0) + 1;
    }
    return counts;
  }

  /** Requests since the last reset, by `METHOD /path` (the query is not logged). */
  byRequest(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const line of fs.readFileSync(this.file, "utf8").split("\n")) {
      const [method, path] = line.split(" ");
      if (path) counts[`${method} ${path}`] = (counts[`${method} ${path}`] ?? 0) + 1;
    }
    return counts;
  }

  /** A method that only reads. */
  static isRead(method: string): boolean {
    return method === "GET" || method === "HEAD";
  }

  /** Requests that change something (anything but GET/HEAD). */
  static writes(byMethod: Record<string, number>): number {
    return Object.entries(byMethod)
      .filter(([m]) => !RequestLog.isRead(m))
      .reduce((n, [, c]) => n + c, 0);
  }
}
