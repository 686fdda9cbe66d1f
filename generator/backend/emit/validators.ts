// validators/<module>: straight-line validators for the types of a schema module.
//
// For each named type Foo (TypeScript name) the module exports:
//   FooValidator (Validator<Foo>), isFoo(value, mode) — the public API (runtime/validate);
//   $g_Foo(v, c, d): boolean — the guard (c: compatible mode, d: depth); for structs
//     it checks the members itself (the same code as $m_Foo), for unions it calls $m_Foo;
//   $p_Foo(v, c, d, p, out) — pushes the problems of v at path p;
// and for object types (structs and unions):
//   $m_Foo(o, c, d): number — checks the members, returns how many are present or -1;
//   $q_Foo(o, c, d, p, out, ks) — pushes member problems, and the sets of known member
//     names into ks (for the unknown-member check);
// with --int64 bigint, for types holding 64-bit integers, $b_Foo(v, d) converts a
// value parsed from JSON. validators/builtin has $g_/$p_ for the built-in types (by
// QAPI name). Names with `$` cannot clash with schema-derived names. Guards inline the
// checks of built-in members, so the valid path runs without allocation.

import {
  AlternateType,
  ArrayType,
  BuiltinType,
  EnumType,
  ObjectType,
  type ObjectTypeMember,
  type Type,
} from "../../frontend/model.js";
import { type EmitContext, type Emitter, type ModuleFiles, type NamedType, intRange, is64, isWide } from "../context.js";
import { type Doc, ref, typeOnly } from "../print/doc.js";
import { GeneratedFile } from "../print/file.js";
import {
  type Expr,
  type Param,
  bin,
  call,
  chain,
  declaration,
  forOf,
  functionDeclaration,
  ifStatement,
  newCall,
  not,
  returnStatement,
  str,
  switchStatement,
  array,
  block,
  typeArgs,
} from "../print/ts.js";
import { tsdoc } from "../print/tsdoc.js";
import { typeRef } from "./types.js";

/** Keys that plain objects inherit: members of these names are read as own properties only. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Enumerations with more values than this are checked with a Set. */
const SET_THRESHOLD = 6;

const BUILTIN_EXPECTED: Record<string, string> = {
  str: "string",
  bool: "boolean",
  null: "null",
  number: "number",
};

/** The check of a value: the condition true when it passes. */
type Check = Expr;

/**
 * The variables a function body refers to. Parameters it does not read are left
 * off the end of its parameter list (its callers pass only what it reads: see
 * `reads`), and named `_x` before one it reads.
 */
class Uses {
  private readonly used = new Set<string>();
  use(name: string): string {
    this.used.add(name);
    return name;
  }
  params(list: readonly [string, Doc][]): Param[] {
    let n = list.length;
    while (n > 0 && !this.used.has((list[n - 1] as [string, Doc])[0])) n--;
    return list.slice(0, n).map(([name, type]) => ({ name: this.used.has(name) ? name : `_${name}`, type }));
  }
  /** The arguments (name, value) of a call to a function that reads the first `n` of them; marks their names used. */
  pass(n: number, args: readonly (readonly [string, Doc])[]): Doc[] {
    return args.slice(0, n).map(([name, value]) => {
      this.use(name);
      return value;
    });
  }
}

/** The element type of an array, or the type itself. */
function element(t: Type): Type {
  return t instanceof ArrayType ? t.elementType : t;
}

/**
 * The directive that lets for-in count keys: its variable is never read. ESLint's own
 * rule checks `.js`, typescript-eslint's `.ts` (a `.js` naming a plugin's rule is an
 * error where the plugin is not loaded).
 */
function countKeysDirective(target: "ts" | "js"): string {
  const rule = target === "ts" ? "@typescript-eslint/no-unused-vars" : "no-unused-vars";
  return `// eslint-disable-next-line ${rule} -- counts keys without allocating`;
}

class ValidatorsFile {
  readonly file: GeneratedFile;
  private readonly big: boolean;
  /** reads() of alternates, computed once each (and cut short on a cycle). */
  private readonly alternateReads = new Map<AlternateType, number>();

  constructor(
    private readonly ctx: EmitContext,
    private readonly m: ModuleFiles,
  ) {
    const what = m.module.isBuiltin() ? "QAPI's built-in types" : m.module.name;
    this.file = new GeneratedFile(`validators/${m.slug}`, `Validators of ${what}.`, ctx.options);
    this.big = ctx.options.int64 === "bigint";
  }

  /** A `$` helper of runtime/validate. */
  private rt(name: string): Doc {
    return ref(this.ctx.sym.internal("validate", name));
  }

  private rtType(name: string): Doc {
    return ref(name.startsWith("$") ? this.ctx.sym.internal("validate", name) : this.ctx.sym.runtime(name), true);
  }

  /** An internal function of a type's validators (`$g_`, `$p_`, …), imported when elsewhere. */
  private fn(kind: "g" | "p" | "m" | "q" | "b", t: Type): Doc {
    return ref(this.ctx.sym.check(kind, t));
  }

  /** Adds an internal exported function (no declaration in `.d.ts`). */
  private internal(name: string, params: readonly Param[], returns: Doc, body: readonly Doc[]): void {
    this.file.add(functionDeclaration(name, params, returns, body, { exported: true }), undefined);
  }

  private problemParams(u: Uses): Param[] {
    const P = [this.rtType("Problem"), "[]"];
    return u.params([
      ["v", "unknown"],
      ["c", "boolean"],
      ["d", "number"],
      ["p", "string"],
      ["out", P],
    ]);
  }

  // ---- checks --------------------------------------------------------------

  // ---- what the functions read ---------------------------------------------
  // Each function declares the parameters it reads (see Uses), so each call passes
  // exactly those; these say how many, from the types alone, for callers in any file.

  /**
   * How many of (c, d) the guard of a (non-array) `t` reads after the value: none
   * for built-ins (checked inline) but `any` (the depth, so both), the mode for enums, mode and depth for object
   * types, what their alternatives' checks read for alternates.
   */
  private reads(t: Type): number {
    if (t instanceof BuiltinType) return t.name === "any" ? 2 : 0;
    if (t instanceof EnumType) return 1;
    if (!(t instanceof AlternateType)) return 2;
    let n = this.alternateReads.get(t);
    if (n !== undefined) return n;
    this.alternateReads.set(t, 2); // an alternate reached again through its own alternatives
    n = Math.max(0, ...t.alternatives.variants.filter((a) => this.ctx.enabled(a.ifcond)).map((a) => this.reads(element(a.type))));
    this.alternateReads.set(t, n);
    return n;
  }

  /** How many of (o, c, d) `$m_T` of object type `t` reads. */
  private membersArity(t: ObjectType): number {
    if (t.branches === undefined) {
      const members = this.enabledMembers(t);
      return members.length === 0 ? 0 : 1 + Math.max(...members.map((m) => this.reads(element(m.type))));
    }
    return Math.max(this.membersArity(t.base as ObjectType), ...this.unionData(t).map((v) => this.membersArity(v.type as ObjectType)));
  }

  /** How many of (v, d) `$b_T` reads: alternates read the depth only to descend into objects. */
  private converterArity(t: ObjectType | AlternateType): number {
    if (!(t instanceof AlternateType)) return 2;
    const descends = t.alternatives.variants.some(
      (a) => this.ctx.enabled(a.ifcond) && isWide(this.ctx, a.type) && !(element(a.type) instanceof BuiltinType),
    );
    return descends ? 2 : 1;
  }

  /** Declares internal `name` with the parameters `u` says its body reads, which must be the `arity` its callers pass. */
  private internalOf(name: string, u: Uses, list: readonly [string, Doc][], arity: number, returns: Doc, body: readonly Doc[]): void {
    const params = u.params(list);
    if (params.length !== arity) throw new Error(`${name} reads ${params.length} parameters, its callers pass ${arity}`);
    this.internal(name, params, returns, body);
  }

  /** The check of a value `v` of (non-array) type `t` in a guard at depth `depth`. */
  private check(t: Type, v: string, depth: Doc, u: Uses): Check {
    if (t instanceof BuiltinType) {
      if (t.name === "any") u.use("d");
      return this.builtinCheck(t, v, depth);
    }
    return call(this.fn("g", t), [v, ...u.pass(this.reads(t), [["c", "c"], ["d", depth]])]);
  }

  /** The check of a built-in type; `depth` is the depth of `v` (for `any`). */
  private builtinCheck(t: BuiltinType, v: string, depth: Doc): Check {
    switch (t.name) {
      case "str":
        return bin("===", `typeof ${v}`, '"string"');
      case "bool":
        return bin("===", `typeof ${v}`, '"boolean"');
      case "null":
        return bin("===", v, "null");
      case "number":
        return call("Number.isFinite", [v]);
      case "any":
        return call(this.rt("$isJson"), [v, String(this.big), depth]);
      default: {
        const [min, max] = intRange(t.name) as readonly [string, string];
        if (is64(t.name)) {
          if (this.big) return call(this.rt("$isBig"), [v, `${min}n`, `${max}n`]);
          return call("Number.isSafeInteger", [v]);
        }
        return call(this.rt("$isInt"), [v, min, max]);
      }
    }
  }

  /** The negation of a check, as prettier prints it (`typeof x !== "string"`). */
  private negate(c: Check): Expr {
    if (typeof c === "object" && !Array.isArray(c) && (c as { t?: string }).t === "binary") {
      const b = c as { op: string; left: Expr; right: Expr };
      if (b.op === "===") return bin("!==", b.left, b.right);
    }
    return not(c);
  }

  /** Guard statements for member value `x` (already read) of type `t`, failing with `fail`. */
  private guardValue(t: Type, fail: string, u: Uses): Doc[] {
    if (t instanceof ArrayType) {
      const el = this.negate(this.check(t.elementType, "e", ["d", " + ", "1"], u));
      return [ifStatement(not(call(this.rt("$isArray"), ["x"])), fail), forOf("e", "x", ifStatement(el, fail))];
    }
    return [ifStatement(this.negate(this.check(t, "x", "d + 1", u)), fail)];
  }

  /** Reads member `name` of `o` (own members only for names objects inherit). */
  private read(o: string, name: string): Doc {
    if (INHERITED.has(name)) return call(this.rt("$own"), [o, str(name)]);
    return [o, "[", str(name), "]"];
  }

  private enabledMembers(t: ObjectType): ObjectTypeMember[] {
    return t.members.filter((m) => this.ctx.enabled(m.ifcond));
  }

  // ---- object types --------------------------------------------------------

  /** The member checks of a struct on object `o`: statements, and whether `n` counts optional members. */
  private memberChecks(t: ObjectType, o: string, fail: string, u: Uses, first: Doc[] = []): Doc[] {
    const members = this.enabledMembers(t);
    const required = members.filter((m) => !m.optional).length;
    const body: Doc[] = [];
    if (members.some((m) => m.optional)) body.push(declaration("let", "n", undefined, String(required)));
    members.forEach((m, i) => {
      const value = this.read(u.use(o), m.name);
      if (i === 0) body.push(declaration(members.length === 1 ? "const" : "let", "x", "unknown", value));
      else body.push(["x = ", value, ";"]);
      // Right after the first read, where the optimizer knows v's maps and can fold
      // the prototype test (measured: cheaper than before the read).
      if (i === 0) body.push(...first);
      const checks = this.guardValue(m.type, fail, u);
      if (m.optional) body.push(ifStatement("x !== undefined", block([...checks, "n++;"]), { block: true }));
      else body.push(...checks);
    });
    return body;
  }

  private structMembers(t: ObjectType, tsName: string): void {
    const members = this.enabledMembers(t);
    const required = members.filter((m) => !m.optional).length;
    const u = new Uses();
    const body = this.memberChecks(t, "o", "return -1;", u);
    body.push(members.some((m) => m.optional) ? "return n;" : `return ${required};`);
    this.internalOf(`$m_${tsName}`, u, this.membersParams(), this.membersArity(t), "number", body);

    const set = `$k_${tsName}`;
    const names = members.map((m) => str(m.name));
    const init =
      names.length === 0
        ? newCall("Set", [], { typeArgs: ["string"] })
        : newCall("Set", [array(names)], { hugLast: true });
    this.file.add(declaration("const", set, ["ReadonlySet", typeOnly("<string>")], ["/* @__PURE__ */ ", init]), undefined);
    const q = new Uses();
    const qbody: Doc[] = [[q.use("ks"), ".push(", set, ");"]];
    for (const m of members) {
      const arr = m.type instanceof ArrayType;
      const el = m.type instanceof ArrayType ? m.type.elementType : m.type;
      const flags = (m.optional ? 1 : 0) + (arr ? 2 : 0);
      ["out", "o", "p", "c", "d"].forEach((n) => q.use(n));
      qbody.push([call(this.rt("$member"), ["out", "o", "p", str(m.name), String(flags), this.fn("p", el), "c", "d + 1"]), ";"]);
    }
    this.membersProblems(tsName, qbody, q);
  }

  private membersParams(): [string, Doc][] {
    return [
      ["o", this.rtType("$Obj")],
      ["c", "boolean"],
      ["d", "number"],
    ];
  }

  /** The branches of union `t` with members of their own. */
  private unionData(t: ObjectType): NonNullable<ObjectType["branches"]>["variants"] {
    const branches = t.branches as NonNullable<ObjectType["branches"]>;
    return branches.variants.filter((v) => this.ctx.enabled(v.ifcond) && v.type instanceof ObjectType && v.type.name !== "q_empty");
  }

  /** `$q_T`: an object type's member problems, and the known keys it adds to `ks`. */
  private membersProblems(tsName: string, body: Doc[], u: Uses): void {
    const P = [this.rtType("Problem"), "[]"];
    const params = u.params([
      ["o", this.rtType("$Obj")],
      ["c", "boolean"],
      ["d", "number"],
      ["p", "string"],
      ["out", P],
      ["ks", ["ReadonlySet<string>", "[]"]],
    ]);
    this.internal(`$q_${tsName}`, params, "void", body);
  }

  private unionMembers(t: ObjectType, tsName: string): void {
    const branches = t.branches as NonNullable<ObjectType["branches"]>;
    const base = t.base as ObjectType;
    const tag = this.read("o", branches.tagName);
    const data = this.unionData(t);
    const u = new Uses();
    u.use("o");
    const members = (s: ObjectType): Doc =>
      call(
        this.fn("m", s),
        u.pass(this.membersArity(s), [
          ["o", "o"],
          ["c", "c"],
          ["d", "d"],
        ]),
      );
    let body: Doc[];
    if (data.length === 0) {
      body = [returnStatement(members(base))];
    } else {
      body = [
        declaration("const", "n", undefined, members(base)),
        "if (n < 0) return -1;",
        "let m = 0;",
        switchStatement(
          tag,
          data.map((v) => ({ labels: [str(v.name)], body: [["m = ", members(v.type as ObjectType), ";"], "break;"] })),
        ),
        "return m < 0 ? -1 : n + m;",
      ];
    }
    this.internalOf(`$m_${tsName}`, u, this.membersParams(), this.membersArity(t), "number", body);

    const q = new Uses();
    ["o", "c", "d", "p", "out", "ks"].forEach((n) => q.use(n));
    const qargs = ["o", "c", "d", "p", "out", "ks"];
    const qbody: Doc[] = [[call(this.fn("q", base), qargs), ";"]];
    if (data.length > 0) {
      qbody.push(
        switchStatement(
          tag,
          data.map((v) => ({ labels: [str(v.name)], body: [[call(this.fn("q", v.type), qargs), ";"], "break;"] })),
        ),
      );
    }
    this.membersProblems(tsName, qbody, q);
  }

  private objectType(t: ObjectType): void {
    const tsName = this.ctx.names.type(t);
    if (t.branches !== undefined) this.unionMembers(t, tsName);
    else this.structMembers(t, tsName);
    const u = new Uses();
    ["v", "c", "d"].forEach((n) => u.use(n));
    // Members are read as JSON.stringify sends them only on plain objects (what
    // object literals and JSON.parse make); any other goes by the problems function,
    // which reads own enumerable members alone.
    const body: Doc[] = [ifStatement(not(call(this.rt("$enter"), ["v", "d"])), "return false;")];
    const plain = ifStatement(
      bin("!==", "Object.getPrototypeOf(v)", "Object.prototype"),
      returnStatement(call(this.rt("$exact"), ["v", "c", "d", `$p_${tsName}`])),
    );
    if (t.branches === undefined && this.enabledMembers(t).length > 0) {
      body.push(...this.memberChecks(t, "v", "return false;", u, [plain]));
      if (!this.enabledMembers(t).some((m) => m.optional)) body.push(`const n = ${this.enabledMembers(t).length};`);
    } else if (t.branches === undefined) {
      body.push(plain, "const n = 0;");
    } else {
      const args = ["v", "c", "d"].slice(0, this.membersArity(t));
      body.push(plain, declaration("const", "n", undefined, call(`$m_${tsName}`, args)), "if (n < 0) return false;");
    }
    // Strict mode: exactly the known members. for-in counts keys without allocating,
    // and inline it sees this type's objects only; objects with undefined members
    // have their keys counted by $ownKeys.
    body.push(
      "if (c) return true;",
      "let k = 0;",
      countKeysDirective(this.ctx.options.target),
      "for (const _ in v) k++;",
      "if (k === n) return true;",
      returnStatement(bin("===", call(this.rt("$ownKeys"), ["v"]), "n")),
    );
    this.internal(`$g_${tsName}`, u.params([["v", "unknown"], ["c", "boolean"], ["d", "number"]]), "boolean", body);
    const p = new Uses();
    ["v", "c", "d", "p", "out"].forEach((n) => p.use(n));
    this.internal(`$p_${tsName}`, this.problemParams(p), "void", [[call(this.rt("$object"), ["v", "c", "d", "p", "out", `$q_${tsName}`]), ";"]]);
  }

  // ---- enums and alternates ------------------------------------------------

  private enumType(t: EnumType): void {
    const tsName = this.ctx.names.type(t);
    const values = t.members.filter((m) => this.ctx.enabled(m.ifcond)).map((m) => str(m.name));
    let known: Expr[];
    if (values.length > SET_THRESHOLD) {
      const set = `$s_${tsName}`;
      const init = newCall("Set", [ref(this.ctx.sym.values(t))]);
      this.file.add(declaration("const", set, ["ReadonlySet", typeOnly("<string>")], ["/* @__PURE__ */ ", init]), undefined);
      known = [`${set}.has(v)`];
    } else {
      known = values.length === 0 ? ["false"] : values.map((x) => bin("===", "v", x));
    }
    const g = returnStatement(bin("&&", bin("===", "typeof v", '"string"'), chain("||", ["c", ...known])));
    this.internal(`$g_${tsName}`, [{ name: "v", type: "unknown" }, { name: "c", type: "boolean" }], "boolean", [g]);
    const u = new Uses();
    ["v", "c", "p", "out"].forEach((n) => u.use(n));
    const p = ifStatement(bin("!==", "typeof v", '"string"'), [call(this.rt("$type"), ["out", "p", '"string"']), ";"], {
      otherwise: ifStatement(not(call(`$g_${tsName}`, ["v", "c"])), [call(this.rt("$enum"), ["out", "p", "v"]), ";"]),
    });
    this.internal(`$p_${tsName}`, this.problemParams(u), "void", [p]);
  }

  /** The JSON-type test an alternate dispatches on, for an alternative of type `t`. */
  private dispatch(t: Type): Expr {
    switch (t.jsonType()) {
      case "string":
        return bin("===", "typeof v", '"string"');
      case "boolean":
        return bin("===", "typeof v", '"boolean"');
      case "null":
        return bin("===", "v", "null");
      case "array":
        return "Array.isArray(v)";
      case "object":
        return call(this.rt("$isObject"), ["v"]);
      default:
        return bin("===", "typeof v", t instanceof BuiltinType && is64(t.name) && this.big ? '"bigint"' : '"number"');
    }
  }

  private alternateType(t: AlternateType): void {
    const tsName = this.ctx.names.type(t);
    const alts = t.alternatives.variants.filter((v) => this.ctx.enabled(v.ifcond));
    const g: Doc[] = [];
    // $p_: `if (…) $p_A(…); else if (…) $p_B(…); else $alternate(…);`
    const p: [Expr, Doc][] = [];
    const gu = new Uses();
    const pu = new Uses();
    ["v", "p", "out"].forEach((n) => pu.use(n));
    gu.use("v");
    for (const a of alts) {
      const test = this.dispatch(a.type);
      if (a.type instanceof ArrayType) {
        const el = this.negate(this.check(a.type.elementType, "e", "d + 1", gu));
        const whole = ifStatement(not(call(this.rt("$isArray"), ["v"])), "return false;");
        g.push(ifStatement(test, block([whole, forOf("e", "v", ifStatement(el, "return false;")), "return true;"]), { block: true }));
        ["c", "d"].forEach((n) => pu.use(n));
        p.push([test, [call(this.rt("$array"), ["v", "c", "d", "p", "out", this.fn("p", a.type.elementType)]), ";"]]);
      } else {
        const simple = a.type instanceof BuiltinType && (a.type.name === "str" || a.type.name === "null");
        g.push(ifStatement(test, returnStatement(simple ? "true" : this.check(a.type, "v", "d", gu))));
        ["c", "d"].forEach((n) => pu.use(n));
        p.push([test, [call(this.fn("p", a.type), ["v", "c", "d", "p", "out"]), ";"]]);
      }
    }
    g.push("return false;");
    const none: Doc = [call(this.rt("$alternate"), ["out", "p", str(this.validatorName(t))]), ";"];
    const problems = p.reduceRight<Doc>((otherwise, [test, then]) => ifStatement(test, then, { otherwise }), none);
    this.internalOf(`$g_${tsName}`, gu, [["v", "unknown"], ["c", "boolean"], ["d", "number"]], 1 + this.reads(t), "boolean", g);
    this.internal(`$p_${tsName}`, this.problemParams(pu), "void", [problems]);
  }

  private validatorName(t: Type): string {
    return t.isImplicit() && t instanceof ObjectType ? this.ctx.names.type(t) : t.name;
  }

  // ---- conversion from JSON (--int64 bigint) --------------------------------

  /** The statements converting `x`, member `key` of `v`, of wide type `t`. */
  private convertValue(t: Type, key: string, inherited: boolean): Doc {
    if (t instanceof ArrayType) {
      const el = t.elementType;
      const conv = el instanceof BuiltinType ? call(this.rt("$bigs"), ["x"]) : call(this.rt("$bigEach"), ["x", this.fn("b", el), "d + 1"]);
      return ifStatement("Array.isArray(x)", [conv, ";"]);
    }
    if (t instanceof ObjectType) return ifStatement("x !== undefined", [call(this.fn("b", t), ["x", "d + 1"]), ";"]);
    const [cond, value] =
      t instanceof BuiltinType
        ? [bin("===", "typeof x", '"number"'), call(this.rt("$big"), ["x"])]
        : ["x !== undefined", call(this.fn("b", t), ["x", "d + 1"].slice(0, this.converterArity(t as AlternateType)))];
    if (inherited) return ifStatement(cond, [call(this.rt("$setOwn"), ["v", key, value]), ";"]);
    return ifStatement(cond, [`v[${key}] = `, value, ";"]);
  }

  /** `$b_Foo(v, d)`: converts a Foo parsed from JSON in place (see Validator.fromJson). */
  private converter(t: ObjectType | AlternateType): void {
    const tsName = this.ctx.names.type(t);
    const u = new Uses();
    u.use("v");
    const body: Doc[] = [];
    if (t instanceof AlternateType) {
      for (const a of t.alternatives.variants) {
        if (!this.ctx.enabled(a.ifcond) || !isWide(this.ctx, a.type)) continue;
        const at = a.type;
        if (at instanceof BuiltinType) body.push(ifStatement(bin("===", "typeof v", '"number"'), returnStatement(call(this.rt("$big"), ["v"]))));
        else if (at instanceof ArrayType) {
          const el = at.elementType;
          if (!(el instanceof BuiltinType)) u.use("d");
          const stmt = el instanceof BuiltinType ? call(this.rt("$bigs"), ["v"]) : call(this.rt("$bigEach"), ["v", this.fn("b", el), "d + 1"]);
          body.push(ifStatement("Array.isArray(v)", block([[stmt, ";"], "return v;"]), { block: true }));
        } else {
          body.push(ifStatement(call(this.rt("$isObject"), ["v"]), returnStatement(call(this.fn("b", at), ["v", u.use("d")]))));
        }
      }
    } else {
      u.use("d");
      body.push(ifStatement(not(call(this.rt("$enter"), ["v", "d"])), "return v;"));
      const members = this.enabledMembers(t).filter((m) => isWide(this.ctx, m.type));
      members.forEach((m, i) => {
        const value = this.read("v", m.name);
        body.push(i === 0 ? declaration(members.length === 1 ? "const" : "let", "x", "unknown", value) : ["x = ", value, ";"]);
        body.push(this.convertValue(m.type, str(m.name), INHERITED.has(m.name)));
      });
      const br = t.branches;
      const wide = (br?.variants ?? []).filter((v) => this.ctx.enabled(v.ifcond) && v.type instanceof ObjectType && this.ctx.wide.has(v.type));
      if (br !== undefined && wide.length > 0) {
        body.push(
          switchStatement(
            this.read("v", br.tagName),
            wide.map((v) => ({ labels: [str(v.name)], body: [[call(this.fn("b", v.type), ["v", "d"]), ";"], "break;"] })),
          ),
        );
      }
    }
    body.push("return v;");
    this.internalOf(`$b_${tsName}`, u, [["v", "unknown"], ["d", "number"]], this.converterArity(t), "unknown", body);
  }

  /** The public validator and guard of a type. */
  private publicApi(t: NamedType): void {
    const tsName = this.ctx.names.type(t);
    const type = ref(this.ctx.sym.type(t), true);
    const validator = this.ctx.names.derived(t, "validator");
    const guard = this.ctx.names.derived(t, "guard");
    const V = [this.rtType("Validator"), typeArgs([type])];
    const vargs: Doc[] = [str(this.validatorName(t)), `$g_${tsName}`, `$p_${tsName}`];
    if (!(t instanceof EnumType) && this.ctx.wide.has(t)) vargs.push(`$b_${tsName}`);
    this.file.add(
      declaration("const", validator, V, ["/* @__PURE__ */ ", call(this.rt("$validator"), vargs)], { exported: true }),
      ["export declare const ", validator, ": ", V, ";"],
      tsdoc([`Validates {@link ${tsName}} values (see {@link ${this.ctx.names.fixed("Validator")}}).`]),
    );
    const params: Param[] = [
      { name: "value", type: "unknown" },
      { name: "mode", type: this.rtType("ValidationMode"), optional: true },
    ];
    const ret: Doc = ["value is ", type];
    // An enum's guard only tests a string; the others go through the validator, which
    // turns what a getter or Proxy trap throws into false and sets the call's budget.
    const test =
      t instanceof EnumType ? call(`$g_${tsName}`, ["value", 'mode === "compatible"']) : call(`${validator}.is`, ["value", "mode"]);
    this.file.add(
      functionDeclaration(guard, params, ret, [returnStatement(test)], { exported: true }),
      functionDeclaration(guard, params, ret, undefined, { exported: true }),
      tsdoc([`Is \`value\` a {@link ${tsName}}? The same as \`${validator}.is\`.`]),
    );
  }

  /** The validators of command returns whose element (or type) is defined here. */
  private returnValidators(): void {
    for (const [t, rv] of this.ctx.returnValidators) {
      if (rv.slug !== this.m.slug) continue;
      const el = t instanceof ArrayType ? t.elementType : t;
      const conv: Doc[] = isWide(this.ctx, el) ? [el instanceof BuiltinType ? this.rt("$big") : this.fn("b", el)] : [];
      const fn = t instanceof ArrayType ? this.rt("$list") : this.rt("$checked");
      const type = typeRef(this.ctx, t);
      this.file.add(
        declaration("const", rv.name, [this.rtType("Validator"), typeArgs([type])], ["/* @__PURE__ */ ", call(fn, [str(t instanceof ArrayType ? `[${el.name}]` : t.name), this.fn("p", el), ...conv])], { exported: true }),
        undefined,
      );
    }
  }

  private builtins(): void {
    for (const e of this.ctx.schema.entities) {
      if (!(e instanceof BuiltinType)) continue;
      const name = e.name;
      const c = this.builtinCheck(e, "v", "0");
      this.internal(`$g_${name}`, [{ name: "v", type: "unknown" }], "boolean", [returnStatement(c)]);
      const u = new Uses();
      ["v", "p", "out"].forEach((n) => u.use(n));
      const expected = BUILTIN_EXPECTED[name];
      let p: Doc;
      if (name === "any") {
        u.use("d");
        p = [call(this.rt("$json"), ["v", "d", "p", "out", String(this.big)]), ";"];
      } else if (expected !== undefined) p = ifStatement(this.negate(c), [call(this.rt("$type"), ["out", "p", str(expected)]), ";"]);
      else {
        const [min, max] = intRange(name) as readonly [string, string];
        // 64-bit as numbers: exact within ±(2^53 - 1), which is what $int checks (the range's ends are no doubles)
        const bounds = !is64(name) ? [min, max] : this.big ? [`${min}n`, `${max}n`] : ["Number.MIN_SAFE_INTEGER", "Number.MAX_SAFE_INTEGER"];
        p = [call(this.rt("$int"), ["v", "p", "out", str(name), ...bounds]), ";"];
      }
      this.internal(`$p_${name}`, this.problemParams(u), "void", [p]);
    }
  }

  emit(): GeneratedFile {
    if (this.m.module.isBuiltin()) this.builtins();
    for (const t of this.m.types) {
      if (t instanceof EnumType) this.enumType(t);
      else if (t instanceof AlternateType) this.alternateType(t);
      else this.objectType(t);
      if (!(t instanceof EnumType) && this.ctx.wide.has(t)) this.converter(t);
      this.publicApi(t);
    }
    this.returnValidators();
    return this.file;
  }
}

export function validatorsFiles(ctx: EmitContext): GeneratedFile[] {
  return ctx.modules.filter((m) => m.types.length > 0 || m.module.isBuiltin()).map((m) => new ValidatorsFile(ctx, m).emit());
}

export const emitValidators: Emitter = (ctx) =>
  ctx.outputs.has("validators") ? validatorsFiles(ctx).flatMap((f) => f.print(ctx.schemaPath)) : [];
