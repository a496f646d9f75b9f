import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // The dynamic-provider shell must require() the implementation at call time.
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // The emulator is an oracle for the provider (docs style habit 11): it shares none of its code,
  // and the provider ships nothing of the emulator. The one exception is provider/cli/, the
  // package's `bin`, whose `emulator` command starts the bundled emulator (dist/emulator).
  {
    files: ["emulator/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/provider", "**/provider/**", "pulumi-azure-certs", "pulumi-azure-certs/**"],
              message: "emulator/ is an independent oracle: it imports nothing from provider/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["provider/**/*.ts"],
    ignores: ["provider/cli/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/emulator", "**/emulator/**"],
              message:
                "provider/ does not import the emulator (only provider/cli/, the package's bin, starts it).",
            },
          ],
        },
      ],
    },
  },
);
