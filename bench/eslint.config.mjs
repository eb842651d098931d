// ESLint flat config for the benchmark's peer run: every rule of eslint-plugin-security, nothing else.
//
// All rules are on (as warnings, so that findings do not change the exit code). Plain .js files
// are parsed as ES modules: the corpus mixes CommonJS and ESM in .js files, and ESM parsing
// accepts both here (run.py counts and reports any file that fails to parse, since ESLint runs no
// rule on such a file). .cjs files are parsed as CommonJS.
import security from "eslint-plugin-security";

const allSecurityRules = Object.fromEntries(
  Object.keys(security.rules).map((name) => [`security/${name}`, "warn"]),
);

export default [
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs", "**/*.jsx"],
    plugins: { security },
    rules: allSecurityRules,
    linterOptions: { reportUnusedDisableDirectives: "off" },
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
  },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs" } },
];
