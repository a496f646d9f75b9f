/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  // Engine tests start real Pulumi processes; the machine has 2 cores.
  maxWorkers: 2,
  testTimeout: 120000,
  // Coverage counters would be serialized into dynamic providers: never collect it by default.
  collectCoverage: false,
};
