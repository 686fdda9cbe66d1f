// Plain JSON-like data (objects, arrays, strings, numbers, booleans, null) as
// TypeScript expressions, laid out as prettier lays them out:
// - an object printed expanded stays expanded in prettier (it keeps a line break
//   after `{`), so the caller chooses `expanded` per object; others are flat when
//   they fit;
// - an array of two or more objects that each have more than one member always
//   breaks; other arrays are flat when they fit, else one element per line;
// - a `key: "string"` member that does not fit breaks after the colon.
// Used by the introspection emitter.

import type { Doc } from "./doc.js";
import { array, object, prop, str } from "./ts.js";

/** A printable value. Objects marked with `expanded` print expanded (one member per line). */
export type Literal = string | number | boolean | null | readonly Literal[] | LiteralObject;

export interface LiteralObject {
  readonly [key: string]: Literal | undefined;
}

const EXPANDED = new WeakSet<object>();

/** Marks an object to print expanded, as prettier keeps it when written so. */
export function expanded<T extends LiteralObject>(o: T): T {
  EXPANDED.add(o);
  return o;
}

function isObject(v: Literal): v is LiteralObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function hasTwoKeys(o: LiteralObject): boolean {
  let n = 0;
  for (const k in o) if (o[k] !== undefined && ++n > 1) return true;
  return false;
}

/** The value as an expression. */
export function literal(v: Literal): Doc {
  if (v === null) return "null";
  if (typeof v === "string") return str(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    const items = v as readonly Literal[];
    const shouldBreak = items.length > 1 && items.every((e) => isObject(e) && hasTwoKeys(e));
    return array(items.map(literal), { shouldBreak });
  }
  const o = v as LiteralObject;
  const props: Doc[] = [];
  for (const k in o) {
    const e = o[k];
    if (e !== undefined) props.push(prop(k, literal(e)));
  }
  return object(props, { expanded: EXPANDED.has(o) });
}
