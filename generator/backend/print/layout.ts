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
  // One pass: split, drop trailing spaces and blank edges, keep one blank line between
  // paragraphs.
  const body: string[] = [];
  let blank = false;
  for (const text of lines) {
    for (const raw of text.split("\n")) {
      const line = raw.trimEnd();
      if (line === "") {
        blank = body.length > 0;
        continue;
      }
      if (blank) body.push("");
      blank = false;
      body.push(line.includes("*/") ? line.replaceAll("*/", "*\\/") : line);
    }
  }
  if (body.length === 0) return "";
  if (body.length === 1 && indent.length + (body[0] as string).length + 7 <= PRINT_WIDTH) return `${indent}/** ${body[0]} */\n`;
  let out = `${indent}/**\n`;
  for (const l of body) out += l === "" ? `${indent} *\n` : `${indent} * ${l}\n`;
  return `${out}${indent} */\n`;
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

/**
 * A call `fn(args)` printed at `indent` after `prefix` (e.g. "return " or "m = ") and
 * followed by `suffix` (e.g. ";"): flat when it fits, else one argument per line with
 * a trailing comma, as prettier breaks calls whose arguments are simple.
 */
export function printCall(indent: string, prefix: string, fn: string, args: readonly string[], suffix: string): string {
  const flat = `${indent}${prefix}${fn}(${args.join(", ")})${suffix}`;
  if (flat.length <= PRINT_WIDTH) return flat;
  const inner = `${indent}  `;
  return `${indent}${prefix}${fn}(\n${args.map((a) => `${inner}${a},\n`).join("")}${indent})${suffix}`;
}

/**
 * `if (cond) stmt` at `indent`, as prettier prints it: on one line when it fits, else
 * the statement on the next line, else the condition on a line of its own, else (when
 * the condition is a call, given as `call`) the call broken one argument per line.
 */
export function printIf(
  indent: string,
  cond: string,
  stmt: string,
  call?: { prefix: string; fn: string; args: readonly string[] },
): string {
  const one = `${indent}if (${cond}) ${stmt}`;
  if (one.length <= PRINT_WIDTH) return one;
  const head = `${indent}if (${cond})`;
  if (head.length <= PRINT_WIDTH) return `${head}\n${indent}  ${stmt}`;
  const inner = `${indent}  `;
  if (inner.length + cond.length <= PRINT_WIDTH || call === undefined) {
    return `${indent}if (\n${inner}${cond}\n${indent})\n${indent}  ${stmt}`;
  }
  return `${indent}if (\n${printCall(inner, call.prefix, call.fn, call.args, "")}\n${indent})\n${indent}  ${stmt}`;
}

/**
 * `head fn(args)suffix` where head ends with "= " (an assignment or declaration), as
 * prettier's fluid assignment layout prints it: flat when it fits; else the arguments
 * broken when `head fn(` fits on the line; else broken after the `=`, the call on the
 * next line (itself flat or broken).
 */
export function printAssignCall(
  indent: string,
  head: string,
  fn: string,
  args: readonly string[],
  suffix: string,
): string {
  const flat = `${indent}${head}${fn}(${args.join(", ")})${suffix}`;
  if (flat.length <= PRINT_WIDTH) return flat;
  if (`${indent}${head}${fn}(`.length <= PRINT_WIDTH) return printCall(indent, head, fn, args, suffix);
  return `${indent}${head.trimEnd()}\n${printCall(`${indent}  `, "", fn, args, suffix)}`;
}

/** `export type Name = A | B;`, broken one per line as prettier does when too long. */
export function printUnionAlias(head: string, items: readonly string[]): string {
  const flat = `${head} ${items.join(" | ")};`;
  if (items.length === 0) return `${head} never;\n`;
  if (flat.length <= PRINT_WIDTH && !items.some((i) => i.includes("\n"))) return `${flat}\n`;
  const next = `  ${items.join(" | ")};`;
  if (next.length <= PRINT_WIDTH && !next.includes("\n")) return `${head}\n${next}\n`;
  return `${head}\n${items.map((i) => `  | ${i}`).join("\n")};\n`;
}
