// JSON laid out as prettier lays it out, for the outputs that are JSON (schema.json).
// JSON.stringify does the work natively; the arrays that fit are then joined, which
// is much cheaper than printing large data through the document engine.

import { PRINT_WIDTH } from "./doc.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON scalar as JSON.stringify prints it: string, number, boolean or null. */
const SCALAR = String.raw`(?:"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)`;

/** An array of scalars as JSON.stringify(_, null, 2) prints it: one element a line. */
const SCALAR_ARRAY_RE = new RegExp(String.raw`\[\n( +)${SCALAR}(?:,\n\1${SCALAR})*\n *\]`, "g");
const ELEMENT_RE = new RegExp(String.raw`^ +(${SCALAR}),?$`, "gm");

/**
 * The text of `JSON.stringify(value, null, 2)` as prettier prints it: objects
 * expanded, arrays of scalars on one line when they fit. (Arrays of scalars or of
 * non-empty objects, as schema.json has; prettier's finer rules for nested and
 * numeric arrays are not needed.)
 */
export function layoutJson(text: string): string {
  return text.replace(SCALAR_ARRAY_RE, (array: string, _indent: string, at: number) => {
    const col = at - (text.lastIndexOf("\n", at) + 1);
    const rest = text.charCodeAt(at + array.length) === 44 ? 1 : 0; // ','
    const elements = Array.from(array.slice(2, array.lastIndexOf("\n")).matchAll(ELEMENT_RE), (m) => m[1]);
    const flat = `[${elements.join(", ")}]`;
    return col + flat.length + rest <= PRINT_WIDTH ? flat : array;
  });
}
