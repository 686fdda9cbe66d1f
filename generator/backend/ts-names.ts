// TypeScript names for schema things. Every exported identifier of the generated
// output lives in one namespace (the index re-exports all modules), so names are
// allocated once, up front, in a fixed order: schema type names first (they keep
// their spelling when they can), then the names derived from them, then the fixed
// names of the generated API and of the runtime it carries, then command functions
// and union constructors. A clash gets a numeric suffix, deterministically.

import {
  AlternateType,
  Command,
  type Definition,
  EnumType,
  Event,
  ObjectType,
  type Schema,
} from "../frontend/model.js";
import { RUNTIME_FILES } from "./runtime-files.generated.js";

/** Words that cannot name a type or a binding in strict-mode TypeScript modules. */
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false " +
    "finally for function if import in instanceof new null return super switch this throw true try " +
    "typeof var void while with implements interface let package private protected public static yield " +
    "await arguments eval undefined NaN Infinity any unknown never object string number boolean bigint " +
    "symbol type as async from get set of declare module namespace require keyof readonly infer is " +
    "satisfies asserts unique global constructor accessor"
  ).split(" "),
);

/** A valid, unreserved identifier for an arbitrary QAPI name. */
export function safeIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, "_");
  if (id === "" || /^[0-9]/.test(id)) id = `_${id}`;
  return RESERVED.has(id) ? `${id}_` : id;
}

function words(wire: string): string[] {
  return wire.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
}

/** `blockdev-snapshot-sync` → `BlockdevSnapshotSync`; `JOB_STATUS_CHANGE` → `JobStatusChange`. */
export function pascalCase(wire: string): string {
  const allUpper = wire === wire.toUpperCase();
  return words(wire)
    .map((w) => (allUpper ? w.charAt(0) + w.slice(1).toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
}

/** `blockdev-snapshot-sync` → `blockdevSnapshotSync`. */
export function camelCase(wire: string): string {
  const p = pascalCase(wire);
  return p.charAt(0).toLowerCase() + p.slice(1);
}

/** Kinds of names derived from a type, in allocation order. */
export type DerivedKind = "values" | "validator" | "guard";

const DERIVED_SUFFIX: Record<DerivedKind, (base: string) => string> = {
  values: (b) => `${b}Values`,
  validator: (b) => `${b}Validator`,
  guard: (b) => `is${b}`,
};

/**
 * Fixed names of the generated API. Emitters ask for them through
 * NameTable.fixed(); adding one here is how a new global name is made.
 */
export const FIXED_NAMES = [
  "JsonValue",
  "Commands",
  "CommandName",
  "commandInfo",
  "Events",
  "EventName",
  "eventInfo",
  "QmpEvent",
  "parseEvent",
  "QmpClient",
  "QmpHandlers",
  "QmpDispatcher",
  "schemaInfo",
  "schemaConditions",
] as const;
export type FixedName = (typeof FIXED_NAMES)[number];

/** The public names of the runtime every output carries, as they are exported. */
export const RUNTIME_NAMES: readonly string[] = RUNTIME_FILES.flatMap((f) => f.exports.map((e) => e.name));

/** The identifiers of one generated output. */
export class NameTable {
  private readonly used = new Set<string>();
  private readonly typeNames = new Map<Definition, string>();
  private readonly derivedNames = new Map<string, string>();
  private readonly fixedNames = new Map<string, string>();
  private readonly functionNames = new Map<Command, string>();
  private readonly constructorNames = new Map<ObjectType, string>();

  constructor(schema: Schema) {
    const named = schema.entities.filter(isNamedType);
    // Pass 1: type names as spelled in the schema (QType included).
    for (const t of named) if (!t.name.startsWith("q_")) this.typeNames.set(t, this.allocate(safeIdentifier(t.name)));
    // Pass 2: implicit object types get names from what they belong to.
    for (const e of schema.entities) {
      if ((e instanceof Command || e instanceof Event) && e.argType?.isImplicit()) {
        const suffix = e instanceof Command ? "Arguments" : "Event";
        if (!this.typeNames.has(e.argType)) this.typeNames.set(e.argType, this.allocate(pascalCase(e.name) + suffix));
      } else if (e instanceof ObjectType && e.branches && e.base?.isImplicit()) {
        if (!this.typeNames.has(e.base)) this.typeNames.set(e.base, this.allocate(`${this.type(e)}Base`));
      }
    }
    // Pass 3: derived names, per type in definition order.
    for (const t of named) {
      const base = this.typeNames.get(t);
      if (base === undefined) continue;
      for (const kind of Object.keys(DERIVED_SUFFIX) as DerivedKind[]) {
        if (kind === "values" && !(t instanceof EnumType)) continue;
        this.derivedNames.set(`${kind}:${base}`, this.allocate(DERIVED_SUFFIX[kind](base)));
      }
    }
    // Pass 4: the API's and the runtime's fixed names.
    for (const f of [...FIXED_NAMES, ...RUNTIME_NAMES]) this.fixedNames.set(f, this.allocate(f));
    // Pass 5: a function per command, a constructor object per union.
    for (const e of schema.entities) {
      if (e instanceof Command) this.functionNames.set(e, this.allocate(safeIdentifier(camelCase(e.name))));
    }
    for (const t of named) {
      if (!(t instanceof ObjectType) || t.branches === undefined || !this.typeNames.has(t)) continue;
      const n = this.type(t);
      this.constructorNames.set(t, this.allocate(safeIdentifier(n.charAt(0).toLowerCase() + n.slice(1))));
    }
  }

  private allocate(preferred: string): string {
    let name = preferred;
    for (let i = 2; this.used.has(name); i++) name = `${preferred}${i}`;
    this.used.add(name);
    return name;
  }

  /** The TypeScript name of a named type (struct, union, alternate, enum, implicit object). */
  type(t: Definition): string {
    const name = this.typeNames.get(t);
    if (name === undefined) throw new Error(`no TypeScript name for ${t.describe()}`);
    return name;
  }

  hasType(t: Definition): boolean {
    return this.typeNames.has(t);
  }

  derived(t: Definition, kind: DerivedKind): string {
    const name = this.derivedNames.get(`${kind}:${this.type(t)}`);
    if (name === undefined) throw new Error(`no ${kind} name for ${t.describe()}`);
    return name;
  }

  /** A fixed name of the API, or a public name of the runtime, as allocated. */
  fixed(name: FixedName | string): string {
    const n = this.fixedNames.get(name);
    if (n === undefined) throw new Error(`no fixed name ${name}`);
    return n;
  }

  /** The standalone function of a command. */
  command(c: Command): string {
    return this.functionNames.get(c) as string;
  }

  /** The object of constructors of a union's values. */
  unionConstructors(t: ObjectType): string {
    return this.constructorNames.get(t) as string;
  }
}

/** Types that get a TypeScript declaration of their own (arrays and built-ins do not). */
export function isNamedType(e: unknown): e is EnumType | ObjectType | AlternateType {
  return (
    e instanceof EnumType ||
    e instanceof AlternateType ||
    (e instanceof ObjectType && e.name !== "q_empty")
  );
}
