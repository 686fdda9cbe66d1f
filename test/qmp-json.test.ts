// Lossless JSON: unsafe integers exact as bigint, everything else as JSON.parse does.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonSyntaxError, parseJson, stringifyJson } from "../qmp/json.js";

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
