// types/<module>.ts: the TypeScript types of a schema module. struct → interface (base
// via extends), enum → string-literal union plus a readonly array of its values,
// union → discriminated union of intersections, alternate → union of its alternatives.
// Every declaration and member carries TSDoc from the schema's doc comments.

import type { QAPIDoc } from "../../frontend/doc.js";
import {
  AlternateType,
  ArrayType,
  BuiltinType,
  Command,
  type Definition,
  EnumType,
  Event,
  type Module,
  ObjectType,
  type ObjectTypeMember,
  type Schema,
  type Type,
} from "../../frontend/model.js";
import { isNamedType, propertyKey } from "../ts-names.js";
import { PRINT_WIDTH, fitOrBreak, printUnionAlias, stringLiteral } from "../print/layout.js";
import type { EmitContext, Emitter, OutputFile } from "../context.js";
import { fileHeader } from "../context.js";
import { importSpec, runtimeNames } from "./runtime.js";
import { definitionDocLines, memberDocLines, tsdoc } from "../print/tsdoc.js";

// ---------------------------------------------------------------------------
// Shared with the validators emitter (and usable by the stubs emitters)

const slugCache = new WeakMap<Schema, Map<Module, string>>();

/**
 * The file name (without extension) of each module's generated files:
 * `block-core.json` → `block-core`, `./builtin` → `builtin`, `sub/x.json` → `sub.x`.
 */
export function moduleSlug(schema: Schema, module: Module): string {
  let slugs = slugCache.get(schema);
  if (slugs === undefined) {
    slugs = new Map();
    const used = new Set<string>();
    for (const m of schema.modules) {
      const base = m.isBuiltin()
        ? "builtin"
        : m.name
            .replace(/\.json$/, "")
            .replace(/\.\.\//g, "_/")
            .replace(/\//g, ".")
            .replace(/[^A-Za-z0-9._-]/g, "_");
      let slug = base;
      for (let i = 2; used.has(slug.toLowerCase()); i++) slug = `${base}-${i}`;
      used.add(slug.toLowerCase());
      slugs.set(m, slug);
    }
    slugCache.set(schema, slugs);
  }
  return slugs.get(module) as string;
}

/** The named types (with a TypeScript declaration) a module defines, enabled ones only. */
export function moduleTypes(ctx: EmitContext, module: Module): (EnumType | ObjectType | AlternateType)[] {
  return module.entities.filter((e): e is EnumType | ObjectType | AlternateType => isNamedType(e) && ctx.enabled(e.ifcond));
}

/** The modules that get a types/ and validators/ file, with their slug. */
export function typeModules(ctx: EmitContext): { module: Module; slug: string }[] {
  return ctx.schema.modules
    .filter((m) => moduleTypes(ctx, m).length > 0)
    .map((module) => ({ module, slug: moduleSlug(ctx.schema, module) }));
}

const INT_RANGES: Record<string, readonly [string, string] | undefined> = {
  int8: ["-128", "127"],
  int16: ["-32768", "32767"],
  int32: ["-2147483648", "2147483647"],
  uint8: ["0", "255"],
  uint16: ["0", "65535"],
  uint32: ["0", "4294967295"],
  int: ["-9223372036854775808", "9223372036854775807"],
  int64: ["-9223372036854775808", "9223372036854775807"],
  // QEMU takes a negative uint64 or size as its two's complement (the input visitor
  // falls back to int64 "for backward compatibility"): -2^63 is the least it accepts.
  uint64: ["-9223372036854775808", "18446744073709551615"],
  size: ["-9223372036854775808", "18446744073709551615"],
};

/** The range of a built-in integer type, as decimal strings. */
export function intRange(name: string): readonly [string, string] | undefined {
  return INT_RANGES[name];
}

/** Is this built-in integer type 64 bits wide (bigint with --int64 bigint)? */
export function is64(name: string): boolean {
  return name === "int" || name === "int64" || name === "uint64" || name === "size";
}

const wideCache = new WeakMap<EmitContext, ReadonlySet<Type>>();

/**
 * With --int64 bigint: the types whose values contain (transitively) a 64-bit integer,
 * which need converting from JSON numbers (Validator.fromJson): object and alternate
 * types (see isWide for the others); empty in number mode. One pass over the types
 * to find the direct cases and the reverse references, then a worklist.
 */
export function wideTypes(ctx: EmitContext): ReadonlySet<Type> {
  let wide = wideCache.get(ctx);
  if (wide !== undefined) return wide;
  const out = new Set<Type>();
  wideCache.set(ctx, out);
  if (ctx.options.int64 !== "bigint") return out;
  const users = new Map<Type, Type[]>();
  const work: Type[] = [];
  const dep = (user: Type, t: Type): void => {
    while (t instanceof ArrayType) t = t.elementType;
    if (t instanceof BuiltinType) {
      if (is64(t.name) && !out.has(user)) {
        out.add(user);
        work.push(user);
      }
      return;
    }
    let list = users.get(t);
    if (list === undefined) users.set(t, (list = []));
    list.push(user);
  };
  for (const e of ctx.schema.entities) {
    if (e instanceof AlternateType) {
      for (const v of e.alternatives.variants) if (ctx.enabled(v.ifcond)) dep(e, v.type);
    } else if (e instanceof ObjectType) {
      for (const m of e.members) if (ctx.enabled(m.ifcond)) dep(e, m.type);
      for (const v of e.branches?.variants ?? []) if (ctx.enabled(v.ifcond)) dep(e, v.type);
    }
  }
  for (let t = work.pop(); t !== undefined; t = work.pop()) {
    for (const u of users.get(t) ?? []) {
      if (out.has(u)) continue;
      out.add(u);
      work.push(u);
    }
  }
  wide = out;
  return wide;
}

/** Does a value of `t` contain a 64-bit integer that is bigint in the types? */
export function isWide(ctx: EmitContext, t: Type): boolean {
  while (t instanceof ArrayType) t = t.elementType;
  if (t instanceof BuiltinType) return ctx.options.int64 === "bigint" && is64(t.name);
  return wideTypes(ctx).has(t);
}

/** The doc comment that documents a definition, and its members: implicit types use their owner's. */
export function ownerDocs(ctx: EmitContext): Map<Definition, { doc: QAPIDoc | undefined; owner: Definition }> {
  const map = new Map<Definition, { doc: QAPIDoc | undefined; owner: Definition }>();
  for (const e of ctx.schema.entities) {
    if ((e instanceof Command || e instanceof Event) && e.argType?.isImplicit()) {
      map.set(e.argType, { doc: e.doc, owner: e });
    } else if (e instanceof ObjectType && e.branches !== undefined && e.base?.isImplicit()) {
      map.set(e.base, { doc: e.doc, owner: e });
    }
  }
  return map;
}

// ---------------------------------------------------------------------------

/** Collects the names a generated module imports from elsewhere. */
export class Imports {
  private readonly byPath = new Map<string, Set<string>>();

  add(path: string, name: string): void {
    let names = this.byPath.get(path);
    if (names === undefined) this.byPath.set(path, (names = new Set()));
    names.add(name);
  }

  /** `import type` (or `import`) lines, sorted by path, then name. */
  print(typeOnly: boolean): string {
    const paths = [...this.byPath.keys()].sort();
    let out = "";
    for (const path of paths) {
      const names = [...(this.byPath.get(path) as Set<string>)].sort();
      out += fitOrBreak({
        indent: "",
        head: typeOnly ? "import type " : "import ",
        open: "{ ",
        close: " }",
        items: names,
        sep: ", ",
        trailing: ",",
        tail: ` from ${stringLiteral(path)};`,
      });
      out += "\n";
    }
    return out;
  }

  get size(): number {
    return this.byPath.size;
  }
}

class TypesModule {
  private readonly imports = new Imports();
  private readonly out: string[] = [];
  private readonly slug: string;

  constructor(
    private readonly ctx: EmitContext,
    private readonly module: Module,
    private readonly docs: Map<Definition, { doc: QAPIDoc | undefined; owner: Definition }>,
    private readonly bases: ReadonlySet<ObjectType>,
  ) {
    this.slug = moduleSlug(ctx.schema, module);
  }

  /** The TypeScript type of a reference to `t`, importing what it needs. */
  ref(t: Type): string {
    return typeRef(this.ctx, t, (from, spec) => {
      if (from === "runtime") this.imports.add("../runtime.js", spec);
      else if (from !== this.module) this.imports.add(`./${moduleSlug(this.ctx.schema, from)}.js`, spec);
    });
  }


  emit(): OutputFile {
    for (const t of moduleTypes(this.ctx, this.module)) {
      if (t instanceof EnumType) this.enumType(t);
      else if (t instanceof AlternateType) this.alternateType(t);
      else if (t.branches !== undefined) this.unionType(t);
      else this.structType(t);
    }
    const header = fileHeader(this.ctx, `Types of ${this.module.isBuiltin() ? "QAPI's built-in types" : this.module.name}.`);
    const imports = this.imports.print(true);
    const content = `${header}\n${imports}${imports === "" ? "" : "\n"}${this.out.join("\n")}`;
    return { path: `types/${this.slug}.ts`, content };
  }

  private doc(t: Definition, extra?: string[]): string {
    const owner = this.docs.get(t);
    if (owner !== undefined) {
      const what =
        owner.owner instanceof Command
          ? `Arguments of command \`${owner.owner.name}\`.`
          : owner.owner instanceof Event
            ? `Data of event \`${owner.owner.name}\`.`
            : `Common members of \`${owner.owner.name}\`.`;
      const lines = [what];
      const since = owner.doc?.sinceText?.trim();
      if (since !== undefined && since !== "") lines.push("", `@since ${since.split("\n").join(" ")}`);
      return tsdoc(lines);
    }
    return tsdoc(definitionDocLines(this.ctx, t, t.doc, { extra: extra ?? [] }));
  }

  private memberDoc(t: Definition): QAPIDoc | undefined {
    return this.docs.get(t)?.doc ?? t.doc;
  }

  private enumType(t: EnumType): void {
    const name = this.ctx.names.type(t);
    const doc = t.doc;
    const values = t.members.filter((m) => this.ctx.enabled(m.ifcond));
    const extra: string[] = [];
    for (const m of values) {
      const lines = memberDocLines(this.ctx, m, doc, true).filter((l) => l !== "");
      if (lines.length === 0) continue;
      extra.push(`- \`${m.name}\`: ${lines[0]}`, ...lines.slice(1).map((l) => `  ${l.trimStart()}`));
    }
    const literals = values.map((m) => stringLiteral(m.name));
    let text = this.doc(t, extra);
    text += printUnionAlias(`export type ${name} =`, literals);
    text += "\n";
    text += tsdoc([`The values of {@link ${name}}, in schema order.`]);
    const head = `export const ${this.ctx.names.derived(t, "values")}: readonly ${name}[] =`;
    const short = head.length + 2 <= PRINT_WIDTH;
    if (!short) text += `${head}\n`;
    text += fitOrBreak({
      indent: short ? "" : "  ",
      head: short ? `${head} ` : "",
      open: "[",
      close: "]",
      items: literals,
      sep: ", ",
      trailing: ",",
      tail: ";",
    });
    text += "\n";
    this.out.push(text);
  }

  private members(t: ObjectType, members: readonly ObjectTypeMember[]): string {
    const doc = this.memberDoc(t);
    let out = "";
    for (const m of members) {
      if (!this.ctx.enabled(m.ifcond)) continue;
      out += tsdoc(memberDocLines(this.ctx, m, doc), "  ");
      out += `  ${propertyKey(m.name)}${m.optional ? "?" : ""}: ${this.ref(m.type)};\n`;
    }
    return out;
  }

  private structType(t: ObjectType): void {
    const name = this.ctx.names.type(t);
    if (this.isClosedEmpty(t)) {
      // `interface X {}` would accept any object: an empty struct admits no member.
      this.out.push(`${this.doc(t)}export type ${name} = { [key: string]: never };\n`);
      return;
    }
    const ext = t.base !== undefined ? ` extends ${this.ref(t.base)}` : "";
    const body = this.members(t, t.localMembers);
    this.out.push(`${this.doc(t)}export interface ${name}${ext} {${body === "" ? "}" : `\n${body}}`}\n`);
  }

  /**
   * A struct without (enabled) members that is no type's base: typed as an object
   * that admits no member. A base keeps `{}` semantics (an interface), as its
   * extensions add members; a union branch of such a type adds nothing.
   */
  private isClosedEmpty(t: ObjectType): boolean {
    return (
      t.branches === undefined &&
      !this.bases.has(t) &&
      !t.members.some((m) => this.ctx.enabled(m.ifcond))
    );
  }

  private unionType(t: ObjectType): void {
    const name = this.ctx.names.type(t);
    const branches = t.branches!;
    const base = this.ref(t.base!);
    const tag = propertyKey(branches.tagName);
    const items: string[] = [];
    const single = branches.variants.filter((v) => this.ctx.enabled(v.ifcond)).length === 1;
    const enabled = branches.variants.filter((v) => this.ctx.enabled(v.ifcond));
    for (const v of enabled) {
      const last = v === enabled[enabled.length - 1] ? 1 : 0;
      const lit = stringLiteral(v.name);
      const data = this.branchData(v.type);
      const flat = `${base} & { ${tag}: ${lit} }${data !== undefined ? ` & ${data}` : ""}`;
      if (single) {
        items.push(flat);
        continue;
      }
      if (`  | (${flat})`.length + last <= PRINT_WIDTH) {
        items.push(`(${flat})`);
      } else {
        items.push(`(${base} & {\n      ${tag}: ${lit};\n    }${data !== undefined ? ` & ${data}` : ""})`);
      }
    }
    let text = this.doc(t);
    if (single) {
      const flat = `export type ${name} = ${items[0]};`;
      if (flat.length <= PRINT_WIDTH) text += `${flat}\n`;
      else {
        const v = branches.variants.find((x) => this.ctx.enabled(x.ifcond))!;
        const bt = this.branchData(v.type);
        const data = bt !== undefined ? ` & ${bt}` : "";
        text += `export type ${name} = ${base} & {\n  ${tag}: ${stringLiteral(v.name)};\n}${data};\n`;
      }
    } else {
      text += printUnionAlias(`export type ${name} =`, items);
    }
    this.out.push(text);
  }

  /** What a union branch of type `t` adds to the base: nothing for an empty struct. */
  private branchData(t: Type): string | undefined {
    if (!(t instanceof ObjectType) || t.name === "q_empty" || this.isClosedEmpty(t)) return undefined;
    return this.ref(t);
  }

  private alternateType(t: AlternateType): void {
    const name = this.ctx.names.type(t);
    const items = t.alternatives.variants.filter((v) => this.ctx.enabled(v.ifcond)).map((v) => this.ref(v.type));
    const doc = t.doc;
    const extra: string[] = [];
    for (const v of t.alternatives.variants) {
      if (!this.ctx.enabled(v.ifcond)) continue;
      const lines = memberDocLines(this.ctx, v, doc, true).filter((l) => l !== "");
      if (lines.length === 0) continue;
      extra.push(`- \`${v.name}\`: ${lines[0]}`, ...lines.slice(1).map((l) => `  ${l.trimStart()}`));
    }
    this.out.push(this.doc(t, extra) + printUnionAlias(`export type ${name} =`, items));
  }
}

export const emitTypes: Emitter = (ctx) => {
  const docs = ownerDocs(ctx);
  const bases = new Set<ObjectType>();
  for (const e of ctx.schema.entities) if (e instanceof ObjectType && e.base !== undefined) bases.add(e.base);
  return typeModules(ctx).map(({ module }) => new TypesModule(ctx, module, docs, bases).emit());
};

/**
 * The TypeScript type of a reference to `t`. `use` is told each name it refers to and
 * where that name comes from (the runtime, or a schema module's types), to import it.
 */
export function typeRef(ctx: EmitContext, t: Type, use: (from: Module | "runtime", spec: string) => void): string {
  if (t instanceof BuiltinType) {
    switch (t.name) {
      case "str":
        return "string";
      case "bool":
        return "boolean";
      case "null":
        return "null";
      case "number":
        return "number";
      case "any": {
        const json = runtimeNames(ctx).JsonValue;
        use("runtime", importSpec("JsonValue", json));
        return json;
      }
      default:
        return is64(t.name) && ctx.options.int64 === "bigint" ? "bigint" : "number";
    }
  }
  if (t instanceof ArrayType) {
    const el = typeRef(ctx, t.elementType, use);
    return /^[A-Za-z0-9_$]+$/.test(el) ? `${el}[]` : `(${el})[]`;
  }
  const name = ctx.names.type(t);
  use(t.module as Module, name);
  return name;
}
