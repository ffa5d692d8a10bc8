// @ts-check
/*
 * ESLint (flat config) for the JavaScript of this repository: `make lint`
 * runs it after tsc (docs/frontend.md). Types are tsc's job; ESLint catches
 * the rest with its recommended rules, per kind of file.
 */
import js from "@eslint/js";
import globals from "globals";

/** Served to browsers. */
const BROWSER = ["frontend/static/**/*.js", "quizzes/static/**/*.js", "slides/static/**/*.js"];
/** ES modules of the live pages (new browser code is written this way). */
const BROWSER_MODULES = ["frontend/static/frontend/live/**/*.js"];
/** The session client and its helpers take the browser from their options, for tests. */
const CLIENT = ["client.js", "streams.js", "answers.js"].map((f) => `frontend/static/frontend/live/${f}`);
/** Run by Node.js: unit tests, tools, this file. */
const NODE = ["tests/js/**/*.js", "frontend/types/*.js", "eslint.config.js"];

export default [
  {
    ignores: [
      "node_modules/**",
      ".venv/**",
      "var/**",
      // njs (nginx's JavaScript), tested through nginx by tests/deploy.
      "deploy/nginx/*.js",
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  {
    rules: {
      eqeqeq: ["error", "smart"],
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "all" }],
      "no-implicit-globals": "error",
      "no-shadow": "error",
      "no-throw-literal": "error",
      "prefer-const": "error",
      "no-var": "off",
    },
  },
  {
    files: BROWSER,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      // OpenSeadragon is loaded as a classic script before the pages' own.
      globals: { ...globals.browser, OpenSeadragon: "readonly" },
    },
  },
  { files: BROWSER_MODULES, languageOptions: { sourceType: "module" } },
  {
    files: CLIENT,
    rules: {
      "no-restricted-globals": [
        "error",
        ...["window", "document", "location", "WebSocket", "setTimeout", "requestAnimationFrame"].map(
          (name) => ({ name, message: "take it from the client's options (tests inject fakes)" }),
        ),
      ],
    },
  },
  {
    files: NODE,
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
];
