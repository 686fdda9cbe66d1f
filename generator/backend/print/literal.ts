// Printing plain JSON-like data (objects, arrays, strings, numbers, booleans, null) as
// TypeScript expressions, formatted exactly as prettier (default options) formats them:
// - an object printed expanded stays expanded in prettier (it keeps a newline after `{`),
//   so the caller chooses `expand` per object; other objects are flat when they fit;
// - an array of two or more objects that each have more than one key always breaks;
//   other arrays are flat when they fit, else one element per line;
// - a `key: "string"` property that does not fit breaks after the colon.
// Used by the introspection and commands emitters.

import { propertyKey } from "../ts-names.js";
import { PRINT_WIDTH, stringLiteral } from "./layout.js";

/** A printable value. Objects marked with EXPAND print expanded (one property per line). */
export type Literal = string | number | boolean | null | readonly Literal[] | LiteralObject | RawCode;

export interface LiteralObject {
  readonly [key: string]: Literal | undefined;
}

/** Code printed as is (an identifier, a call); it must not contain line breaks. */
export class RawCode {
  constructor(readonly code: string) {}
}

const EXPANDED = new WeakSet<object>();

/** Marks an object to print expanded, as prettier keeps it when written so. */
export function expanded<T extends LiteralObject>(o: T): T {
  EXPANDED.add(o);
  return o;
}

function isObject(v: Literal): v is LiteralObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof RawCode);
}

function entries(o: LiteralObject): [string, Literal][] {
  return Object.entries(o).filter((e): e is [string, Literal] => e[1] !== undefined);
}

const SIMPLE_STRING = /^[^"'\\\u0000-\u001f\u2028\u2029]*$/;

/** A string literal as prettier prints it (fast path for plain strings). */
export function quote(s: string): string {
  return SIMPLE_STRING.test(s) ? `"${s}"` : stringLiteral(s);
}

/**
 * The flat form of a value if it is at most `budget` characters long, else undefined;
 * also undefined when it must break (contains an expanded object or a breaking array).
 * Bounded by the budget, so trying the flat form at every level stays linear.
 */
function flat(v: Literal, budget: number): string | undefined {
  if (v === null) return "null";
  if (typeof v === "string") return quote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof RawCode) return v.code;
  if (Array.isArray(v)) {
    const arr = v as readonly Literal[];
    if (mustBreakArray(arr)) return undefined;
    let out = "[";
    for (let i = 0; i < arr.length; i++) {
      const f = flat(arr[i] as Literal, budget - out.length);
      if (f === undefined) return undefined;
      out += i === 0 ? f : `, ${f}`;
      if (out.length > budget) return undefined;
    }
    return `${out}]`;
  }
  const o = v as LiteralObject;
  if (EXPANDED.has(o)) return undefined;
  let out = "{ ";
  let n = 0;
  for (const k in o) {
    const e = o[k];
    if (e === undefined) continue;
    const f = flat(e, budget - out.length);
    if (f === undefined) return undefined;
    out += n++ === 0 ? `${propertyKey(k)}: ${f}` : `, ${propertyKey(k)}: ${f}`;
    if (out.length > budget) return undefined;
  }
  return n === 0 ? "{}" : `${out} }`;
}

function mustBreakArray(arr: readonly Literal[]): boolean {
  return arr.length > 1 && arr.every((e) => isObject(e) && hasTwoKeys(e));
}

function hasTwoKeys(o: LiteralObject): boolean {
  let n = 0;
  for (const k in o) if (o[k] !== undefined && ++n > 1) return true;
  return false;
}

/**
 * Prints `v` with its first line starting at column `indent.length + prefixLen`, the rest
 * of its lines at `indent`; `suffixLen` characters follow it on its last line (e.g. ",").
 */
export function printLiteral(v: Literal, indent: string, prefixLen = 0, suffixLen = 0): string {
  const f = flat(v, PRINT_WIDTH - indent.length - prefixLen - suffixLen);
  if (f !== undefined && (f.length <= PRINT_WIDTH - indent.length - prefixLen - suffixLen || !(typeof v === "object" && v !== null && !(v instanceof RawCode)))) return f;
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    const arr = v as readonly Literal[];
    if (arr.length === 0) return "[]";
    return `[\n${arr.map((e) => `${inner}${printLiteral(e, inner, 0, 1)},\n`).join("")}${indent}]`;
  }
  const es = entries(v as LiteralObject);
  if (es.length === 0) return "{}";
  return `{\n${es.map(([k, e]) => `${printProperty(k, e, inner)},\n`).join("")}${indent}}`;
}

/** One `key: value` property line (without the trailing comma), at `indent`. */
export function printProperty(key: string, v: Literal, indent: string): string {
  const k = propertyKey(key);
  if (typeof v === "string") {
    const f = quote(v);
    if (indent.length + k.length + 2 + f.length + 1 > PRINT_WIDTH) return `${indent}${k}:\n${indent}  ${f}`;
  }
  return `${indent}${k}: ${printLiteral(v, indent, k.length + 2, 1)}`;
}
