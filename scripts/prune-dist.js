#!/usr/bin/env node
// Removes compiled files in dist/ whose TypeScript source is gone (a module moved to a
// folder leaves dist/components/x.js behind, and Node would still resolve it). Unlike
// `rm -rf dist`, a build never takes away the provider plugin from a test that is running.
const fs = require("node:fs");
const path = require("node:path");
const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
const compiled = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

function prune(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(file);
      if (fs.readdirSync(file).length === 0) fs.rmdirSync(file);
      continue;
    }
    if (!compiled.test(entry.name)) continue;
    const stem = path.relative(dist, file).replace(compiled, "");
    const sources = [".ts", ".js", ".mjs", ".json"].map((ext) => path.join(root, stem + ext));
    if (!sources.some((s) => fs.existsSync(s))) fs.rmSync(file);
  }
}
prune(dist);
