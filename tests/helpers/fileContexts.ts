/**
 * Where text landed in a rendered file, for the tests that place hostile values: the
 * shell context of each character of a script, a batch `sh -n`, and grafana.ini read as
 * Grafana's INI reader (go-ini) reads it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { writeTree } from "./validators";

export type Context = "code" | "single" | "double" | "comment";

/**
 * The shell context of every character of a script: code, inside single quotes, inside
 * double quotes, or a comment. `$(…)` inside double quotes is code again, as sh reads it.
 */
export function shellContexts(script: string): Context[] {
  const out: Context[] = [];
  // Each frame: its context, and for command substitutions the parenthesis depth.
  const stack: { context: Context; depth: number }[] = [{ context: "code", depth: 0 }];
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    const frame = stack[stack.length - 1];
    const atWordStart = i === 0 || /[\s;&|()]/.test(script[i - 1]);
    switch (frame.context) {
      case "code":
        if (c === "\\") {
          out.push("code", "code");
          i++;
        } else if (c === "'") {
          out.push("code");
          stack.push({ context: "single", depth: 0 });
        } else if (c === '"') {
          out.push("code");
          stack.push({ context: "double", depth: 0 });
        } else if (c === "#" && atWordStart) {
          out.push("comment");
          stack.push({ context: "comment", depth: 0 });
        } else {
          if (c === "(") frame.depth++;
          if (c === ")" && stack.length > 1 && --frame.depth === 0) stack.pop();
          out.push("code");
        }
        break;
      case "single":
        out.push(c === "'" ? "code" : "single");
        if (c === "'") stack.pop();
        break;
      case "double":
        if (c === "\\") {
          out.push("double", "double");
          i++;
        } else if (c === '"') {
          out.push("code");
          stack.pop();
        } else if (c === "$" && script[i + 1] === "(") {
          out.push("code", "code");
          i++;
          stack.push({ context: "code", depth: 1 });
        } else {
          out.push("double");
        }
        break;
      case "comment":
        out.push(c === "\n" ? "code" : "comment");
        if (c === "\n") stack.pop();
        break;
    }
  }
  return out;
}

/** Contexts in which `marker` occurs in a script. */
export function markerContexts(script: string, marker: string): Context[] {
  const contexts = shellContexts(script);
  const found: Context[] = [];
  for (let at = script.indexOf(marker); at >= 0; at = script.indexOf(marker, at + 1)) {
    found.push(...new Set(contexts.slice(at, at + marker.length)));
  }
  return found;
}

/** `sh -n` on many scripts in one process: the names of those that do not parse. */
export function unparseableScripts(scripts: Record<string, string>): string[] {
  if (Object.keys(scripts).length === 0) return [];
  const dir = writeTree(scripts, "atlas-hostile-");
  try {
    const result = spawnSync(
      "sh",
      ["-c", 'for f in *; do sh -n "$f" 2>/dev/null || echo "$f"; done'],
      { cwd: dir, encoding: "utf8" },
    );
    return result.stdout.split("\n").filter((line) => line !== "");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** grafana.ini as Grafana's INI reader (go-ini) reads it: section, key, value. */
export function readIni(text: string): [string, string, string][] {
  const entries: [string, string, string][] = [];
  const lines = text.split("\n");
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`line ${i + 1} is neither a section nor a key: ${line}`);
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (value.startsWith('"""')) {
      // Triple quotes run to the next """, across lines.
      let rest = value.slice(3);
      while (!rest.includes('"""')) {
        if (++i >= lines.length) throw new Error(`unterminated """ value for ${key}`);
        rest += `\n${lines[i]}`;
      }
      value = rest.slice(0, rest.indexOf('"""'));
    } else {
      value = value.replace(/\s[#;].*$/, "");
    }
    entries.push([section, key, value]);
  }
  return entries;
}
