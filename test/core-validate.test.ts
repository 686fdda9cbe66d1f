// qmp/core/validate.ts as real code: every helper the generated validators call,
// with the messages in QEMU's words, the limits (depth, budget, problems), how
// members are read (as JSON.stringify sends them), and the Validator object with
// its Standard Schema face. Guards and checks are written here by hand, the way
// the validators emitter writes them.

import { describe, expect, it } from "vitest";
import { Blob, Item, KEYS, int8, pItem, q, str } from "./core-support.js";
import {
  $MAX_DEPTH,
  $MAX_PROBLEMS,
  $MAX_VALUES,
  type $Check,
  type $Obj,
  $alternate,
  $array,
  $at,
  $big,
  $bigEach,
  $bigs,
  $checked,
  $deep,
  $enter,
  $enum,
  $exact,
  $int,
  $isArray,
  $isBig,
  $isInt,
  $isJson,
  $isObject,
  $json,
  $jsonProblem,
  $large,
  $list,
  $member,
  $missing,
  $object,
  $own,
  $ownKeys,
  $sendsItself,
  $setOwn,
  $toJSON,
  $type,
  $unknown,
  $unreadable,
  $validator,
  type Problem,
} from "../qmp/core/validate.js";

/** The problems one helper reports. */
function report(f: (out: Problem[]) => void): Problem[] {
  const out: Problem[] = [];
  f(out);
  return out;
}

const messages = (out: readonly Problem[]): string[] => out.map((p) => `${p.path}: ${p.message}`);

function nest(n: number, inner: unknown = 1): unknown {
  let v = inner;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

describe("reading objects", () => {
  it("$isObject: objects, not arrays or null", () => {
    expect([{}, Object.create(null), new Date(0)].map($isObject)).toEqual([true, true, true]);
    expect([[], null, "x", 1, undefined].map($isObject)).toEqual([false, false, false, false, false]);
  });

  it("$own reads own members only, __proto__ included", () => {
    const o = JSON.parse('{"__proto__": 1, "a": 2}') as $Obj;
    expect($own(o, "__proto__")).toBe(1);
    expect($own(o, "a")).toBe(2);
    expect($own({}, "constructor")).toBeUndefined();
    expect($own(Object.create({ a: 1 }) as $Obj, "a")).toBeUndefined();
  });

  it("$ownKeys counts own enumerable members that are not undefined", () => {
    expect($ownKeys({ a: 1, b: undefined, c: null })).toBe(2);
    const o = Object.create({ inherited: 1 }) as $Obj;
    Object.defineProperty(o, "hidden", { value: 1, enumerable: false });
    o["own"] = 1;
    expect($ownKeys(o)).toBe(1);
  });

  it("$setOwn sets an own member even where objects inherit one", () => {
    const o: $Obj = {};
    $setOwn(o, "constructor", 5);
    $setOwn(o, "__proto__", 6);
    expect(Object.keys(o)).toEqual(["constructor", "__proto__"]);
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
  });

  it("$sendsItself: not with a toJSON method, not a boxed primitive", () => {
    expect([{}, [], Object.create(null), new Map(), new (class {})()].map($sendsItself)).toEqual([true, true, true, true, true]);
    const arr = Object.assign([1], { toJSON: () => 2 });
    const boxed = [new String("x"), new Number(1), new Boolean(false), Object(1n) as object];
    expect([new Date(0), { toJSON: () => 1 }, arr, ...boxed].map($sendsItself)).toEqual([false, false, false, false, false, false, false]);
    expect($sendsItself({ toJSON: "not a function" })).toBe(true); // JSON.stringify ignores it too
  });
});

describe("scalars", () => {
  it("$isInt and $isBig: integers in a range", () => {
    expect([$isInt(3, 0, 3), $isInt(4, 0, 3), $isInt(1.5, 0, 3), $isInt("1", 0, 3), $isInt(-1, 0, 3)]).toEqual([true, false, false, false, false]);
    expect([$isBig(3n, 0n, 3n), $isBig(4n, 0n, 3n), $isBig(3, 0n, 3n)]).toEqual([true, false, false]);
  });

  it("$big converts safe integers only; $bigs and $bigEach convert arrays in place", () => {
    expect([$big(3), $big(2 ** 53), $big(1.5), $big("3")]).toEqual([3n, 2 ** 53, 1.5, "3"]);
    const a: unknown[] = [1, "x", 2.5, 4];
    $bigs(a);
    expect(a).toEqual([1n, "x", 2.5, 4n]);
    const b: unknown[] = [{ n: 1 }, { n: 2 }];
    $bigEach(b, (v) => ({ ...(v as $Obj), seen: true }), 0);
    expect(b).toEqual([{ n: 1, seen: true }, { n: 2, seen: true }]);
    const deep: unknown[] = [{}];
    $bigEach(deep, () => "converted", $MAX_DEPTH + 1);
    expect(deep).toEqual([{}]); // beyond the depth limit: left as it is
  });

  // QEMU's words (qapi/qobject-input-visitor.c): intN/uintN name the member alone and
  // the C type; what is no int64 is no "integer"; an unsigned value is read as uint64.
  it.each([
    ["int8 in range", 5, "a.n", "int8", -128, 127, []],
    ["int8 range", 200, "a.n", "int8", -128, 127, ["a.n: Parameter 'n' expects int8_t"]],
    ["int8 not an integer", 1.5, "a.n", "int8", -128, 127, ["a.n: Invalid parameter type for 'a.n', expected: integer"]],
    ["int8 beyond int64", 1e20, "a.n", "int8", -128, 127, ["a.n: Invalid parameter type for 'a.n', expected: integer"]],
    ["uint16 negative", -1, "q", "uint16", 0, 65535, ["q: Parameter 'q' expects uint16_t"]],
    ["uint16 a string", "1", "q", "uint16", 0, 65535, ["q: Parameter 'q' expects uint64"]],
    ["uint32 array element", 2 ** 33, "a[2]", "uint32", 0, 2 ** 32 - 1, ["a[2]: Parameter 'null' expects uint32_t"]],
    ["int beyond 2^53", 2 ** 60, "x", "int", -(2 ** 63), 2 ** 63, ["x: Parameter 'x' exceeds 2^53 in magnitude: precision lost"]],
    ["size at the top", -0.5, "", "size", 0, 2 ** 64, [": Parameter the value expects uint64"]],
    ["bigint int64 given a number", 1, "x", "int64", -(2n ** 63n), 2n ** 63n - 1n, ["x: Invalid parameter type for 'x', expected: integer (bigint)"]],
    ["bigint int64 given 2^60", 2 ** 60, "x", "int64", -(2n ** 63n), 2n ** 63n - 1n, ["x: Parameter 'x' exceeds 2^53 in magnitude: precision lost (parse with bigints)"]],
    ["bigint uint64 beyond", 2n ** 64n, "x", "uint64", -(2n ** 63n), 2n ** 64n - 1n, ["x: Parameter 'x' expects uint64"]],
    ["bigint int64 beyond", 2n ** 63n, "x", "int64", -(2n ** 63n), 2n ** 63n - 1n, ["x: Invalid parameter type for 'x', expected: integer"]],
  ] as const)("$int: %s", (_what, v, p, name, min, max, expected) => {
    expect(messages(report((out) => $int(v, p, out, name, min, max)))).toEqual(expected);
  });
});

describe("messages", () => {
  it.each([
    ["$type", (out: Problem[]) => $type(out, "a.b", "string"), "a.b: Invalid parameter type for 'a.b', expected: string"],
    ["$type at the top", (out: Problem[]) => $type(out, "", "object"), ": Invalid type, expected: object"],
    ["$missing", (out: Problem[]) => $missing(out, "a.device"), "a.device: Parameter 'a.device' is missing"],
    ["$enum names the member alone", (out: Problem[]) => $enum(out, "file.driver", "x"), "file.driver: Parameter 'driver' does not accept value 'x'"],
    ["$enum of an element names 'null'", (out: Problem[]) => $enum(out, "l[1]", "x"), "l[1]: Parameter 'null' does not accept value 'x'"],
    ["$alternate", (out: Problem[]) => $alternate(out, "w.ref", "BlockdevRef"), "w.ref: Invalid parameter type for 'ref', expected: BlockdevRef"],
    ["$alternate at the top", (out: Problem[]) => $alternate(out, "", "BlockdevRef"), ": Invalid type, expected: BlockdevRef"],
    ["$deep", (out: Problem[]) => $deep(out, "t.c"), "t.c: 't.c' is nested too deeply"],
    ["$large", (out: Problem[]) => $large(out, "v"), `v: 'v' is too large: more than ${$MAX_VALUES} values`],
    ["$toJSON", (out: Problem[]) => $toJSON(out, ""), ": the value is not sent as it is: it has a toJSON method or is a boxed primitive"],
    ["$unreadable", (out: Problem[]) => $unreadable(out, "a", new Error("boom")), "a: 'a' cannot be read: boom"],
    ["$unreadable, a thrown string", (out: Problem[]) => $unreadable(out, "a", "no"), "a: 'a' cannot be read: no"],
    ["$unreadable, the stack ran out", (out: Problem[]) => $unreadable(out, "a", new RangeError("Maximum call stack size exceeded")), "a: 'a' is nested too deeply"],
  ])("%s", (_what, f, expected) => {
    expect(messages(report(f))).toEqual([expected]);
  });

  it("$unreadable describes even what cannot be described", () => {
    const hostile = {
      toString() {
        throw new Error("no");
      },
    };
    expect(messages(report((out) => $unreadable(out, "a", hostile)))).toEqual(["a: 'a' cannot be read: an exception that cannot be described"]);
  });

  it("$at joins member paths", () => {
    expect([$at("", "a"), $at("a", "b"), $at("a[0]", "b")]).toEqual(["a", "a.b", "a[0].b"]);
  });
});

describe("objects, members, arrays", () => {
  it("$member: missing, optional, arrays, with the member's path", () => {
    const o = { id: 1, tags: ["a", 2] };
    expect(
      messages(
        report((out) => {
          $member(out, o, "x", "id", 0, str, false, 1);
          $member(out, o, "x", "gone", 0, str, false, 1);
          $member(out, o, "x", "n", 1, int8, false, 1);
          $member(out, o, "x", "tags", 3, str, false, 1);
        }),
      ),
    ).toEqual(["x.id: Invalid parameter type for 'x.id', expected: string", "x.gone: Parameter 'x.gone' is missing", "x.tags[1]: Invalid parameter type for 'x.tags[1]', expected: string"]);
  });

  it("$member counts own enumerable members only: what JSON.stringify sends", () => {
    const hidden = Object.defineProperty({}, "id", { value: "x", enumerable: false }) as $Obj;
    const inherited = Object.create({ id: "x" }) as $Obj;
    for (const o of [hidden, inherited]) {
      expect(messages(report((out) => $member(out, o, "", "id", 0, str, false, 1)))).toEqual(["id: Parameter 'id' is missing"]);
    }
    const getter = {
      get id() {
        return "x";
      },
    };
    expect(report((out) => $member(out, getter, "", "id", 0, str, false, 1))).toEqual([]); // own enumerable: sent
  });

  it("$member reports a throwing getter at the member's path", () => {
    const o = {
      get id(): string {
        throw new Error("boom");
      },
    };
    expect(messages(report((out) => $member(out, o, "a", "id", 0, str, false, 1)))).toEqual(["a.id: 'a.id' cannot be read: boom"]);
  });

  it("$unknown names what no set of known members has, skipping undefined", () => {
    const o = { id: 1, extra: 2, gone: undefined, n: 3 };
    expect(messages(report((out) => $unknown(o, [KEYS], "a", out)))).toEqual(["a.extra: Parameter 'a.extra' is unexpected"]);
    expect(report((out) => $unknown(o, [KEYS, new Set(["extra"])], "a", out))).toEqual([]);
  });

  it("$array: not an array, elements with their paths, the depth limit, toJSON, the problem cap", () => {
    expect(messages(report((out) => $array("x", false, 1, "l", out, str)))).toEqual(["l: Invalid parameter type for 'l', expected: array"]);
    expect(messages(report((out) => $array(["a", 1], false, 1, "l", out, str)))).toEqual(["l[1]: Invalid parameter type for 'l[1]', expected: string"]);
    expect(messages(report((out) => $array([], false, $MAX_DEPTH + 1, "l", out, str)))).toEqual(["l: 'l' is nested too deeply"]);
    const withToJSON = Object.assign(["a"], { toJSON: () => [] });
    expect(messages(report((out) => $array(withToJSON, false, 1, "l", out, str)))).toEqual(["l: 'l' is not sent as it is: it has a toJSON method or is a boxed primitive"]);
    expect(report((out) => $array(new Array(1000).fill(0), false, 1, "l", out, str))).toHaveLength($MAX_PROBLEMS);
  });

  it("$object: type, depth, toJSON, members then unknown ones (strict only)", () => {
    expect(messages(report((out) => $object([], false, 0, "", out, q)))).toEqual([": Invalid type, expected: object"]);
    expect(messages(report((out) => $object({}, false, $MAX_DEPTH + 1, "a", out, q)))).toEqual(["a: 'a' is nested too deeply"]);
    expect(messages(report((out) => $object(new Date(0), false, 0, "a", out, q)))).toEqual(["a: 'a' is not sent as it is: it has a toJSON method or is a boxed primitive"]);
    const bad = { n: 1000, extra: true };
    expect(messages(report((out) => $object(bad, false, 0, "a", out, q)))).toEqual(["a.id: Parameter 'a.id' is missing", "a.n: Parameter 'n' expects int8_t", "a.extra: Parameter 'a.extra' is unexpected"]);
    expect(messages(report((out) => $object(bad, true, 0, "a", out, q)))).toEqual(["a.id: Parameter 'a.id' is missing", "a.n: Parameter 'n' expects int8_t"]);
  });

  it("$object, $member and $array stop once 100 problems are listed", () => {
    const out: Problem[] = [];
    for (let i = 0; i < $MAX_PROBLEMS; i++) $missing(out, `m${i}`);
    $object({ extra: 1 }, false, 0, "", out, q);
    $member(out, {}, "", "id", 0, str, false, 1);
    $array([1], false, 1, "l", out, str);
    expect(out).toHaveLength($MAX_PROBLEMS);
  });

  it("$object reports a throwing Proxy trap at the object's path", () => {
    const p = new Proxy(
      { id: "x" },
      {
        ownKeys() {
          throw new Error("no keys");
        },
      },
    );
    expect(messages(report((out) => $object(p, false, 0, "a", out, q)))).toEqual(["a: 'a' cannot be read: no keys"]);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(report((out) => $object(proxy, false, 0, "a", out, q))[0]?.message).toMatch(/^'a' cannot be read: .*revoked/);
  });
});

describe("guard helpers", () => {
  it("$enter: an object within the depth limit", () => {
    expect([$enter({}, 0), $enter({}, $MAX_DEPTH), $enter({}, $MAX_DEPTH + 1), $enter([], 0), $enter(null, 0)]).toEqual([true, true, false, false, false]);
  });

  it("$isArray: an array JSON.stringify sends as its elements", () => {
    expect([$isArray([]), $isArray({ length: 0 }), $isArray(Object.assign([], { toJSON: () => 1 }))]).toEqual([true, false, false]);
  });

  it("$exact checks an object that is not plain with the problems function", () => {
    class Own {
      id = "x";
    }
    class Inherited {
      get id(): string {
        return "x";
      }
    }
    expect($exact(new Own() as unknown as $Obj, false, 0, pItem)).toBe(true);
    expect($exact(new Inherited() as unknown as $Obj, false, 0, pItem)).toBe(false);
  });
});

describe("JSON values (QAPI's any)", () => {
  it("$isJson: JSON values, bigints only when asked", () => {
    for (const v of ["s", 1, true, null, [1, [2]], { a: { b: [null] } }, { skipped: undefined }]) expect($isJson(v, false, 0)).toBe(true);
    for (const v of [undefined, NaN, Infinity, () => 1, Symbol("s"), 1n, [undefined], { f: () => 1 }, new Date(0)]) expect($isJson(v, false, 0)).toBe(false);
    expect($isJson({ n: 1n }, true, 0)).toBe(true);
  });

  it("$isJson: the depth limit counts from the top of the whole value", () => {
    expect($isJson(nest(1000), false, 1)).toBe(true);
    expect($isJson(nest(1001), false, 1)).toBe(false);
    expect($isJson(nest(10), false, $MAX_DEPTH - 9)).toBe(true);
    expect($isJson(nest(10), false, $MAX_DEPTH - 8)).toBe(false);
  });

  it("$json: the first problem, at its own path", () => {
    const cyclic: $Obj = { a: [1] };
    cyclic["self"] = cyclic;
    const getter = {
      ok: 1,
      get bad(): number {
        throw new Error("boom");
      },
    };
    const cases: [unknown, string][] = [
      [{ a: [1, { f: () => 1 }] }, "v.a[1].f: Invalid parameter type for 'v.a[1].f', expected: JSON value"],
      [[1, , 3], "v[1]: Invalid parameter type for 'v[1]', expected: JSON value"],
      [{ n: 1n }, "v.n: Invalid parameter type for 'v.n', expected: JSON value"],
      [cyclic, "v.self: 'v.self' contains itself (a cycle)"],
      [{ when: new Date(0) }, "v.when: 'v.when' is not sent as it is: it has a toJSON method or is a boxed primitive"],
      [getter, "v: 'v' cannot be read: boom"],
      [nest(2000), `v${"[0]".repeat(1000)}: 'v${"[0]".repeat(1000)}' is nested too deeply`],
    ];
    for (const [value, expected] of cases) expect(messages(report((out) => $json(value, 1, "v", out, false)))).toEqual([expected]);
    expect(report((out) => $json({ a: [1, "x", null, { b: true }] }, 1, "v", out, false))).toEqual([]);
  });

  it("a shared (not cyclic) value is JSON: JSON.stringify sends it twice", () => {
    const shared = { x: 1 };
    expect(Blob.problems({ blob: [shared, shared] })).toEqual([]);
  });

  it("$jsonProblem: one check of its own, with a limit; says when nesting is the problem", () => {
    expect($jsonProblem({ a: [1] }, false, 2, 1024, "id")).toBeUndefined();
    expect($jsonProblem(nest(1023), false, 2, 1024, "id")).toBeUndefined();
    expect($jsonProblem(nest(1024), false, 2, 1024, "id")).toMatchObject({ tooDeep: true, message: expect.stringMatching(/nested too deeply$/) });
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect($jsonProblem(cyclic, false, 2, 1024, "id")).toEqual({ path: "id[0]", message: "'id[0]' contains itself (a cycle)", tooDeep: false });
    expect($jsonProblem(1n, true, 0, 1024, "")).toBeUndefined();
    expect($jsonProblem(undefined, true, 0, 1024, "")).toEqual({ path: "", message: "Invalid type, expected: JSON value", tooDeep: false });
  });
});

describe("the budget of a call", () => {
  it(`counts the values inside any: more than ${$MAX_VALUES} is too large`, () => {
    // the object holding the any member counts one
    expect(Blob.is({ blob: new Array($MAX_VALUES - 1).fill(0) })).toBe(true);
    expect(Blob.is({ blob: new Array($MAX_VALUES).fill(0) })).toBe(false);
    expect(Blob.problems({ blob: [[0], new Array($MAX_VALUES).fill(0)] })).toEqual([{ path: "blob[1]", message: `'blob[1]' is too large: more than ${$MAX_VALUES} values` }]);
  });

  it("is one per call: each call starts afresh", () => {
    const big = { blob: new Array($MAX_VALUES - 10).fill(0) };
    for (let i = 0; i < 3; i++) expect(Blob.is(big)).toBe(true);
  });

  it("counts typed objects and array elements too", () => {
    const tags = new Array($MAX_VALUES).fill("t");
    expect(Item.is({ id: "x", tags })).toBe(false); // the object spends one
    expect(Item.problems({ id: "x", tags })).toEqual([{ path: "tags", message: `'tags' is too large: more than ${$MAX_VALUES} values` }]);
    expect(Item.is({ id: "x", tags: tags.slice(1) })).toBe(true);
  });
});

describe("the Validator object", () => {
  it("is and problems agree; problems are [] exactly when is is true", () => {
    for (const v of [{ id: "x" }, { id: "x", n: 1, tags: ["a"] }, { id: 1 }, { id: "x", extra: 1 }, null, [], "x"]) {
      for (const mode of ["strict", "compatible"] as const) expect(Item.is(v, mode)).toBe(Item.problems(v, mode).length === 0);
    }
    expect(Item.name).toBe("Item");
  });

  it("strict by default; compatible ignores unknown members", () => {
    expect(Item.is({ id: "x", extra: 1 })).toBe(false);
    expect(Item.is({ id: "x", extra: 1 }, "compatible")).toBe(true);
    expect(Item.problems({ id: "x", extra: 1 })).toEqual([{ path: "extra", message: "Parameter 'extra' is unexpected" }]);
  });

  it("a value that validates is the value JSON.stringify sends", () => {
    class Own {
      id = "x";
      n = 1;
    }
    class OnPrototype {
      get id(): string {
        return "x";
      }
    }
    const hidden = new Own();
    Object.defineProperty(hidden, "id", { value: "x", enumerable: false });
    const nullProto = Object.assign(Object.create(null) as object, { id: "x" });
    for (const mode of ["strict", "compatible"] as const) {
      expect(Item.is(new Own(), mode)).toBe(true);
      expect(Item.is(nullProto, mode)).toBe(true);
      expect(Item.is(new OnPrototype(), mode)).toBe(false);
      expect(Item.is(Object.create({ id: "x" }), mode)).toBe(false);
      expect(Item.is(hidden, mode)).toBe(false);
      expect(Item.is(Object.assign(new Date(0), { id: "x" }), mode)).toBe(false);
    }
    for (const v of [new Own(), nullProto]) expect(JSON.parse(JSON.stringify(v))).toEqual({ ...v });
    expect(Item.problems(new OnPrototype())).toEqual([{ path: "id", message: "Parameter 'id' is missing" }]);
  });

  it("never throws: a throwing getter or Proxy trap is a problem with its path", () => {
    const getter = {
      id: "x",
      get n(): number {
        throw new Error("boom");
      },
    };
    const trap = new Proxy(
      { id: "x" },
      {
        getPrototypeOf() {
          throw new Error("no prototype");
        },
      },
    );
    const { proxy, revoke } = Proxy.revocable({ id: "x" }, {});
    revoke();
    const nested = { id: "x", tags: new Proxy(["a"], { get: (t, k) => (k === "length" ? 2 : Reflect.get(t, k)) }) };
    for (const [value, expected] of [
      [getter, "n: 'n' cannot be read: boom"],
      [trap, ": the value cannot be read: no prototype"],
      [proxy, expect.stringMatching(/^: the value cannot be read: .*revoked/)],
      [nested, "tags[1]: Invalid parameter type for 'tags[1]', expected: string"],
    ] as const) {
      expect(Item.is(value)).toBe(false);
      expect(messages(Item.problems(value))[0]).toEqual(expected);
      expect(Item["~standard"].validate(value)).toHaveProperty("issues");
    }
  });

  it("the problems function of a cyclic value stops at the cap (no exponential walk)", () => {
    const pair: $Check = (v, c, d, p, out) =>
      $object(v, c, d, p, out, (o, c2, d2, p2, out2, ks) => {
        ks.push(new Set(["l", "r"]));
        $member(out2, o, p2, "l", 1, pair, c2, d2 + 1);
        $member(out2, o, p2, "r", 1, pair, c2, d2 + 1);
      });
    const Pair = $checked("Pair", pair);
    const cyclic: $Obj = {};
    cyclic["l"] = cyclic;
    cyclic["r"] = cyclic;
    const problems = Pair.problems(cyclic);
    expect(problems).toHaveLength($MAX_PROBLEMS);
    expect(problems[0]?.message).toMatch(/nested too deeply$/);
  });

  it("fromJson converts in place with the converter, never throws", () => {
    const conv = (v: unknown): unknown => {
      if ($isObject(v) && typeof v["n"] === "number") v["n"] = $big(v["n"]);
      return v;
    };
    const V = $validator<{ n: bigint }>("N", (v) => $isObject(v) && typeof v["n"] === "bigint", (_v, _c, _d, p, out) => $type(out, p, "N"), conv);
    const value = { n: 5 };
    expect(V.fromJson(value)).toBe(value);
    expect(value).toEqual({ n: 5n });
    const frozen = Object.freeze({ n: 6 });
    expect(V.fromJson(frozen)).toBe(frozen); // the write threw: returned as it was
    expect(Item.fromJson(value)).toBe(value); // no converter: the value itself
  });

  it("$checked and $list: validators from a problems function", () => {
    const Name = $checked<string>("str", str);
    expect([Name.is("x"), Name.is(1)]).toEqual([true, false]);
    const Items = $list<{ id: string }>("[Item]", pItem);
    expect(Items.is([{ id: "a" }, { id: "b" }])).toBe(true);
    expect(Items.problems([{ id: "a" }, { id: 2 }])).toEqual([{ path: "[1].id", message: "Invalid parameter type for '[1].id', expected: string" }]);
    const Bigs = $list<{ n: bigint }>("[N]", pItem, (v) => ({ converted: v }));
    expect(Bigs.fromJson([1, 2])).toEqual([{ converted: 1 }, { converted: 2 }]);
  });

  it("problems of a value no check names get one problem naming the type", () => {
    const Never = $validator<never>("Never", () => false, () => {});
    expect(Never.problems(1)).toEqual([{ path: "", message: "Invalid type, expected: Never" }]);
  });
});

describe("Standard Schema v1", () => {
  it("strict by default, compatible on request, paths as segments", () => {
    const std = Item["~standard"];
    expect(std.version).toBe(1);
    expect(std.vendor).toBe("qapi-gen");
    expect(std.validate({ id: "x" })).toEqual({ value: { id: "x" } });
    expect(std.validate({ id: "x", tags: ["a", 1], extra: 0 })).toEqual({
      issues: [
        { message: "Invalid parameter type for 'tags[1]', expected: string", path: ["tags", 1] },
        { message: "Parameter 'extra' is unexpected", path: ["extra"] },
      ],
    });
    expect(Item.standard("compatible")["~standard"].validate({ id: "x", extra: 0 })).toEqual({ value: { id: "x", extra: 0 } });
  });

  it("keeps downstream extension names (__org.qemu_x-y) and dotted names whole", () => {
    const deep: $Check = (_v, _c, _d, p, out) => $missing(out, $at($at(p, "__org.qemu_x-y"), "a[3]"));
    const V = $checked("V", deep);
    expect(V["~standard"].validate({})).toEqual({
      issues: [{ message: "Parameter '__org.qemu_x-y.a[3]' is missing", path: ["__org.qemu_x-y", "a", 3] }],
    });
  });
});
