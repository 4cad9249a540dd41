/**
 * When `npm test` is held to the host parts (tests/setup/hostParts.ts): the whole suite and
 * any run naming suites beyond the mocked ones; never `npm run test:unit` or a single file.
 */
import { describe, expect, it } from "vitest";
import { needsHost } from "../../setup/hostParts";

const vitest = ["node", "vitest", "run"];

describe("npm test's host check", () => {
  it("applies to npm test over everything or over host suites", () => {
    expect(needsHost({ npm_lifecycle_event: "test" }, vitest)).toBe(true);
    expect(
      needsHost({ npm_lifecycle_event: "test" }, [...vitest, "--reporter=json", "tests/e2e"]),
    ).toBe(true);
    expect(needsHost({ npm_lifecycle_event: "test" }, [...vitest, "tests/unit", "tests/e2e"])).toBe(
      true,
    );
  });

  it("leaves the quick loop and single files alone", () => {
    expect(needsHost({ npm_lifecycle_event: "test:unit" }, [...vitest, "tests/unit"])).toBe(false);
    expect(needsHost({ npm_lifecycle_event: "test" }, [...vitest, "tests/unit/config"])).toBe(
      false,
    );
    expect(needsHost({}, [...vitest, "tests/provider/packageSchema.test.ts"])).toBe(false);
  });
});
