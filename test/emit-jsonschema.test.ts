// schema.json: the printer (prettier's JSON layout from JSON.stringify plus joined
// scalar arrays) on arbitrary values, and the integer bounds written exactly.

import fc from "fast-check";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { printJson } from "../generator/backend/emit/jsonschema.js";
import { emitAll, fileMap, inlineSchema } from "./emit-support.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// Arrays hold what schema.json's arrays hold: scalars but numbers (prettier fills
// long number arrays several to a line) and non-empty objects.
const { value: jsonArb } = fc.letrec<{ value: Json; element: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.boolean(),
    fc.constant(null),
    fc.integer(),
    fc.array(tie("element"), { maxLength: 8 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie("value"), { maxKeys: 5 }),
  ),
  element: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 30 }),
    fc.constantFrom(true, false, null),
    fc.dictionary(fc.string({ maxLength: 12 }), tie("value"), { minKeys: 1, maxKeys: 3 }),
  ),
}));

describe("printJson", () => {
  it("prints what it was given, as prettier would", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 12 }), jsonArb, { maxKeys: 6 }), async (value) => {
        const text = printJson(value);
        expect(JSON.parse(text)).toEqual(value);
        expect(await prettier.format(`${text}\n`, { parser: "json" })).toBe(`${text}\n`);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["fits on its line", { k: ["a", "b"] }, '{\n  "k": ["a", "b"]\n}'],
    ["does not fit", { k: ["x".repeat(40), "y".repeat(40)] }, `{\n  "k": [\n    "${"x".repeat(40)}",\n    "${"y".repeat(40)}"\n  ]\n}`],
    ["counts the comma after it", { k: ["x".repeat(69)], l: 1 }, `{\n  "k": [\n    "${"x".repeat(69)}"\n  ],\n  "l": 1\n}`],
    ["exactly the width", { k: ["x".repeat(69)] }, `{\n  "k": ["${"x".repeat(69)}"]\n}`],
    ["empty containers", { a: [], o: {} }, '{\n  "a": [],\n  "o": {}\n}'],
    ["objects in arrays", [{ a: ["x"] }, { b: null }], '[\n  {\n    "a": ["x"]\n  },\n  {\n    "b": null\n  }\n]'],
  ])("%s", (_what, value, expected) => {
    expect(printJson(value as Json)).toBe(expected);
  });
});

describe("schema.json", () => {
  it("writes 64-bit bounds as exact integers", () => {
    const files = fileMap(
      emitAll(inlineSchema({ "main.json": "{ 'struct': 'Sizes', 'data': { 'i': 'int64', 'u64': 'uint64', 'b': 'int8' } }" })),
    );
    const text = files.get("schema.json") ?? "";
    expect(text).toContain('"minimum": -9223372036854775808,');
    expect(text).toContain('"maximum": 9223372036854775807');
    expect(text).toContain('"maximum": 18446744073709551615');
    expect(text).toContain('"minimum": -128,');
    expect(text).not.toMatch(/"(?:minimum|maximum)": "/);
  });
});
