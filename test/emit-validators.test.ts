// The generated validators, run: table-driven cases on a small schema covering every
// kind of type, both modes, QEMU-style problem paths and messages, Standard Schema,
// hostile input; plus transaction.json's validators on its documented example.

import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutputFile } from "../generator/backend/context.js";
import { emitAll, fileSchema, inlineSchema, loadValidators, transpileToDir, type Validator } from "./emit-support.js";

const SCHEMA = `
{ 'enum': 'Color', 'data': [ 'red', 'green', { 'name': 'old', 'features': [ 'deprecated' ] } ] }
{ 'enum': 'Big', 'data': [ 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8' ] }
{ 'struct': 'Base', 'data': { 'id': 'str', '*tag': 'int8' } }
{ 'struct': 'Point', 'base': 'Base',
  'data': { 'x': 'int', 'y': 'uint8', '*color': 'Color', '*list': [ 'str' ], '*constructor': 'bool',
            '*size': 'size', '*ratio': 'number', '*blob': 'any', '*big': 'Big', '*u64': 'uint64' } }
{ 'struct': 'Leaf', 'data': { 'value': 'int32' } }
{ 'enum': 'ShapeKind', 'data': [ 'point', 'leaf', 'none' ] }
{ 'union': 'Shape', 'base': { 'kind': 'ShapeKind', '*name': 'str' }, 'discriminator': 'kind',
  'data': { 'point': 'Point', 'leaf': 'Leaf' } }
{ 'enum': 'OuterKind', 'data': [ 's', 'u' ] }
{ 'union': 'Outer', 'base': { 't': 'OuterKind' }, 'discriminator': 't', 'data': { 's': 'Shape' } }
{ 'struct': 'Tree', 'data': { '*children': [ 'Ref' ], '*label': 'str' } }
{ 'alternate': 'Ref', 'data': { 'def': 'Tree', 'name': 'str', 'n': 'null' } }
{ 'alternate': 'Num', 'data': { 'i': 'int16', 'b': 'bool', 'c': 'Color' } }
{ 'struct': 'Wrap', 'data': { 'ref': 'Ref' } }
{ 'struct': 'Knobs', 'data': { 'u32': 'uint32', '*i32': 'int32', '*colors': [ 'Color' ], '*inner': 'Point', '*wrap': 'Wrap' } }
{ 'command': 'do-it', 'data': { 'shape': 'Shape', '*refs': [ 'Ref' ] }, 'returns': 'Point' }
{ 'event': 'SOMETHING', 'data': { 'when': 'int', '*num': 'Num' } }
`;

let dir: string;
let files: OutputFile[];
let v: Map<string, Validator>;

beforeAll(async () => {
  files = emitAll(inlineSchema({ "main.json": SCHEMA }));
  dir = transpileToDir(files);
  v = await loadValidators(dir, files);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function val(name: string): Validator {
  const x = v.get(name);
  if (x === undefined) throw new Error(`no validator ${name}`);
  return x;
}

const point = { id: "p", x: 1, y: 2 };
const knobs = { u32: 7 };

type Case = [
  what: string,
  type: string,
  value: unknown,
  strict: string | true,
  compatible?: string | true,
];

// strict / compatible: true when valid, else "path: message" of the first problem
const CASES: Case[] = [
  ["struct minimal", "Point", point, true],
  ["struct full", "Point", { ...point, tag: -128, color: "green", list: ["a"], constructor: true, size: 0, ratio: 1.5, blob: { a: [1, null] }, big: "a8", u64: 2 ** 53 - 1 }, true],
  ["missing member", "Point", { id: "p", x: 1 }, "y: Parameter 'y' is missing"],
  ["missing base member", "Point", { x: 1, y: 2 }, "id: Parameter 'id' is missing"],
  ["unknown member", "Point", { ...point, extra: 1 }, "extra: Parameter 'extra' is unexpected", true],
  ["undefined member counts as absent", "Point", { ...point, color: undefined, junk: undefined }, true],
  ["wrong type", "Point", { ...point, x: "1" }, "x: Invalid parameter type for 'x', expected: integer"],
  ["not an object", "Point", [1], ": Invalid type, expected: object"],
  ["null", "Point", null, ": Invalid type, expected: object"],
  // QEMU's words: intN/uintN ranges name the member alone and the C type.
  ["int8 range", "Point", { ...point, tag: 128 }, "tag: Parameter 'tag' expects int8_t"],
  ["int8 range, nested", "Knobs", { ...knobs, inner: { ...point, tag: -129 } }, "inner.tag: Parameter 'tag' expects int8_t"],
  ["uint8 negative", "Point", { ...point, y: -1 }, "y: Parameter 'y' expects uint8_t"],
  ["uint32 range", "Knobs", { u32: 2 ** 40 }, "u32: Parameter 'u32' expects uint32_t"],
  // Unsigned values are read as uint64 first: what is no uint64 says so, with the path.
  ["uint32 not an integer", "Knobs", { u32: "7" }, "u32: Parameter 'u32' expects uint64"],
  ["uint32 beyond 64 bits", "Knobs", { u32: 1e20 }, "u32: Parameter 'u32' expects uint64"],
  ["int32 range", "Knobs", { ...knobs, i32: 2 ** 31 }, "i32: Parameter 'i32' expects int32_t"],
  ["int32 not an integer", "Knobs", { ...knobs, i32: 1.5 }, "i32: Invalid parameter type for 'i32', expected: integer"],
  ["int32 beyond 64 bits", "Knobs", { ...knobs, i32: 1e20 }, "i32: Invalid parameter type for 'i32', expected: integer"],
  ["uint64 negative, as QEMU takes it", "Point", { ...point, u64: -1 }, true],
  ["uint64 not an integer", "Point", { ...point, u64: 1.5 }, "u64: Parameter 'u64' expects uint64"],
  ["uint64 a string", "Point", { ...point, u64: "1" }, "u64: Parameter 'u64' expects uint64"],
  ["int not integral", "Point", { ...point, x: 1.5 }, "x: Invalid parameter type for 'x', expected: integer"],
  ["int beyond 2^53", "Point", { ...point, x: 2 ** 60 }, "x: Parameter 'x' exceeds 2^53 in magnitude: precision lost"],
  ["int at -2^53", "Point", { ...point, x: -(2 ** 53) }, "x: Parameter 'x' exceeds 2^53 in magnitude: precision lost"],
  ["uint64 beyond 2^53", "Point", { ...point, u64: 2 ** 53 }, "u64: Parameter 'u64' exceeds 2^53 in magnitude: precision lost"],
  ["size negative, as QEMU takes it", "Point", { ...point, size: -1 }, true],
  ["size not an integer", "Point", { ...point, size: 0.5 }, "size: Parameter 'size' expects uint64"],
  ["number NaN", "Point", { ...point, ratio: NaN }, "ratio: Invalid parameter type for 'ratio', expected: number"],
  ["number Infinity", "Point", { ...point, ratio: Infinity }, "ratio: Invalid parameter type for 'ratio', expected: number"],
  // any: the first thing that is no JSON value, at its own path
  ["any rejects functions", "Point", { ...point, blob: { f: () => 1 } }, "blob.f: Invalid parameter type for 'blob.f', expected: JSON value"],
  ["any rejects undefined in arrays", "Point", { ...point, blob: [undefined] }, "blob[0]: Invalid parameter type for 'blob[0]', expected: JSON value"],
  ["any rejects holes", "Point", { ...point, blob: [1, , 3] }, "blob[1]: Invalid parameter type for 'blob[1]', expected: JSON value"],
  ["any skips undefined members", "Point", { ...point, blob: { a: undefined, b: [null] } }, true],
  ["any rejects a Date", "Point", { ...point, blob: { when: new Date(0) } }, "blob.when: 'blob.when' is not sent as it is: it has a toJSON method or is a boxed primitive"],
  ["any rejects a boxed string", "Point", { ...point, blob: [new String("x")] }, "blob[0]: 'blob[0]' is not sent as it is: it has a toJSON method or is a boxed primitive"],
  ["unknown enum value", "Point", { ...point, color: "blue" }, "color: Parameter 'color' does not accept value 'blue'", true],
  ["unknown big enum value", "Point", { ...point, big: "a9" }, "big: Parameter 'big' does not accept value 'a9'", true],
  ["enum not a string", "Point", { ...point, color: 1 }, "color: Invalid parameter type for 'color', expected: string"],
  // QEMU names the member alone for an enum value, and an array element 'null'.
  ["enum value, nested", "Knobs", { ...knobs, inner: { ...point, color: "blue" } }, "inner.color: Parameter 'color' does not accept value 'blue'", true],
  ["enum value, array element", "Knobs", { ...knobs, colors: ["red", "blue"] }, "colors[1]: Parameter 'null' does not accept value 'blue'", true],
  ["array element", "Point", { ...point, list: ["a", 2] }, "list[1]: Invalid parameter type for 'list[1]', expected: string"],
  ["array expected", "Point", { ...point, list: "a" }, "list: Invalid parameter type for 'list', expected: array"],
  ["member named constructor absent", "Point", point, true],
  ["member named constructor wrong", "Point", { ...point, constructor: 1 }, "constructor: Invalid parameter type for 'constructor', expected: boolean"],
  ["__proto__ key is unknown", "Point", JSON.parse('{"id":"p","x":1,"y":2,"__proto__":{"x":"bad"}}'), "__proto__: Parameter '__proto__' is unexpected", true],
  ["enum", "Color", "old", true],
  ["enum unknown", "Color", "blue", ": Parameter the value does not accept value 'blue'", true],
  ["union branch", "Shape", { kind: "point", ...point }, true],
  ["union dataless branch", "Shape", { kind: "none", name: "n" }, true],
  ["union branch member missing", "Shape", { kind: "leaf" }, "value: Parameter 'value' is missing"],
  ["union member of another branch", "Shape", { kind: "leaf", value: 1, x: 1 }, "x: Parameter 'x' is unexpected", true],
  ["union discriminator missing", "Shape", { value: 1 }, "kind: Parameter 'kind' is missing"],
  ["union unknown discriminator", "Shape", { kind: "circle", r: 1 }, "kind: Parameter 'kind' does not accept value 'circle'", true],
  ["union unknown discriminator, base checked", "Shape", { kind: "circle", name: 1 }, "kind: Parameter 'kind' does not accept value 'circle'", "name: Invalid parameter type for 'name', expected: string"],
  ["nested union", "Outer", { t: "s", kind: "leaf", value: 3 }, true],
  ["nested union inner problem", "Outer", { t: "s", kind: "leaf", value: "3" }, "value: Invalid parameter type for 'value', expected: integer"],
  ["nested union unknown member", "Outer", { t: "s", kind: "none", q: 1 }, "q: Parameter 'q' is unexpected", true],
  ["alternate string", "Ref", "node0", true],
  ["alternate null", "Ref", null, true],
  ["alternate object", "Ref", { label: "x", children: ["a", null, { children: [] }] }, true],
  ["alternate object problem", "Ref", { children: [{ label: 1 }] }, "children[0].label: Invalid parameter type for 'children[0].label', expected: string"],
  ["alternate no branch", "Ref", 1, ": Invalid type, expected: Ref"],
  // As for enums, QEMU names an alternate's member alone.
  ["alternate no branch, nested", "Knobs", { ...knobs, wrap: { ref: 1 } }, "wrap.ref: Invalid parameter type for 'ref', expected: Ref"],
  ["alternate no branch, array element", "Tree", { children: [true] }, "children[0]: Invalid parameter type for 'null', expected: Ref"],
  ["alternate int", "Num", 7, true],
  ["alternate int range", "Num", 70000, ": Parameter the value expects int16_t"],
  ["alternate bool", "Num", false, true],
  ["alternate enum", "Num", "red", true],
  ["alternate enum unknown", "Num", "blue", ": Parameter the value does not accept value 'blue'", true],
  ["command arguments", "DoItArguments", { shape: { kind: "leaf", value: 1 }, refs: ["x"] }, true],
  ["command arguments deep path", "DoItArguments", { shape: { kind: "point", ...point, extra: 1 } }, "shape.extra: Parameter 'shape.extra' is unexpected", true],
  ["event data", "SomethingEvent", { when: 1, num: true }, true],
  ["event data unknown member", "SomethingEvent", { when: 1, later: "x" }, "later: Parameter 'later' is unexpected", true],
];

describe("generated validators", () => {
  it.each(CASES)("%s", (_what, type, value, strict, compatible = strict) => {
    const x = val(type);
    for (const [mode, expected] of [
      ["strict", strict],
      ["compatible", compatible],
    ] as const) {
      const problems = x.problems(value, mode);
      expect(x.is(value, mode), `${mode}: ${JSON.stringify(problems)}`).toBe(expected === true);
      if (expected === true) {
        expect(problems).toEqual([]);
        expect(x["~standard"].validate(value)).toEqual(mode === "strict" ? { value } : expect.anything());
        expect(x.standard(mode)["~standard"].validate(value)).toEqual({ value });
      } else {
        expect(problems.length).toBeGreaterThan(0);
        const first = problems[0]!;
        expect(`${first.path}: ${first.message}`).toBe(expected);
        const result = x.standard(mode)["~standard"].validate(value);
        expect("issues" in result && result.issues[0]?.message).toBe(first.message);
      }
    }
  });

  it("strict is the default mode", () => {
    expect(val("Point").is({ ...point, extra: 1 })).toBe(false);
    expect(val("Point").is({ ...point, extra: 1 }, "compatible")).toBe(true);
  });

  it("exposes Standard Schema v1 with paths as segments", () => {
    const std = val("DoItArguments")["~standard"];
    expect(std.version).toBe(1);
    expect(std.vendor).toBe("qapi-gen");
    const r = std.validate({ shape: { kind: "point", ...point, list: ["a", 1] } });
    expect(r).toEqual({
      issues: [{ message: "Invalid parameter type for 'shape.list[1]', expected: string", path: ["shape", "list", 1] }],
    });
  });

  it("survives deep nesting without a stack overflow", () => {
    let deep: unknown = { label: "leaf" };
    for (let i = 0; i < 100_000; i++) deep = { children: [deep] };
    const tree = val("Tree");
    expect(tree.is(deep)).toBe(false);
    const problems = tree.problems(deep);
    expect(problems.length).toBe(1);
    expect(problems[0]!.message).toMatch(/nested too deeply/);
    // moderately deep is fine
    let ok: unknown = { label: "leaf" };
    for (let i = 0; i < 200; i++) ok = { children: [ok] };
    expect(tree.is(ok)).toBe(true);
    // any: the same limit, counted from the top of the whole value
    const nest = (n: number): unknown => {
      let blob: unknown = 1;
      for (let i = 0; i < n; i++) blob = [blob];
      return blob;
    };
    expect(val("Point").is({ ...point, blob: nest(1000) })).toBe(true); // the blob is at depth 1
    expect(val("Point").is({ ...point, blob: nest(1001) })).toBe(false);
    const blobProblems = val("Point").problems({ ...point, blob: nest(100_000) });
    expect(blobProblems).toHaveLength(1);
    expect(blobProblems[0]!.path).toBe(`blob${"[0]".repeat(1000)}`);
    expect(blobProblems[0]!.message).toMatch(/is nested too deeply$/);
    expect(val("Knobs").is({ ...knobs, inner: { ...point, blob: nest(999) } })).toBe(true);
    expect(val("Knobs").is({ ...knobs, inner: { ...point, blob: nest(1000) } })).toBe(false);
  });

  it("handles huge arrays and caps the problems listed", () => {
    const list = new Array<unknown>(1_000_000).fill("x");
    expect(val("Point").is({ ...point, list })).toBe(true);
    const bad = new Array<unknown>(1_000_000).fill(1);
    const problems = val("Point").problems({ ...point, list: bad });
    expect(problems.length).toBe(100);
  });

  it("never pollutes prototypes", () => {
    const hostile = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"id":"p","x":1,"y":2}');
    val("Point").problems(hostile);
    val("Shape").problems({ kind: "__proto__" });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false);
    // an inherited member is not a member
    const inherited = Object.create({ id: "p", x: 1, y: 2 }) as object;
    expect(val("Point").is(inherited)).toBe(false);
  });

  it("guards agree with problems on every case", () => {
    for (const [, type, value] of CASES) {
      for (const mode of ["strict", "compatible"] as const) {
        expect(val(type).is(value, mode)).toBe(val(type).problems(value, mode).length === 0);
      }
    }
  });
});

describe("bigint mode", () => {
  let bdir: string;
  let bv: Map<string, Validator>;
  beforeAll(async () => {
    const bfiles = emitAll(inlineSchema({ "main.json": SCHEMA }), { int64: "bigint" });
    bdir = transpileToDir(bfiles);
    bv = await loadValidators(bdir, bfiles);
  });
  afterAll(() => rmSync(bdir, { recursive: true, force: true }));

  it.each([
    [{ id: "p", x: 2n ** 62n, y: 2, u64: 2n ** 64n - 1n, size: 0n }, true],
    [{ id: "p", x: 1, y: 2 }, "x: Invalid parameter type for 'x', expected: integer (bigint)"],
    [{ id: "p", x: 2n ** 63n, y: 2 }, "x: Invalid parameter type for 'x', expected: integer"],
    [{ id: "p", x: 1n, y: 2, u64: -1n }, true],
    [{ id: "p", x: 1n, y: 2, u64: -(2n ** 63n) - 1n }, "u64: Parameter 'u64' expects uint64"],
    [{ id: "p", x: 1n, y: 2, u64: 2n ** 64n }, "u64: Parameter 'u64' expects uint64"],
    [{ id: "p", x: 1n, y: 2, u64: 0.5 }, "u64: Parameter 'u64' expects uint64"],
    [{ id: "p", x: 1n, y: 2n }, "y: Parameter 'y' expects uint64"],
    [{ id: "p", x: 1n, y: 2, blob: { n: 2n ** 70n } }, true],
  ] as const)("%o", (value, expected) => {
    const p = bv.get("Point")!;
    expect(p.is(value)).toBe(expected === true);
    const problems = p.problems(value);
    if (expected === true) expect(problems).toEqual([]);
    else expect(`${problems[0]?.path}: ${problems[0]?.message}`).toBe(expected);
  });
});

describe("transaction.json validators", () => {
  let tdir: string;
  let tv: Map<string, Validator>;
  beforeAll(async () => {
    const tfiles = emitAll(fileSchema("qapi/transaction.json"), {}, "qapi/transaction.json");
    tdir = transpileToDir(tfiles);
    tv = await loadValidators(tdir, tfiles);
  });
  afterAll(() => rmSync(tdir, { recursive: true, force: true }));

  const example = {
    actions: [
      { type: "blockdev-snapshot-sync", data: { device: "ide-hd0", "snapshot-file": "/some/place/my-image", format: "qcow2" } },
      { type: "blockdev-snapshot-sync", data: { "node-name": "myfile", "snapshot-file": "/some/place/my-image2", "snapshot-node-name": "node3432", mode: "existing", format: "qcow2" } },
      { type: "blockdev-snapshot-internal-sync", data: { device: "ide-hd2", name: "snapshot0" } },
    ],
  };

  it("accepts the documented example", () => {
    expect(tv.get("TransactionArguments")!.problems(example)).toEqual([]);
  });

  it("names the path of an unexpected member as QEMU does", () => {
    const bad = structuredClone(example) as { actions: { data: Record<string, unknown> }[] };
    bad.actions[0]!.data["extra"] = 1;
    expect(tv.get("TransactionArguments")!.problems(bad)).toEqual([
      { path: "actions[0].data.extra", message: "Parameter 'actions[0].data.extra' is unexpected" },
    ]);
    expect(tv.get("TransactionArguments")!.is(bad, "compatible")).toBe(true);
  });
});
