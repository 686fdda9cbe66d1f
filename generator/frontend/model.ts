// The schema model: QAPI's entities (qapi-code-gen.rst) after checking. Built by
// generator/frontend/check.ts; read by the emitters and the dump. Names follow QEMU's
// vocabulary: Schema, Module, Entity, Definition, Member, Branch, Variant, Feature, IfCond.

import type { QAPIDoc } from "./doc.js";
import type { SourceInfo } from "./source.js";

/** A condition: a config symbol, or all/any/not of conditions. */
export type IfExpr = string | { all: IfExpr[] } | { any: IfExpr[] } | { not: IfExpr };

export class IfCond {
  constructor(readonly expr: IfExpr | undefined = undefined) {}

  isPresent(): boolean {
    return this.expr !== undefined;
  }

  /** Evaluate against a set of defined symbols (what a QEMU build would enable). */
  evaluate(defined: ReadonlySet<string>): boolean {
    return this.expr === undefined || evaluateIf(this.expr, defined);
  }

  /** Human-readable form for documentation, e.g. `CONFIG_A and not CONFIG_B`. */
  describe(): string {
    return this.expr === undefined ? "" : describeIf(this.expr, true);
  }

  static readonly NONE = new IfCond();
}

function evaluateIf(e: IfExpr, defined: ReadonlySet<string>): boolean {
  if (typeof e === "string") return defined.has(e);
  if ("all" in e) return e.all.every((x) => evaluateIf(x, defined));
  if ("any" in e) return e.any.some((x) => evaluateIf(x, defined));
  return !evaluateIf(e.not, defined);
}

function describeIf(e: IfExpr, top: boolean): string {
  if (typeof e === "string") return e;
  if ("not" in e) return `not ${describeIf(e.not, false)}`;
  const [op, parts] = "all" in e ? ["and", e.all] : ["or", e.any];
  const text = parts.map((p) => describeIf(p, false)).join(` ${op} `);
  return top || parts.length < 2 ? text : `(${text})`;
}

// ---------------------------------------------------------------------------
// Members: object members, enum values, features, branches

export class Member {
  /** The definition this member belongs to (set when the owner is built). */
  definedIn: string | undefined;
  readonly role: string = "member";

  constructor(
    readonly name: string,
    readonly info: SourceInfo | undefined,
    readonly ifcond: IfCond = IfCond.NONE,
  ) {}

  /** Phrase for messages, e.g. "member 'a' of type 'Base'". */
  describe(info: SourceInfo | undefined): string {
    let role = this.role;
    let meta = "type";
    let definedIn = this.definedIn as string;
    if (definedIn.startsWith("q_obj_")) {
      // implicit types: name them after what made them
      definedIn = definedIn.slice(6);
      if (definedIn.endsWith("-arg")) {
        role = "parameter";
        meta = "command";
        definedIn = definedIn.slice(0, -4);
      } else if (definedIn.endsWith("-base")) {
        role = `base ${role}`;
        definedIn = definedIn.slice(0, -5);
      }
    }
    return definedIn !== info?.defnName ? `${role} '${this.name}' of ${meta} '${definedIn}'` : `${role} '${this.name}'`;
  }
}

export class Feature extends Member {
  override readonly role = "feature";

  /** Features with meaning across all schemas. */
  static readonly SPECIAL = ["deprecated", "unstable"];

  isSpecial(): boolean {
    return Feature.SPECIAL.includes(this.name);
  }
}

export class EnumMember extends Member {
  override readonly role = "value";

  constructor(
    name: string,
    info: SourceInfo | undefined,
    ifcond: IfCond,
    readonly features: Feature[],
  ) {
    super(name, info, ifcond);
    for (const f of features) f.definedIn = name;
  }
}

export class ObjectTypeMember extends Member {
  /** Resolved during checking. */
  type!: Type;

  constructor(
    name: string,
    info: SourceInfo | undefined,
    readonly typeName: string,
    readonly optional: boolean,
    ifcond: IfCond = IfCond.NONE,
    readonly features: Feature[] = [],
  ) {
    super(name, info, ifcond);
    for (const f of features) f.definedIn = name;
  }
}

/** A union branch or alternate alternative: its name (tag value) and type. */
export class Variant extends ObjectTypeMember {
  override readonly role: string = "branch";

  constructor(name: string, info: SourceInfo | undefined, typeName: string, ifcond: IfCond) {
    super(name, info, typeName, false, ifcond);
  }
}

/** A union's branches, selected by the discriminator member `tagName`. */
export class Branches {
  tagMember!: ObjectTypeMember;

  constructor(
    readonly info: SourceInfo,
    readonly variants: Variant[],
    readonly tagName: string,
  ) {}
}

/** An alternate's alternatives; the implicit tag is the value's JSON type (QType). */
export class Alternatives {
  constructor(
    readonly info: SourceInfo,
    readonly variants: Variant[],
    readonly tagMember: ObjectTypeMember,
  ) {}
}

// ---------------------------------------------------------------------------
// Entities

export type JsonType = "string" | "number" | "int" | "boolean" | "null" | "value" | "array" | "object";

/** Anything a schema holds in order: a definition or an include directive. */
export abstract class Entity {
  module: Module | undefined;

  constructor(readonly info: SourceInfo | undefined) {}
}

/** An include directive: the module it brings in. */
export class Include extends Entity {
  constructor(
    readonly subModule: Module,
    info: SourceInfo,
  ) {
    super(info);
  }
}

/** A named definition: a type, a command or an event, with its doc comment, condition and features. */
export abstract class Definition extends Entity {
  abstract readonly meta: string;

  constructor(
    readonly name: string,
    info: SourceInfo | undefined,
    readonly doc: QAPIDoc | undefined,
    private readonly ownIfcond: IfCond = IfCond.NONE,
    readonly features: Feature[] = [],
  ) {
    super(info);
    for (const f of features) f.definedIn = name;
  }

  get ifcond(): IfCond {
    return this.ownIfcond;
  }

  /** Built-in and implicit definitions have no source of their own. */
  isImplicit(): boolean {
    return this.info === undefined;
  }

  describe(): string {
    return `${this.meta} '${this.name}'`;
  }

  /** True when a feature of that name is set (e.g. "deprecated", "unstable"). */
  hasFeature(name: string): boolean {
    return this.features.some((f) => f.name === name);
  }
}

/** A type: built-in, enum, array, object (struct or union) or alternate. */
export abstract class Type extends Definition {
  abstract jsonType(): JsonType;

  override describe(): string {
    return `${this.meta} type '${this.name}'`;
  }

  /** The QType an alternate dispatches this type on, if it can be an alternative. */
  alternateQType(): string | undefined {
    return JSON_TO_QTYPE[this.jsonType()];
  }
}

const JSON_TO_QTYPE: Partial<Record<JsonType, string>> = {
  null: "QTYPE_QNULL",
  string: "QTYPE_QSTRING",
  number: "QTYPE_QNUM",
  int: "QTYPE_QNUM",
  boolean: "QTYPE_QBOOL",
  array: "QTYPE_QLIST",
  object: "QTYPE_QDICT",
};

/** A built-in type (`str`, `int`, `any`, …). */
export class BuiltinType extends Type {
  readonly meta = "built-in";

  constructor(
    name: string,
    private readonly json: JsonType,
  ) {
    super(name, undefined, undefined);
  }

  jsonType(): JsonType {
    return this.json;
  }
}

/** An enum: its members, and an optional prefix for C names. */
export class EnumType extends Type {
  readonly meta = "enum";

  constructor(
    name: string,
    info: SourceInfo | undefined,
    doc: QAPIDoc | undefined,
    ifcond: IfCond,
    features: Feature[],
    readonly members: EnumMember[],
    readonly prefix: string | undefined,
  ) {
    super(name, info, doc, ifcond, features);
    for (const m of members) m.definedIn = name;
  }

  override isImplicit(): boolean {
    return this.name === "QType";
  }

  jsonType(): JsonType {
    return "string";
  }

  memberNames(): string[] {
    return this.members.map((m) => m.name);
  }
}

/** An array of an element type (`['Foo']`). */
export class ArrayType extends Type {
  readonly meta = "array";
  elementType!: Type;

  constructor(
    name: string,
    info: SourceInfo | undefined,
    readonly elementTypeName: string,
  ) {
    super(name, info, undefined);
  }

  override isImplicit(): boolean {
    return true;
  }

  /** An array is as conditional as its element type. */
  override get ifcond(): IfCond {
    return this.elementType.ifcond;
  }

  jsonType(): JsonType {
    return "array";
  }

  override describe(): string {
    return `array type ['${this.elementTypeName}']`;
  }
}

/** A struct (local members, optional base) or a union (base and branches). */
export class ObjectType extends Type {
  readonly meta: "struct" | "union";
  base: ObjectType | undefined;
  /** All members: the base's, then the local ones (set by checking). */
  members: ObjectTypeMember[] = [];
  /** @internal checking state */
  checkState: "unchecked" | "checking" | "checked" = "unchecked";

  constructor(
    name: string,
    info: SourceInfo | undefined,
    doc: QAPIDoc | undefined,
    ifcond: IfCond,
    features: Feature[],
    readonly baseName: string | undefined,
    readonly localMembers: ObjectTypeMember[],
    readonly branches: Branches | undefined,
  ) {
    super(name, info, doc, ifcond, features);
    this.meta = branches ? "union" : "struct";
    for (const m of localMembers) m.definedIn = name;
    for (const v of branches?.variants ?? []) v.definedIn = name;
  }

  override isImplicit(): boolean {
    return this.name.startsWith("q_");
  }

  isEmpty(): boolean {
    return this.members.length === 0 && this.branches === undefined;
  }

  hasConditionalMembers(): boolean {
    return this.members.some((m) => m.ifcond.isPresent());
  }

  jsonType(): JsonType {
    return "object";
  }
}

/** An alternate: a value of one of several types, told apart by JSON type. */
export class AlternateType extends Type {
  readonly meta = "alternate";

  constructor(
    name: string,
    info: SourceInfo,
    doc: QAPIDoc | undefined,
    ifcond: IfCond,
    features: Feature[],
    readonly alternatives: Alternatives,
  ) {
    super(name, info, doc, ifcond, features);
    for (const v of alternatives.variants) v.definedIn = name;
    alternatives.tagMember.definedIn = name;
  }

  jsonType(): JsonType {
    return "value";
  }
}

/** A command: its argument and return types and its flags. */
export class Command extends Definition {
  readonly meta = "command";
  argType: ObjectType | undefined;
  retType: Type | undefined;

  constructor(
    name: string,
    info: SourceInfo,
    doc: QAPIDoc | undefined,
    ifcond: IfCond,
    features: Feature[],
    readonly argTypeName: string | undefined,
    readonly retTypeName: string | undefined,
    readonly gen: boolean,
    readonly successResponse: boolean,
    readonly boxed: boolean,
    readonly allowOob: boolean,
    readonly allowPreconfig: boolean,
    readonly coroutine: boolean,
  ) {
    super(name, info, doc, ifcond, features);
  }
}

/** An event: its data type. */
export class Event extends Definition {
  readonly meta = "event";
  argType: ObjectType | undefined;

  constructor(
    name: string,
    info: SourceInfo,
    doc: QAPIDoc | undefined,
    ifcond: IfCond,
    features: Feature[],
    readonly argTypeName: string | undefined,
    readonly boxed: boolean,
  ) {
    super(name, info, doc, ifcond, features);
  }
}

/** A schema file (or the built-in module `./builtin`) and the entities it defines. */
export class Module {
  static readonly BUILTIN = "./builtin";
  readonly entities: Entity[] = [];

  constructor(readonly name: string) {}

  isBuiltin(): boolean {
    return this.name === Module.BUILTIN;
  }
}

/** The checked schema. */
export interface Schema {
  /** The main schema file name, as given. */
  readonly fname: string;
  /** Modules in visiting order: `./builtin`, then schema files in order of first include. */
  readonly modules: readonly Module[];
  /** All entities in definition order. */
  readonly entities: readonly Entity[];
  readonly docs: readonly QAPIDoc[];
  /** Every feature name used, special ones first. */
  readonly featureNames: readonly string[];
  lookupEntity(name: string): Definition | undefined;
  lookupType(name: string): Type | undefined;
}
