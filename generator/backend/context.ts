// What every emitter gets: the checked schema, the options, and everything the
// emitters share, computed once before any of them runs (names, module files, what
// is generated, which types carry 64-bit integers, the commands and events with
// their names and docs). Emitters are pure functions of this context; none
// re-parses, re-checks or caches.

import type { QAPIDoc } from "../frontend/doc.js";
import {
  AlternateType,
  ArrayType,
  BuiltinType,
  Command,
  type Definition,
  EnumType,
  Event,
  type IfCond,
  Module,
  ObjectType,
  type Schema,
  type Type,
} from "../frontend/model.js";
import type { ImportedSymbol } from "./print/doc.js";
import type { FileFormat, OutputFile } from "./print/file.js";
import { definitionDocLines } from "./print/tsdoc.js";
import { RUNTIME_FILES } from "./runtime-files.generated.js";
import { NameTable, camelCase, isNamedType } from "./ts-names.js";

export type { OutputFile };

/** The outputs `--emit` chooses from. */
export const OUTPUTS = ["types", "validators", "client", "server", "introspection", "jsonschema"] as const;
export type OutputKind = (typeof OUTPUTS)[number];

export interface GenerateOptions extends FileFormat {
  /** How 64-bit integer types (int, int64, uint64, size) are typed and validated. */
  readonly int64: "number" | "bigint";
  /** Symbols defined for `if` evaluation, as a QEMU build would; undefined keeps everything. */
  readonly defines: ReadonlySet<string> | undefined;
  /** What is generated (what these need is generated too: validators need types). */
  readonly emit: ReadonlySet<OutputKind>;
  /** Only these commands (wire names) and the types they reach; undefined: all. */
  readonly commands: readonly string[] | undefined;
  /** Only these events (wire names) and the types they reach; undefined: all. */
  readonly events: readonly string[] | undefined;
}

export const DEFAULT_OPTIONS: GenerateOptions = {
  int64: "number",
  defines: undefined,
  emit: new Set(OUTPUTS),
  commands: undefined,
  events: undefined,
  target: "ts",
  moduleFormat: "package",
  importExtension: "js",
};

/** Options the schema cannot satisfy (an unknown command name), or that contradict each other. */
export class GenerateOptionsError extends Error {}

export type NamedType = EnumType | ObjectType | AlternateType;

/** A schema module that gets files of its own (types/, validators/, calls/). */
export interface ModuleFiles {
  readonly module: Module;
  /** The file name without extension: `block-core.json` → `block-core`. */
  readonly slug: string;
  /** Its generated named types, in definition order. */
  readonly types: readonly NamedType[];
  /** Its generated commands, in definition order. */
  readonly commands: readonly CommandEntry[];
}

export interface CommandEntry {
  readonly cmd: Command;
  /** The standalone function. */
  readonly fn: string;
  /** The method of QmpClient and of QmpHandlers. */
  readonly method: string;
  /** The internal name of its run-time facts (`$c_…`) in its calls/ file. */
  readonly info: string;
  readonly slug: string;
  /** TSDoc lines (description, returns, since, deprecated, …). */
  readonly doc: readonly string[];
}

export interface EventEntry {
  readonly event: Event;
  readonly doc: readonly string[];
}

/** The validator of a command return that has no named type (an array or a built-in). */
export interface ReturnValidator {
  readonly name: string;
  /** The module whose validators file defines it (its element type's). */
  readonly slug: string;
}

export interface EmitContext {
  readonly schema: Schema;
  readonly options: GenerateOptions;
  readonly names: NameTable;
  /** The schema's path relative to the output folder, '/'-separated (for headers). */
  readonly schemaPath: string;
  /** What is generated. */
  readonly outputs: ReadonlySet<OutputKind>;
  /** Is a part with this condition generated? (Always, unless --define is given.) */
  enabled(ifcond: IfCond): boolean;
  /** Is this definition generated (enabled, and reached by the chosen commands and events)? */
  included(d: Definition): boolean;
  /** Is this definition reached by the chosen commands and events (all are, when none are chosen)? */
  chosen(d: Definition): boolean;
  /** The modules with files of their own, in module order. */
  readonly modules: readonly ModuleFiles[];
  slug(m: Module | undefined): string;
  /** Implicit types documented by their owner (command arguments, event data, union bases). */
  readonly owners: ReadonlyMap<Definition, { readonly doc: QAPIDoc | undefined; readonly owner: Definition }>;
  /** With --int64 bigint, the object and alternate types whose values contain a 64-bit integer. */
  readonly wide: ReadonlySet<Type>;
  readonly commands: readonly CommandEntry[];
  readonly events: readonly EventEntry[];
  readonly returnValidators: ReadonlyMap<Type, ReturnValidator>;
  /** Where each symbol the emitters refer to is defined. */
  readonly sym: Symbols;
}

export type Emitter = (ctx: EmitContext) => OutputFile[];

/** Does a value of `t` contain a 64-bit integer that is bigint in the types? */
export function isWide(ctx: EmitContext, t: Type): boolean {
  while (t instanceof ArrayType) t = t.elementType;
  if (t instanceof BuiltinType) return ctx.options.int64 === "bigint" && is64(t.name);
  return ctx.wide.has(t);
}

/** Is this built-in integer type 64 bits wide (bigint with --int64 bigint)? */
export function is64(name: string): boolean {
  return name === "int" || name === "int64" || name === "uint64" || name === "size";
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

// ---------------------------------------------------------------------------
// Symbols

/** The internal functions of a type's validators: guard, problems, members, member problems, converter. */
export type InternalKind = "g" | "p" | "m" | "q" | "b";

/** Where the output's names are defined, as ImportedSymbols for `ref`. */
export class Symbols {
  private readonly runtimeFile = new Map<string, string>();

  constructor(private readonly ctx: EmitContext) {
    for (const f of RUNTIME_FILES) for (const e of f.exports) this.runtimeFile.set(e.name, f.name);
  }

  /** A public name of the runtime (Validator, QmpError, …), as the NameTable allocated it. */
  runtime(name: string): ImportedSymbol {
    const file = this.runtimeFile.get(name);
    if (file === undefined) throw new Error(`the runtime exports no ${name}`);
    return { name, from: `runtime/${file}`, local: this.ctx.names.fixed(name) };
  }

  /** An internal (`$`) name of a runtime file. */
  internal(file: string, name: string): ImportedSymbol {
    return { name, from: `runtime/${file}` };
  }

  type(t: Definition): ImportedSymbol {
    return { name: this.ctx.names.type(t), from: `types/${this.ctx.slug(t.module)}` };
  }

  values(t: EnumType): ImportedSymbol {
    return { name: this.ctx.names.derived(t, "values"), from: `types/${this.ctx.slug(t.module)}` };
  }

  validator(t: Definition): ImportedSymbol {
    return { name: this.ctx.names.derived(t, "validator"), from: `validators/${this.ctx.slug(t.module)}` };
  }

  guard(t: Definition): ImportedSymbol {
    return { name: this.ctx.names.derived(t, "guard"), from: `validators/${this.ctx.slug(t.module)}` };
  }

  /** `$g_Foo` and friends; built-in types' are named by their QAPI name. */
  check(kind: InternalKind, t: Type): ImportedSymbol {
    const name = t instanceof BuiltinType ? `$${kind}_${t.name}` : `$${kind}_${this.ctx.names.type(t)}`;
    return { name, from: `validators/${this.ctx.slug(t.module)}` };
  }

  /** The validator of a type: its own, or the one made for a command's return (arrays, built-ins). */
  validatorOf(t: Type): ImportedSymbol {
    const made = this.ctx.returnValidators.get(t);
    if (made !== undefined) return { name: made.name, from: `validators/${made.slug}` };
    return this.validator(t);
  }

  /** A fixed name of a generated file (commands, events, client, server, …). */
  generated(name: (typeof GENERATED_IN)[keyof typeof GENERATED_IN][number]): ImportedSymbol {
    for (const [file, names] of Object.entries(GENERATED_IN)) {
      if ((names as readonly string[]).includes(name)) return { name: this.ctx.names.fixed(name), from: file };
    }
    throw new Error(`no generated file defines ${name}`);
  }

  /** A command's standalone function and its run-time facts. */
  command(c: CommandEntry, what: "fn" | "info"): ImportedSymbol {
    return { name: what === "fn" ? c.fn : c.info, from: `calls/${c.slug}` };
  }
}

/** Which generated file defines which fixed name. */
export const GENERATED_IN = {
  "types/builtin": ["JsonValue"],
  commands: ["Commands", "CommandName", "commandInfo"],
  events: ["Events", "EventName", "eventInfo", "QmpEvent", "parseEvent"],
  client: ["QmpClient"],
  server: ["QmpHandlers", "QmpDispatcher"],
  introspection: ["schemaInfo", "schemaConditions"],
} as const;

// ---------------------------------------------------------------------------
// Building the context

/**
 * Names a method can't have: they'd clash with the client's own members, or with what
 * every object inherits (a handler object is looked up by method name).
 */
const RESERVED_METHODS = [
  "constructor",
  "execute",
  "transport",
  "options",
  "on",
  "waitForEvent",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
];

/** Allocates distinct names from preferred ones (numeric suffix on a clash). */
export class LocalNames {
  private readonly used: Set<string>;
  constructor(reserved: Iterable<string> = []) {
    this.used = new Set(reserved);
  }
  allocate(preferred: string): string {
    let name = preferred === "" ? "_" : /^[0-9]/.test(preferred) ? `_${preferred}` : preferred;
    const base = name;
    for (let i = 2; this.used.has(name); i++) name = `${base}${i}`;
    this.used.add(name);
    return name;
  }
}

/** What each output needs besides itself. */
const NEEDS: Record<OutputKind, readonly OutputKind[]> = {
  types: [],
  validators: ["types"],
  client: ["types", "validators"],
  server: ["types", "validators"],
  introspection: [],
  jsonschema: [],
};

function closeOutputs(chosen: ReadonlySet<OutputKind>): Set<OutputKind> {
  const out = new Set<OutputKind>();
  for (const k of chosen) for (const x of [k, ...NEEDS[k]]) out.add(x);
  return out;
}

/** The file name of each module's generated files: `sub/x.json` → `sub.x`, unique case-insensitively. */
function moduleSlugs(schema: Schema): Map<Module, string> {
  const slugs = new Map<Module, string>();
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
  return slugs;
}

/** The types a value of `t` can contain, `t` included (members, bases, branches, elements). */
function reach(t: Type, enabled: (c: IfCond) => boolean, out: Set<Definition>): void {
  const work: Type[] = [t];
  for (let x = work.pop(); x !== undefined; x = work.pop()) {
    if (out.has(x)) continue;
    out.add(x);
    if (x instanceof ArrayType) work.push(x.elementType);
    else if (x instanceof ObjectType) {
      if (x.base !== undefined) work.push(x.base);
      for (const m of x.members) if (enabled(m.ifcond)) work.push(m.type);
      for (const v of x.branches?.variants ?? []) if (enabled(v.ifcond)) work.push(v.type, x.branches!.tagMember.type);
    } else if (x instanceof AlternateType) {
      for (const v of x.alternatives.variants) if (enabled(v.ifcond)) work.push(v.type);
    }
  }
}

/** The definitions the chosen commands and events reach; undefined when nothing is chosen. */
function selection(schema: Schema, options: GenerateOptions, enabled: (c: IfCond) => boolean): Set<Definition> | undefined {
  if (options.commands === undefined && options.events === undefined) return undefined;
  const out = new Set<Definition>();
  const pick = (names: readonly string[] | undefined, cls: typeof Command | typeof Event): void => {
    const unknown: string[] = [];
    for (const name of names ?? []) {
      const e = schema.lookupEntity(name);
      if (!(e instanceof cls) || !enabled(e.ifcond)) {
        unknown.push(name);
        continue;
      }
      out.add(e);
      if (e.argType !== undefined) reach(e.argType, enabled, out);
      if (e instanceof Command && e.retType !== undefined) reach(e.retType, enabled, out);
    }
    if (unknown.length > 0) {
      const what = cls === Command ? "command" : "event";
      throw new GenerateOptionsError(`the schema has no ${what} ${unknown.map((n) => `'${n}'`).join(", ")}`);
    }
  };
  pick(options.commands, Command);
  pick(options.events, Event);
  return out;
}

/**
 * With --int64 bigint: the types whose values contain (transitively) a 64-bit
 * integer, which need converting from JSON numbers (Validator.fromJson): object and
 * alternate types (see isWide for the others); empty in number mode.
 */
function wideTypes(schema: Schema, options: GenerateOptions, enabled: (c: IfCond) => boolean): Set<Type> {
  const out = new Set<Type>();
  if (options.int64 !== "bigint") return out;
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
  for (const e of schema.entities) {
    if (e instanceof AlternateType) {
      for (const v of e.alternatives.variants) if (enabled(v.ifcond)) dep(e, v.type);
    } else if (e instanceof ObjectType) {
      for (const m of e.members) if (enabled(m.ifcond)) dep(e, m.type);
      for (const v of e.branches?.variants ?? []) if (enabled(v.ifcond)) dep(e, v.type);
    }
  }
  for (let t = work.pop(); t !== undefined; t = work.pop()) {
    for (const u of users.get(t) ?? []) {
      if (out.has(u)) continue;
      out.add(u);
      work.push(u);
    }
  }
  return out;
}

function ownerDocs(schema: Schema): Map<Definition, { doc: QAPIDoc | undefined; owner: Definition }> {
  const map = new Map<Definition, { doc: QAPIDoc | undefined; owner: Definition }>();
  for (const e of schema.entities) {
    if ((e instanceof Command || e instanceof Event) && e.argType?.isImplicit()) {
      map.set(e.argType, { doc: e.doc, owner: e });
    } else if (e instanceof ObjectType && e.branches !== undefined && e.base?.isImplicit()) {
      map.set(e.base, { doc: e.doc, owner: e });
    }
  }
  return map;
}

/** The validators made for returns of arrays and built-ins, in their element's module. */
function returnValidators(commands: readonly CommandEntry[], names: NameTable, slug: (m: Module | undefined) => string): Map<Type, ReturnValidator> {
  const out = new Map<Type, ReturnValidator>();
  for (const { cmd } of commands) {
    const t = cmd.retType;
    if (t === undefined || isNamedType(t) || out.has(t)) continue;
    const el = t instanceof ArrayType ? t.elementType : t;
    const base = el instanceof BuiltinType ? el.name : names.type(el);
    out.set(t, { name: `$r_${base}${t instanceof ArrayType ? "List" : ""}`, slug: slug(el.module) });
  }
  return out;
}

export function makeContext(schema: Schema, options: GenerateOptions, schemaPath: string): EmitContext {
  if (options.moduleFormat === "extension" && options.importExtension === "none") {
    throw new GenerateOptionsError("extensionless imports cannot name .mts/.mjs modules: use --import-extension js or ts");
  }
  return new Context(schema, options, schemaPath);
}

class Context implements EmitContext {
  readonly names: NameTable;
  readonly outputs: ReadonlySet<OutputKind>;
  readonly modules: readonly ModuleFiles[];
  readonly owners: ReadonlyMap<Definition, { readonly doc: QAPIDoc | undefined; readonly owner: Definition }>;
  readonly wide: ReadonlySet<Type>;
  readonly commands: readonly CommandEntry[];
  readonly events: readonly EventEntry[];
  readonly returnValidators: ReadonlyMap<Type, ReturnValidator>;
  readonly sym: Symbols;
  private readonly selected: Set<Definition> | undefined;
  private readonly slugs: Map<Module, string>;

  constructor(
    readonly schema: Schema,
    readonly options: GenerateOptions,
    readonly schemaPath: string,
  ) {
    this.selected = selection(schema, options, (c) => this.enabled(c));
    this.names = new NameTable(schema);
    this.slugs = moduleSlugs(schema);
    this.outputs = closeOutputs(options.emit);
    this.owners = ownerDocs(schema);
    this.wide = wideTypes(schema, options, (c) => this.enabled(c));
    const { modules, commands, events } = this.collect();
    this.modules = modules;
    this.commands = commands;
    this.events = events;
    this.returnValidators = returnValidators(commands, this.names, (m) => this.slug(m));
    this.sym = new Symbols(this);
  }

  enabled(ifcond: IfCond): boolean {
    return this.options.defines === undefined || ifcond.evaluate(this.options.defines);
  }

  included(d: Definition): boolean {
    return this.enabled(d.ifcond) && this.chosen(d);
  }

  chosen(d: Definition): boolean {
    return this.selected === undefined || this.selected.has(d) || d instanceof BuiltinType;
  }

  slug(m: Module | undefined): string {
    return this.slugs.get(m ?? (this.schema.modules.find((x) => x.isBuiltin()) as Module)) as string;
  }

  /** Per module, its generated types and commands; and the events, in module order. */
  private collect(): { modules: ModuleFiles[]; commands: CommandEntry[]; events: EventEntry[] } {
    const methods = new LocalNames(RESERVED_METHODS);
    const modules: ModuleFiles[] = [];
    const commands: CommandEntry[] = [];
    const events: EventEntry[] = [];
    for (const module of this.schema.modules) {
      const slug = this.slug(module);
      const types = module.entities.filter((e): e is NamedType => isNamedType(e) && this.included(e));
      const own: CommandEntry[] = [];
      for (const e of module.entities) {
        if (e instanceof Command && this.included(e)) {
          const fn = this.names.command(e);
          const doc = definitionDocLines(this, e, e.doc, { returns: true });
          own.push({ cmd: e, fn, method: methods.allocate(camelCase(e.name)), info: `$c_${fn}`, slug, doc });
        } else if (e instanceof Event && this.included(e)) {
          events.push({ event: e, doc: definitionDocLines(this, e, e.doc) });
        }
      }
      commands.push(...own);
      // The built-in module always: types/builtin declares JsonValue, validators/builtin checks built-ins.
      if (types.length > 0 || own.length > 0 || module.isBuiltin()) modules.push({ module, slug, types, commands: own });
    }
    return { modules, commands, events };
  }
}
