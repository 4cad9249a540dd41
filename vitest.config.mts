import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Provider and e2e suites share one Incus daemon; files run one at a time so
    // they never race on the same host objects.
    fileParallelism: false,
    pool: "forks",
  },
});
