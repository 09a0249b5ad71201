import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  { ignores: ["node_modules/**", ".next/**", "src/generated/**", "tools/**", "scratch/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    // The chat page's first-load JavaScript has a budget (BUDGETS.md): a value imported from
    // "@/shared" brings every Zod schema (and Zod) into it. Types are free; constants come from
    // their own module ("@/shared/limits"). The sign-in and sign-up forms validate with the schemas
    // on purpose.
    files: ["src/components/chat/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { paths: [{ name: "@/shared", message: "Import types only (import type …), or constants from @/shared/limits.", allowTypeImports: true }] },
      ],
    },
  },
];

export default config;
