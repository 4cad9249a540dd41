import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // `npm test` stops at once, naming `sudo scripts/test-all.sh`, when the host lacks the
    // daemon, validators or CLI the suites beyond the mocked ones need.
    globalSetup: ["tests/setup/hostParts.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Provider and e2e suites share one Incus daemon; files run one at a time so
    // they never race on the same host objects.
    fileParallelism: false,
    pool: "forks",
  },
});
