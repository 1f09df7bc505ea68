import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";
import tseslint from "typescript-eslint";

// Layers (README, Architecture): app → lib → db, lib/hub is the pure 360dialog protocol, and the sandbox is a separate
// party that shares only the contract. Each folder gets ONE no-restricted-imports entry listing everything it may not
// import, because a later flat-config entry replaces an earlier one's options for the same file. Both spellings are
// refused: the `@/…` alias and relative paths (`../db/…`). Tests reach across on purpose and are exempt.
// Dynamic import() is not covered by this rule; production code imports only lib/ that way (server.ts, instrumentation.ts).
const TESTS = ["**/*.test.ts", "**/*.test.tsx"];
const to = (folder, message) => [
  { regex: `^@/${folder}(/|$)`, message },
  { regex: `^(\\.{1,2}/)+${folder}(/|$)`, message },
];
const NO_APP = to("app", "Nothing below app/ imports it (app → lib → db): move what both need into lib/.");
const NO_DB_FROM_APP = to(
  "db",
  "app/ reaches the database only through lib/ (app → lib → db): use or add a loader or action in lib/ (page loaders live in lib/dashboard/).",
);
const NO_LIB_FROM_DB = to(
  "lib",
  "db/ sits below lib/: what the seed and the database CLIs need of lib/ goes through db/lib-deps.ts, the one allowed crossing; anything else is passed in by the caller.",
);
const NO_SANDBOX = to(
  "sandbox",
  "The sandbox is a separate party (its own process, only the 360dialog contract in common): production code talks to it over HTTP, and lib/dev-sandbox.ts starts it by path. Tests use test/support/.",
);
const layers = (files, patterns, ignores = []) => ({
  files,
  ignores: [...ignores, ...TESTS],
  rules: { "no-restricted-imports": ["error", { patterns }] },
});
const layerRules = [
  layers(["app/**/*.{ts,tsx}", "pages/**/*.{ts,tsx}"], [...NO_DB_FROM_APP, ...NO_SANDBOX]),
  layers(["lib/**/*.{ts,tsx}"], [...NO_APP, ...NO_SANDBOX], ["lib/hub/**"]),
  layers(["lib/hub/**/*.{ts,tsx}"], [
    {
      regex: "^(@/(?!lib/hub(/|$))|\\.\\./)",
      message: "lib/hub is the pure 360dialog protocol: it imports only lib/hub/ and packages. Let the caller pass in what it needs (fetch, secrets, base URLs).",
    },
  ]),
  layers(["db/**/*.ts"], [...NO_APP, ...NO_LIB_FROM_DB, ...NO_SANDBOX], ["db/lib-deps.ts"]),
  layers(["db/lib-deps.ts"], [...NO_APP, ...NO_SANDBOX]),
  layers(["server.ts", "proxy.ts", "instrumentation.ts", "scripts/**/*.ts"], NO_SANDBOX),
  layers(["sandbox/**/*.ts"], [
    {
      regex: "^(@/(?!sandbox(/|$))|\\.\\./)",
      message: "The sandbox shares nothing with the portal but the contract (sandbox/README.md): no imports from lib/, db/, app/, test/ or the root. Restate what the contract fixes here.",
    },
  ]),
];

const config = [
  { ignores: [".next/**", "node_modules/**", ".data/**", "drizzle/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...nextVitals,
  ...nextTs,
  {
    files: ["**/*.ts", "**/*.tsx"],
    plugins: { drizzle, "@typescript-eslint": tseslint.plugin },
    rules: {
      // A delete or update without where wipes a table: refuse it at lint time.
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Playwright fixtures call their continuation `use`, which is not a React hook.
    files: ["e2e/**/*.ts"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  ...layerRules,
];

export default config;
