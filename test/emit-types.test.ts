// The types, runtime and JSON Schema emitters: table-driven cases on small schemas,
// type-level tests compiled under the strict settings generated code promises, and the
// whole output for transaction.json and the full QEMU 10.0 and 7.2 schemas: zero
// compile errors, prettier changes nothing, deterministic.

import { join } from "node:path";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import type { OutputFile } from "../generator/backend/context.js";
import { HAVE_SHARED, SHARED, emitAll, fileMap, fileSchema, inlineSchema, typecheck } from "./emit-support.js";

function out(schema: string, options: Parameters<typeof emitAll>[1] = {}): Map<string, string> {
  return fileMap(emitAll(inlineSchema({ "main.json": schema }), options));
}

function types(schema: string, options: Parameters<typeof emitAll>[1] = {}): string {
  return out(schema, options).get("types/main.ts") ?? "";
}

async function unformatted(files: OutputFile[]): Promise<string[]> {
  const bad: string[] = [];
  for (const f of files) {
    const parser = f.path.endsWith(".json") ? "json" : "typescript";
    const formatted = await prettier.format(f.content, { parser });
    if (formatted !== f.content) bad.push(f.path);
  }
  return bad;
}

const DOCS = `
##
# @Mode:
#
# How to do it.
#
# @fast: quickly
#
# @slow: slowly
#
# Features:
#
# @deprecated: Member @slow is deprecated; use @fast.
#
# Since: 2.5
##
{ 'enum': 'Mode', 'data': [ 'fast', { 'name': 'slow', 'features': [ 'deprecated' ] } ] }

##
# @Old:
#
# An old thing.
#
# @a-b: the a-b member
#
# @x: experimental member
#
# @old-m: old member
#
# @only: conditional member
#
# Features:
#
# @deprecated: Use @a-b instead.
#
# @unstable: Member @x is experimental.
#
# Since: 1.0
##
{ 'struct': 'Old', 'data': { 'a-b': 'str', '*x': { 'type': 'int', 'features': [ 'unstable' ] },
  '*old-m': { 'type': 'str', 'features': [ 'deprecated' ] },
  '*only': { 'type': 'bool', 'if': { 'all': [ 'CONFIG_A', { 'not': 'CONFIG_B' } ] } } } }

##
# @do-it:
#
# Does it.
#
# Features:
#
# @deprecated: Use something else.
#
# Since: 3.0
##
{ 'command': 'do-it', 'data': { 'old': 'Old' }, 'features': [ 'deprecated' ] }
`;

const CASES: [what: string, schema: string, options: Parameters<typeof emitAll>[1], expected: string[], absent?: string[]][] = [
  [
    "struct: interface, quoted wire names, optional members, base via extends",
    `{ 'struct': 'Base', 'data': { 'id': 'str' } }
     { 'struct': 'Snap', 'base': 'Base', 'data': { 'snapshot-file': 'str', '*format': 'str', 'n': ['int'] } }`,
    {},
    [
      "export interface Base {\n  id: string;\n}\n",
      'export interface Snap extends Base {\n  "snapshot-file": string;\n  format?: string;\n  n: number[];\n}\n',
    ],
  ],
  [
    "enum: string-literal union and readonly values",
    `{ 'enum': 'Color', 'data': [ 'red', 'light-green' ] }`,
    {},
    [
      'export type Color = "red" | "light-green";\n',
      'export const ColorValues: readonly Color[] = ["red", "light-green"];\n',
    ],
  ],
  [
    "union: base plus each branch, dataless branches base alone",
    `{ 'enum': 'Kind', 'data': [ 'a', 'b' ] }
     { 'struct': 'Apple', 'data': { 'x': 'int' } }
     { 'union': 'Un', 'base': { 'k': 'Kind', '*n': 'str' }, 'discriminator': 'k', 'data': { 'a': 'Apple' } }`,
    {},
    [
      "export interface UnBase {\n  k: Kind;\n  n?: string;\n}\n",
      'export type Un = (UnBase & { k: "a" } & Apple) | (UnBase & { k: "b" });\n',
    ],
  ],
  [
    "alternate: union of alternatives",
    `{ 'struct': 'Sss', 'data': { 'x': 'int' } }
     { 'alternate': 'Alt', 'data': { 's': 'Sss', 'r': 'str', 'n': 'null' } }
     { 'alternate': 'Alt2', 'data': { 'i': 'int', 'b': 'bool', 'l': [ 'Sss' ] } }`,
    {},
    ["export type Alt = Sss | string | null;\n", "export type Alt2 = number | boolean | Sss[];\n"],
  ],
  [
    "built-ins in number mode",
    `{ 'struct': 'Bee', 'data': { 's': 'str', 'b': 'bool', 'n': 'number', 'i': 'int', 'i8': 'int8', 'u64': 'uint64',
       'sz': 'size', 'z': 'null', 'a': 'any', 'q': 'QType' } }`,
    {},
    [
      'import type { JsonValue, QType } from "./builtin.js";\n',
      "  s: string;\n  b: boolean;\n  n: number;\n  i: number;\n  i8: number;\n  u64: number;\n  sz: number;\n  z: null;\n  a: JsonValue;\n  q: QType;\n",
    ],
  ],
  [
    "built-ins in bigint mode: 64-bit integers only",
    `{ 'struct': 'Bee', 'data': { 'i': 'int', 'i64': 'int64', 'u64': 'uint64', 'sz': 'size', 'i32': 'int32', 'u32': 'uint32' } }`,
    { int64: "bigint" },
    ["  i: bigint;\n  i64: bigint;\n  u64: bigint;\n  sz: bigint;\n  i32: number;\n  u32: number;\n"],
  ],
  [
    "command arguments and event data get readable names",
    `{ 'command': 'blockdev-snapshot-sync', 'data': { 'device': 'str' } }
     { 'event': 'JOB_STATUS_CHANGE', 'data': { 'id': 'str' } }`,
    {},
    ["export interface BlockdevSnapshotSyncArguments {\n", "export interface JobStatusChangeEvent {\n"],
  ],
  [
    "identifiers valid and collision-free",
    `{ 'struct': 'Foo', 'data': { 'class': 'str', '*x': 'FooValidator', 'a': 'any' } }
     { 'enum': 'FooValidator', 'data': [ 'a' ] }
     { 'struct': 'JsonValue', 'data': { 'await': 'str' } }`,
    {},
    [
      "export interface Foo {\n  class: string;\n  x?: FooValidator;\n  a: JsonValue2;\n}\n",
      "export type FooValidator = \"a\";\n",
      "export interface JsonValue {\n",
      'import type { JsonValue2 } from "./builtin.js";',
    ],
  ],
  [
    "TSDoc: description, member docs, @since, @deprecated with reason, @experimental, conditions",
    DOCS,
    {},
    [
      "/**\n * How to do it.\n *\n * - `fast`: quickly\n * - `slow`: slowly\n *   Deprecated. Member `slow` is deprecated; use `fast`.\n *\n * @since 2.5\n */\nexport type Mode",
      "/**\n * An old thing.\n *\n * @since 1.0\n */\nexport interface Old {\n",
      "  /**\n   * old member\n   *\n   * @deprecated Use `a-b` instead.\n   */\n  \"old-m\"?: string;\n",
      "/**\n * Arguments of command `do-it`.\n *\n * @since 3.0\n */\nexport interface DoItArguments {\n",
      "  /** the a-b member */\n",
      "  /**\n   * experimental member\n   *\n   * @experimental Member `x` is experimental.\n   */\n  x?: number;\n",
      "  /**\n   * conditional member\n   *\n   * Only available if `CONFIG_A and not CONFIG_B`.\n   */\n  only?: boolean;\n",
    ],
  ],
  [
    "--define leaves out disabled parts and says no condition",
    DOCS,
    { defines: new Set(["CONFIG_A", "CONFIG_B"]) },
    ["export interface Old {\n"],
    ["only?:", "Only available if"],
  ],
  [
    "--define keeps enabled conditional parts",
    DOCS,
    { defines: new Set(["CONFIG_A"]) },
    ["  /** conditional member */\n  only?: boolean;\n"],
  ],
];

describe("types emitter", () => {
  it.each(CASES)("%s", (_what, schema, options, expected, absent = []) => {
    const text = types(schema, options);
    for (const e of expected) expect(text).toContain(e);
    for (const a of absent) expect(text).not.toContain(a);
  });

  it.each(CASES)("compiles strictly and is prettier-formatted: %s", async (_what, schema, options) => {
    const files = emitAll(inlineSchema({ "main.json": schema }), options);
    expect(typecheck(files)).toEqual([]);
    expect(await unformatted(files)).toEqual([]);
  });

  it("puts each module in its own file and imports across modules with .js specifiers", () => {
    const files = fileMap(
      emitAll(
        inlineSchema({
          "main.json": "{ 'include': 'sub/block-core.json' }\n{ 'struct': 'Tee', 'data': { 'b': 'Bee' } }",
          "sub/block-core.json": "{ 'struct': 'Bee', 'data': { 'x': 'int' } }",
        }),
      ),
    );
    expect([...files.keys()].sort()).toEqual([
      "runtime/client.ts",
      "runtime/dispatch.ts",
      "runtime/errors.ts",
      "runtime/events.ts",
      "runtime/validate.ts",
      "runtime/wire.ts",
      "schema.json",
      "types/builtin.ts",
      "types/main.ts",
      "types/sub.block-core.ts",
      "validators/builtin.ts",
      "validators/main.ts",
      "validators/sub.block-core.ts",
    ]);
    expect(files.get("types/main.ts")).toContain('import type { Bee } from "./sub.block-core.js";');
    expect(files.get("validators/main.ts")).toContain('import { $g_Bee, $p_Bee } from "./sub.block-core.js";');
  });

  it("starts every file with the header", () => {
    for (const [path, content] of out("{ 'struct': 'Sss', 'data': {} }")) {
      if (path.startsWith("runtime/")) expect(content).toMatch(/^\/\/ .*\n\/\/ @generated by qapi-gen\. Do not edit\.\n/);
      else if (path.endsWith(".ts")) expect(content).toMatch(/^\/\/ .*\n\/\/ @generated by qapi-gen from main\.json\. Do not edit\.\n/);
    }
  });
});

describe("type-level tests (compiled)", () => {
  it("accepts valid values and rejects wrong ones", () => {
    const files = emitAll(fileSchema("qapi/transaction.json"), {}, "qapi/transaction.json");
    const test = `
import type { TransactionAction, TransactionArguments } from "./types/transaction.js";
import type { ActionCompletionMode } from "./types/transaction.js";
import { isTransactionAction, TransactionArgumentsValidator } from "./validators/transaction.js";
import type { StandardSchemaV1 } from "./runtime/validate.js";

export const ok: TransactionArguments = {
  actions: [
    { type: "blockdev-snapshot-sync", data: { device: "ide-hd0", "snapshot-file": "/some/place/my-image", format: "qcow2" } },
    { type: "blockdev-snapshot-internal-sync", data: { device: "ide-hd2", name: "snapshot0" } },
    { type: "abort", data: {} },
  ],
  properties: { "completion-mode": "grouped" },
};
// @ts-expect-error unknown enum value
export const badMode: ActionCompletionMode = "sometimes";
// @ts-expect-error data of another branch
export const wrongBranch: TransactionAction = { type: "blockdev-snapshot-internal-sync", data: { device: "x", "snapshot-file": "y" } };
// @ts-expect-error missing required member
export const missing: TransactionAction = { type: "blockdev-snapshot-internal-sync", data: { device: "x" } };
// @ts-expect-error optional members cannot be undefined (exactOptionalPropertyTypes)
export const undef: TransactionArguments = { actions: [], properties: undefined };

export function narrow(a: TransactionAction): string {
  switch (a.type) {
    case "blockdev-snapshot-internal-sync":
      return a.data.name;
    case "abort":
      // @ts-expect-error Abort has no members
      return a.data.name;
    default:
      return a.type;
  }
}

export function guard(v: unknown): number {
  if (isTransactionAction(v, "compatible")) return v.type.length;
  return 0;
}

type Out = StandardSchemaV1.InferOutput<typeof TransactionArgumentsValidator>;
export const inferred: Out = ok;
`;
    expect(typecheck(files, { "test.ts": test })).toEqual([]);
  });
});

describe("transaction.json output", () => {
  const files = emitAll(fileSchema("qapi/transaction.json"), {}, "qapi/transaction.json");

  it("compiles with zero diagnostics", () => {
    expect(typecheck(files)).toEqual([]);
  });

  it("is prettier-formatted", async () => {
    expect(await unformatted(files)).toEqual([]);
  });

  it("is deterministic", () => {
    expect(emitAll(fileSchema("qapi/transaction.json"), {}, "qapi/transaction.json")).toEqual(files);
  });

  it("marks drive-backup deprecated", () => {
    const text = fileMap(files).get("types/transaction.ts") ?? "";
    expect(text).toMatch(/- `drive-backup`: .*\n \*   Deprecated\./);
  });
});

describe.skipIf(!HAVE_SHARED)("full QEMU schemas (../shared)", () => {
  for (const version of ["10.0", "7.2"]) {
    for (const int64 of ["number", "bigint"] as const) {
      it(`QEMU ${version} (${int64}) compiles with zero diagnostics`, () => {
        const path = join(SHARED, `qemu/${version}/qapi/qapi-schema.json`);
        const files = emitAll(fileSchema(path), { int64 }, "qapi-schema.json");
        expect(typecheck(files)).toEqual([]);
      });
    }
  }

  it("QEMU 10.0 output is prettier-formatted", async () => {
    const path = join(SHARED, "qemu/10.0/qapi/qapi-schema.json");
    const files = emitAll(fileSchema(path), {}, "qapi-schema.json");
    expect(await unformatted(files)).toEqual([]);
  });
});

if (!HAVE_SHARED) {
  describe("full QEMU schemas", () => {
    it.skip(`skipped: ${SHARED} is absent (QEMU's schemas are test data outside the repository)`, () => {});
  });
}
