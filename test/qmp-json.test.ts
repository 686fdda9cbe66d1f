// Lossless JSON: unsafe integers exact as bigint, everything else as JSON.parse does.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkNesting, JsonNestingError, JsonSyntaxError, MAX_NESTING, parseJson, stringifyJson, type Int64Mode } from "../qmp/json.js";

describe("parseJson", () => {
  it("keeps integers beyond 2^53 exact in bigint mode", () => {
    const line = '{"return": {"size": 18446744073709551615, "neg": -9223372036854775808, "safe": 9007199254740991}}';
    const v = parseJson(line, "bigint") as { return: Record<string, unknown> };
    expect(v.return["size"]).toBe(18446744073709551615n);
    expect(v.return["neg"]).toBe(-9223372036854775808n);
    // Safe integers stay numbers even on the slow path.
    expect(v.return["safe"]).toBe(9007199254740991);
  });

  it("rounds them in number mode, like JSON.parse", () => {
    expect(parseJson("[18446744073709551615]", "number")).toEqual([18446744073709551616]);
  });

  it("treats long fractions and exponents as numbers, not integers", () => {
    expect(parseJson("[12345678901234567890.5, 1e400, 12345678901234567890e0]", "bigint")).toEqual([
      12345678901234567890.5,
      Infinity,
      12345678901234567890,
    ]);
  });

  it("parses strings with escapes and long digit runs inside strings", () => {
    const v = parseJson('{"s": "a\\"b\\\\c\\u00e9\\n 12345678901234567890", "n": 1}', "bigint");
    expect(v).toEqual({ s: 'a"b\\c\u00e9\n 12345678901234567890', n: 1 });
  });

  it("keeps __proto__ as an own data member", () => {
    const v = parseJson('{"__proto__": {"x": 1}, "n": 12345678901234567890}', "bigint") as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__", "n"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it.each([
    "{",
    '{"a": 12345678901234567890,}',
    "[01234567890123456789]",
    "[-]",
    '"unterminated 12345678901234567890',
    "[12345678901234567890] x",
    '{"a" 12345678901234567890}',
    "[1.]",
    "[tru]",
  ])("rejects malformed %s", (text) => {
    expect(() => parseJson(text, "bigint")).toThrow(SyntaxError);
  });

  it("reports the position of the error", () => {
    try {
      parseJson('{"a": 12345678901234567890 "b"}', "bigint");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect((e as JsonSyntaxError).position).toBe(27);
    }
  });

  it("agrees with JSON.parse on any JSON, up to the precision of unsafe integers", () => {
    // Unsafe integers come back as bigints; as numbers they must equal JSON.parse's.
    const toNumbers = (v: unknown): unknown =>
      typeof v === "bigint"
        ? (expect(Number.isSafeInteger(Number(v))).toBe(false), Number(v))
        : Array.isArray(v)
          ? v.map(toNumbers)
          : v !== null && typeof v === "object"
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toNumbers(x)]))
            : v;
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 1 }), (value, pad) => {
        // A 16-digit string member forces the slow path on every sample.
        const text = JSON.stringify({ v: value, force: "1234567890123456" }, null, pad === 1 ? 1 : undefined);
        expect(toNumbers(parseJson(text, "bigint"))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips any 64-bit integer", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), (n) => {
        const back = (parseJson(stringifyJson({ n }), "bigint") as { n: number | bigint }).n;
        expect(BigInt(back)).toBe(n);
        expect(typeof back).toBe(Number.isSafeInteger(Number(n)) && BigInt(Number(n)) === n ? "number" : "bigint");
      }),
    );
  });
});

describe("nesting limit", () => {
  /** Index of the n-th '[' or '{' (the texts here have none inside strings). */
  const openerAt = (text: string, n: number): number => {
    for (let i = 0; i < text.length; i++) if ((text[i] === "[" || text[i] === "{") && --n === 0) return i;
    return -1;
  };
  const nested = (depth: number, inner = "1"): string => "[".repeat(depth) + inner + "]".repeat(depth);
  const objects = (depth: number, inner = "1"): string => '{"a":'.repeat(depth) + inner + "}".repeat(depth);
  // With a 16-digit run bigint mode takes the lossless parser, without one JSON.parse.
  const cases: [Int64Mode, string][] = [
    ["number", "1"],
    ["bigint", "1"],
    ["bigint", "18446744073709551615"],
  ];

  it.each(cases)("accepts %s mode (inner %s) up to 1024 levels, as QEMU does", (mode, inner) => {
    expect(MAX_NESTING).toBe(1024);
    const v = parseJson(nested(1024, inner), mode);
    let depth = 0;
    for (let x: unknown = v; Array.isArray(x); x = x[0]) depth++;
    expect(depth).toBe(1024);
    expect(parseJson(objects(1023, `[${inner}]`), mode)).toBeTypeOf("object");
    expect(parseJson(`[${"[],".repeat(5000)}[]]`, mode)).toHaveLength(5001); // wide is not deep
  });

  it.each(cases)("refuses 1025 levels in %s mode (inner %s), at the opener that is one too many", (mode, inner) => {
    for (const text of [nested(1025, inner), objects(1024, `[${inner}]`), `{"id": ${nested(1024, inner)}}`, nested(1025, "{}")]) {
      const err = (() => {
        try {
          parseJson(text, mode);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(JsonNestingError);
      expect(err).toBeInstanceOf(SyntaxError);
      const opener = openerAt(text, 1025);
      expect((err as JsonNestingError).position).toBe(opener);
      expect((err as Error).message).toBe(`nesting deeper than 1024 levels at position ${opener}`);
    }
  });

  it.each(cases)("refuses a million levels in %s mode (inner %s) without building them or overflowing the stack", (mode, inner) => {
    expect(() => parseJson(nested(1_000_000, inner), mode)).toThrow(JsonNestingError);
    expect(() => parseJson(`{"exec-oob": "x", "id": ${nested(20_000, inner)}}`, mode)).toThrow(JsonNestingError);
    // unterminated, as a peer that never closes would send it
    expect(() => parseJson("[".repeat(1_000_000) + inner, mode)).toThrow(JsonNestingError);
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    // A string holding brackets, a backslash before a quote, and a final backslash.
    const tricky = JSON.stringify(`${"[{".repeat(2000)}\\"${"[".repeat(2000)}\\`);
    expect(() => checkNesting(`[${tricky}, ${nested(1000)}]`)).not.toThrow();
    expect(parseJson(`[${tricky}, ${nested(1000, "18446744073709551615")}]`, "bigint")).toHaveLength(2);
    // after an even run of backslashes the quote does close the string
    expect(() => checkNesting(`[${JSON.stringify("\\")}, ${nested(1025)}]`)).toThrow(JsonNestingError);
  });

  it("never lets stray closers take the count below zero, as QEMU's streamer", () => {
    expect(() => checkNesting("]".repeat(5000) + "[".repeat(1025))).toThrow(JsonNestingError);
  });

  it("refuses exactly what is nested deeper than the limit, whatever else the text holds", () => {
    const depthOf = (v: unknown): number =>
      v !== null && typeof v === "object" ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0;
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3, depthSize: "small" }),
        fc.stringMatching(/^[[\]{}"\\a ]*$/),
        fc.integer({ min: 1000, max: 1030 }),
        fc.constantFrom<Int64Mode>("number", "bigint"),
        (inner, s, wrap, mode) => {
          let text = stringifyJson({ s, v: inner, n: 18446744073709551615n });
          for (let i = 0; i < wrap; i++) text = i % 2 === 0 ? `[${text}]` : `{"k":${text}}`;
          const depth = depthOf(JSON.parse(text));
          if (depth > MAX_NESTING) expect(() => parseJson(text, mode)).toThrow(JsonNestingError);
          else expect(() => parseJson(text, mode)).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps __proto__ and constructor as own members, and 2^64 and 1e999 as JSON.parse would, in both modes", () => {
    for (const mode of ["number", "bigint"] as const) {
      const v = parseJson('{"__proto__": {"polluted": 1}, "constructor": {"prototype": 2}, "n": 18446744073709551616, "inf": 1e999}', mode) as Record<string, unknown>;
      expect(Object.keys(v)).toEqual(["__proto__", "constructor", "n", "inf"]);
      expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      expect(v["n"]).toBe(mode === "bigint" ? 2n ** 64n : 2 ** 64);
      expect(v["inf"]).toBe(Infinity);
    }
  });
});

describe("stringifyJson", () => {
  it("writes bigints as JSON numbers", () => {
    expect(stringifyJson({ execute: "x", arguments: { size: 2n ** 64n - 1n, list: [1n, "s", null] } })).toBe(
      '{"execute":"x","arguments":{"size":18446744073709551615,"list":[1,"s",null]}}',
    );
  });

  it("matches JSON.stringify otherwise (undefined members dropped, toJSON honoured)", () => {
    const value = { a: undefined, b: [undefined, 1], c: new Date(0), d: "é\n", big: 1n };
    const expected = JSON.stringify({ ...value, big: 0 }).replace('"big":0', '"big":1');
    expect(stringifyJson(value)).toBe(expected);
  });

  it("still throws on cycles", () => {
    const a: Record<string, unknown> = {};
    a["a"] = a;
    expect(() => stringifyJson(a)).toThrow(TypeError);
  });
});
