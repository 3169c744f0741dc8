import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", ".plothost/**", "**/*.min.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  { files: ["bin/**", "scripts/**", "test/**", "bench/**", "examples/**"], rules: { "no-console": "off" } },
  {
    files: ["shared/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["**/gateway/**", "**/worker/**", "**/client/**"] }],
    },
  },
  {
    files: ["client/**"],
    rules: { "no-restricted-imports": ["error", { patterns: ["**/gateway/**", "**/worker/**"] }] },
  },
  {
    files: ["worker/**"],
    rules: { "no-restricted-imports": ["error", { patterns: ["**/gateway/**"] }] },
  },
);
