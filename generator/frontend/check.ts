// Check phase: checked expressions → schema model, with QEMU's semantic checks
// (qapi-code-gen.rst): type resolution, member clashes through bases and branches,
// union and alternate rules, command and event rules, doc comment connection.
//
// generator/frontend/expr.ts has already checked each expression's shape, so the raw forms
// read here are known to be well-formed.

import { relative } from "node:path/posix";
import { QapiError, type Diagnostics } from "./errors.js";
import { checkExprs } from "./expr.js";
import type { QAPIDoc } from "./doc.js";
import {
  Alternatives,
  AlternateType,
  ArrayType,
  Branches,
  BuiltinType,
  Command,
  type Definition,
  type Entity,
  EnumMember,
  EnumType,
  Event,
  Feature,
  IfCond,
  type IfExpr,
  Include,
  type JsonType,
  type Member,
  Module,
  ObjectType,
  ObjectTypeMember,
  type Schema,
  type Type,
  Variant,
} from "./model.js";
import { cName } from "./c-names.js";
import { dirName, parseSchema, type DefinitionExpr, type ExprDict, type FileReader, type Value } from "./parse.js";
import type { SourceInfo } from "./source.js";

export const BUILTIN_TYPES: ReadonlyArray<readonly [string, JsonType]> = [
  ["str", "string"],
  ["number", "number"],
  ["int", "int"],
  ["int8", "int"],
  ["int16", "int"],
  ["int32", "int"],
  ["int64", "int"],
  ["uint8", "int"],
  ["uint16", "int"],
  ["uint32", "int"],
  ["uint64", "int"],
  ["size", "int"],
  ["bool", "boolean"],
  ["any", "value"],
  ["null", "null"],
];

export const QTYPE_VALUES = ["none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool"];

/** Parse, check and model the schema rooted at `fname`. Throws QapiError. */
export function loadSchema(fname: string, reader: FileReader, diags: Diagnostics): Schema {
  const parsed = parseSchema(fname, reader, diags);
  checkExprs(parsed.exprs, diags);
  const builder = new SchemaBuilder(fname, reader, parsed.docs, diags);
  for (const e of parsed.exprs) {
    if (e.kind === "include") builder.defInclude(e.path, e.info);
    else builder.defExpr(e);
  }
  builder.check();
  return builder;
}

// Raw expression forms -------------------------------------------------------

function toIfExpr(v: Value): IfExpr {
  if (typeof v === "string") return v;
  const m = v as ExprDict;
  const [key, arg] = m.entries().next().value as [string, Value];
  if (key === "not") return { not: toIfExpr(arg) };
  const parts = (arg as Value[]).map(toIfExpr);
  return key === "all" ? { all: parts } : { any: parts };
}

function ifCondOf(v: Value | undefined): IfCond {
  return v === undefined ? IfCond.NONE : new IfCond(toIfExpr(v));
}

/** A member's value: a type name, an array `[name]`, or `{type, if, features}`. */
function memberParts(v: Value): { type: string | string[]; ifcond: IfCond; features: Value | undefined } {
  if (v instanceof Map) {
    return { type: v.get("type") as string | string[], ifcond: ifCondOf(v.get("if")), features: v.get("features") };
  }
  return { type: v as string | string[], ifcond: IfCond.NONE, features: undefined };
}

/** A named item (enum value, feature): a string or `{name, if, features}`. */
function namedParts(v: Value): { name: string; ifcond: IfCond; features: Value | undefined } {
  if (v instanceof Map) {
    return { name: v.get("name") as string, ifcond: ifCondOf(v.get("if")), features: v.get("features") };
  }
  return { name: v as string, ifcond: IfCond.NONE, features: undefined };
}

// The schema builder ---------------------------------------------------------

class SchemaBuilder implements Schema {
  readonly entities: Entity[] = [];
  private readonly entityDict = new Map<string, Definition>();
  private readonly moduleDict = new Map<string, Module>();
  /** First use of each feature name (special ones predefined). */
  private readonly featureDict = new Map<string, Feature>();
  private readonly schemaDir: string;
  private readonly emptyObject: ObjectType;

  constructor(
    readonly fname: string,
    private readonly reader: FileReader,
    readonly docs: QAPIDoc[],
    private readonly diags: Diagnostics,
  ) {
    for (const f of Feature.SPECIAL) this.featureDict.set(f, new Feature(f, undefined));
    this.schemaDir = dirName(fname);
    this.makeModule(Module.BUILTIN);
    this.makeModule(fname);
    for (const [name, json] of BUILTIN_TYPES) {
      this.defDefinition(new BuiltinType(name, json));
      this.makeArrayType(name, undefined);
    }
    this.emptyObject = new ObjectType("q_empty", undefined, undefined, IfCond.NONE, [], undefined, [], undefined);
    this.defDefinition(this.emptyObject);
    const qtypes = QTYPE_VALUES.map((n) => new EnumMember(n, undefined, IfCond.NONE, []));
    this.defDefinition(new EnumType("QType", undefined, undefined, IfCond.NONE, [], qtypes, undefined));
  }

  get modules(): Module[] {
    return [...this.moduleDict.values()];
  }

  get featureNames(): string[] {
    return [...this.featureDict.keys()];
  }

  lookupEntity(name: string): Definition | undefined {
    return this.entityDict.get(name);
  }

  lookupType(name: string): Type | undefined {
    const t = this.entityDict.get(name);
    return t instanceof BuiltinType ||
      t instanceof EnumType ||
      t instanceof ArrayType ||
      t instanceof ObjectType ||
      t instanceof AlternateType
      ? t
      : undefined;
  }

  resolveType(name: string, info: SourceInfo | undefined, what: string | ((info: SourceInfo) => string)): Type {
    const t = this.lookupType(name);
    if (t === undefined) {
      const phrase = typeof what === "string" ? what : what(info as SourceInfo);
      throw new QapiError(info, `${phrase} uses unknown type '${name}'`);
    }
    return t;
  }

  // Modules ------------------------------------------------------------------

  private readonly moduleNames = new Map<string, string>();

  /** A module's name: its file relative to the main schema's folder. */
  private moduleName(fname: string): string {
    let name = this.moduleNames.get(fname);
    if (name === undefined) {
      const dir = this.reader.resolve(this.schemaDir === "" ? "." : this.schemaDir);
      name = fname.startsWith("./") ? fname : relative(dir, this.reader.resolve(fname));
      this.moduleNames.set(fname, name);
    }
    return name;
  }

  private makeModule(fname: string): Module {
    const name = this.moduleName(fname);
    let mod = this.moduleDict.get(name);
    if (mod === undefined) {
      mod = new Module(name);
      this.moduleDict.set(name, mod);
    }
    return mod;
  }

  private setModule(ent: Entity, info: SourceInfo | undefined): void {
    const mod = this.moduleDict.get(this.moduleName(info ? info.fname : Module.BUILTIN)) as Module;
    ent.module = mod;
    mod.entities.push(ent);
  }

  // Definitions --------------------------------------------------------------

  private defDefinition(defn: Definition): void {
    this.entities.push(defn);
    const other = this.entityDict.get(defn.name);
    if (other !== undefined) {
      if (other.info !== undefined) {
        const where = new QapiError(other.info, "previous definition").format();
        throw new QapiError(defn.info, `'${defn.name}' is already defined\n${where}`);
      }
      throw new QapiError(defn.info, `${other.describe()} is already defined`);
    }
    this.entityDict.set(defn.name, defn);
  }

  defInclude(path: string, info: SourceInfo): void {
    this.entities.push(new Include(this.makeModule(path), info));
  }

  private makeFeatures(v: Value | undefined, info: SourceInfo): Feature[] {
    if (v === undefined) return [];
    const items = (v as Value[]).map(namedParts);
    for (const f of items) {
      if (!this.featureDict.has(f.name)) this.featureDict.set(f.name, new Feature(f.name, info));
    }
    return items.map((f) => new Feature(f.name, info, f.ifcond));
  }

  private makeArrayType(elementType: string, info: SourceInfo | undefined): string {
    const name = `${elementType}List`;
    if (this.lookupType(name) === undefined) this.defDefinition(new ArrayType(name, info, elementType));
    return name;
  }

  private typeName(t: string | string[], info: SourceInfo): string {
    return Array.isArray(t) ? this.makeArrayType(t[0] as string, info) : t;
  }

  private makeMembers(data: ExprDict, info: SourceInfo): ObjectTypeMember[] {
    return [...data].map(([key, value]) => {
      const { type, ifcond, features } = memberParts(value);
      const optional = key.startsWith("*");
      return new ObjectTypeMember(
        optional ? key.slice(1) : key,
        info,
        this.typeName(type, info),
        optional,
        ifcond,
        this.makeFeatures(features, info),
      );
    });
  }

  private makeVariants(data: ExprDict, info: SourceInfo): Variant[] {
    return [...data].map(([key, value]) => {
      const { type, ifcond } = memberParts(value);
      return new Variant(key, info, this.typeName(type, info), ifcond);
    });
  }

  private makeImplicitObjectType(
    name: string,
    info: SourceInfo,
    ifcond: IfCond,
    role: string,
    members: ObjectTypeMember[],
  ): string | undefined {
    if (members.length === 0) return undefined;
    const typeName = `q_obj_${name}-${role}`;
    // A second user can only be a duplicate definition, reported later.
    if (this.lookupEntity(typeName) === undefined) {
      this.defDefinition(new ObjectType(typeName, info, undefined, ifcond, [], undefined, members, undefined));
    }
    return typeName;
  }

  defExpr({ expr, info, doc }: DefinitionExpr): void {
    const ifcond = ifCondOf(expr.get("if"));
    const features = this.makeFeatures(expr.get("features"), info);
    const flag = (key: string, dflt: boolean): boolean => (expr.get(key) as boolean | undefined) ?? dflt;
    if (expr.has("enum")) {
      const members = (expr.get("data") as Value[]).map((v) => {
        const p = namedParts(v);
        return new EnumMember(p.name, info, p.ifcond, this.makeFeatures(p.features, info));
      });
      const prefix = expr.get("prefix") as string | undefined;
      this.defDefinition(new EnumType(expr.get("enum") as string, info, doc, ifcond, features, members, prefix));
    } else if (expr.has("struct")) {
      const members = this.makeMembers(expr.get("data") as ExprDict, info);
      const base = expr.get("base") as string | undefined;
      this.defDefinition(
        new ObjectType(expr.get("struct") as string, info, doc, ifcond, features, base, members, undefined),
      );
    } else if (expr.has("union")) {
      const name = expr.get("union") as string;
      let base = expr.get("base") as string | ExprDict;
      if (base instanceof Map) {
        base = this.makeImplicitObjectType(name, info, ifcond, "base", this.makeMembers(base, info)) as string;
      }
      const variants = this.makeVariants(expr.get("data") as ExprDict, info);
      const branches = new Branches(info, variants, expr.get("discriminator") as string);
      this.defDefinition(new ObjectType(name, info, doc, ifcond, features, base, [], branches));
    } else if (expr.has("alternate")) {
      const variants = this.makeVariants(expr.get("data") as ExprDict, info);
      const tag = new ObjectTypeMember("type", info, "QType", false);
      const alternatives = new Alternatives(info, variants, tag);
      this.defDefinition(new AlternateType(expr.get("alternate") as string, info, doc, ifcond, features, alternatives));
    } else if (expr.has("command")) {
      const name = expr.get("command") as string;
      let data = expr.get("data") as string | ExprDict | undefined;
      if (data instanceof Map) {
        data = this.makeImplicitObjectType(name, info, ifcond, "arg", this.makeMembers(data, info));
      }
      let rets = expr.get("returns") as string | string[] | undefined;
      if (Array.isArray(rets)) rets = this.makeArrayType(rets[0] as string, info);
      this.defDefinition(
        new Command(
          name,
          info,
          doc,
          ifcond,
          features,
          data,
          rets,
          flag("gen", true),
          flag("success-response", true),
          flag("boxed", false),
          flag("allow-oob", false),
          flag("allow-preconfig", false),
          flag("coroutine", false),
        ),
      );
    } else if (expr.has("event")) {
      const name = expr.get("event") as string;
      let data = expr.get("data") as string | ExprDict | undefined;
      if (data instanceof Map) {
        data = this.makeImplicitObjectType(name, info, ifcond, "arg", this.makeMembers(data, info));
      }
      this.defDefinition(new Event(name, info, doc, ifcond, features, data, flag("boxed", false)));
    }
  }

  // Checking -----------------------------------------------------------------

  check(): void {
    // Entities may be appended while checking (none are today), so index, not iterate.
    for (const ent of this.entities) {
      if (ent instanceof Include) continue;
      const defn = ent as Definition;
      this.checkDefinition(defn);
      this.connectDoc(defn, defn.doc);
    }
    for (const ent of this.entities) {
      this.setModule(ent, ent instanceof ArrayType ? ent.elementType.info : ent.info);
    }
    for (const doc of this.docs) doc.check();
    const features = [...this.featureDict.values()];
    if (features.length > 64) {
      throw new QapiError((features[64] as Feature).info, "Maximum of 64 schema features is permitted");
    }
  }

  private checkDefinition(defn: Definition): void {
    if (defn instanceof ObjectType) return this.checkObject(defn);
    checkClashes(defn.features, defn.info);
    if (defn instanceof BuiltinType || defn instanceof EnumType || defn instanceof AlternateType) {
      checkTypeFeatures(defn);
    }
    if (defn instanceof EnumType) {
      checkClashes(defn.members, defn.info);
    } else if (defn instanceof ArrayType) {
      defn.elementType = this.resolveType(defn.elementTypeName, defn.info, defn.info?.defnMeta ?? "");
    } else if (defn instanceof AlternateType) {
      this.checkAlternate(defn);
    } else if (defn instanceof Command) {
      this.checkCommand(defn);
    } else if (defn instanceof Event) {
      this.checkEvent(defn);
    }
  }

  private checkMember(m: ObjectTypeMember): void {
    m.type = this.resolveType(m.typeName, m.info, (info) => m.describe(info));
    checkClashes(m.features, m.info);
  }

  private checkObject(t: ObjectType): void {
    if (t.checkState === "checked") return;
    if (t.checkState === "checking") throw new QapiError(t.info, `object ${t.name} contains itself`);
    t.checkState = "checking";
    checkClashes(t.features, t.info);
    checkTypeFeatures(t);
    const seen = new Map<string, Member>();
    if (t.baseName !== undefined) {
      const base = this.resolveType(t.baseName, t.info, "'base'");
      if (!(base instanceof ObjectType) || base.branches !== undefined) {
        throw new QapiError(t.info, `'base' requires a struct type, ${base.describe()} isn't`);
      }
      t.base = base;
      this.checkObject(base);
      objectClash(base, t.info, seen);
    }
    for (const m of t.localMembers) {
      this.checkMember(m);
      memberClash(m, t.info, seen);
    }
    const members = [...seen.values()] as ObjectTypeMember[];
    if (t.branches !== undefined) {
      this.checkBranches(t.branches, seen);
      branchesClash(t.branches, t.info, seen);
    }
    t.members = members;
    t.checkState = "checked";
  }

  private checkBranches(b: Branches, seen: Map<string, Member>): void {
    const tag = seen.get(cName(b.tagName)) as ObjectTypeMember | undefined;
    let base = "'base'";
    // Pointing to the base type when not implicit would be nice, but not known here.
    if (tag === undefined || tag.name !== b.tagName) {
      throw new QapiError(b.info, `discriminator '${b.tagName}' is not a member of ${base}`);
    }
    b.tagMember = tag;
    const baseType = this.lookupType(tag.definedIn as string) as Type;
    if (!baseType.isImplicit()) base = `base type '${tag.definedIn}'`;
    if (!(tag.type instanceof EnumType)) {
      throw new QapiError(b.info, `discriminator member '${b.tagName}' of ${base} must be of enum type`);
    }
    if (tag.optional) {
      throw new QapiError(b.info, `discriminator member '${b.tagName}' of ${base} must not be optional`);
    }
    if (tag.ifcond.isPresent()) {
      throw new QapiError(b.info, `discriminator member '${b.tagName}' of ${base} must not be conditional`);
    }
    // Tag values without a branch get an empty one.
    const cases = new Set(b.variants.map((v) => v.name));
    for (const m of tag.type.members) {
      if (!cases.has(m.name)) {
        const v = new Variant(m.name, b.info, "q_empty", m.ifcond);
        v.definedIn = tag.definedIn;
        b.variants.push(v);
      }
    }
    if (b.variants.length === 0) throw new QapiError(b.info, "union has no branches");
    const values = new Set(tag.type.memberNames());
    for (const v of b.variants) {
      this.checkMember(v);
      if (!values.has(v.name)) {
        throw new QapiError(b.info, `branch '${v.name}' is not a value of ${tag.type.describe()}`);
      }
      if (!(v.type instanceof ObjectType)) {
        throw new QapiError(b.info, `${v.describe(b.info)} cannot use ${v.type.describe()}`);
      }
      this.checkObject(v.type);
    }
  }

  private checkAlternate(t: AlternateType): void {
    const alts = t.alternatives;
    this.checkMember(alts.tagMember);
    for (const v of alts.variants) this.checkMember(v);
    // Branch names have no relation to the tag enum here, so check clashes ourselves.
    const seen = new Map<string, Member>();
    const typesSeen = new Map<string, string>();
    for (const v of alts.variants) {
      memberClash(v, t.info, seen);
      const qtype = v.type.alternateQType();
      if (qtype === undefined) {
        throw new QapiError(t.info, `${v.describe(t.info)} cannot use ${v.type.describe()}`);
      }
      const conflicting = new Set([qtype]);
      if (qtype === "QTYPE_QSTRING") {
        if (v.type instanceof EnumType) {
          for (const m of v.type.members) {
            if (m.name === "on" || m.name === "off") conflicting.add("QTYPE_QBOOL");
            if (/^[-+0-9.]/.test(m.name)) conflicting.add("QTYPE_QNUM");
          }
        } else {
          conflicting.add("QTYPE_QNUM");
          conflicting.add("QTYPE_QBOOL");
        }
      }
      for (const qt of conflicting) {
        const other = typesSeen.get(qt);
        if (other !== undefined) {
          throw new QapiError(t.info, `${v.describe(t.info)} can't be distinguished from '${other}'`);
        }
        typesSeen.set(qt, v.name);
      }
    }
  }

  /** Shared by commands and events: their 'data' must be an object type. */
  private checkArgType(
    d: Command | Event,
    argTypeName: string | undefined,
    what: "command" | "event",
  ): ObjectType | undefined {
    if (argTypeName === undefined) return undefined;
    const argType = this.resolveType(argTypeName, d.info, `${what}'s 'data'`);
    if (!(argType instanceof ObjectType)) {
      throw new QapiError(d.info, `${what}'s 'data' cannot take ${argType.describe()}`);
    }
    if (argType.branches !== undefined && !d.boxed) {
      throw new QapiError(d.info, `${what}'s 'data' can take ${argType.describe()} only with 'boxed': true`);
    }
    this.checkObject(argType);
    if (argType.hasConditionalMembers() && !d.boxed) {
      throw new QapiError(d.info, `conditional ${what} arguments require 'boxed': true`);
    }
    return argType;
  }

  private checkCommand(c: Command): void {
    c.argType = this.checkArgType(c, c.argTypeName, "command");
    if (c.retTypeName !== undefined) {
      c.retType = this.resolveType(c.retTypeName, c.info, "command's 'returns'");
      if (!c.info?.pragma.commandReturnsExceptions.includes(c.name)) {
        const t = c.retType instanceof ArrayType ? c.retType.elementType : c.retType;
        if (!(t instanceof ObjectType)) {
          throw new QapiError(c.info, `command's 'returns' cannot take ${c.retType.describe()}`);
        }
      }
    }
  }

  private checkEvent(e: Event): void {
    e.argType = this.checkArgType(e, e.argTypeName, "event");
  }

  // Doc comments -------------------------------------------------------------

  /** Connect a definition's members and features to its doc comment, as QEMU does. */
  private connectDoc(defn: Definition, doc: QAPIDoc | undefined): void {
    if (doc === undefined) return;
    for (const f of defn.features) doc.connectFeature(f);
    if (defn instanceof EnumType) {
      for (const m of defn.members) connectMember(doc, m, m.features);
    } else if (defn instanceof ObjectType) {
      if (defn.base?.isImplicit()) this.connectDoc(defn.base, doc);
      for (const m of defn.localMembers) connectMember(doc, m, m.features);
    } else if (defn instanceof AlternateType) {
      for (const v of defn.alternatives.variants) connectMember(doc, v, v.features);
    } else if (defn instanceof Command || defn instanceof Event) {
      if (defn.argType?.isImplicit()) this.connectDoc(defn.argType, doc);
    }
  }
}

function connectMember(doc: QAPIDoc, m: Member, features: Feature[]): void {
  doc.connectMember(m);
  for (const f of features) doc.connectFeature(f);
}

/** Special features (deprecated, unstable) apply to commands, events and members only. */
function checkTypeFeatures(t: Type): void {
  for (const f of t.features) {
    if (f.isSpecial()) throw new QapiError(t.info, `feature '${f.name}' is not supported for types`);
  }
}

/** Members clash when their C names do; report on behalf of `info`. */
function memberClash(m: Member, info: SourceInfo | undefined, seen: Map<string, Member>): void {
  const c = cName(m.name);
  const other = seen.get(c);
  if (other !== undefined) throw new QapiError(info, `${m.describe(info)} collides with ${other.describe(info)}`);
  seen.set(c, m);
}

function checkClashes(members: readonly Member[], info: SourceInfo | undefined): void {
  const seen = new Map<string, Member>();
  for (const m of members) memberClash(m, info, seen);
}

function objectClash(t: ObjectType, info: SourceInfo | undefined, seen: Map<string, Member>): void {
  for (const m of t.members) memberClash(m, info, seen);
  if (t.branches !== undefined) branchesClash(t.branches, info, seen);
}

/** Each branch's members must not clash with the common members (branches are separate). */
function branchesClash(b: Branches, info: SourceInfo | undefined, seen: Map<string, Member>): void {
  for (const v of b.variants) objectClash(v.type as ObjectType, info, new Map(seen));
}
