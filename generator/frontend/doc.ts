// Documentation comments (qapi-code-gen.rst, "Documentation comments"), with QEMU 10.0's
// rules: how a '##' block splits into body, member and feature descriptions and tagged
// sections; how descriptions are tied to the members and features of the definition they
// document; and how docs are printed in the model dump.
//
// Strictness. Every problem goes through Diagnostics.docProblem. With --strict that
// throws at the first problem, as QEMU does. Without it, the problem becomes a warning
// and the block is read again in a tolerant way, so that older doc comments (QEMU 7.2's
// style, or comments whose indentation was lost) still give their documentation:
//
// - A block that passes QEMU 10.0's rules is read exactly as QEMU 10.0 reads it, strict
//   or not, with one exception when not strict: where a description or tagged section
//   ends at an unindented line directly after it (QEMU then starts a new paragraph),
//   the block is read tolerantly, without a warning, since its author meant to go on
//   (QEMU 10.0's own audio.json has one). Strict reading, and so the model dump with
//   --strict, is always QEMU's. A block with a problem is read tolerantly.
// - Read tolerantly, a non-blank line that directly follows a line of a description or
//   tagged section continues it, whatever its indentation, unless it starts something
//   else (a description, a tagged section, 'Features:'). So does an indented line after
//   a blank line. QEMU 10.0 instead ends the section at such a de-indented line, which is
//   what breaks comments written without indentation.
// - A description after a tagged section, a repeated description, a repeated 'Returns:',
//   'Errors:', 'Since:' or 'Features:' line, and a block that does not end with '##' are
//   accepted (repeats extend the first one).
// - QEMU 7.2's 'Note:'/'Notes:' and 'Example:'/'Examples:' sections, which QEMU 10.0
//   rejects, are kept as sections of kind "Note" and "Example" (their tag as written is
//   in `tag`). As in QEMU 7.2, such a section runs until the next tagged section,
//   description or 'Features:' line, blank lines and unindented lines included, since
//   that is how QEMU 7.2 schemas write their examples.
// - Anything else QEMU 10.0 rejects ('@name:' in free-form docs, misplaced '=' headings,
//   a missing space after '#', ...) is kept as text.

import type { DocLineNode, DocNode } from "./syntax.js";
import type { SourceInfo } from "./source.js";
import { QapiError, errorAt, type Diagnostics } from "./errors.js";

/**
 * What a section is. "Plain" is untagged text (including the body), "Member" and
 * "Feature" describe one member or feature. "Note" and "Example" are QEMU 7.2 sections
 * that QEMU 10.0 rejects; they only occur when doc problems are warnings.
 */
export type SectionKind =
  | "Plain"
  | "Member"
  | "Feature"
  | "Returns"
  | "Errors"
  | "Since"
  | "Todo"
  | "Note"
  | "Example";

/** A member, argument, value, branch or feature of a definition, as doc.ts needs it. */
export interface DocMember {
  name: string;
  /** What it is, as QEMU words it in messages: 'member', 'argument', 'value', 'feature', ... */
  role: string;
  info: SourceInfo | undefined;
}

/** A part of a doc comment. `text` is without its tag, and without leading and trailing newlines. */
export class DocSection {
  text = "";

  constructor(
    /** Where the section begins. */
    public info: SourceInfo,
    readonly kind: SectionKind,
    /** For tagged sections, the tag as written ("Returns", "Notes", ...). */
    readonly tag?: string,
  ) {}

  appendLine(line: string): void {
    this.text += line + "\n";
  }
}

/** The description of one member or feature. */
export class ArgSection extends DocSection {
  /** The member or feature described, once the schema has connected it. */
  member: DocMember | undefined;

  constructor(info: SourceInfo, kind: "Member" | "Feature", readonly name: string) {
    super(info, kind);
  }
}

/** A parsed documentation block: definition documentation, or free-form when `symbol` is undefined. */
export class QAPIDoc {
  /** All sections in textual order (stubs for undocumented members are inserted). */
  readonly allSections: DocSection[];
  /** The text before any description or tagged section; the whole text of free-form docs. */
  readonly body: DocSection;
  /** Member descriptions by name, in textual order, then stubs for undocumented members. */
  readonly args = new Map<string, ArgSection>();
  /** Feature descriptions by name, in textual order. */
  readonly features = new Map<string, ArgSection>();
  /** The sections other than body, member and feature descriptions, in textual order. */
  readonly sections: DocSection[] = [];
  returns: DocSection | undefined;
  errors: DocSection | undefined;
  since: DocSection | undefined;

  constructor(
    /** The line of the block's opening '##'. */
    readonly info: SourceInfo,
    /** The documented definition's name; undefined for free-form documentation. */
    readonly symbol: string | undefined,
    private readonly diags: Diagnostics,
  ) {
    this.body = new DocSection(info, "Plain");
    this.allSections = [this.body];
  }

  /** The 'Since:' text ("2.10"), if any. */
  get sinceText(): string | undefined {
    return this.since?.text;
  }

  /** Ties the description of `member` to it; an undocumented member gets an empty one. */
  connectMember(member: DocMember): void {
    let section = this.args.get(member.name);
    if (section === undefined) {
      const info = member.info ?? this.info;
      // The pragma lists definitions whose members may go undocumented (for now).
      if (this.symbol === undefined || !info.pragma.documentationExceptions.includes(this.symbol)) {
        this.diags.docProblem(new QapiError(member.info, `${member.role} '${member.name}' lacks documentation`));
      }
      section = new ArgSection(this.info, "Member", member.name);
      this.args.set(member.name, section);
      this.insertAfterRun(section, ["Member"]);
    }
    section.member = member;
  }

  /** Ties the description of `feature` to it. */
  connectFeature(feature: DocMember): void {
    let section = this.features.get(feature.name);
    if (section === undefined) {
      this.diags.docProblem(new QapiError(feature.info, `feature '${feature.name}' lacks documentation`));
      // Not strict: give it an empty description, so every feature has one.
      section = new ArgSection(this.info, "Feature", feature.name);
      this.features.set(feature.name, section);
      this.insertAfterRun(section, ["Member", "Feature"]);
    }
    section.member = feature;
  }

  /** Checks the tagged sections against the definition (`expr`) the doc precedes. */
  checkExpr(expr: Map<string, unknown>): void {
    if (expr.has("command")) {
      if (this.returns !== undefined && !expr.has("returns")) {
        this.problem(this.returns, "'Returns' section, but command doesn't return anything");
      }
      return;
    }
    if (this.returns !== undefined) this.problem(this.returns, "'Returns' section is only valid for commands");
    if (this.errors !== undefined) this.problem(this.errors, "'Errors' section is only valid for commands");
  }

  /** After all members and features are connected: every description must describe something. */
  check(): void {
    this.checkDescribed(this.args, "member");
    this.checkDescribed(this.features, "feature");
  }

  private checkDescribed(descs: Map<string, ArgSection>, what: string): void {
    const bogus = [...descs.values()].filter((s) => s.member === undefined);
    const first = bogus[0];
    if (first === undefined) return;
    const names = bogus.map((s) => s.name).join("', '");
    const msg =
      bogus.length > 1 ? `documented ${what}s '${names}' do not exist` : `documented ${what} '${names}' does not exist`;
    this.problem(first, msg);
  }

  private problem(section: DocSection, msg: string): void {
    this.diags.docProblem(new QapiError(section.info, msg));
  }

  /**
   * Inserts a stub description where the reader expects it: after the body and the run
   * of description sections of the given kinds that follows it.
   */
  private insertAfterRun(section: ArgSection, kinds: SectionKind[]): void {
    let index = 1;
    while (index < this.allSections.length && kinds.includes((this.allSections[index] as DocSection).kind)) index++;
    this.allSections.splice(index, 0, section);
  }
}

/** The doc part of the model dump (as QEMU's test-qapi.py prints it), each line ending in "\n". */
export function dumpDoc(doc: QAPIDoc): string {
  let out = doc.symbol !== undefined ? `doc symbol=${doc.symbol}\n` : "doc freeform\n";
  out += `    body=\n${doc.body.text}\n`;
  for (const [name, section] of doc.args) out += `    arg=${name}\n${section.text}\n`;
  for (const [name, section] of doc.features) out += `    feature=${name}\n${section.text}\n`;
  for (const section of doc.sections) out += `    section=${section.kind}\n${section.text}\n`;
  return out;
}

/** Parses a '##' block. `info` is the location of its first line. */
export function parseDoc(node: DocNode, info: SourceInfo, diags: Diagnostics): QAPIDoc {
  if (diags.strict) {
    return new DocParser(node, info, diags, false, (err) => {
      diags.docProblem(err);
      throw err; // docProblem throws when strict; never go on reading an invalid block
    }).parse();
  }
  // First as QEMU 10.0 would read it, stopping at the first problem.
  let first: QapiError;
  const qemu = new DocParser(node, info, diags, false, (err) => {
    throw new StopReading(err);
  });
  try {
    const doc = qemu.parse();
    if (!qemu.endedByUnindentedLine) return doc;
    // Valid, but a section ended at an unindented line right after it, which its
    // author almost surely meant as a continuation: read it so, without a warning.
    return new DocParser(node, info, diags, true, () => {}).parse();
  } catch (e) {
    if (!(e instanceof StopReading)) throw e;
    first = e.err;
  }
  diags.docProblem(first);
  // Then tolerantly, reporting the problems that reading finds besides the first one.
  const reported = new Set([first.format()]);
  return new DocParser(node, info, diags, true, (err) => {
    const text = err.format();
    if (reported.has(text)) return;
    reported.add(text);
    diags.docProblem(err);
  }).parse();
}

/** Ends the QEMU 10.0 reading of a block at its first problem. */
class StopReading extends Error {
  constructor(readonly err: QapiError) {
    super(err.msg);
  }
}

/** A section tag: a word and a colon. 'Note::' and the like are rST markup, not tags. */
const TAG_RE = /^(Returns|Errors|Since|Notes?|Examples?|TODO)(?!::): */;

/** A description's start: '@name:' and the spaces after it. */
const AT_NAME_COLON_RE = /^@([^:]*): */;

function leadingSpaces(line: string): number {
  return (/^\s*/.exec(line) as RegExpExecArray)[0].length;
}

/**
 * Reads one doc block, line by line, as QEMU's parser does. Each problem goes to
 * `report`, which throws unless reading tolerantly; when it returns, reading recovers.
 */
class DocParser {
  /** Index of the current line in node.lines; node.lines.length once at the end. */
  private index = -1;
  /** File offset of the current line (or of the end), for error locations. */
  private offset: number;
  private atEnd = false;
  /** The section that lines are appended to. */
  private section: DocSection | undefined;
  private doc: QAPIDoc | undefined;
  /** QEMU's reading ended a section at an unindented line directly after it. */
  endedByUnindentedLine = false;

  constructor(
    private readonly node: DocNode,
    private readonly info: SourceInfo,
    private readonly diags: Diagnostics,
    private readonly tolerant: boolean,
    private readonly report: (err: QapiError) => void,
  ) {
    this.offset = node.open.offset;
  }

  parse(): QAPIDoc {
    if (this.node.open.text !== "##") this.lineProblem("junk after '##' at start of documentation comment");
    const line = this.nextLine();
    const doc =
      line !== null && line.startsWith("@") ? this.definitionDoc(line) : this.freeFormDoc(line);
    this.end(doc);
    return doc;
  }

  // ---- Lines ----

  /** Moves to the next line and returns its text after '# ', or null at the end of the block. */
  private nextLine(): string | null {
    if (this.atEnd) return null;
    this.index++;
    const raw: DocLineNode | undefined = this.node.lines[this.index];
    if (raw === undefined) {
      this.atEnd = true;
      this.checkClose();
      return null;
    }
    this.offset = raw.offset;
    if (raw.text === "#") return "";
    if (raw.text[1] !== " ") {
      this.lineProblem("missing space after #");
      return raw.text.slice(1).trimEnd();
    }
    return raw.text.slice(2).trimEnd();
  }

  private checkClose(): void {
    const close = this.node.close;
    if (close === null) {
      this.offset = this.node.endOffset;
      this.lineProblem("documentation comment must end with '##'");
    } else {
      this.offset = close.offset;
      if (close.text !== "##") this.lineProblem("junk after '##' at end of documentation comment");
    }
  }

  /** Where the current line is (QEMU gives sections this location). */
  private here(): SourceInfo {
    return this.info.atOffset(this.info.file.reportOffset(this.offset));
  }

  /** A problem at the current line's '#'. */
  private lineProblem(msg: string): void {
    this.report(errorAt(this.info, this.offset, msg));
  }

  /** A problem with the current line as a whole (QEMU gives no column). */
  private sectionProblem(msg: string): void {
    this.report(new QapiError(this.here(), msg));
  }

  private append(line: string): void {
    (this.section as DocSection).appendLine(line);
  }

  // ---- Block structure ----

  private freeFormDoc(first: string | null): QAPIDoc {
    const doc = this.newDoc(undefined);
    this.untaggedSection();
    let line = first;
    let isFirst = true;
    while (line !== null) {
      const m = AT_NAME_COLON_RE.exec(line);
      if (m !== null) this.lineProblem(`'@${m[1]}:' not allowed in free-form documentation`);
      if (line.startsWith("=") && !isFirst) this.lineProblem("'=' heading must come first in a comment block");
      this.append(line);
      line = this.nextLine();
      isFirst = false;
    }
    return doc;
  }

  private definitionDoc(first: string): QAPIDoc {
    const named = this.symbolOf(first);
    if (named === undefined) return this.freeFormDoc(first);
    const doc = this.newDoc(named.symbol);
    if (named.rest !== "") {
      this.untaggedSection();
      this.append(named.rest);
    }
    let line = this.nextLine();
    let noMoreArgs = false;
    while (line !== null) {
      while (line === "") line = this.nextLine();
      if (line === null) break;
      let m: RegExpExecArray | null;
      if (line === "Features:") {
        line = this.featureDescriptions(doc);
        noMoreArgs = true;
      } else if ((m = AT_NAME_COLON_RE.exec(line)) !== null) {
        if (noMoreArgs) this.lineProblem(`description of '@${m[1]}:' follows a section`);
        line = this.descriptions(doc.args, "Member", line);
        noMoreArgs = true;
      } else if ((m = TAG_RE.exec(line)) !== null) {
        line = this.taggedSection(doc, m[1] as string, line.slice(m[0].length));
        noMoreArgs = true;
      } else {
        if (line.startsWith("=")) this.lineProblem("unexpected '=' markup in definition documentation");
        this.untaggedSection();
        this.append(line);
        line = this.paragraph();
      }
    }
    return doc;
  }

  /**
   * The symbol of a '@SYMBOL:' first line, and (tolerant) any text after a symbol that
   * lacks its colon; undefined to read the block as free-form.
   */
  private symbolOf(line: string): { symbol: string; rest: string } | undefined {
    if (!line.endsWith(":")) {
      this.lineProblem("line should end with ':'");
      // Tolerant: the name is the first word; keep the rest of the line as text.
      const m = /^@([^\s:]*):? */.exec(line) as RegExpExecArray;
      const symbol = m[1] as string;
      return symbol === "" ? undefined : { symbol, rest: line.slice(m[0].length) };
    }
    const symbol = line.slice(1, -1);
    if (symbol === "") {
      this.lineProblem("name required after '@'");
      return undefined;
    }
    return { symbol, rest: "" };
  }

  private newDoc(symbol: string | undefined): QAPIDoc {
    this.doc = new QAPIDoc(this.info, symbol, this.diags);
    this.section = this.doc.body;
    return this.doc;
  }

  /** After 'Features:': blank lines, then feature descriptions. Returns the line after them. */
  private featureDescriptions(doc: QAPIDoc): string | null {
    if (doc.features.size > 0) this.lineProblem("duplicated 'Features:' line");
    let line = this.nextLine();
    while (line === "") line = this.nextLine();
    if (line !== null && AT_NAME_COLON_RE.test(line)) line = this.descriptions(doc.features, "Feature", line);
    if (doc.features.size === 0) this.lineProblem("feature descriptions expected");
    return line;
  }

  /** A run of '@name: text' descriptions starting at `line`. Returns the line after them. */
  private descriptions(descs: Map<string, ArgSection>, kind: "Member" | "Feature", first: string): string | null {
    let line: string | null = first;
    let m: RegExpExecArray | null;
    while (line !== null && (m = AT_NAME_COLON_RE.exec(line)) !== null) {
      this.startDescription(descs, kind, m[1] as string, line);
      const text = line.slice(m[0].length);
      if (text !== "") this.append(text);
      line = this.indented();
    }
    return line;
  }

  private startDescription(descs: Map<string, ArgSection>, kind: "Member" | "Feature", name: string, line: string): void {
    const doc = this.doc as QAPIDoc;
    if (name === "") {
      this.sectionProblem("invalid parameter name");
      // Tolerant: keep the line, and what follows it, as plain text.
      this.untaggedSection();
      this.append(line);
      return;
    }
    const existing = descs.get(name);
    if (existing !== undefined) {
      this.sectionProblem(`'${name}' parameter name duplicated`);
      this.continueSection(existing);
      return;
    }
    const section = new ArgSection(this.here(), kind, name);
    doc.allSections.push(section);
    descs.set(name, section);
    this.section = section;
  }

  /** A tagged section: `tag` and the text after it on its first line. Returns the line after it. */
  private taggedSection(doc: QAPIDoc, tag: string, text: string): string | null {
    if (tag.startsWith("Note") || tag.startsWith("Example")) return this.legacySection(tag, text);
    const kind: SectionKind = tag === "TODO" ? "Todo" : (tag as SectionKind);
    const slot = kind === "Returns" ? "returns" : kind === "Errors" ? "errors" : kind === "Since" ? "since" : undefined;
    const existing = slot === undefined ? undefined : doc[slot];
    if (existing !== undefined) {
      this.sectionProblem(`duplicated '${kind}' section`);
      this.continueSection(existing);
    } else {
      const section = new DocSection(this.here(), kind, tag);
      if (slot !== undefined) doc[slot] = section;
      this.addSection(section);
    }
    if (text !== "") this.append(text);
    return this.indented();
  }

  /** QEMU 7.2's 'Note:' and 'Example:' sections (see the top of this file). */
  private legacySection(tag: string, text: string): string | null {
    const kind: SectionKind = tag.startsWith("Note") ? "Note" : "Example";
    const advice =
      kind === "Note"
        ? "use rST's '.. note::' or '.. admonition:: notes' directives, or another suitable admonition"
        : "use the '.. qmp-example::' directive, or other suitable markup";
    this.lineProblem(`the '${tag}' section is no longer supported; ${advice} instead`);
    this.addSection(new DocSection(this.here(), kind, tag));
    if (text !== "") this.append(text);
    for (;;) {
      const line = this.nextLine();
      if (line === null || (leadingSpaces(line) === 0 && this.startsSomething(line))) return line;
      this.append(line);
    }
  }

  private addSection(section: DocSection): void {
    const doc = this.doc as QAPIDoc;
    doc.sections.push(section);
    doc.allSections.push(section);
    this.section = section;
  }

  /** Tolerant: more text for a section seen before, after a blank line. */
  private continueSection(section: DocSection): void {
    if (section.text !== "" && !section.text.endsWith("\n\n")) section.appendLine("");
    this.section = section;
  }

  /** Plain text goes on in the current plain section, or starts a new one. */
  private untaggedSection(): void {
    const doc = this.doc as QAPIDoc;
    const cur = this.section as DocSection;
    if (cur.kind === "Plain") {
      // An empty section (the body, so far) begins where its text does.
      if (cur.text === "") cur.info = this.here();
      cur.text += "\n";
      return;
    }
    const section = new DocSection(this.here(), "Plain");
    doc.sections.push(section);
    doc.allSections.push(section);
    this.section = section;
  }

  /** Whether a line starts a description, a tagged section or the features. */
  private startsSomething(line: string): boolean {
    return line === "Features:" || AT_NAME_COLON_RE.test(line) || TAG_RE.test(line);
  }

  /**
   * The rest of a paragraph of plain text: lines up to a blank line or the end, appended
   * to the current section. Returns the line that ends it.
   */
  private paragraph(): string | null {
    for (;;) {
      const line = this.nextLine();
      if (line === null || line === "") return line;
      this.append(line);
    }
  }

  /**
   * The rest of a description or tagged section: indented lines, possibly separated by
   * blank lines. Blank lines before the first indented line belong to the section
   * (they are stripped in the end). Returns the first line that is not part of it.
   */
  private indented(): string | null {
    let line = this.nextLine();
    let blankBefore = false;
    while (line === "") {
      this.append(line);
      blankBefore = true;
      line = this.nextLine();
    }
    if (line === null) return null;
    let indent = leadingSpaces(line);
    // Tolerant only: the section's text was written without indentation.
    let unindented = false;
    if (indent === 0) {
      // QEMU 10.0: an unindented line is not part of the section. Tolerant: directly
      // after the section's first line, it continues it.
      if (blankBefore || this.startsSomething(line)) return line;
      if (!this.tolerant) {
        this.endedByUnindentedLine = true;
        return line;
      }
      unindented = true;
      indent = 1;
    }
    this.append(line);
    // QEMU 10.0 rejects a de-indent only on the line right after the first indented
    // line; after that, a de-indented line simply ends the section.
    let deindentEnds = false;
    let prevBlank = false;
    for (;;) {
      line = this.nextLine();
      if (line === null) return null;
      if (AT_NAME_COLON_RE.test(line)) return line;
      if (line !== "" && leadingSpaces(line) < indent) {
        if (!deindentEnds && !unindented) {
          this.lineProblem(`unexpected de-indent (expected at least ${indent} spaces)`);
        } else if (!this.tolerant) {
          return line;
        }
        // Tolerant: a de-indented line directly after text continues it.
        if (prevBlank || this.startsSomething(line)) return line;
      }
      this.append(line);
      deindentEnds = true;
      prevBlank = line === "";
    }
  }

  /** Strips the sections' text; tagged sections and descriptions need some. */
  private end(doc: QAPIDoc): void {
    for (const section of doc.allSections) {
      section.text = section.text.replace(/^\n+|\n+$/g, "");
      if (section.kind === "Plain" || section.text !== "") continue;
      const what = section instanceof ArgSection ? `@${section.name}:` : `${section.tag ?? section.kind}:`;
      this.report(new QapiError(section.info, `text required after '${what}'`));
    }
  }
}
