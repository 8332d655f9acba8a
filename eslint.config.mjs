// ESLint for the scripts the maps ship (geo/static): `make lint` runs it, from node_modules installed by `npm ci`
// (package-lock.json pins every package, so after the install it runs offline). The vendored libraries are
// not ours and are not linted.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["geo/static/vendor/**", "node_modules/**", "benchmarks/vendor/**", "maps/**", ".venv/**"] },
  js.configs.recommended,
  {
    files: ["geo/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly", HeritageMap: "readonly", topojson: "readonly", MiniSearch: "readonly" },
    },
    rules: {
      "no-var": "off", // the scripts are plain ES5-style functions, loaded by every browser the maps support
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
      strict: ["error", "function"],
    },
  },
];
