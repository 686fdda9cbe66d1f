// TSDoc comments for generated declarations, from the schema's doc comments (QAPIDoc):
// the description, `@since`, `@deprecated` (so editors strike deprecated things
// through), `@experimental` for unstable ones, and the condition of conditional parts
// when every part is emitted (no --define). Used by the types emitter, and meant for
// the stubs emitters too (commands and events).

import type { ArgSection, DocSection, QAPIDoc } from "../../frontend/doc.js";
import type { Definition, EnumMember, Feature, IfCond, ObjectTypeMember } from "../../frontend/model.js";
import type { EmitContext } from "../context.js";
import { type Doc, conditionalGroup, hardline, lines } from "./doc.js";

/**
 * QAPI doc text as TSDoc text: `@name` references become code spans (a TSDoc `@` at
 * the start of a word would read as a tag), and rST's ``literal`` becomes `literal`.
 */
export function docText(text: string): string[] {
  if (text === "") return [];
  return text
    .replace(/``([^`]+)``/g, "`$1`")
    .replace(/(^|[^\w`@])@([A-Za-z_][\w.+-]*[\w+]|[A-Za-z_])/g, "$1`$2`")
    .replace(/@/g, "\\@")
    .split("\n");
}

/** Lines saying what a special feature means for the documented thing. */
function featureLines(
  features: readonly Feature[],
  descs: Map<string, ArgSection> | undefined,
  inline = false,
): string[] {
  const out: string[] = [];
  for (const name of ["deprecated", "unstable"]) {
    if (!features.some((f) => f.name === name)) continue;
    const tag =
      name === "deprecated" ? (inline ? "Deprecated." : "@deprecated") : inline ? "Experimental." : "@experimental";
    const reason = docText(descs?.get(name)?.text ?? "");
    out.push("", reason.length === 0 ? tag : `${tag} ${reason[0]}`, ...reason.slice(1));
  }
  return out;
}

function conditionLines(ctx: EmitContext, ifcond: IfCond): string[] {
  if (ctx.options.defines !== undefined || !ifcond.isPresent()) return [];
  return ["", `Only available if \`${ifcond.describe()}\`.`];
}

/** Text of the sections other than descriptions, Since and Returns (notes, plain text, TODO). */
function otherSections(doc: QAPIDoc): string[] {
  const out: string[] = [];
  for (const s of doc.sections as DocSection[]) {
    if (s.kind === "Since" || s.kind === "Returns" || s.kind === "Errors" || s.kind === "Todo") continue;
    if (s.kind === "Example") continue;
    const text = docText(s.text);
    if (text.length === 0) continue;
    const tag = s.tag !== undefined && s.kind !== "Plain" ? `${s.tag}: ` : "";
    out.push("", `${tag}${text[0]}`, ...text.slice(1));
  }
  return out;
}

export interface DefinitionDocOptions {
  /** Text used when the definition has no description of its own. */
  fallback?: string;
  /** Extra lines after the description (e.g. the list of enum values). */
  extra?: readonly string[];
  /** Also say what the command returns (commands only). */
  returns?: boolean;
}

/** Doc comment lines for a definition (type, command or event). */
export function definitionDocLines(
  ctx: EmitContext,
  defn: Definition,
  doc: QAPIDoc | undefined,
  opts: DefinitionDocOptions = {},
): string[] {
  const lines: string[] = [];
  const body = docText(doc?.body.text ?? "");
  if (body.length > 0) lines.push(...body);
  else if (opts.fallback !== undefined) lines.push(opts.fallback);
  if (doc !== undefined) lines.push(...otherSections(doc));
  if (opts.extra !== undefined && opts.extra.length > 0) lines.push("", ...opts.extra);
  if (opts.returns === true && doc?.returns !== undefined) {
    const r = docText(doc.returns.text);
    if (r.length > 0) lines.push("", `@returns ${r[0]}`, ...r.slice(1));
  }
  lines.push(...conditionLines(ctx, defn.ifcond));
  lines.push(...featureLines(defn.features, doc?.features));
  const since = doc?.sinceText?.trim();
  if (since !== undefined && since !== "") lines.push("", `@since ${since.split("\n").join(" ")}`);
  return lines;
}

/** Doc comment lines for an object member, an enum value or an alternative, from its owner's doc. */
export function memberDocLines(
  ctx: EmitContext,
  member: ObjectTypeMember | EnumMember,
  doc: QAPIDoc | undefined,
  /** For text inside the owner's comment (enum values): no block tags, which would apply to the owner. */
  inline = false,
): string[] {
  const lines = docText(doc?.args.get(member.name)?.text ?? "");
  lines.push(...conditionLines(ctx, member.ifcond));
  lines.push(...featureLines(member.features, doc?.features, inline));
  return lines;
}

/**
 * A TSDoc comment, then a line break; "" when there is nothing to say. Lines are
 * kept as given (prettier does not reflow comments); `*\/` in text is defused. One
 * line prints as `/** text *\/` where it fits.
 */
export function tsdoc(text: readonly string[]): Doc {
  const body = commentLines(text);
  if (body.length === 0) return "";
  const multi = lines(["/**", ...body.map((l) => (l === "" ? " *" : ` * ${l}`)), " */"]);
  if (body.length > 1) return multi;
  return conditionalGroup([[`/** ${body[0] as string} */`, hardline], multi]);
}

/** Split, drop trailing spaces and blank edges, keep one blank line between paragraphs. */
function commentLines(lines: readonly string[]): string[] {
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
  return body;
}
