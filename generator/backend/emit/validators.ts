// validators/<module>.ts: straight-line validators for the types of a schema module.
//
// For each named type Foo (TypeScript name) the module exports:
//   FooValidator (Validator<Foo>), isFoo(value, mode) — the public API (runtime.ts docs);
//   $g_Foo(v, c, d): boolean — the guard (c: compatible mode, d: depth); for structs
//     it checks the members itself (the same code as $m_Foo), for unions it calls $m_Foo;
//   $p_Foo(v, c, d, p, out) — pushes the problems of v at path p;
// and for object types (structs and unions):
//   $m_Foo(o, c, d): number — checks the members, returns how many are present or -1;
//   $q_Foo(o, c, d, p, out, ks) — pushes member problems, and the sets of known member
//     names into ks (for the unknown-member check).
// validators/builtin.ts has $g_/$p_ for the built-in types (by QAPI name). Names with
// `$` cannot clash with schema-derived names. Guards inline the checks of built-in
// members, so the valid path runs without allocation (Object.keys aside).

import {
  AlternateType,
  ArrayType,
  BuiltinType,
  EnumType,
  type Module,
  ObjectType,
  type ObjectTypeMember,
  type Type,
} from "../../frontend/model.js";
import { fitOrBreak, printAssignCall, printCall, printIf, stringLiteral } from "../print/layout.js";
import type { EmitContext, Emitter, OutputFile } from "../context.js";
import { fileHeader } from "../context.js";
import { importSpec, runtimeNames } from "./runtime.js";
import { Imports, intRange, is64, isWide, moduleSlug, moduleTypes, typeModules, wideTypes } from "./types.js";

/** Keys that plain objects inherit: members of these names are read as own properties only. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

const WORD_RE = new Map<string, RegExp>();

/** Enumerations with more values than this are checked with a Set. */
const SET_THRESHOLD = 6;

const BUILTIN_EXPECTED: Record<string, string> = {
  str: "string",
  bool: "boolean",
  null: "null",
  number: "number",
  any: "JSON value",
};

interface Check {
  /** Condition true when the value passes. */
  pos: string;
  /** Condition true when it fails. */
  neg: string;
  /** When the check is a call (for breaking long lines). */
  call?: { prefix: string; fn: string; args: string[] };
}

function callCheck(fn: string, args: string[]): Check {
  const c = `${fn}(${args.join(", ")})`;
  return { pos: c, neg: `!${c}`, call: { prefix: "!", fn, args } };
}

/** Literal of a 64-bit bound in bigint mode. */
function big(n: string): string {
  return `${n}n`;
}

class ValidatorsModule {
  private readonly rt = new Set<string>();
  private readonly rtTypes = new Set<string>();
  private readonly typeImports = new Imports();
  private readonly valueImports = new Imports();
  private readonly out: string[] = [];
  private readonly slug: string;
  private readonly bigint: boolean;
  private readonly rn: ReturnType<typeof runtimeNames>;
  private structGuardBody = "";

  constructor(
    private readonly ctx: EmitContext,
    private readonly module: Module,
  ) {
    this.slug = moduleSlug(ctx.schema, module);
    this.bigint = ctx.options.int64 === "bigint";
    this.rn = runtimeNames(ctx);
  }

  private use(name: string): string {
    this.rt.add(name);
    return name;
  }

  /** Internal function name (`$g_`, `$p_`, `$m_`, `$q_`) of a type, imported when elsewhere. */
  private fn(kind: "g" | "p" | "m" | "q" | "b", t: Type): string {
    if (t instanceof BuiltinType) {
      const name = `$${kind}_${t.name}`;
      if (!this.module.isBuiltin()) this.valueImports.add("./builtin.js", name);
      return name;
    }
    const name = `$${kind}_${this.ctx.names.type(t)}`;
    if (t.module !== undefined && t.module !== this.module) {
      this.valueImports.add(`./${moduleSlug(this.ctx.schema, t.module)}.js`, name);
    }
    return name;
  }

  private problemType(): string {
    this.rtTypes.add(importSpec("Problem", this.rn.Problem));
    return this.rn.Problem;
  }

  /** The check of a value `v` of (non-array) type `t` in a guard at depth `d`. */
  private check(t: Type, v: string, depth: string): Check {
    if (t instanceof BuiltinType) {
      switch (t.name) {
        case "str":
          return { pos: `typeof ${v} === "string"`, neg: `typeof ${v} !== "string"` };
        case "bool":
          return { pos: `typeof ${v} === "boolean"`, neg: `typeof ${v} !== "boolean"` };
        case "null":
          return { pos: `${v} === null`, neg: `${v} !== null` };
        case "number":
          return callCheck("Number.isFinite", [v]);
        case "any":
          return callCheck(this.use("$isJson"), [v]);
        default: {
          const [min, max] = intRange(t.name) as readonly [string, string];
          if (is64(t.name)) {
            if (this.bigint) return callCheck(this.use("$isBig"), [v, big(min), big(max)]);
            return callCheck("Number.isSafeInteger", [v]);
          }
          return callCheck(this.use("$isInt"), [v, min, max]);
        }
      }
    }
    if (t instanceof EnumType) return callCheck(this.fn("g", t), [v, "c"]);
    return callCheck(this.fn("g", t), [v, "c", depth]);
  }

  /** Guard statements for member value `x` (already read) of type `t`, failing with `fail`. */
  private guardValue(t: Type, indent: string, fail: string): string {
    if (t instanceof ArrayType) {
      const el = this.check(t.elementType, "e", "d + 1");
      const head = `${indent}for (const e of x) `;
      const one = printIf("", el.neg, fail, el.call);
      const loop =
        !one.includes("\n") && head.length + one.length <= 80
          ? `${head}${one}`
          : `${indent}for (const e of x)\n${printIf(`${indent}  `, el.neg, fail, el.call)}`;
      return `${printIf(indent, "!Array.isArray(x)", fail)}\n${loop}\n`;
    }
    const c = this.check(t, "x", "d + 1");
    return `${printIf(indent, c.neg, fail, c.call)}\n`;
  }

  private read(o: string, name: string): string {
    if (INHERITED.has(name)) return `${this.use("$own")}(${o}, ${stringLiteral(name)})`;
    return `${o}[${stringLiteral(name)}]`;
  }

  private enabledMembers(t: ObjectType): ObjectTypeMember[] {
    return t.members.filter((m) => this.ctx.enabled(m.ifcond));
  }

  /** `export function name(params): ret {` printed as prettier would. */
  private signature(name: string, params: string[], ret: string, body: string): string {
    const used = (p: string): string => {
      const id = p.slice(0, p.indexOf(":"));
      if (id.startsWith("_")) return p;
      let re = WORD_RE.get(id);
      if (re === undefined) WORD_RE.set(id, (re = new RegExp(`\\b${id}\\b`)));
      return re.test(body) ? p : `_${p}`;
    };
    return `${printCall("", "export function ", name, params.map(used), `: ${ret} {`)}\n${body}}\n`;
  }

  // ---- object types ------------------------------------------------------

  private structMembers(t: ObjectType): void {
    const tsName = this.ctx.names.type(t);
    const members = this.enabledMembers(t);
    const required = members.filter((m) => !m.optional).length;
    const hasOptional = members.some((m) => m.optional);
    const checks = (o: string, fail: string): string => {
      let b = "";
      if (hasOptional) b += `  let n = ${required};\n`;
      if (members.length > 0) b += "  let x: unknown;\n";
      let first = o === "v";
      for (const m of members) {
        b += `  x = ${this.read(o, m.name)};\n`;
        // Right after the first read, where the optimizer knows v's maps and can
        // fold the prototype test (measured: cheaper than at the end).
        if (first) b += "  const plain = !c && Object.getPrototypeOf(v) === Object.prototype;\n";
        first = false;
        if (m.optional) {
          b += `  if (x !== undefined) {\n${this.guardValue(m.type, "    ", fail)}    n++;\n  }\n`;
        } else {
          b += this.guardValue(m.type, "  ", fail);
        }
      }
      return b;
    };
    let body = checks("o", "return -1;");
    body += `  return ${hasOptional ? "n" : required};\n`;
    this.structGuardBody = checks("v", "return false;") + (hasOptional ? "" : `  const n = ${required};\n`);
    const $Obj = this.useType("$Obj");
    this.out.push(this.signature(`$m_${tsName}`, ["o: " + $Obj, "c: boolean", "d: number"], "number", body));

    // problems
    const P = this.problemType();
    const set = `$k_${tsName}`;
    const names = members.map((m) => stringLiteral(m.name));
    this.out.push(
      (names.length > 0 && `const ${set}: ReadonlySet<string> = new Set([`.length > 80
        ? `const ${set}: ReadonlySet<string> =\n`
        : "") +
      (names.length === 0
        ? `const ${set}: ReadonlySet<string> = new Set<string>();\n`
        : `${fitOrBreak({
            indent: `const ${set}: ReadonlySet<string> = new Set([`.length <= 80 ? "" : "  ",
            head: `const ${set}: ReadonlySet<string> = new Set([`.length <= 80 ? `const ${set}: ReadonlySet<string> = new Set(` : "new Set(",
            open: "[",
            close: "]",
            items: names,
            sep: ", ",
            trailing: ",",
            tail: ");",
          })}\n`),
    );
    let qbody = `  ks.push(${set});\n`;
    for (const m of members) {
      const arr = m.type instanceof ArrayType;
      const el = m.type instanceof ArrayType ? m.type.elementType : m.type;
      const flags = (m.optional ? 1 : 0) + (arr ? 2 : 0);
      qbody += `${printCall("  ", "", this.use("$member"), ["out", "o", "p", stringLiteral(m.name), String(flags), this.fn("p", el), "c", "d + 1"], ";")}\n`;
    }
    this.pushProblemsOf(tsName, $Obj, P, qbody);
  }

  private unionMembers(t: ObjectType): void {
    const tsName = this.ctx.names.type(t);
    const branches = t.branches!;
    const base = t.base!;
    const tag = this.read("o", branches.tagName);
    const data = branches.variants.filter(
      (v) => this.ctx.enabled(v.ifcond) && v.type instanceof ObjectType && v.type.name !== "q_empty",
    );
    const $Obj = this.useType("$Obj");
    let body: string;
    if (data.length === 0) {
      body = `${printCall("  ", "return ", this.fn("m", base), ["o", "c", "d"], ";")}\n`;
    } else {
      body = `${printAssignCall("  ", "const n = ", this.fn("m", base), ["o", "c", "d"], ";")}\n`;
      body += "  if (n < 0) return -1;\n  let m = 0;\n";
      body += `  switch (${tag}) {\n`;
      for (const v of data) {
        body += `    case ${stringLiteral(v.name)}:\n`;
        body += `${printAssignCall("      ", "m = ", this.fn("m", v.type), ["o", "c", "d"], ";")}\n`;
        body += "      break;\n";
      }
      body += "  }\n  return m < 0 ? -1 : n + m;\n";
    }
    this.out.push(this.signature(`$m_${tsName}`, [`o: ${$Obj}`, "c: boolean", "d: number"], "number", body));

    const P = this.problemType();
    let qbody = `${printCall("  ", "", this.fn("q", base), ["o", "c", "d", "p", "out", "ks"], ";")}\n`;
    if (data.length > 0) {
      qbody += `  switch (${tag}) {\n`;
      for (const v of data) {
        qbody += `    case ${stringLiteral(v.name)}:\n`;
        qbody += `${printCall("      ", "", this.fn("q", v.type), ["o", "c", "d", "p", "out", "ks"], ";")}\n`;
        qbody += "      break;\n";
      }
      qbody += "  }\n";
    }
    this.pushProblemsOf(tsName, $Obj, P, qbody);
  }

  /** `$q_T`: an object type's problems, and the known keys it adds to `ks`. */
  private pushProblemsOf(tsName: string, $Obj: string, P: string, body: string): void {
    this.out.push(
      this.signature(
        `$q_${tsName}`,
        [`o: ${$Obj}`, "c: boolean", "d: number", "p: string", `out: ${P}[]`, "ks: ReadonlySet<string>[]"],
        "void",
        body,
      ),
    );
  }

  private useType(name: string): string {
    this.rtTypes.add(name);
    return name;
  }

  private objectType(t: ObjectType): void {
    const tsName = this.ctx.names.type(t);
    if (t.branches !== undefined) this.unionMembers(t);
    else this.structMembers(t);
    const g =
      `  if (!${this.use("$isObject")}(v) || d > ${this.use("$MAX_DEPTH")}) return false;\n` +
      (t.branches === undefined
        ? this.structGuardBody
        : `  const n = $m_${tsName}(v, c, d);\n  if (n < 0) return false;\n`) +
      "  if (c) return true;\n" +
      // Strict mode: exactly the known members. for-in counts keys without allocating,
      // and inline it sees this type's objects only. It would also count inherited
      // enumerable members, which plain objects (parsed JSON) never have: objects not
      // plain, or with undefined members, have their own keys counted by $ownKeys.
      (t.branches === undefined && this.enabledMembers(t).length > 0
        ? "  if (plain) {\n"
        : "  if (Object.getPrototypeOf(v) === Object.prototype) {\n") +
      "    let k = 0;\n" +
      "    for (const _ in v) k++;\n" +
      "    if (k === n) return true;\n" +
      "  }\n" +
      `  return ${this.use("$ownKeys")}(v) === n;\n`;
    this.out.push(this.signature(`$g_${tsName}`, ["v: unknown", "c: boolean", "d: number"], "boolean", g));
    const P = this.problemType();
    const p = `${printCall("  ", "", this.use("$object"), ["v", "c", "d", "p", "out", `$q_${tsName}`], ";")}\n`;
    this.out.push(
      this.signature(`$p_${tsName}`, ["v: unknown", "c: boolean", "d: number", "p: string", `out: ${P}[]`], "void", p),
    );
  }

  // ---- enums and alternates ---------------------------------------------

  private enumType(t: EnumType): void {
    const tsName = this.ctx.names.type(t);
    const values = t.members.filter((m) => this.ctx.enabled(m.ifcond)).map((m) => stringLiteral(m.name));
    let known: string;
    if (values.length > SET_THRESHOLD) {
      const valuesName = this.ctx.names.derived(t, "values");
      this.valueImports.add(`../types/${this.slug}.js`, valuesName);
      this.out.push(`${printAssignCall("", `const $s_${tsName}: ReadonlySet<string> = `, "new Set", [valuesName], ";")}\n`);
      known = `$s_${tsName}.has(v)`;
    } else {
      known = values.length === 0 ? "false" : values.map((x) => `v === ${x}`).join(" || ");
    }
    const expr = `typeof v === "string" && (c || ${known})`;
    const flat = `  return ${expr};`;
    let g: string;
    if (flat.length <= 80) g = `${flat}\n`;
    else if (`    ${expr}`.length <= 80) g = `  return (\n    ${expr}\n  );\n`;
    else if (`    (c || ${known})`.length <= 80) g = `  return (\n    typeof v === "string" &&\n    (c || ${known})\n  );\n`;
    else {
      const lines = values.map((x, i) => `      v === ${x}${i === values.length - 1 ? ")" : " ||"}`);
      g = `  return (\n    typeof v === "string" &&\n    (c ||\n${lines.join("\n")}\n  );\n`;
    }
    this.out.push(this.signature(`$g_${tsName}`, ["v: unknown", "c: boolean"], "boolean", g));
    const P = this.problemType();
    const p =
      `  if (typeof v !== "string") ${this.use("$type")}(out, p, "string");\n` +
      `  else if (!$g_${tsName}(v, c)) ${this.use("$enum")}(out, p, v);\n`;
    this.out.push(
      this.signature(`$p_${tsName}`, ["v: unknown", "c: boolean", "_d: number", "p: string", `out: ${P}[]`], "void", p),
    );
  }

  /** The JSON-type test an alternate dispatches on, for an alternative of type `t`. */
  private dispatch(t: Type): string {
    switch (t.jsonType()) {
      case "string":
        return `typeof v === "string"`;
      case "boolean":
        return `typeof v === "boolean"`;
      case "null":
        return "v === null";
      case "array":
        return "Array.isArray(v)";
      case "object":
        return `${this.use("$isObject")}(v)`;
      default:
        return t instanceof BuiltinType && is64(t.name) && this.bigint
          ? `typeof v === "bigint"`
          : `typeof v === "number"`;
    }
  }

  private alternateType(t: AlternateType): void {
    const tsName = this.ctx.names.type(t);
    const alts = t.alternatives.variants.filter((v) => this.ctx.enabled(v.ifcond));
    let g = "";
    let p = "";
    const P = this.problemType();
    for (const a of alts) {
      const test = this.dispatch(a.type);
      if (a.type instanceof ArrayType) {
        const el = this.check(a.type.elementType, "e", "d + 1");
        g += `  if (${test}) {\n`;
        const one = printIf("", el.neg, "return false;", el.call);
        g +=
          !one.includes("\n") && `    for (const e of v) ${one}`.length <= 80
            ? `    for (const e of v) ${one}\n`
            : `    for (const e of v)\n${printIf("      ", el.neg, "return false;", el.call)}\n`;
        g += "    return true;\n  }\n";
        p += `${printIf("  ", test, printCall("", "return ", this.use("$array"), ["v", "c", "d", "p", "out", this.fn("p", a.type.elementType)], ";"))}\n`;
      } else {
        const c = this.check(a.type, "v", "d");
        const pos = a.type instanceof BuiltinType && a.type.name === "str" ? "true" : a.type.name === "null" ? "true" : c.pos;
        g += `${printIf("  ", test, `return ${pos};`)}\n`;
        p += `${printIf("  ", test, printCall("", "return ", this.fn("p", a.type), ["v", "c", "d", "p", "out"], ";"))}\n`;
      }
    }
    g += "  return false;\n";
    p += `  ${this.use("$alternate")}(out, p, ${stringLiteral(this.validatorName(t))});\n`;
    this.out.push(this.signature(`$g_${tsName}`, ["v: unknown", "c: boolean", "d: number"], "boolean", g));
    this.out.push(
      this.signature(`$p_${tsName}`, ["v: unknown", "c: boolean", "d: number", "p: string", `out: ${P}[]`], "void", p),
    );
  }

  private validatorName(t: Type): string {
    return t.isImplicit() && t instanceof ObjectType ? this.ctx.names.type(t) : t.name;
  }

  // ---- conversion from JSON (--int64 bigint) ------------------------------

  /** `if (cond) prefix fn(args);` as prettier prints it. */
  private ifCall(indent: string, cond: string, prefix: string, fn: string, args: string[]): string {
    const one = `${indent}if (${cond}) ${prefix}${fn}(${args.join(", ")});`;
    if (one.length <= 80) return `${one}\n`;
    return `${indent}if (${cond})\n${printAssignCall(`${indent}  `, prefix, fn, args, ";")}\n`;
  }

  /** The statements converting `x`, member `key` of `v`, of wide type `t`. */
  private convertValue(t: Type, indent: string, key: string, inherited: boolean): string {
    if (t instanceof ArrayType) {
      const el = t.elementType;
      if (el instanceof BuiltinType) return this.ifCall(indent, "Array.isArray(x)", "", this.use("$bigs"), ["x"]);
      return this.ifCall(indent, "Array.isArray(x)", "", this.use("$bigEach"), ["x", this.fn("b", el), "d + 1"]);
    }
    if (t instanceof ObjectType) return this.ifCall(indent, "x !== undefined", "", this.fn("b", t), ["x", "d + 1"]);
    const [cond, fn, args] =
      t instanceof BuiltinType
        ? [`typeof x === "number"`, this.use("$big"), ["x"]]
        : ["x !== undefined", this.fn("b", t), ["x", "d + 1"]];
    if (inherited) return this.ifCall(indent, cond, "", this.use("$setOwn"), ["v", key, `${fn}(${args.join(", ")})`]);
    return this.ifCall(indent, cond, `v[${key}] = `, fn, args);
  }

  /** `$b_Foo(v, d)`: converts a Foo parsed from JSON in place (see Validator.fromJson). */
  private converter(t: ObjectType | AlternateType): void {
    const tsName = this.ctx.names.type(t);
    let body = "";
    if (t instanceof AlternateType) {
      for (const a of t.alternatives.variants) {
        if (!this.ctx.enabled(a.ifcond) || !isWide(this.ctx, a.type)) continue;
        const at = a.type;
        if (at instanceof BuiltinType) body += `  if (typeof v === "number") return ${this.use("$big")}(v);\n`;
        else if (at instanceof ArrayType) {
          const el = at.elementType;
          const stmt =
            el instanceof BuiltinType
              ? `${this.use("$bigs")}(v)`
              : `${this.use("$bigEach")}(v, ${this.fn("b", el)}, d + 1)`;
          body += `  if (Array.isArray(v)) {\n    ${stmt};\n    return v;\n  }\n`;
        } else {
          body += this.ifCall("  ", `${this.use("$isObject")}(v)`, "return ", this.fn("b", at), ["v", "d"]);
        }
      }
      body += "  return v;\n";
    } else {
      body += `  if (!${this.use("$isObject")}(v) || d > ${this.use("$MAX_DEPTH")}) return v;\n`;
      const members = this.enabledMembers(t).filter((m) => isWide(this.ctx, m.type));
      if (members.length > 0) body += "  let x: unknown;\n";
      for (const m of members) {
        body += `  x = ${this.read("v", m.name)};\n`;
        body += this.convertValue(m.type, "  ", stringLiteral(m.name), INHERITED.has(m.name));
      }
      const br = t.branches;
      if (br !== undefined) {
        const wide = br.variants.filter(
          (v) => this.ctx.enabled(v.ifcond) && v.type instanceof ObjectType && wideTypes(this.ctx).has(v.type),
        );
        if (wide.length > 0) {
          body += `  switch (${this.read("v", br.tagName)}) {\n`;
          for (const v of wide) {
            body += `    case ${stringLiteral(v.name)}:\n`;
            body += `${printCall("      ", "", this.fn("b", v.type), ["v", "d"], ";")}\n`;
            body += "      break;\n";
          }
          body += "  }\n";
        }
      }
      body += "  return v;\n";
    }
    this.out.push(this.signature(`$b_${tsName}`, ["v: unknown", "d: number"], "unknown", body));
  }

  /** The public validator and guard of a type. */
  private publicApi(t: EnumType | ObjectType | AlternateType): void {
    const tsName = this.ctx.names.type(t);
    this.typeImports.add(`../types/${this.slug}.js`, tsName);
    const validator = this.ctx.names.derived(t, "validator");
    const guard = this.ctx.names.derived(t, "guard");
    const mode = this.rn.ValidationMode;
    this.rtTypes.add(importSpec("ValidationMode", mode));
    const c = t instanceof EnumType ? "" : ", 0";
    let text = `/** Validates {@link ${tsName}} values (see {@link ${this.rn.Validator}}). */\n`;
    const vargs = [stringLiteral(this.validatorName(t)), `$g_${tsName}`, `$p_${tsName}`];
    if (!(t instanceof EnumType) && wideTypes(this.ctx).has(t)) vargs.push(`$b_${tsName}`);
    text += `${printAssignCall("", `export const ${validator} = `, `${this.use("$validator")}<${tsName}>`, vargs, ";")}\n`;
    text += `\n/** Is \`value\` a {@link ${tsName}}? The same as \`${validator}.is\`. */\n`;
    text += `${printCall("", "export function ", guard, ["value: unknown", `mode?: ${mode}`], `: value is ${tsName} {`)}\n`;
    const args = ["value", 'mode === "compatible"', ...(c === "" ? [] : ["0"])];
    text += `${printCall("  ", "return ", `$g_${tsName}`, args, ";")}\n}\n`;
    this.out.push(text);
  }

  private builtins(): void {
    const P = this.problemType();
    for (const e of this.ctx.schema.entities) {
      if (!(e instanceof BuiltinType)) continue;
      const name = e.name;
      const c = this.check(e, "v", "d");
      const pos = c.pos;
      this.out.push(this.signature(`$g_${name}`, ["v: unknown"], "boolean", `  return ${pos};\n`));
      let p: string;
      const expected = BUILTIN_EXPECTED[name];
      if (name === "any") p = `  ${this.use("$json")}(v, p, out);\n`;
      else if (expected !== undefined) p = `${printIf("  ", c.neg, `${this.use("$type")}(out, p, "${expected}");`)}\n`;
      else {
        const [min, max] = intRange(name) as readonly [string, string];
        const wide = is64(name) && this.bigint;
        p = `${printCall("  ", "", this.use("$int"), ["v", "p", "out", stringLiteral(name), wide ? big(min) : min, wide ? big(max) : max], ";")}\n`;
      }
      this.out.push(
        this.signature(`$p_${name}`, ["v: unknown", "_c: boolean", "_d: number", "p: string", `out: ${P}[]`], "void", p),
      );
    }
  }

  emit(): OutputFile {
    if (this.module.isBuiltin()) this.builtins();
    for (const t of moduleTypes(this.ctx, this.module)) {
      if (t instanceof EnumType) this.enumType(t);
      else if (t instanceof AlternateType) this.alternateType(t);
      else this.objectType(t);
      if (!(t instanceof EnumType) && wideTypes(this.ctx).has(t)) this.converter(t);
      this.publicApi(t);
    }
    const rtImports = new Imports();
    for (const n of this.rt) rtImports.add("../runtime.js", n);
    for (const n of this.rtTypes) rtImports.add("../runtime.js", `type ${n}`);
    const header = fileHeader(
      this.ctx,
      `Validators of ${this.module.isBuiltin() ? "QAPI's built-in types" : this.module.name}.`,
    );
    const imports = rtImports.print(false) + this.valueImports.print(false) + this.typeImports.print(true);
    return { path: `validators/${this.slug}.ts`, content: `${header}\n${imports}\n${this.out.join("\n")}` };
  }
}

export const emitValidators: Emitter = (ctx) =>
  typeModules(ctx).map(({ module }) => new ValidatorsModule(ctx, module).emit());
