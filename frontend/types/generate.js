// @ts-check
/**
 * Turns the protocol's JSON Schema (realtime/schema.py, written by
 * `manage.py protocol_schema`) into frontend/types/protocol.d.ts with
 * json-schema-to-typescript. The header records the schema's SHA-256, so a
 * test can tell a stale file without Node.js (tests/realtime/test_protocol_types.py).
 *
 *   node frontend/types/generate.js SCHEMA.json|- OUTPUT.d.ts|-
 *
 * `-` reads standard input or writes standard output. `make protocol-types`
 * runs the whole pipeline; see docs/frontend.md.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { argv, exit, stderr, stdin, stdout } from "node:process";
import { pathToFileURL } from "node:url";

import { compile } from "json-schema-to-typescript";

/** @param {NodeJS.ReadableStream} stream */
async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** What each generated file holds, by its root type's name. */
const ORIGINS = {
  Protocol: [
    " * GENERATED FILE: do not edit. The live protocol's frames, from the server's",
    " * pydantic models: realtime/schema.py (`manage.py protocol_schema`) ->",
    " * frontend/types/generate.js (json-schema-to-typescript).",
    " * Regenerate with `make protocol-types`; tests/realtime/test_protocol_types.py",
  ],
  Pages: [
    " * GENERATED FILE: do not edit. What the live pages hand their modules, from",
    " * frontend/page_data.py (`manage.py page_schema`) -> frontend/types/generate.js.",
    " * Regenerate with `make protocol-types`; tests/frontend/test_page_types.py",
  ],
};

/**
 * The .d.ts text for one schema text (exported for tests).
 * @param {string} schemaText
 * @param {keyof typeof ORIGINS} [name] the root type: Protocol or Pages
 * @returns {Promise<string>}
 */
export async function generate(schemaText, name = "Protocol") {
  const digest = createHash("sha256").update(schemaText, "utf8").digest("hex");
  const banner = [
    "/*",
    ...ORIGINS[name],
    " * fails while this file is stale. See docs/frontend.md.",
    ` * schema-sha256: ${digest}`,
    " */",
  ].join("\n");
  return compile(JSON.parse(schemaText), name, {
    bannerComment: banner,
    additionalProperties: false,
    strictIndexSignatures: true,
    unknownAny: true,
    format: true,
    style: { printWidth: 100, singleQuote: false },
  });
}

async function main() {
  const [source, target, name = "Protocol"] = argv.slice(2);
  if (name !== "Protocol" && name !== "Pages") {
    stderr.write(`unknown root type ${name}: Protocol or Pages\n`);
    exit(2);
  }
  if (!source || !target) {
    stderr.write("usage: node frontend/types/generate.js SCHEMA.json|- OUTPUT.d.ts|- [Protocol|Pages]\n");
    exit(2);
  }
  const text = source === "-" ? await readAll(stdin) : await readFile(source, "utf8");
  const types = await generate(text, name);
  if (target === "-") stdout.write(types);
  else await writeFile(target, types, "utf8");
}

if (argv[1] && import.meta.url === pathToFileURL(argv[1]).href) {
  await main();
}
