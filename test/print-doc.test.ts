// The layout engine (generator/backend/print/doc.ts) and the TypeScript constructs
// built on it (print/ts.ts): table cases at the print width's boundaries, and a
// property test that random programs of every construct print exactly as prettier
// (default options) prints them, in TypeScript and in JavaScript.

import fc from "fast-check";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { type Doc, group, hardline, indent, line, ref, render, softline } from "../generator/backend/print/doc.js";
import {
  type Expr,
  array,
  bin,
  call,
  chain,
  declaration,
  functionDeclaration,
  ifStatement,
  not,
  object,
  prop,
  returnStatement,
  str,
  typeAlias,
  typeArgs,
  typeLiteral,
} from "../generator/backend/print/ts.js";

const ts = (d: Doc): string => render(d, { types: true });

describe("the engine", () => {
  it("prints a group flat when it fits, broken when not", () => {
    const doc = (w: number): Doc => group(["f(", indent([softline, "x".repeat(w)]), softline, ")"]);
    expect(ts(doc(77))).toBe(`f(${"x".repeat(77)})`);
    expect(ts(doc(78))).toBe(`f(\n  ${"x".repeat(78)}\n)`);
  });

  it("breaks every group around a hard line, and trims spaces before breaks", () => {
    expect(ts(group(["a =", line, group(["b", hardline, "c"])]))).toBe("a =\nb\nc");
  });

  it("measures what follows a group up to the next possible break", () => {
    const g = group(["(", indent([softline, "y".repeat(70)]), softline, ")"]);
    expect(ts([g, ";"])).toBe(`(${"y".repeat(70)});`);
    expect(ts([g, "z".repeat(9), line, "w"])).toBe(`(\n  ${"y".repeat(70)}\n)${"z".repeat(9)}\nw`);
  });

  it("reports the refs a rendering uses, only as types where they are", () => {
    const used: string[] = [];
    const use = (s: { name: string }, type: boolean): void => void used.push(`${s.name}${type ? ":type" : ""}`);
    const A = { name: "A", from: "x" };
    const B = { name: "B", from: "y", local: "B2" };
    expect(render(declaration("const", "v", ref(A, true), call(ref(B), ["1"])), { types: true, use })).toBe("const v: A = B2(1);");
    expect(render(declaration("const", "v", ref(A, true), call(ref(B), ["1"])), { types: false, use })).toBe("const v = B2(1);");
    expect(used).toEqual(["A:type", "B", "B"]);
  });
});

describe("constructs at the width", () => {
  it("call: flat, then one argument a line with a trailing comma", () => {
    expect(ts([call("f", ["a".repeat(37), "b".repeat(37)]), ";"])).toBe(`f(${"a".repeat(37)}, ${"b".repeat(37)});`);
    expect(ts([call("f", ["a".repeat(37), "b".repeat(38)]), ";"])).toBe(`f(\n  ${"a".repeat(37)},\n  ${"b".repeat(38)},\n);`);
  });

  it("if: on one line, the statement on the next, or the condition broken", () => {
    expect(ts(ifStatement("x".repeat(60), "return false;"))).toBe(`if (${"x".repeat(60)}) return false;`);
    expect(ts(ifStatement("x".repeat(70), "return false;"))).toBe(`if (${"x".repeat(70)})\n  return false;`);
    const long = chain("&&", ["a".repeat(40), "b".repeat(40)]);
    expect(ts(ifStatement(long, "return false;"))).toBe(`if (\n  ${"a".repeat(40)} &&\n  ${"b".repeat(40)}\n)\n  return false;`);
  });

  it("declaration: break after = when the call's head does not fit", () => {
    const d = declaration("const", "v".repeat(60), "T", call("fn", ["a".repeat(10)]), { exported: true });
    expect(ts(d)).toBe(`export const ${"v".repeat(60)}: T =\n  fn(${"a".repeat(10)});`);
  });

  it("type alias of a union: on the line, on the next, then a member a line", () => {
    expect(ts(typeAlias("T", ['"a"', '"b"']))).toBe('type T = "a" | "b";');
    const mid = Array.from({ length: 5 }, (_, i) => str(`v${i}xxxxx`));
    expect(ts(typeAlias("T".repeat(20), mid))).toBe(`type ${"T".repeat(20)} =\n  ${mid.join(" | ")};`);
    const many = Array.from({ length: 9 }, (_, i) => str(`value-${i}`));
    expect(ts(typeAlias("T", many))).toBe(`type T =\n${many.map((m) => `  | ${m}`).join("\n")};`);
  });
});

// ---------------------------------------------------------------------------
// Random programs, checked against prettier.

/** An identifier of `min` to `max` characters. */
const name = (min = 1, max = 24): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom("a", "b", "x", "$g", "_q"), fc.integer({ min, max })).map(([c, n]) => c + "z".repeat(Math.max(0, n - c.length)));

const atom: fc.Arbitrary<Expr> = fc.oneof(name(), name(1, 10).map((n) => str(n)), fc.integer({ min: 0, max: 99999 }).map(String));
const callExpr: fc.Arbitrary<Expr> = fc.tuple(name(), fc.array(atom, { maxLength: 6 })).map(([f, a]) => call(f, a));
const comparison: fc.Arbitrary<Expr> = fc.tuple(fc.oneof(atom, callExpr), fc.constantFrom("===", "!==", "<", ">="), atom).map(([l, op, r]) => bin(op, l, r));
const condition: fc.Arbitrary<Expr> = fc.oneof(
  comparison,
  callExpr.map((c) => not(c)),
  fc.tuple(fc.constantFrom("&&", "||"), fc.array(fc.oneof(comparison, atom), { minLength: 2, maxLength: 5 })).map(([op, xs]) => chain(op, xs)),
  fc.tuple(comparison, fc.array(comparison, { minLength: 1, maxLength: 4 })).map(([a, bs]) => bin("&&", a, chain("||", bs))),
);
const statement: fc.Arbitrary<Doc> = fc.oneof(
  fc.tuple(condition, fc.constantFrom("return false;", "return -1;", "n++;")).map(([c, s]) => ifStatement(c, s)),
  fc.tuple(name(1, 30), fc.oneof(callExpr, condition)).map(([n, e]) => declaration("const", n, undefined, e)),
  fc.tuple(name(1, 30), name(1, 20), fc.array(atom, { maxLength: 8 })).map(([n, t, xs]) => declaration("let", n, ["ReadonlySet", typeArgs([t])], array(xs as Doc[]))),
  condition.map((c) => returnStatement(c)),
  callExpr.map((c): Doc => [c as Doc, ";"]),
);
const fn: fc.Arbitrary<Doc> = fc
  .tuple(name(1, 40), fc.array(fc.tuple(name(1, 12), name(1, 20)), { maxLength: 7 }), name(1, 20), fc.array(statement, { minLength: 1, maxLength: 6 }))
  .map(([n, ps, r, body]) => functionDeclaration(n, ps.map(([p, t]) => ({ name: p, type: t })), r, body, { exported: true }));
const literal: fc.Arbitrary<Doc> = fc
  .tuple(name(1, 30), fc.array(fc.tuple(name(1, 16), fc.oneof(atom.map((a) => a as Doc), fc.array(atom, { maxLength: 5 }).map((xs) => array(xs as Doc[])))), { maxLength: 6 }), fc.boolean())
  .map(([n, ps, expanded]) => declaration("const", n, undefined, object(ps.map(([k, v]) => prop(k, v)), { expanded })));
const alias: fc.Arbitrary<Doc> = fc
  .tuple(name(1, 40), fc.array(fc.oneof(name(1, 20).map((x) => str(x)), fc.array(fc.tuple(name(1, 10), name(1, 12)), { minLength: 1, maxLength: 3 }).map((ms) => typeLiteral(ms.map(([k, t]) => ({ name: k, type: t }))))), { minLength: 1, maxLength: 8 }))
  .map(([n, items]) => typeAlias(n, items, { exported: true }));
/** Statements, and whether each declares types only (absent from JavaScript). */
const program = fc.array(fc.oneof(fn.map((doc) => ({ doc, types: false })), literal.map((doc) => ({ doc, types: false })), alias.map((doc) => ({ doc, types: true }))), {
  minLength: 1,
  maxLength: 4,
});

function printProgram(statements: readonly { doc: Doc; types: boolean }[], types: boolean): string {
  return statements
    .filter((s) => types || !s.types)
    .map((s) => `${render(s.doc, { types })}\n`)
    .join("\n");
}

describe("property: prettier finds nothing to change", () => {
  it("in TypeScript and in JavaScript", async () => {
    const samples = fc.sample(program, { numRuns: 150, seed: 20261201 });
    for (const statements of samples) {
      const code = printProgram(statements, true);
      expect(await prettier.format(code, { parser: "typescript" })).toBe(code);
      const js = printProgram(statements, false);
      if (js !== "") expect(await prettier.format(js, { parser: "babel" })).toBe(js);
    }
  });
});
