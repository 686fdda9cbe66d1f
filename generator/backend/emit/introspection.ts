// introspection.ts: the SchemaInfo list `query-qmp-schema` returns for this schema
// (qapi-code-gen.rst, "Client JSON Protocol introspection"), computed the way QEMU's
// introspection generator does, except that type names are kept instead of masked.
//
// What QEMU does, and so what this does:
// - commands and events in module order, then every type they reach, in order of first
//   use (a work queue); types reachable from no command or event are left out;
// - the queue follows every part, compiled out or not: QEMU's generator visits the
//   whole schema and only the C preprocessor drops the disabled entries, so a type
//   whose own condition holds is listed even when only disabled parts use it;
// - a command without arguments or return, an event without data, name `q_empty`;
// - all integer built-ins are `int`, and arrays of them `[int]`; an array is named
//   `[ELEMENT]` after its element's introspection name;
// - objects list all members (base members flattened in), a member's `default: null`
//   marks it optional; unions add `tag` and `variants` (branches without data: q_empty);
// - enums give `members` (with their features) and the deprecated `values`;
// - `features` wherever the schema has features.
// Differences: QEMU masks the names of non-built-in types as numbers ("123"), we keep
// the schema's names (`q_obj_transaction-arg`, `BlockdevOptions`, `[BlockDeviceInfo]`).
// With --define, disabled parts are omitted (QEMU compiles them out); without, all parts
// are present and `schemaConditions` says which are conditional.

import {
  AlternateType,
  ArrayType,
  BuiltinType,
  Command,
  EnumType,
  Event,
  type Feature,
  type IfCond,
  ObjectType,
  type Type,
} from "../../frontend/model.js";
import type { EmitContext, Emitter } from "../context.js";
import { ref } from "../print/doc.js";
import { GeneratedFile } from "../print/file.js";
import { expanded, type Literal, type LiteralObject, literal } from "../print/literal.js";
import { declaration } from "../print/ts.js";
import { tsdoc } from "../print/tsdoc.js";

export interface SchemaInfoTree {
  name: string;
  "meta-type": string;
  [key: string]: Literal | undefined;
}

/** The SchemaInfo list and the conditions of its conditional parts (empty with --define). */
export function introspect(ctx: EmitContext): { trees: SchemaInfoTree[]; conditions: Map<string, string> } {
  const { schema } = ctx;
  const trees: SchemaInfoTree[] = [];
  const conditions = new Map<string, string>();
  const used: Type[] = [];
  const usedSet = new Set<Type>();
  const intType = schema.lookupType("int") as Type;
  const intList = schema.lookupType("intList") as Type;
  const empty = schema.lookupType("q_empty") as Type;
  const keepConds = ctx.options.defines === undefined;

  const cond = (key: string, ifcond: IfCond): void => {
    if (keepConds && ifcond.isPresent()) conditions.set(key, ifcond.describe());
  };
  const useType = (t: Type): string => {
    let typ = t;
    if (typ instanceof BuiltinType && typ.jsonType() === "int") typ = intType;
    else if (typ instanceof ArrayType && typ.elementType.jsonType() === "int" && typ.elementType instanceof BuiltinType)
      typ = intList;
    if (!usedSet.has(typ)) {
      usedSet.add(typ);
      used.push(typ);
    }
    if (typ instanceof ArrayType) return `[${useType(typ.elementType)}]`;
    return typ.name;
  };
  const features = (fs: readonly Feature[]): string[] | undefined =>
    fs.length === 0 ? undefined : fs.filter((f) => ctx.enabled(f.ifcond)).map((f) => f.name);
  const tree = (name: string, meta: string, fs: readonly Feature[], rest: LiteralObject): void => {
    trees.push(expanded({ name, "meta-type": meta, features: features(fs), ...rest }) as SchemaInfoTree);
  };

  /** The entry of a named type, less name and meta-type; queues every member's type. */
  const typeInfo = (t: EnumType | ObjectType | AlternateType): LiteralObject => {
    if (t instanceof EnumType) {
      const members = t.members.filter((m) => ctx.enabled(m.ifcond));
      for (const m of members) cond(`${t.name}.${m.name}`, m.ifcond);
      return {
        members: members.map((m) => ({ name: m.name, features: features(m.features) })),
        values: members.map((m) => m.name),
      };
    }
    if (t instanceof AlternateType) {
      return { members: enabledParts(t.name, t.alternatives.variants, (_v, type) => ({ type })) };
    }
    const obj: Record<string, Literal | undefined> = {
      members: enabledParts(t.name, t.members, (m, type) => ({
        name: m.name,
        type,
        default: m.optional ? null : undefined,
        features: features(m.features),
      })),
    };
    if (t.branches) {
      obj.tag = t.branches.tagMember.name;
      obj.variants = enabledParts(t.name, t.branches.variants, (v, type) => ({ case: v.name, type }));
    }
    return obj;
  };
  /** The enabled parts of `owner` as `entry` makes them; every part's type is queued. */
  const enabledParts = <P extends { name: string; ifcond: IfCond; type: Type }>(
    owner: string,
    parts: readonly P[],
    entry: (p: P, type: string) => LiteralObject,
  ): LiteralObject[] =>
    parts.flatMap((p) => {
      const type = useType(p.type);
      if (!ctx.enabled(p.ifcond)) return [];
      cond(`${owner}.${p.name}`, p.ifcond);
      return [entry(p, type)];
    });

  for (const mod of schema.modules) {
    for (const e of mod.entities) {
      // Commands and events left out by --commands/--events do not count at all.
      if ((e instanceof Command || e instanceof Event) && !ctx.chosen(e)) continue;
      if (e instanceof Command) {
        const info = { "arg-type": useType(e.argType ?? empty), "ret-type": useType(e.retType ?? empty) };
        if (!ctx.enabled(e.ifcond)) continue;
        cond(e.name, e.ifcond);
        tree(e.name, "command", e.features, { ...info, "allow-oob": e.allowOob ? true : undefined });
      } else if (e instanceof Event) {
        const argType = useType(e.argType ?? empty);
        if (!ctx.enabled(e.ifcond)) continue;
        cond(e.name, e.ifcond);
        tree(e.name, "event", e.features, { "arg-type": argType });
      }
    }
  }

  for (let i = 0; i < used.length; i++) {
    const t = used[i] as Type;
    if (t instanceof BuiltinType) {
      tree(t.name, "builtin", [], { "json-type": t.jsonType() });
    } else if (t instanceof ArrayType) {
      const element = useType(t.elementType);
      if (ctx.enabled(t.ifcond)) tree(`[${element}]`, "array", [], { "element-type": element });
    } else if (t instanceof EnumType || t instanceof ObjectType || t instanceof AlternateType) {
      // Member types are queued before the type's own condition is looked at.
      const rest = typeInfo(t);
      if (!ctx.enabled(t.ifcond)) continue;
      cond(t.name, t.ifcond);
      tree(t.name, t instanceof EnumType ? "enum" : t instanceof ObjectType ? "object" : "alternate", t.features, rest);
    }
  }
  return { trees, conditions };
}

export const emitIntrospection: Emitter = (ctx) => {
  if (!ctx.outputs.has("introspection")) return [];
  const { trees, conditions } = introspect(ctx);
  const file = new GeneratedFile("introspection", "QMP introspection: what query-qmp-schema returns for this schema.", ctx.options);
  const SchemaInfo = ref(ctx.sym.runtime("SchemaInfo"), true);
  const schemaInfo = ctx.names.fixed("schemaInfo");
  const schemaConditions = ctx.names.fixed("schemaConditions");
  const infoType = ["readonly ", SchemaInfo, "[]"];
  file.add(
    declaration("const", schemaInfo, infoType, literal(trees), { exported: true }),
    ["export declare const ", schemaInfo, ": ", infoType, ";"],
    tsdoc([
      "The SchemaInfo list `query-qmp-schema` returns for the schema this was generated",
      "from: commands and events in schema order, then the types they reach in order of",
      "first use, as QEMU computes it.",
      "",
      "Difference from a live QEMU: QEMU masks the names of non-built-in types as numbers",
      '("42"); here they keep their schema names (implicit types included: `q_empty`,',
      "`q_obj_NAME-arg`, `[ELEMENT]` for arrays). Compare with a live reply by structure:",
      "start at commands and events (same names), follow `arg-type`, `ret-type`, member and",
      "element types; member names, enum values, tags, cases and features are unmasked on",
      "both sides.",
      ...(ctx.options.defines === undefined
        ? ["", `All conditional parts are included; \`${schemaConditions}\` lists their conditions.`]
        : ["", "Generated with --define: parts whose condition is false are left out."]),
    ]),
  );
  const condObj: Record<string, string> = {};
  for (const [k, v] of conditions) condObj[k] = v;
  const condType = "Readonly<Record<string, string>>";
  file.add(
    declaration("const", schemaConditions, condType, literal(expanded(condObj)), { exported: true }),
    ["export declare const ", schemaConditions, ": ", condType, ";"],
    tsdoc([
      "The `if` conditions of conditional parts of {@link " + schemaInfo + "}, keyed by entity name",
      "(`NAME`) or member, enum value, branch or alternative (`NAME.MEMBER`). A live QEMU",
      "built without a condition lacks the part. Empty when generated with --define.",
    ]),
  );
  return file.print(ctx.schemaPath);
};
