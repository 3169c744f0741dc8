import { defineConfig } from "vitest/config";

// CI machines have 2 cores: run at most two test files at once, and bound every test.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 90_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
