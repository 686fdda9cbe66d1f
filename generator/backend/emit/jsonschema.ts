// schema.json: a JSON Schema (draft 2020-12) of the wire format, for other ecosystems
// and as the oracle of the validator tests and benchmark. `$defs` holds every type
// under its TypeScript name (built-ins under their QAPI name), and for each command
// `NAME:arguments` and `NAME:returns`, for each event `NAME:data`. The schema is the
// strict reading (unknown members and enumeration values are errors), with 64-bit
// integers at their full range.

import {
  AlternateType,
  ArrayType,
  BuiltinType,
  Command,
  EnumType,
  Event,
  ObjectType,
  type ObjectTypeMember,
  type Type,
} from "../../frontend/model.js";
import { isNamedType } from "../ts-names.js";
import { type EmitContext, type Emitter, intRange } from "../context.js";
import { type Json, layoutJson } from "../print/json.js";

export const JSON_SCHEMA_PATH = "schema.json";

/** The `$defs` key of a type. */
export function jsonSchemaKey(ctx: EmitContext, t: Type): string {
  return t instanceof BuiltinType ? t.name : ctx.names.type(t);
}

class SchemaBuilder {
  constructor(private readonly ctx: EmitContext) {}

  ref(t: Type): { [key: string]: Json } {
    if (t instanceof BuiltinType) return this.builtin(t);
    if (t instanceof ArrayType) return { type: "array", items: this.ref(t.elementType) };
    return { $ref: `#/$defs/${jsonSchemaKey(this.ctx, t)}` };
  }

  builtin(t: BuiltinType): { [key: string]: Json } {
    switch (t.name) {
      case "str":
        return { type: "string" };
      case "bool":
        return { type: "boolean" };
      case "null":
        return { type: "null" };
      case "number":
        return { type: "number" };
      case "any":
        return {};
      default: {
        const [min, max] = intRange(t.name) as readonly [string, string];
        // Decimal strings until printed: a JS number cannot hold 64-bit bounds exactly.
        return { type: "integer", minimum: min, maximum: max };
      }
    }
  }

  private docOf(t: Type): string | undefined {
    const text = t.doc?.body.text.trim();
    return text === undefined || text === "" ? undefined : text;
  }

  /** Properties and required names of object members. */
  private members(
    members: readonly ObjectTypeMember[],
    props: { [key: string]: Json },
    required: string[],
    owner: ObjectType,
    docs = true,
  ): void {
    for (const m of members) {
      if (!this.ctx.enabled(m.ifcond)) continue;
      const s: { [key: string]: Json } = { ...this.ref(m.type) };
      const desc = docs ? owner.doc?.args.get(m.name)?.text.trim() : undefined;
      if (desc !== undefined && desc !== "") s["description"] = desc;
      if (m.features.some((f) => f.name === "deprecated")) s["deprecated"] = true;
      props[m.name] = s;
      if (!m.optional) required.push(m.name);
    }
  }

  private objectSchema(props: { [key: string]: Json }, required: string[]): { [key: string]: Json } {
    const s: { [key: string]: Json } = { type: "object", properties: props };
    if (required.length > 0) s["required"] = required;
    s["additionalProperties"] = false;
    return s;
  }

  /** The branch schemas of an object type: one per (nested) union branch, members flattened. */
  private branches(
    t: ObjectType,
    props: { [key: string]: Json },
    required: string[],
    docs = true,
  ): { [key: string]: Json }[] {
    // Inside a union, members are described in the definitions of their types only.
    if (t.branches === undefined) {
      this.members(t.members, props, required, t, docs);
      return [this.objectSchema(props, required)];
    }
    const base = t.base!;
    const out: { [key: string]: Json }[] = [];
    for (const v of t.branches.variants) {
      if (!this.ctx.enabled(v.ifcond)) continue;
      // tag first, so that validators fail fast on another branch
      const p: { [key: string]: Json } = { ...props, [t.branches.tagName]: { const: v.name } };
      const r = [...required];
      this.members(
        base.members.filter((m) => m.name !== t.branches!.tagName),
        p,
        r,
        base,
        false,
      );
      r.push(t.branches.tagName);
      out.push(...this.branches(v.type as ObjectType, p, r, false));
    }
    return out;
  }

  define(t: Type): { [key: string]: Json } {
    let s: { [key: string]: Json };
    if (t instanceof BuiltinType) s = this.builtin(t);
    else if (t instanceof EnumType) {
      const values = t.members.filter((m) => this.ctx.enabled(m.ifcond)).map((m) => m.name);
      s = values.length > 0 ? { type: "string", enum: values } : { not: {} };
    } else if (t instanceof AlternateType) {
      s = {
        anyOf: t.alternatives.variants.filter((v) => this.ctx.enabled(v.ifcond)).map((v) => this.ref(v.type)),
      };
    } else if (t instanceof ObjectType) {
      const branches = this.branches(t, {}, []);
      s = branches.length === 1 && t.branches === undefined ? (branches[0] as { [key: string]: Json }) : { anyOf: branches };
    } else {
      s = this.ref(t);
    }
    const doc = this.docOf(t);
    const out: { [key: string]: Json } = {};
    if (doc !== undefined) out["description"] = doc;
    if (t.features.some((f) => f.name === "deprecated")) out["deprecated"] = true;
    return { ...out, ...s };
  }
}

const EMPTY_OBJECT: { [key: string]: Json } = { type: "object", additionalProperties: false };

/** The JSON Schema document as an object (integer bounds as decimal strings). */
function buildSchema(ctx: EmitContext): { [key: string]: Json } {
  const b = new SchemaBuilder(ctx);
  const defs: { [key: string]: Json } = {};
  for (const e of ctx.schema.entities) {
    if (e instanceof BuiltinType) defs[e.name] = b.define(e);
  }
  for (const e of ctx.schema.entities) {
    if (isNamedType(e) && ctx.included(e)) defs[ctx.names.type(e)] = b.define(e);
  }
  for (const e of ctx.schema.entities) {
    if ((e instanceof Command || e instanceof Event) && !ctx.included(e)) continue;
    if (e instanceof Command) {
      defs[`${e.name}:arguments`] = e.argType !== undefined ? b.ref(e.argType) : EMPTY_OBJECT;
      defs[`${e.name}:returns`] = e.retType !== undefined ? b.ref(e.retType) : EMPTY_OBJECT;
    } else if (e instanceof Event) {
      defs[`${e.name}:data`] = e.argType !== undefined ? b.ref(e.argType) : EMPTY_OBJECT;
    }
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: `QAPI schema ${ctx.schemaPath}`,
    description: `Generated by qapi-gen from ${ctx.schemaPath}. Do not edit.`,
    $defs: defs,
  };
}

/** A bound written as a string by `builtin` (only bounds are strings under these keys). */
const BOUND_RE = /("(?:minimum|maximum)": )"(-?\d+)"/g;

/** schema.json's text: integer bounds as JSON numbers (exact beyond 2^53), laid out as prettier does. */
export function printJson(value: Json): string {
  return layoutJson(JSON.stringify(value, null, 2).replace(BOUND_RE, "$1$2"));
}

export const emitJsonSchema: Emitter = (ctx) =>
  ctx.outputs.has("jsonschema") ? [{ path: JSON_SCHEMA_PATH, content: `${printJson(buildSchema(ctx))}\n` }] : [];
