// Malformed schemas (issue 2, section 7): every one ends in exit status 1 and the exact
// located error (`FILE:LINE:COL: message` or `FILE:LINE: message`, after the include
// chain and the definition context), never a stack trace. Doc comment problems are
// warnings without --strict and errors with it. All schemas here are qapi-gen's own.
//
// Each case writes its files to a fresh temp dir and runs the CLI in-process there.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { main } from "../generator/cli/main.js";
import { MAX_SOURCE_BYTES } from "../generator/frontend/files.js";
import { MAX_INCLUDE_DEPTH } from "../generator/frontend/parse.js";

type Files = Record<string, string | Uint8Array>;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) {
    try {
      chmodSync(join(d, "locked.json"), 0o644);
    } catch {
      // not every dir has one
    }
    rmSync(d, { recursive: true, force: true });
  }
});

function writeFiles(files: Files): string {
  const dir = mkdtempSync(join(tmpdir(), "qapi-bad-"));
  tempDirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function dumpIn(dir: string, args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(["dump", ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: dir,
  });
  return { code, stdout, stderr };
}

async function dump(files: Files, args: string[] = ["t.json"]): Promise<Run> {
  return dumpIn(writeFiles(files), args);
}

function expectNoTrace(stderr: string): void {
  expect(stderr).not.toContain("    at ");
  expect(stderr).not.toContain("Error:");
}

/** Asserts a failed run with exactly this stderr. */
function expectError(run: Run, stderr: string): void {
  expectNoTrace(run.stderr);
  expect(run.stderr).toBe(stderr);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
}

/** Context line for an error inside a definition. */
const inDef = (meta: string, name: string, file = "t.json") => `${file}: In ${meta} '${name}':\n`;

type Case = [title: string, schema: string | Uint8Array, stderr: string];

// ---------------------------------------------------------------------------------
// Syntax: the lexer and parser. Errors carry a column (QEMU's, tabs included).

const syntaxCases: Case[] = [
  ["stray characters after a definition", "{ 'struct': 'Foo', 'data': {} } x\n", "t.json:1:33: stray 'x'\n"],
  ["a number is a stray token", "{ 'struct': 'Foo', 'data': { 'a': 'int' } }\n\n  42\n", "t.json:3:3: stray '42'\n"],
  ["null is not a QAPI value", "null\n", "t.json:1:1: stray 'null'\n"],
  [
    "unterminated string at end of line",
    "{ 'struct': 'Foo',\n  'data': { 'a': 'int } }\n",
    "t.json:2:18: missing terminating \"'\"\n",
  ],
  ["unknown escape", "{ 'struct': 'Fo\\o', 'data': {} }\n", "t.json:1:13: unknown escape \\o\n"],
  ["an escaped quote is not an escape", "{ 'struct': 'It\\'s', 'data': {} }\n", "t.json:1:13: unknown escape \\'\n"],
  ["control character in a string", "{ 'struct': 'Foo', 'data': { 'a': 'in\u0001t' } }\n", "t.json:1:35: funny character in string\n"],
  ["non-ASCII character in a string", "{ 'struct': 'Föö', 'data': {} }\n", "t.json:1:13: funny character in string\n"],
  ["missing comma between members", "{ 'struct': 'Foo'\n  'data': {} }\n", "t.json:2:3: expected ',' or '}'\n"],
  ["missing colon", "{ 'struct' 'Foo', 'data': {} }\n", "t.json:1:12: expected ':'\n"],
  ["trailing comma in an object", "{ 'struct': 'Foo', 'data': {}, }\n", "t.json:1:32: expected string\n"],
  [
    "trailing comma in an array",
    "{ 'enum': 'Colour', 'data': [ 'red', ] }\n",
    "t.json:1:38: expected '{', '[', string, or boolean\n",
  ],
  ["object key that is not a string", "{ struct: 'Foo' }\n", "t.json:1:3: stray 'struct'\n"],
  ["unclosed bracket at end of file", "{ 'struct': 'Foo', 'data': { 'a': [ 'int'", "t.json:1:42: expected ',' or ']'\n"],
  ["unclosed brace at end of file", "{ 'struct': 'Foo', 'data': {}\n", "t.json:1:30: expected ',' or '}'\n"],
  ["extra closing brace", "{ 'struct': 'Foo', 'data': {} } }\n", "t.json:1:33: expected '{', '[', string, or boolean\n"],
  ["'##' inside an expression", "{ 'struct': 'Foo',\n##\n  'data': {} }\n", "t.json:2:1: expected string\n"],
  ["duplicate key", "{ 'struct': 'Foo', 'data': {}, 'data': {} }\n", "t.json:1:40: duplicate key 'data'\n"],
  ["top-level string", "'Foo'\n", "t.json:1: top-level expression must be an object\n"],
  ["top-level array", "[ { 'struct': 'Foo', 'data': {} } ]\n", "t.json:1: top-level expression must be an object\n"],
  [
    "invalid UTF-8 byte in a string",
    Buffer.concat([Buffer.from("{ 'struct': 'Foo', 'data': { 'a': '"), Buffer.from([0xff]), Buffer.from("' } }\n")]),
    "t.json:1:36: invalid UTF-8 byte 0xff\n",
  ],
  [
    "truncated UTF-8 sequence in a comment",
    Buffer.concat([Buffer.from("{ 'struct': 'Foo', 'data': {} }\n# caf"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]),
    "t.json:2:6: invalid UTF-8 byte 0xc3\n",
  ],
  ["NUL byte", "{ 'struct': 'Foo', 'data': {} }\u0000\n", "t.json:1:32: stray '\\u0000'\n"],
  [
    "CRLF line endings: lines still count",
    "{ 'struct': 'Foo',\r\n  'data': {} }\r\n\r\n{ 'struct': 'Bar', 'data': {} } x\r\n",
    "t.json:4:33: stray 'x'\n",
  ],
  // QEMU advances the column of a tab as (col + 7) % 8 + 1; qapi-gen reports the same.
  ["tab in column 1 does not advance", "\t{ 'struct': 'Foo', 'data': {} } x\n", "t.json:1:33: stray 'x'\n"],
  ["tab after eight columns", "        \tx\n", "t.json:1:1: stray 'x'\n"],
  ["tab in the middle of a line", "{\t'struct': 'Foo', 'data': {} }\tx\n", "t.json:1:7: stray 'x'\n"],
  ["nesting 100000 levels deep", "[".repeat(100_000), "t.json:1:257: nesting deeper than 256 levels\n"],
  [
    "closed nesting 100000 levels deep",
    `{ 'struct': 'Foo', 'data': {}, 'x': ${"[".repeat(100_000)}${"]".repeat(100_000)} }\n`,
    "t.json:1:292: nesting deeper than 256 levels\n",
  ],
];

// ---------------------------------------------------------------------------------
// Semantics: expression checks and the schema model. Errors name the definition.

const semanticCases: Case[] = [
  [
    "unknown key",
    "{ 'struct': 'Foo',\n  'data': {},\n  'colour': 'red' }\n",
    `${inDef("struct", "Foo")}t.json:1: struct has unknown key 'colour'\nValid keys are 'base', 'data', 'features', 'if', 'struct'.\n`,
  ],
  [
    "two meta-types",
    "{ 'struct': 'Foo', 'enum': 'Bar', 'data': {} }\n",
    "t.json:1: expression must have exactly one key 'enum', 'struct', 'union', 'alternate', 'command', 'event'\n",
  ],
  ["name that is not a string", "{ 'struct': true, 'data': {} }\n", "t.json:1: 'struct' requires a string name\n"],
  ["missing 'data' of an enum", "{ 'enum': 'Colour' }\n", `${inDef("enum", "Colour")}t.json:1: enum misses key 'data'\n`],
  ["enum 'data' not an array", "{ 'enum': 'Colour', 'data': 'red' }\n", `${inDef("enum", "Colour")}t.json:1: 'data' must be an array\n`],
  ["struct 'data' not an object", "{ 'struct': 'Foo', 'data': [ 'a' ] }\n", `${inDef("struct", "Foo")}t.json:1: 'data' should be an object or type name\n`],
  ["'base' not a string", "{ 'struct': 'Foo', 'base': true, 'data': {} }\n", `${inDef("struct", "Foo")}t.json:1: 'base' should be a type name\n`],
  ["'features' not an array", "{ 'struct': 'Foo', 'data': {}, 'features': 'fast' }\n", `${inDef("struct", "Foo")}t.json:1: 'features' must be an array\n`],
  ["flag with a false value", "{ 'command': 'do-it', 'allow-oob': false }\n", `${inDef("command", "do-it")}t.json:1: flag 'allow-oob' may only use true value\n`],
  ["flag with a string value", "{ 'command': 'do-it', 'coroutine': 'yes' }\n", `${inDef("command", "do-it")}t.json:1: flag 'coroutine' may only use true value\n`],
  ["type name not CamelCase", "{ 'struct': 'foo', 'data': {} }\n", `${inDef("struct", "foo")}t.json:1: name of struct must use CamelCase\n`],
  ["event name in lower case", "{ 'event': 'Boom' }\n", `${inDef("event", "Boom")}t.json:1: name of event must not use lowercase or '-'\n`],
  ["member name with an underscore", "{ 'struct': 'Foo', 'data': { 'a_b': 'int' } }\n", `${inDef("struct", "Foo")}t.json:1: name of 'data' member 'a_b' must not use uppercase or '_'\n`],
  ["type name ending in List", "{ 'struct': 'FooList', 'data': {} }\n", `${inDef("struct", "FooList")}t.json:1: struct name should not end in 'List'\n`],
  ["reserved 'q_' prefix", "{ 'struct': 'q_obj_Foo', 'data': {} }\n", `${inDef("struct", "q_obj_Foo")}t.json:1: struct has an invalid name\n`],
  ["reserved member name 'has-…'", "{ 'struct': 'Foo', 'data': { 'has-a': 'int' } }\n", `${inDef("struct", "Foo")}t.json:1: 'data' member 'has-a' uses reserved name\n`],
  [
    "duplicate definition",
    "{ 'struct': 'Foo', 'data': {} }\n{ 'enum': 'Foo', 'data': [] }\n",
    `${inDef("enum", "Foo")}t.json:2: 'Foo' is already defined\n${inDef("struct", "Foo")}t.json:1: previous definition\n`,
  ],
  ["unknown member type", "{ 'struct': 'Foo', 'data': { 'a': 'Nope' } }\n", `${inDef("struct", "Foo")}t.json:1: member 'a' uses unknown type 'Nope'\n`],
  ["unknown base", "{ 'struct': 'Foo', 'base': 'Nope', 'data': {} }\n", `${inDef("struct", "Foo")}t.json:1: 'base' uses unknown type 'Nope'\n`],
  [
    "unknown returns type",
    "{ 'command': 'do-it', 'returns': 'Nope' }\n",
    `${inDef("command", "do-it")}t.json:1: command's 'returns' uses unknown type 'Nope'\n`,
  ],
  [
    "member clash with the base",
    "{ 'struct': 'Bar', 'data': { 'a': 'int' } }\n{ 'struct': 'Foo', 'base': 'Bar',\n  'data': { '*a': 'str' } }\n",
    `${inDef("struct", "Foo")}t.json:2: member 'a' collides with member 'a' of type 'Bar'\n`,
  ],
  [
    "member clash within a struct ('a' and '*a')",
    "{ 'struct': 'Foo', 'data': { 'a': 'int', '*a': 'int' } }\n",
    `${inDef("struct", "Foo")}t.json:1: member 'a' collides with member 'a'\n`,
  ],
  ["a struct that contains itself", "{ 'struct': 'Foo', 'base': 'Foo', 'data': {} }\n", `${inDef("struct", "Foo")}t.json:1: object Foo contains itself\n`],
  [
    "branch member clashes with the union's base",
    "{ 'enum': 'Kind', 'data': [ 'one' ] }\n{ 'struct': 'One', 'data': { 'kind': 'str' } }\n" +
      "{ 'union': 'Uni', 'base': { 'kind': 'Kind' }, 'discriminator': 'kind',\n  'data': { 'one': 'One' } }\n",
    `${inDef("union", "Uni")}t.json:3: member 'kind' of type 'One' collides with base member 'kind'\n`,
  ],
  ["union without base", "{ 'union': 'Uni', 'data': {} }\n", `${inDef("union", "Uni")}t.json:1: union misses keys 'base', 'discriminator'\n`],
  [
    "discriminator not a member of the base",
    "{ 'struct': 'Base', 'data': { 'a': 'int' } }\n{ 'union': 'Uni', 'base': 'Base', 'discriminator': 'kind', 'data': {} }\n",
    `${inDef("union", "Uni")}t.json:2: discriminator 'kind' is not a member of 'base'\n`,
  ],
  [
    "discriminator not an enum",
    "{ 'union': 'Uni', 'base': { 'kind': 'str' }, 'discriminator': 'kind', 'data': {} }\n",
    `${inDef("union", "Uni")}t.json:1: discriminator member 'kind' of 'base' must be of enum type\n`,
  ],
  [
    "optional discriminator",
    "{ 'enum': 'Kind', 'data': [ 'one' ] }\n{ 'struct': 'Base', 'data': { '*kind': 'Kind' } }\n" +
      "{ 'union': 'Uni', 'base': 'Base', 'discriminator': 'kind', 'data': {} }\n",
    `${inDef("union", "Uni")}t.json:3: discriminator member 'kind' of base type 'Base' must not be optional\n`,
  ],
  [
    "branch that is not a value of the discriminator's enum",
    "{ 'enum': 'Kind', 'data': [ 'one' ] }\n{ 'struct': 'Two', 'data': {} }\n" +
      "{ 'union': 'Uni', 'base': { 'kind': 'Kind' }, 'discriminator': 'kind', 'data': { 'two': 'Two' } }\n",
    `${inDef("union", "Uni")}t.json:3: branch 'two' is not a value of enum type 'Kind'\n`,
  ],
  [
    "union branch of a built-in type",
    "{ 'enum': 'Kind', 'data': [ 'one' ] }\n{ 'union': 'Uni', 'base': { 'kind': 'Kind' }, 'discriminator': 'kind', 'data': { 'one': 'int' } }\n",
    `${inDef("union", "Uni")}t.json:2: branch 'one' cannot use built-in type 'int'\n`,
  ],
  ["empty alternate", "{ 'alternate': 'Alt', 'data': {} }\n", `${inDef("alternate", "Alt")}t.json:1: 'data' must not be empty\n`],
  [
    "alternate branches that can't be told apart",
    "{ 'alternate': 'Alt', 'data': { 'i': 'int', 'n': 'number' } }\n",
    `${inDef("alternate", "Alt")}t.json:1: branch 'n' can't be distinguished from 'i'\n`,
  ],
  ["optional alternate branch", "{ 'alternate': 'Alt', 'data': { '*i': 'int' } }\n", `${inDef("alternate", "Alt")}t.json:1: 'data' member '*i' has an invalid name\n`],
  ["alternate with a base", "{ 'alternate': 'Alt', 'base': 'Foo', 'data': { 'i': 'int' } }\n", `${inDef("alternate", "Alt")}t.json:1: alternate has unknown key 'base'\nValid keys are 'alternate', 'data', 'features', 'if'.\n`],
  ["boxed without data", "{ 'command': 'do-it', 'boxed': true }\n", `${inDef("command", "do-it")}t.json:1: 'boxed': true requires 'data'\n`],
  ["boxed with inline data", "{ 'command': 'do-it', 'boxed': true, 'data': { 'a': 'int' } }\n", `${inDef("command", "do-it")}t.json:1: 'data' should be a type name\n`],
  ["boxed event with a built-in type", "{ 'event': 'BOOM', 'boxed': true, 'data': 'int' }\n", `${inDef("event", "BOOM")}t.json:1: event's 'data' cannot take built-in type 'int'\n`],
  ["'returns' of a built-in type", "{ 'command': 'do-it', 'returns': 'int' }\n", `${inDef("command", "do-it")}t.json:1: command's 'returns' cannot take built-in type 'int'\n`],
  ["empty 'if' string", "{ 'struct': 'Foo', 'data': {}, 'if': '' }\n", `${inDef("struct", "Foo")}t.json:1: 'if' condition '' of struct is not a valid identifier\n`],
  ["'if' with a space", "{ 'struct': 'Foo', 'data': {}, 'if': 'A B' }\n", `${inDef("struct", "Foo")}t.json:1: 'if' condition 'A B' of struct is not a valid identifier\n`],
  ["'if' as an array", "{ 'struct': 'Foo', 'data': {}, 'if': [ 'A' ] }\n", `${inDef("struct", "Foo")}t.json:1: 'if' condition of struct must be a string or an object\n`],
  ["'if' with an empty 'all'", "{ 'struct': 'Foo', 'data': {}, 'if': { 'all': [] } }\n", `${inDef("struct", "Foo")}t.json:1: 'if' condition [] of struct is useless\n`],
  ["'if' with two operators", "{ 'struct': 'Foo', 'data': {}, 'if': { 'all': [ 'A' ], 'any': [ 'B' ] } }\n", `${inDef("struct", "Foo")}t.json:1: 'if' condition of struct has conflicting keys\n`],
  [
    "'if' with an unknown operator",
    "{ 'struct': 'Foo', 'data': {}, 'if': { 'nand': [ 'A' ] } }\n",
    `${inDef("struct", "Foo")}t.json:1: 'if' condition of struct has unknown key 'nand'\nValid keys are 'all', 'any', 'not'.\n`,
  ],
  [
    "bad 'if' deep inside 'not'",
    "{ 'struct': 'Foo', 'data': {}, 'if': { 'not': { 'not': { 'any': [ 'A', 'B-C' ] } } } }\n",
    `${inDef("struct", "Foo")}t.json:1: 'if' condition 'B-C' of struct is not a valid identifier\n`,
  ],
  [
    "bad 'if' of a member",
    "{ 'struct': 'Foo', 'data': { 'a': { 'type': 'int', 'if': 'A B' } } }\n",
    `${inDef("struct", "Foo")}t.json:1: 'if' condition 'A B' of 'data' member 'a' is not a valid identifier\n`,
  ],
  [
    "'if' nested 300 levels deep",
    `{ 'struct': 'Foo', 'data': {}, 'if': ${"{ 'not': ".repeat(300)}'A'${" }".repeat(300)} }\n`,
    // The top-level object is level 1; level 257 is the 256th 'not' object: 37 characters, then 9 per level.
    `t.json:1:${37 + 9 * 255 + 1}: nesting deeper than 256 levels\n`,
  ],
  ["special feature on a type", "{ 'struct': 'Foo', 'data': {}, 'features': [ 'deprecated' ] }\n", `${inDef("struct", "Foo")}t.json:1: feature 'deprecated' is not supported for types\n`],
  ["feature name with upper case", "{ 'struct': 'Foo', 'data': {}, 'features': [ 'Fast' ] }\n", `${inDef("struct", "Foo")}t.json:1: name of 'features' member 'Fast' must not use uppercase or '_'\n`],
  ["duplicate enum value", "{ 'enum': 'Colour', 'data': [ 'red', 'red' ] }\n", `${inDef("enum", "Colour")}t.json:1: value 'red' collides with value 'red'\n`],
  ["'include' not a string", "{ 'include': [ 'a.json' ] }\n", "t.json:1: value of 'include' must be a string\n"],
  ["'include' with another key", "{ 'include': 'a.json', 'if': 'A' }\n", "t.json:1: invalid 'include' directive\n"],
  ["unknown pragma", "{ 'pragma': { 'doc-optional': true } }\n", "t.json:1: unknown pragma 'doc-optional'\n"],
  ["pragma of the wrong type", "{ 'pragma': { 'doc-required': 'yes' } }\n", "t.json:1: pragma 'doc-required' must be boolean\n"],
];

describe("syntax errors", () => {
  test.each(syntaxCases)("%s", async (_title, schema, stderr) => {
    expectError(await dump({ "t.json": schema }), stderr);
  });
});

describe("semantic errors", () => {
  test.each(semanticCases)("%s", async (_title, schema, stderr) => {
    expectError(await dump({ "t.json": schema }), stderr);
  });

  test("the same schemas fail with --strict too", async () => {
    for (const [title, schema, stderr] of semanticCases.slice(0, 10)) {
      const run = await dump({ "t.json": schema }, ["--strict", "t.json"]);
      expect(run.stderr, title).toBe(stderr);
      expect(run.code, title).toBe(1);
    }
  });
});

// ---------------------------------------------------------------------------------
// Files: includes, unreadable files, the command line's own file.

describe("file errors", () => {
  test("missing include", async () => {
    const run = await dump({ "t.json": "{ 'struct': 'Foo', 'data': {} }\n{ 'include': 'gone.json' }\n" });
    expectError(run, "t.json:2: can't read include file 'gone.json': No such file or directory\n");
  });

  test.skipIf(process.getuid?.() === 0)("unreadable include (not run as root, who can read anything)", async () => {
    const dir = writeFiles({ "t.json": "{ 'include': 'locked.json' }\n", "locked.json": "{ 'struct': 'Foo', 'data': {} }\n" });
    chmodSync(join(dir, "locked.json"), 0o000);
    expectError(await dumpIn(dir, ["t.json"]), "t.json:1: can't read include file 'locked.json': Permission denied\n");
  });

  test("include through a path whose directory is a file", async () => {
    const run = await dump({ "t.json": "{ 'include': 'a.json/b.json' }\n", "a.json": "" });
    expectError(run, "t.json:1: can't read include file 'a.json/b.json': Not a directory\n");
  });

  test("include of a directory", async () => {
    const run = await dump({ "t.json": "\n{ 'include': 'sub' }\n", "sub/x.json": "" });
    expectError(run, "t.json:2: can't read include file 'sub': Is a directory\n");
  });

  test("include cycle of three files", async () => {
    const run = await dump({
      "t.json": "{ 'include': 'b.json' }\n",
      "b.json": "# b\n{ 'include': 'c.json' }\n",
      "c.json": "\n\n{ 'include': 't.json' }\n",
    });
    expectError(run, "In file included from t.json:1:\nIn file included from b.json:2:\nc.json:3: inclusion loop for t.json\n");
  });

  test("a file including itself", async () => {
    expectError(await dump({ "t.json": "{ 'include': 't.json' }\n" }), "t.json:1: inclusion loop for t.json\n");
  });

  test("includes resolve relative to the including file; errors name them so", async () => {
    const run = await dump({
      "t.json": "{ 'include': 'sub/a.json' }\n",
      "sub/a.json": "{ 'include': 'b.json' }\n",
      "sub/b.json": "\n{ 'struct': 'Foo', 'data': { 'x': 'Bar' } }\n",
    });
    expectError(
      run,
      "In file included from t.json:1:\nIn file included from sub/a.json:1:\n" +
        `${inDef("struct", "Foo", "sub/b.json")}sub/b.json:2: member 'x' uses unknown type 'Bar'\n`,
    );
  });

  test("duplicate definitions across included files", async () => {
    const run = await dump({
      "t.json": "{ 'include': 'one.json' }\n{ 'include': 'two.json' }\n",
      "one.json": "{ 'struct': 'Foo', 'data': {} }\n",
      "two.json": "\n{ 'struct': 'Foo', 'data': { 'a': 'int' } }\n",
    });
    expectError(
      run,
      "In file included from t.json:2:\n" +
        `${inDef("struct", "Foo", "two.json")}two.json:2: 'Foo' is already defined\n` +
        "In file included from t.json:1:\n" +
        `${inDef("struct", "Foo", "one.json")}one.json:1: previous definition\n`,
    );
  });

  test("syntax error in an included file", async () => {
    const run = await dump({ "t.json": "{ 'include': 'a.json' }\n", "a.json": "\n  { 'enum': 'Colour' 'data': [] }\n" });
    expectError(run, "In file included from t.json:1:\na.json:2:22: expected ',' or '}'\n");
  });

  test("a repeated include is read once", async () => {
    const run = await dump({
      "t.json": "{ 'include': 'a.json' }\n{ 'include': 'a.json' }\n",
      "a.json": "{ 'struct': 'Foo', 'data': {} }\n",
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^object Foo$/gm)).toHaveLength(1);
  });

  test("empty file: a valid schema with no definitions", async () => {
    const run = await dump({ "t.json": "" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith("module ./builtin\n")).toBe(true);
    expect(run.stdout.endsWith("module t.json\n")).toBe(true);
  });

  test("missing schema file", async () => {
    const run = await dump({}, ["gone.json"]);
    expectError(run, "can't read schema file 'gone.json': No such file or directory\n");
  });

  test("schema file that is a directory", async () => {
    const run = await dump({ "sub/x.json": "" }, ["sub"]);
    expectError(run, "can't read schema file 'sub': Is a directory\n");
  });
});

// ---------------------------------------------------------------------------------
// Files that are not schema files: special, too large, included too deeply, and names
// that are not UTF-8 ("\udcff" stands for the byte 0xff, see generator/frontend/files.ts).

describe("what is read", () => {
  test("a file over the size limit is refused before it is read", async () => {
    const dir = writeFiles({ "t.json": "{ 'include': 'big.json' }\n", "big.json": "" });
    const size = MAX_SOURCE_BYTES + 1;
    truncateSync(join(dir, "big.json"), size); // sparse: nothing is written
    expectError(
      await dumpIn(dir, ["t.json"]),
      `t.json:1: can't read include file 'big.json': File too large (${size} bytes; the limit is ${MAX_SOURCE_BYTES} bytes)\n`,
    );
  });

  const chain = (n: number): Files =>
    Object.fromEntries(
      Array.from({ length: n + 1 }, (_, i) => [`f${i}.json`, i < n ? `{ 'include': 'f${i + 1}.json' }\n` : "{ 'enum': 'Colour', 'data': [ 'red' ] }\n"]),
    );
  const includedFrom = (n: number) => Array.from({ length: n }, (_, i) => `In file included from f${i}.json:1:\n`).join("");

  test(`${MAX_INCLUDE_DEPTH} nested includes are read; one more is a located error`, async () => {
    const ok = await dump(chain(MAX_INCLUDE_DEPTH), ["f0.json"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expectError(
      await dump(chain(MAX_INCLUDE_DEPTH + 1), ["f0.json"]),
      `${includedFrom(MAX_INCLUDE_DEPTH)}f${MAX_INCLUDE_DEPTH}.json:1: includes nested deeper than ${MAX_INCLUDE_DEPTH} levels\n`,
    );
  });

  test("a chain of 2,000 includes ends at the limit, not in a stack overflow", async () => {
    const run = await dump(chain(2000), ["f0.json"]);
    expect(run.stderr.endsWith(`f${MAX_INCLUDE_DEPTH}.json:1: includes nested deeper than ${MAX_INCLUDE_DEPTH} levels\n`)).toBe(true);
    expect(run.code).toBe(1);
  });

  test("a symlink to its own folder: the names never repeat; the system's link limit ends it", async () => {
    const dir = writeFiles({ "t.json": "{ 'include': 'self/t.json' }\n" });
    symlinkSync(".", join(dir, "self"));
    const run = await dumpIn(dir, ["t.json"]);
    expectNoTrace(run.stderr);
    expect(run.stderr).toMatch(/^(self\/)+t\.json:1: can't read include file '(self\/)+t\.json': Too many levels of symbolic links$/m);
    expect(run.code).toBe(1);
  });

  test("a schema path, an include folder and a working directory that are not UTF-8", async () => {
    const dir = writeFiles({});
    const root = Buffer.from(dir);
    const bytes = (...parts: (string | number[])[]) =>
      Buffer.concat([root, ...parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)))]);
    mkdirSync(bytes("/d", [0xff]));
    mkdirSync(bytes("/d", [0xff], "/sub"));
    writeFileSync(bytes("/d", [0xff], "/caf", [0xe9], ".json"), "{ 'include': 'sub/x.json' }\n");
    writeFileSync(bytes("/d", [0xff], "/sub/x.json"), "{ 'struct': 'Foo', 'data': { 'a': 'Nope' } }\n");
    const run = await dumpIn(`${dir}/d\udcff`, ["caf\udce9.json"]);
    expectError(
      run,
      `In file included from caf\udce9.json:1:\n${inDef("struct", "Foo", "sub/x.json")}sub/x.json:1: member 'a' uses unknown type 'Nope'\n`,
    );
    expectError(await dumpIn(dir, ["d\udcff/gone\udce9.json"]), "can't read schema file 'd\udcff/gone\udce9.json': No such file or directory\n");
  });
});

// ---------------------------------------------------------------------------------
// Doc comment problems: warnings (exit 0, model printed) by default, errors with --strict.

type DocCase = [title: string, schema: string, message: string];

const docCases: DocCase[] = [
  [
    "documented member that does not exist",
    "##\n# @Foo:\n#\n# @a: first\n#\n# @b: not a member\n##\n{ 'struct': 'Foo', 'data': { 'a': 'int' } }\n",
    "t.json:6: %documented member 'b' does not exist",
  ],
  [
    "undocumented member",
    "##\n# @Foo:\n#\n# A thing.\n##\n{ 'struct': 'Foo', 'data': { 'a': 'int' } }\n",
    `${inDef("struct", "Foo")}t.json:6: %member 'a' lacks documentation`,
  ],
  ["junk after the opening '##'", "## Foo\n##\n", "t.json:1:1: %junk after '##' at start of documentation comment"],
  ["junk after the closing '##'", "##\n# Text.\n## end\n", "t.json:3:1: %junk after '##' at end of documentation comment"],
  ["documentation comment not closed at end of file", "##\n# Text.\n", "t.json:2:8: %documentation comment must end with '##'"],
  [
    "documentation for another definition",
    "##\n# @Bar:\n##\n{ 'struct': 'Foo', 'data': {} }\n",
    `${inDef("struct", "Foo")}t.json:4: %documentation comment is for 'Bar'`,
  ],
  [
    "documentation not followed by its definition",
    "{ 'struct': 'Foo', 'data': {} }\n##\n# @Foo:\n##\n",
    "t.json:2: %documentation for 'Foo' is not followed by the definition",
  ],
  [
    "missing documentation under 'doc-required'",
    "{ 'pragma': { 'doc-required': true } }\n{ 'struct': 'Foo', 'data': {} }\n",
    `${inDef("struct", "Foo")}t.json:2: %documentation comment required`,
  ],
];

describe("doc comment problems", () => {
  test.each(docCases)("%s: a warning without --strict", async (_title, schema, message) => {
    const run = await dump({ "t.json": schema });
    expectNoTrace(run.stderr);
    expect(run.stderr).toBe(`${message.replace("%", "warning: ")}\n`);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith("module ./builtin\n")).toBe(true);
  });

  test.each(docCases)("%s: an error with --strict", async (_title, schema, message) => {
    expectError(await dump({ "t.json": schema }, ["--strict", "t.json"]), `${message.replace("%", "")}\n`);
  });

  test("a doc warning does not hide a later schema error", async () => {
    const run = await dump({ "t.json": "##\n# Text.\n## end\n\n##\n# @Foo:\n##\n{ 'struct': 'Foo', 'data': { 'a': 'Nope' } }\n" });
    expectError(
      run,
      "t.json:3:1: warning: junk after '##' at end of documentation comment\n" +
        `${inDef("struct", "Foo")}t.json:8: member 'a' uses unknown type 'Nope'\n`,
    );
  });
});

// ---------------------------------------------------------------------------------
// End of file, byte order marks, line endings and nesting, read as QEMU reads them.

describe("file edges", () => {
  test("unterminated string at end of file without a final newline", async () => {
    // QEMU appends a newline to a file that lacks one, so this is a missing quote.
    expectError(await dump({ "t.json": "{ 'struct': 'Foo', 'data': { 'a': 'int } }" }), "t.json:1:35: missing terminating \"'\"\n");
  });

  test("byte order mark: QEMU reads it as a stray character", async () => {
    expectError(await dump({ "t.json": "\ufeff{ 'struct': 'Foo', 'data': {} }\n" }), "t.json:1:1: stray '\\ufeff'\n");
  });

  test("CRLF line endings in doc comments (QEMU reads with universal newlines)", async () => {
    const schema = "##\r\n# @Foo:\r\n#\r\n# A thing.\r\n#\r\n# @a: its a\r\n##\r\n{ 'struct': 'Foo', 'data': { 'a': 'int' } }\r\n";
    const run = await dump({ "t.json": schema }, ["--strict", "t.json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("doc symbol=Foo\n    body=\nA thing.\n    arg=a\nits a\n");
  });

  test("the nesting pre-scan hides an earlier stray word", async () => {
    expectError(await dump({ "t.json": `x\n${"[".repeat(300)}\n` }), "t.json:1:1: stray 'x'\n");
  });

  test("the nesting pre-scan hides an earlier unterminated string", async () => {
    expectError(
      await dump({ "t.json": `{ 'struct': 'Foo\n${"[".repeat(300)}\n` }),
      "t.json:1:13: missing terminating \"'\"\n",
    );
  });

  test("a lone CR ends a line (QEMU reads with universal newlines)", async () => {
    expectError(await dump({ "t.json": "{ 'struct': 'Foo',\r  'data': {} } x\n" }), "t.json:2:16: stray 'x'\n");
  });
});

test("at least 40 malformed schemas", () => {
  expect(syntaxCases.length + semanticCases.length + docCases.length).toBeGreaterThanOrEqual(40);
});
