#!/usr/bin/env node
// Prints vitest's JSON report as one plain closing line ("Tests: N passed, N failed,
// N skipped") so CI logs end with an unambiguous count.
const fs = require("node:fs");
const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error(`test-summary: no report at ${file}`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(file, "utf8"));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(
  `Tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`,
);
