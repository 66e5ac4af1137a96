// The type-aware linter: typescript-eslint's strict-type-checked rules over every package's TypeScript,
// its scripts and its tests, with zero warnings (`pnpm test` runs it per package as `lint`). A disable
// comment in the code carries its reason; a rule changed here says why.
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/src/generated/**",
      "**/.generated/**",
      "**/.vitest/**",
      "**/.turbo/**",
      "**/.stryker-tmp/**",
      "**/.stryker/**",
      // Plain JavaScript (bin shims, build configs, CI scripts): no types for the type-aware rules.
      "**/*.{js,mjs,cjs}",
      // Inputs for packed-consumer and child-process tests, type-checked there against the packed
      // package (excluded from the packages' tsconfig for that reason).
      "**/test/fixtures/**",
    ],
  },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Not in strict-type-checked, asked for by issue 27: a switch over a union must cover it.
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      // Numbers in messages (statuses, counts, milliseconds) are what messages are made of.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // `(x) => list.push(x)` and `() => resolve()` as callbacks say what they do, as does `return f()`
      // in a function typed to return void; a block adds nothing (and bytes to the browser bundle).
      "@typescript-eslint/no-confusing-void-expression": [
        "error",
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true },
      ],
      // With noUncheckedIndexedAccess (tsconfig.base.json) every lookup is `T | undefined`; where the
      // value exists by construction (an index below length, a key the same loop just set), `!` says
      // so. The rule's alternative, a fallback branch that cannot run, is code no test can reach: each
      // one a surviving mutant for pnpm test:mutation. A `!` that stood for an unchecked assumption
      // (a status, a Retry-After, an optional dependency) was rewritten when this linter came in.
      "@typescript-eslint/no-non-null-assertion": "off",
      // `const { $ref: _, ...rest } = node` is how a copy without one key is written.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, varsIgnorePattern: "^_" }],
    },
  },
);
