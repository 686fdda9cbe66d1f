// types/<module>: the TypeScript types of a schema module. struct → interface (base
// via extends), enum → string-literal union plus a readonly array of its values,
// union → discriminated union of intersections, alternate → union of its
// alternatives. Every declaration and member carries TSDoc from the doc comments.
// types/builtin also declares JsonValue, the type of QAPI's `any`.

import {
  AlternateType,
  ArrayType,
  BuiltinType,
  Command,
  type Definition,
  EnumType,
  Event,
  ObjectType,
  type ObjectTypeMember,
  type Type,
} from "../../frontend/model.js";
import { type EmitContext, type Emitter, type ModuleFiles, is64 } from "../context.js";
import { type Doc, group, hardline, indent, join, line, ref } from "../print/doc.js";
import { GeneratedFile } from "../print/file.js";
import { array, declaration, intersection, key, parens, str, typeAlias, typeLiteral } from "../print/ts.js";
import { definitionDocLines, memberDocLines, tsdoc } from "../print/tsdoc.js";

/** The TypeScript type of a reference to `t` (its names as `ref`s, so they are imported). */
export function typeRef(ctx: EmitContext, t: Type): Doc {
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
      case "any":
        return ref(ctx.sym.generated("JsonValue"), true);
      default:
        return is64(t.name) && ctx.options.int64 === "bigint" ? "bigint" : "number";
    }
  }
  if (t instanceof ArrayType) return [typeRef(ctx, t.elementType), "[]"];
  return ref(ctx.sym.type(t), true);
}

/** `- \`name\`: text` lines for the values of an enum or the alternatives of an alternate. */
function listLines(ctx: EmitContext, items: readonly { name: string; lines: string[] }[]): string[] {
  const out: string[] = [];
  for (const { name, lines } of items) {
    const text = lines.filter((l) => l !== "");
    if (text.length === 0) continue;
    out.push(`- \`${name}\`: ${text[0]}`, ...text.slice(1).map((l) => `  ${l.trimStart()}`));
  }
  return out;
}

class TypesFile {
  readonly file: GeneratedFile;

  constructor(
    private readonly ctx: EmitContext,
    private readonly m: ModuleFiles,
  ) {
    const what = m.module.isBuiltin() ? "QAPI's built-in types" : m.module.name;
    this.file = new GeneratedFile(`types/${m.slug}`, `Types of ${what}.`, ctx.options);
  }

  emit(): GeneratedFile {
    if (this.m.module.isBuiltin()) this.jsonValue();
    for (const t of this.m.types) {
      if (t instanceof EnumType) this.enumType(t);
      else if (t instanceof AlternateType) this.alternateType(t);
      else if (t.branches !== undefined) this.unionType(t);
      else this.structType(t);
    }
    return this.file;
  }

  private jsonValue(): void {
    const big = this.ctx.options.int64 === "bigint";
    const name = this.ctx.names.fixed("JsonValue");
    const comment = tsdoc([`A JSON value, as QMP carries it${big ? " (with 64-bit integers as bigint)" : ""}.`, "The type of QAPI's built-in type `any`."]);
    const items = ["null", "boolean", "number", ...(big ? ["bigint"] : []), "string", `${name}[]`, `{ [key: string]: ${name} }`];
    this.file.addTypes(typeAlias(name, items, { exported: true }), comment);
  }

  private doc(t: Definition, extra: readonly string[] = []): Doc {
    const owner = this.ctx.owners.get(t);
    if (owner === undefined) return tsdoc(definitionDocLines(this.ctx, t, t.doc, { extra }));
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

  private enumType(t: EnumType): void {
    const name = this.ctx.names.type(t);
    const values = t.members.filter((m) => this.ctx.enabled(m.ifcond));
    const extra = listLines(this.ctx, values.map((m) => ({ name: m.name, lines: memberDocLines(this.ctx, m, t.doc, true) })));
    const literals = values.map((m) => str(m.name));
    this.file.addTypes(typeAlias(name, literals, { exported: true }), this.doc(t, extra));
    const valuesName = this.ctx.names.derived(t, "values");
    const type = ["readonly ", name, "[]"];
    this.file.add(
      declaration("const", valuesName, type, array(literals), { exported: true }),
      ["export declare const ", valuesName, ": ", type, ";"],
      tsdoc([`The values of {@link ${name}}, in schema order.`]),
    );
  }

  private members(t: ObjectType, members: readonly ObjectTypeMember[]): Doc[] {
    const doc = this.ctx.owners.get(t)?.doc ?? t.doc;
    return members
      .filter((m) => this.ctx.enabled(m.ifcond))
      .map((m) => [tsdoc(memberDocLines(this.ctx, m, doc)), key(m.name), m.optional ? "?" : "", ": ", typeRef(this.ctx, m.type), ";"]);
  }

  private structType(t: ObjectType): void {
    const name = this.ctx.names.type(t);
    if (this.isClosedEmpty(t)) {
      // `interface X {}` would accept any object: an empty struct admits no member.
      this.file.addTypes(`export type ${name} = { [key: string]: never };`, this.doc(t));
      return;
    }
    const body = this.members(t, t.localMembers);
    if (body.length === 0) {
      // no members of its own: its base's type (an empty interface would be a mistake to
      // lint), on the next line when the line is too long (typeAlias keeps one type on it)
      const same = typeRef(this.ctx, t.base as ObjectType);
      this.file.addTypes(group(["export type ", name, " =", indent([line, same]), ";"]), this.doc(t));
      return;
    }
    const ext: Doc = t.base === undefined || this.isClosedEmpty(t.base) ? "" : [" extends ", typeRef(this.ctx, t.base)];
    this.file.addTypes(["export interface ", name, ext, " {", indent([hardline, join(hardline, body)]), hardline, "}"], this.doc(t));
  }

  /**
   * A struct without (enabled) members: typed as an object that admits no member
   * (as the wire admits none). A struct with it as base does not extend it (it adds
   * members); a union branch of such a type adds nothing.
   */
  private isClosedEmpty(t: ObjectType): boolean {
    return t.branches === undefined && !t.members.some((m) => this.ctx.enabled(m.ifcond));
  }

  private unionType(t: ObjectType): void {
    const branches = t.branches as NonNullable<ObjectType["branches"]>;
    const base = typeRef(this.ctx, t.base as ObjectType);
    const variants = branches.variants.filter((v) => this.ctx.enabled(v.ifcond));
    const items = variants.map((v) => {
      const parts = [base, typeLiteral([{ name: branches.tagName, type: str(v.name) }])];
      const data = this.branchData(v.type);
      if (data !== undefined) parts.push(data);
      return variants.length === 1 ? intersection(parts) : parens(intersection(parts));
    });
    this.file.addTypes(typeAlias(this.ctx.names.type(t), items, { exported: true }), this.doc(t));
  }

  /** What a union branch of type `t` adds to the base: nothing for an empty struct. */
  private branchData(t: Type): Doc | undefined {
    if (!(t instanceof ObjectType) || t.name === "q_empty" || this.isClosedEmpty(t)) return undefined;
    return typeRef(this.ctx, t);
  }

  private alternateType(t: AlternateType): void {
    const alternatives = t.alternatives.variants.filter((v) => this.ctx.enabled(v.ifcond));
    const extra = listLines(this.ctx, alternatives.map((v) => ({ name: v.name, lines: memberDocLines(this.ctx, v, t.doc, true) })));
    const items = alternatives.map((v) => typeRef(this.ctx, v.type));
    this.file.addTypes(typeAlias(this.ctx.names.type(t), items, { exported: true }), this.doc(t, extra));
  }
}

/** The types files, one per module with types. */
export function typesFiles(ctx: EmitContext): GeneratedFile[] {
  return ctx.modules.filter((m) => m.types.length > 0 || m.module.isBuiltin()).map((m) => new TypesFile(ctx, m).emit());
}

export const emitTypes: Emitter = (ctx) => (ctx.outputs.has("types") ? typesFiles(ctx).flatMap((f) => f.print(ctx.schemaPath)) : []);
