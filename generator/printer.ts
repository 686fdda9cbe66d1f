// Small printing helpers for emitters. Generated code is printed already formatted
// the way prettier (default options) formats it, because running prettier on the full
// QEMU schema's output would cost seconds; tests run prettier to prove it changes nothing.

export const PRINT_WIDTH = 80;

/** A string literal as prettier prints it: double quotes unless that needs more escapes. */
export function stringLiteral(s: string): string {
  const doubles = s.split('"').length - 1;
  const singles = s.split("'").length - 1;
  if (doubles > singles) return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
  return JSON.stringify(s);
}

/**
 * A JSDoc/TSDoc comment at `indent`, or "" when there is nothing to say. Lines are kept
 * as given (prettier does not reflow comments); `*\/` in text is defused.
 */
export function docComment(lines: readonly string[], indent = ""): string {
  const body = trimBlankEdges(lines.flatMap((l) => l.split("\n")));
  if (body.length === 0) return "";
  const safe = body.map((l) => l.replace(/\*\//g, "*\\/").replace(/\s+$/, ""));
  if (safe.length === 1 && `${indent}/** ${safe[0]} */`.length <= PRINT_WIDTH) return `${indent}/** ${safe[0]} */\n`;
  return `${indent}/**\n${safe.map((l) => (l === "" ? `${indent} *\n` : `${indent} * ${l}\n`)).join("")}${indent} */\n`;
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] as string).trim() === "") start++;
  while (end > start && (lines[end - 1] as string).trim() === "") end--;
  // collapse runs of blank lines: one blank line separates paragraphs
  return lines.slice(start, end).filter((l, i, a) => l.trim() !== "" || (a[i - 1] ?? "").trim() !== "");
}

/**
 * `head` followed by items separated by `sep`, on one line when it fits within the
 * print width at `indent`, else one item per line (as prettier breaks unions, arrays
 * and argument lists). `open`/`close` wrap the items; `lead` prefixes each broken line
 * (e.g. "| " for unions); `trailing` is added after the last broken item (e.g. ",").
 */
export function fitOrBreak(opts: {
  indent: string;
  head: string;
  items: readonly string[];
  sep: string;
  open?: string;
  close?: string;
  tail?: string;
  lead?: string;
  trailing?: string;
}): string {
  const { indent, head, items, sep, open = "", close = "", tail = "", lead = "", trailing = "" } = opts;
  const flat = `${indent}${head}${open}${items.join(sep)}${close}${tail}`;
  if (flat.length <= PRINT_WIDTH && !items.some((i) => i.includes("\n"))) return flat;
  const inner = `${indent}  `;
  const broken = items.map((i, k) => `${inner}${lead}${i}${k === items.length - 1 ? trailing : sep.trimEnd()}`);
  return `${indent}${head}${open.trimEnd()}\n${broken.join("\n")}\n${indent}${close.trimStart()}${tail}`;
}
