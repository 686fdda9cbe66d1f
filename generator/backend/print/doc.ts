// The one layout mechanism of the back end: a document of text, groups, indentation
// and line breaks, laid out at a print width (Wadler's "prettier printer", the same
// model prettier itself uses). Emitters describe structure; where lines break is
// decided here, once. Generated code is laid out the way prettier (default options)
// lays out the same constructs, so prettier finds nothing to change (tests prove it).
//
// Two additions for generating TypeScript: `typeOnly` parts are printed only when
// types are (the `.ts` target), not in `.js`; and `ref` parts name a symbol of another
// file, so the file's imports are exactly the symbols its printed text uses.

export const PRINT_WIDTH = 80;

/** A symbol exported by a generated file, as another file refers to it. */
export interface ImportedSymbol {
  /** The name the defining file exports. */
  readonly name: string;
  /** The defining file: a path relative to the output root, without extension. */
  readonly from: string;
  /** The name to use locally when it differs (an `import { name as local }`). */
  readonly local?: string;
}

export type Doc = string | readonly Doc[] | Group | Indent | Line | IfBreak | TypeOnly | Ref;

interface Group {
  readonly t: "group";
  readonly doc: Doc;
  /** Broken whatever fits (a hard line inside, or the author's choice). */
  readonly shouldBreak: boolean;
  /** For ifBreak/indentIfBreak parts that follow this group's decision. */
  readonly id: symbol | undefined;
  /** conditionalGroup: the states tried in order; the first that fits is printed. */
  readonly states: readonly Doc[] | undefined;
  /** Cache of the renderer: the text printed flat (null: it cannot be), and its refs. */
  flatWithTypes: Flat | typeof HARD | null | undefined;
  flatWithoutTypes: Flat | typeof HARD | null | undefined;
}

/** What `flat` says of a group holding a hard line. */
const HARD = 1;

interface Flat {
  readonly text: string;
  readonly refs: readonly Ref[];
}
interface Indent {
  readonly t: "indent";
  readonly doc: Doc;
  /** What each line inside starts with in addition: two spaces, or an alignment. */
  readonly by: string;
  /** Indent only if this group broke. */
  readonly ifBreakOf: symbol | undefined;
}
interface Line {
  readonly t: "line";
  /** Printed flat as "" (softline) rather than " " (line). */
  readonly soft: boolean;
  /** Always a newline; breaks every enclosing group. */
  readonly hard: boolean;
}
interface IfBreak {
  readonly t: "ifBreak";
  readonly broken: Doc;
  readonly flat: Doc;
  readonly groupId: symbol | undefined;
}
interface TypeOnly {
  readonly t: "ts";
  readonly doc: Doc;
}
interface Ref {
  readonly t: "ref";
  readonly symbol: ImportedSymbol;
  /** Used as a type only (an `import type`, and absent from `.js`). */
  readonly type: boolean;
}

export const line: Line = { t: "line", soft: false, hard: false };
export const softline: Line = { t: "line", soft: true, hard: false };
export const hardline: Line = { t: "line", soft: false, hard: true };

export function group(doc: Doc, opts: { shouldBreak?: boolean; id?: symbol } = {}): Group {
  return {
    t: "group",
    doc,
    shouldBreak: opts.shouldBreak ?? false,
    id: opts.id,
    states: undefined,
    flatWithTypes: undefined,
    flatWithoutTypes: undefined,
  };
}

/** Tries each state flat-or-fitting in turn; the last is printed broken if none fits. */
export function conditionalGroup(states: readonly Doc[]): Group {
  const doc = states[0] as Doc;
  return {
    t: "group",
    doc,
    shouldBreak: false,
    id: undefined,
    states,
    flatWithTypes: undefined,
    flatWithoutTypes: undefined,
  };
}

export function indent(doc: Doc): Indent {
  return { t: "indent", doc, by: "  ", ifBreakOf: undefined };
}

/** Lines inside start `n` columns further in (as under a `| ` of a broken union). */
export function align(n: number, doc: Doc): Indent {
  return { t: "indent", doc, by: " ".repeat(n), ifBreakOf: undefined };
}

export function indentIfBreak(doc: Doc, groupId: symbol): Indent {
  return { t: "indent", doc, by: "  ", ifBreakOf: groupId };
}

export function ifBreak(broken: Doc, flat: Doc = "", groupId?: symbol): IfBreak {
  return { t: "ifBreak", broken, flat, groupId };
}

export function typeOnly(doc: Doc): TypeOnly {
  return { t: "ts", doc };
}

export function ref(symbol: ImportedSymbol, type = false): Ref {
  return { t: "ref", symbol, type };
}

export function join(sep: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(sep);
    out.push(d);
  });
  return out;
}

/** What a rendering is for: with types (TypeScript) or without (JavaScript). */
export interface RenderOptions {
  readonly types: boolean;
  /** Told every symbol the printed text uses, and whether only as a type. */
  readonly use?: (symbol: ImportedSymbol, type: boolean) => void;
}

const FLAT = 0;
const BREAK = 1;
type Mode = typeof FLAT | typeof BREAK;

/** Lays `doc` out at PRINT_WIDTH from column 0. */
export function render(doc: Doc, opts: RenderOptions): string {
  return new Renderer(opts).run(doc);
}

type Node = Exclude<Doc, string | readonly Doc[]>;

/**
 * The printer proper (prettier's algorithm): a stack of commands (document,
 * indentation, mode), kept as three parallel arrays so that printing a large file
 * allocates little; a group is printed flat when it fits up to the next possible
 * line break, measured by `fits` over a stack of its own.
 */
class Renderer {
  private readonly groupModes = new Map<symbol, Mode>();
  private readonly out: string[] = [];
  private column = 0;
  /** A hard line was printed inside a flat group: the next group measures again. */
  private remeasure = false;
  private readonly docs: Doc[] = [];
  private readonly inds: string[] = [];
  private readonly modes: Mode[] = [];
  private readonly fitDocs: Doc[] = [];
  private readonly fitModes: Mode[] = [];

  constructor(private readonly opts: RenderOptions) {}

  run(doc: Doc): string {
    this.push(doc, "", BREAK);
    while (this.docs.length > 0) {
      const d = this.docs.pop() as Doc;
      const ind = this.inds.pop() as string;
      const mode = this.modes.pop() as Mode;
      this.step(d, ind, mode);
    }
    return this.out.join("");
  }

  private push(doc: Doc, ind: string, mode: Mode): void {
    this.docs.push(doc);
    this.inds.push(ind);
    this.modes.push(mode);
  }

  private text(s: string): void {
    this.out.push(s);
    this.column += s.length;
  }

  private newline(ind: string): void {
    // Trailing spaces never survive a line break (a "line" after " =").
    for (let last = this.out.length - 1; last >= 0; last--) {
      const s = this.out[last] as string;
      if (!s.endsWith(" ")) break;
      const trimmed = s.trimEnd();
      this.out[last] = trimmed;
      if (trimmed !== "") break;
    }
    this.out.push("\n", ind);
    this.column = ind.length;
  }

  private step(doc: Doc, ind: string, mode: Mode): void {
    if (typeof doc === "string") return this.text(doc);
    if (Array.isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) this.push(doc[i] as Doc, ind, mode);
      return;
    }
    const d = doc as Node;
    switch (d.t) {
      case "ts":
        if (this.opts.types) this.push(d.doc, ind, mode);
        return;
      case "ref":
        this.opts.use?.(d.symbol, d.type);
        return this.text(d.symbol.local ?? d.symbol.name);
      case "indent": {
        const on = d.ifBreakOf === undefined || this.groupModes.get(d.ifBreakOf) === BREAK;
        this.push(d.doc, on ? ind + d.by : ind, mode);
        return;
      }
      case "ifBreak": {
        const m = d.groupId === undefined ? mode : (this.groupModes.get(d.groupId) ?? FLAT);
        this.push(m === BREAK ? d.broken : d.flat, ind, mode);
        return;
      }
      case "line":
        if (mode === FLAT) {
          if (!d.hard) return this.text(d.soft ? "" : " ");
          this.remeasure = true;
        }
        return this.newline(ind);
      case "group":
        return this.group(d, ind, mode);
    }
  }

  private group(g: Group, ind: string, mode: Mode): void {
    const broken = this.isBroken(g);
    let doc = g.doc;
    let chosen: Mode;
    if (mode === FLAT && !this.remeasure) {
      chosen = broken ? BREAK : FLAT;
    } else {
      this.remeasure = false;
      const width = PRINT_WIDTH - this.column;
      if (g.states !== undefined) {
        [doc, chosen] = this.chooseState(g.states, width);
      } else if (broken) {
        chosen = BREAK;
      } else {
        const flat = this.flat(g);
        const fitting = typeof flat !== "object" || flat === null ? this.fits(doc, FLAT, width) : this.fits("", FLAT, width - flat.text.length);
        chosen = fitting ? FLAT : BREAK;
      }
    }
    if (g.id !== undefined) this.groupModes.set(g.id, chosen);
    // Most groups print flat: their flat text is computed once and printed whole.
    const flat = chosen === FLAT && g.states === undefined ? this.flat(g) : null;
    if (flat === null || flat === HARD) return this.push(doc, ind, chosen);
    for (const r of flat.refs) this.opts.use?.(r.symbol, r.type);
    this.text(flat.text);
  }

  /**
   * conditionalGroup, as prettier decides it: the first state whose text up to its
   * first forced break fits (groups inside a state may be broken by their author),
   * else the last state broken.
   */
  private chooseState(states: readonly Doc[], width: number): [Doc, Mode] {
    for (let i = 0; i < states.length - 1; i++) {
      if (this.fits(states[i] as Doc, FLAT, width)) return [states[i] as Doc, FLAT];
    }
    return [states[states.length - 1] as Doc, BREAK];
  }

  /**
   * Does `next` fit in `width` columns up to its first line break, followed by the
   * rest of the line (the commands below it on the stack, up to their first break)?
   */
  private fits(next: Doc, nextMode: Mode, width: number): boolean {
    const docs = this.fitDocs;
    const modes = this.fitModes;
    docs.length = 0;
    modes.length = 0;
    docs.push(next);
    modes.push(nextMode);
    let restIndex = this.docs.length;
    let left = width;
    while (left >= 0) {
      if (docs.length === 0) {
        if (restIndex === 0) return true;
        restIndex--;
        docs.push(this.docs[restIndex] as Doc);
        modes.push(this.modes[restIndex] as Mode);
        continue;
      }
      const doc = docs.pop() as Doc;
      const mode = modes.pop() as Mode;
      if (typeof doc === "string") {
        left -= doc.length;
        continue;
      }
      if (Array.isArray(doc)) {
        for (let i = doc.length - 1; i >= 0; i--) {
          docs.push(doc[i] as Doc);
          modes.push(mode);
        }
        continue;
      }
      const d = doc as Node;
      switch (d.t) {
        case "ts":
          if (this.opts.types) {
            docs.push(d.doc);
            modes.push(mode);
          }
          break;
        case "ref":
          left -= (d.symbol.local ?? d.symbol.name).length;
          break;
        case "indent":
          docs.push(d.doc);
          modes.push(mode);
          break;
        case "ifBreak": {
          const m = d.groupId === undefined ? mode : (this.groupModes.get(d.groupId) ?? FLAT);
          docs.push(m === BREAK ? d.broken : d.flat);
          modes.push(mode);
          break;
        }
        case "line":
          if (mode === BREAK || d.hard) return true;
          if (!d.soft) left -= 1;
          break;
        case "group": {
          const m = this.isBroken(d) ? BREAK : mode;
          const flat = m === FLAT && d.states === undefined ? this.flat(d) : null;
          if (flat !== null && flat !== HARD) {
            left -= flat.text.length;
            break;
          }
          docs.push(d.states !== undefined && m === BREAK ? (d.states[d.states.length - 1] as Doc) : d.doc);
          modes.push(m);
          break;
        }
      }
    }
    return false;
  }

  /** Must this group break? A conditional group decides for itself (prettier's rule). */
  private isBroken(g: Group): boolean {
    if (g.shouldBreak) return true;
    if (g.states !== undefined) return false;
    return this.flat(g) === HARD;
  }

  /**
   * A group's text printed flat, with the refs in it; HARD when it holds a hard
   * line (so it breaks), null when its flat text is not known in advance. One walk
   * of the group, cached on it, answers both.
   */
  private flat(g: Group): Flat | typeof HARD | null {
    const cached = this.opts.types ? g.flatWithTypes : g.flatWithoutTypes;
    if (cached !== undefined) return cached;
    const refs: Ref[] = [];
    const text = g.shouldBreak ? HARD : this.flatText(g.doc, refs);
    const flat = typeof text === "string" ? { text, refs } : text;
    if (this.opts.types) g.flatWithTypes = flat;
    else g.flatWithoutTypes = flat;
    return flat;
  }

  /** The text of `doc` printed flat, collecting its refs; HARD or null as for `flat`. */
  private flatText(doc: Doc, refs: Ref[]): string | typeof HARD | null {
    if (typeof doc === "string") return doc;
    if (Array.isArray(doc)) {
      let out = "";
      let unknown = false;
      for (const d of doc as readonly Doc[]) {
        const t = this.flatText(d, refs);
        if (t === HARD) return HARD;
        if (t === null) unknown = true;
        else out += t;
      }
      return unknown ? null : out;
    }
    const d = doc as Node;
    switch (d.t) {
      case "line":
        return d.hard ? HARD : d.soft ? "" : " ";
      case "ts":
        return this.opts.types ? this.flatText(d.doc, refs) : "";
      case "indent":
        return this.flatText(d.doc, refs);
      case "ifBreak": {
        // Another group decides it: not known in advance (but a hard line still breaks).
        const f = this.flatText(d.flat, refs);
        if (d.groupId === undefined || f === HARD) return f;
        return this.flatText(d.broken, []) === HARD ? HARD : null;
      }
      case "ref":
        refs.push(d);
        return d.symbol.local ?? d.symbol.name;
      case "group": {
        if (d.states !== undefined) {
          // A conditional group stops hard lines from breaking what is around it.
          const f = this.flatText(d.doc, refs);
          return f === HARD ? null : f;
        }
        const f = this.flat(d);
        if (f === HARD || f === null) return f;
        refs.push(...f.refs);
        return f.text;
      }
    }
  }
}
