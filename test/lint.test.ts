// Lint (issue 9): the generated code is clean under typescript-eslint's
// strictTypeChecked (ESLint 9, flat config, typed linting: .ts and .d.ts) and its
// `.js` under ESLint's recommended rules, with unused disable directives as errors.
// Where a rule cannot be met, the output carries a directive for that line and rule
// only, and no directive more: for-in counting keys, re-exports of deprecated
// commands, an empty command or event map. The committed out/, a schema of every
// construct the emitters print differently (both int64 modes, both targets), and
// QEMU 10's full schema (both int64 modes; its js target's .js).

import js from "@eslint/js";
import { ESLint } from "eslint";
import { defineConfig } from "eslint/config";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { HAVE_SHARED, QEMU10, committedOut, generateForTsc } from "./consumer-support.js";

if (!HAVE_SHARED) console.warn("lint.test.ts: ../shared has no QEMU schemas: QEMU 10's output is not linted");

/** Lints DIR (its `files` patterns) as a consumer would; the problems, one line each. */
async function lint(dir: string, files: readonly string[] = ["."]): Promise<string[]> {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: defineConfig(
      { linterOptions: { reportUnusedDisableDirectives: "error" } },
      {
        files: ["**/*.ts", "**/*.mts"],
        extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: dir } },
      },
      { files: ["**/*.js", "**/*.mjs"], extends: [js.configs.recommended] },
    ),
  });
  const results = await eslint.lintFiles([...files]);
  return results.flatMap((r) =>
    r.messages.map((m) => `${relative(dir, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? "(directive)"}: ${m.message.split("\n")[0]}`),
  );
}

/**
 * Every construct the emitters print differently: empty structs (closed, and as a
 * base), a struct adding nothing to its base, unions whose member checks read
 * neither mode nor depth, alternates whose guards read nothing, the mode, or both
 * (and one converting 64-bit integers without descending), a large enumeration, a
 * deprecated command, commands with optional, free-form and boxed arguments, events
 * with and without data.
 */
const SCHEMA = `{ 'enum': 'Mood', 'data': [ 'calm', 'busy' ] }
{ 'enum': 'Many', 'data': [ 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' ] }
{ 'struct': 'Empty', 'data': {} }
{ 'struct': 'EmptyBase', 'data': {} }
{ 'struct': 'FromEmpty', 'base': 'EmptyBase', 'data': { 'x': 'int' } }
{ 'struct': 'Base', 'data': { 'kind': 'Mood', 'id': 'str' } }
{ 'struct': 'Same', 'base': 'Base', 'data': {} }
{ 'struct': 'Calm', 'data': { 'level': 'uint64', '*tags': [ 'str' ], '*many': 'Many' } }
{ 'struct': 'Busy', 'data': { 'moods': [ 'Mood' ], 'nested': 'Calm', 'sizes': [ 'size' ] } }
{ 'union': 'Status', 'base': 'Base', 'discriminator': 'kind', 'data': { 'calm': 'Calm', 'busy': 'Busy' } }
{ 'union': 'Thin', 'base': { 'kind': 'Mood' }, 'discriminator': 'kind', 'data': { 'calm': 'Empty' } }
{ 'alternate': 'StrOrNull', 'data': { 's': 'str', 'n': 'null' } }
{ 'alternate': 'MoodOrInt', 'data': { 'm': 'Mood', 'i': 'int' } }
{ 'alternate': 'CalmOrStr', 'data': { 'c': 'Calm', 's': 'str' } }
{ 'alternate': 'SizeOrBool', 'data': { 'n': 'size', 'b': 'bool' } }
{ 'struct': 'Holder', 'data': { 'a': 'StrOrNull', 'b': 'MoodOrInt', '*c': 'CalmOrStr', 'd': 'any', 'e': 'int8', 'f': 'number', 'g': 'bool', '*h': 'SizeOrBool', '*i': [ 'StrOrNull' ] } }
{ 'command': 'query-status', 'returns': 'Status' }
{ 'command': 'set-mood', 'data': { 'mood': 'Mood' } }
{ 'command': 'old-thing', 'features': [ 'deprecated' ] }
{ 'command': 'opt-args', 'data': { '*x': 'int' }, 'returns': [ 'Holder' ] }
{ 'command': 'free-form', 'data': { 'a': 'str' }, 'gen': false }
{ 'command': 'thin', 'data': 'Thin', 'boxed': true, 'allow-oob': true, 'returns': 'Same' }
{ 'command': 'from-empty', 'returns': 'FromEmpty' }
{ 'event': 'MOOD_CHANGED', 'data': { 'mood': 'Mood' } }
{ 'event': 'PING' }
`;

function schemaFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "qapi-gen-lint-")), "every.json");
  writeFileSync(path, SCHEMA);
  return path;
}

describe("typescript-eslint strictTypeChecked and ESLint's recommended rules on the output", () => {
  it("the committed out/ (qapi/transaction.json: no events)", async () => {
    expect(await lint(committedOut())).toEqual([]);
  }, 300_000);

  it.each([[["--int64", "number"]], [["--int64", "bigint"]], [["--target", "js"]], [["--target", "js", "--int64", "bigint"]]])(
    "every construct, %j",
    async (flags) => {
      expect(await lint(await generateForTsc(schemaFile(), flags))).toEqual([]);
    },
    300_000,
  );

  describe.skipIf(!HAVE_SHARED)("QEMU 10's full schema (needs ../shared)", () => {
    it.each([["number"], ["bigint"]])("--int64 %s", async (int64) => {
      expect(await lint(await generateForTsc(QEMU10, ["--int64", int64]))).toEqual([]);
    }, 600_000);

    it("--target js: the .js", async () => {
      expect(await lint(await generateForTsc(QEMU10, ["--target", "js"]), ["**/*.js"])).toEqual([]);
    }, 300_000);
  });
});
