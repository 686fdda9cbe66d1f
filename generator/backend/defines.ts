// Which --define set reproduces a QEMU build? From the schema model and that build's
// query-qmp-schema: the introspection of the whole schema (every conditional part in)
// is compared structurally with the live one; each conditional part whose owner could
// be paired tells whether its condition holds in the build (present) or not (absent).
// Those facts are solved for the symbols, the set found is checked by comparing its
// introspection with the live one again, and what still differs is what no define set
// explains (a schema of another patch release, a build option outside the schema).

import type { SchemaInfoEntry } from "@qapi-gen/qmp";
import { introspect } from "./emit/introspection.js";
import { DEFAULT_OPTIONS, makeContext } from "./context.js";
import {
  AlternateType,
  Command,
  EnumType,
  Event,
  type Feature,
  type IfCond,
  type IfExpr,
  ObjectType,
  type Schema,
} from "../frontend/model.js";
import { diffSchemaInfo, type SchemaInfoDifference } from "./schema-info-diff.js";

export interface DefinesResult {
  /** The symbols to define, in order of first use in the schema. */
  defines: string[];
  /** Symbols the live introspection cannot tell (no condition it shows depends on them alone). */
  undetermined: string[];
  /** What the introspection of `defines` still differs in from the live one. */
  unexplained: SchemaInfoDifference[];
}

/** A conditional part and whether the live QEMU has it. */
interface Fact {
  expr: IfExpr;
  present: boolean;
}

function symbols(e: IfExpr, out: Set<string>): void {
  if (typeof e === "string") out.add(e);
  else if ("all" in e) for (const x of e.all) symbols(x, out);
  else if ("any" in e) for (const x of e.any) symbols(x, out);
  else symbols(e.not, out);
}

/** Three-valued evaluation: undefined where a symbol is still unknown. */
function evaluate(e: IfExpr, known: ReadonlyMap<string, boolean>): boolean | undefined {
  if (typeof e === "string") return known.get(e);
  if ("not" in e) {
    const v = evaluate(e.not, known);
    return v === undefined ? undefined : !v;
  }
  const [parts, dominant] = "all" in e ? [e.all, false] : [e.any, true];
  let unknown = false;
  for (const p of parts) {
    const v = evaluate(p, known);
    if (v === dominant) return dominant;
    if (v === undefined) unknown = true;
  }
  return unknown ? undefined : !dominant;
}

/**
 * Makes `e` evaluate to `want` where that is forced: a symbol is set; `all` true (or
 * `any` false) forces every part; `all` false (or `any` true) forces its one unknown
 * part when the others already fail to decide it. Returns whether anything was set.
 */
function force(e: IfExpr, want: boolean, known: Map<string, boolean>): boolean {
  if (typeof e === "string") {
    if (known.has(e)) return false;
    known.set(e, want);
    return true;
  }
  if ("not" in e) return force(e.not, !want, known);
  const [parts, dominant] = "all" in e ? [e.all, false] : [e.any, true];
  if (want !== dominant) return parts.map((p) => force(p, want, known)).some(Boolean);
  const open = parts.filter((p) => evaluate(p, known) === undefined);
  return open.length === 1 && !parts.some((p) => evaluate(p, known) === dominant) ? force(open[0] as IfExpr, want, known) : false;
}

/** The conditional parts of the schema, keyed as the introspection diff keys them. */
function conditionalParts(schema: Schema): { key: string; owner: string; ifcond: IfCond }[] {
  const parts: { key: string; owner: string; ifcond: IfCond }[] = [];
  const add = (key: string, owner: string, ifcond: IfCond): void => {
    if (ifcond.isPresent()) parts.push({ key, owner, ifcond });
  };
  const features = (key: string, owner: string, fs: readonly Feature[]): void => {
    for (const f of fs) add(`${key}#${f.name}`, owner, f.ifcond);
  };
  for (const e of schema.entities) {
    if (!(e instanceof Command || e instanceof Event || e instanceof EnumType || e instanceof ObjectType || e instanceof AlternateType)) continue;
    add(e.name, e.name, e.ifcond);
    features(e.name, e.name, e.features);
    const members = e instanceof EnumType || e instanceof ObjectType ? e.members : [];
    for (const m of members) {
      add(`${e.name}.${m.name}`, e.name, m.ifcond);
      features(`${e.name}.${m.name}`, e.name, m.features);
    }
    for (const v of e instanceof ObjectType ? (e.branches?.variants ?? []) : []) add(`${e.name}.${v.name}`, e.name, v.ifcond);
  }
  return parts;
}

/** The introspection of `schema` with `defines` (undefined: every part). */
function schemaInfo(schema: Schema, defines: ReadonlySet<string> | undefined): SchemaInfoEntry[] {
  const ctx = makeContext(schema, { ...DEFAULT_OPTIONS, defines }, schema.fname);
  return introspect(ctx).trees as unknown as SchemaInfoEntry[];
}

export function deriveDefines(schema: Schema, live: readonly SchemaInfoEntry[]): DefinesResult {
  const all = schemaInfo(schema, undefined);
  const { differences, paired } = diffSchemaInfo(all, live);
  const absent = new Set(differences.filter((d) => d.kind === "generated-only").map((d) => d.key));
  const listed = new Set(all.map((e) => e.name));
  const facts: Fact[] = [];
  const used = new Set<string>();
  for (const part of conditionalParts(schema)) {
    symbols(part.ifcond.expr as IfExpr, used);
    // A part tells something only when its owner is in the introspection and, for a
    // part of a type, the type was paired (else its members were never compared).
    if (!listed.has(part.owner)) continue;
    const isEntity = part.key === part.owner;
    if (!isEntity && !paired.has(part.owner)) continue;
    const present = isEntity ? paired.has(part.owner) : !absent.has(part.key);
    facts.push({ expr: part.ifcond.expr as IfExpr, present });
  }
  const known = solve(facts);
  const order = [...used];
  const defines = order.filter((s) => known.get(s) === true);
  const derived = schemaInfo(schema, new Set(defines));
  return {
    defines,
    undetermined: order.filter((s) => !known.has(s)),
    unexplained: diffSchemaInfo(derived, live).differences,
  };
}

/**
 * The symbols the facts decide: plain symbols by majority of their facts, then what
 * compound conditions force, until nothing changes.
 */
function solve(facts: readonly Fact[]): Map<string, boolean> {
  const votes = new Map<string, number>();
  for (const f of facts) {
    if (typeof f.expr === "string") votes.set(f.expr, (votes.get(f.expr) ?? 0) + (f.present ? 1 : -1));
  }
  const known = new Map<string, boolean>();
  for (const [s, v] of votes) if (v !== 0) known.set(s, v > 0);
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of facts) {
      if (evaluate(f.expr, known) === undefined && force(f.expr, f.present, known)) changed = true;
    }
  }
  return known;
}

/** The result as the `defines` command prints it: `--define` lines, then `#` notes. */
export function formatDefines(r: DefinesResult): string {
  const lines = r.defines.map((s) => `--define ${s}`);
  if (r.undetermined.length > 0) {
    lines.push(`# undetermined (the introspection does not depend on them): ${r.undetermined.join(" ")}`);
  }
  if (r.unexplained.length === 0) {
    lines.push("# the introspection of this set equals the live one");
  } else {
    lines.push(`# no define set explains ${r.unexplained.length} difference${r.unexplained.length === 1 ? "" : "s"}:`);
    for (const d of r.unexplained) lines.push(`#   ${d.message}`);
  }
  return `${lines.join("\n")}\n`;
}
