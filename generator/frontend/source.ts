// Source files and locations. Offsets are UTF-16 indexes into the file text; lines
// and columns are computed on demand, the way QEMU reports them (columns count code
// points from 1, a tab advancing as QEMU's parser does).

/** Pragmas in force for a module (qapi-code-gen.rst, "Pragma directives"). */
export interface Pragma {
  docRequired: boolean;
  commandNameExceptions: string[];
  commandReturnsExceptions: string[];
  documentationExceptions: string[];
  memberNameExceptions: string[];
}

export function defaultPragma(): Pragma {
  return {
    docRequired: false,
    commandNameExceptions: [],
    commandReturnsExceptions: [],
    documentationExceptions: [],
    memberNameExceptions: [],
  };
}

/** One schema file's text, with a line index for offset → line:column. */
export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    /** The file name as reported: relative to the including file's folder, as given. */
    readonly name: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      const text = this.text;
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** QEMU reports the end of input at the file's final newline. */
  reportOffset(offset: number): number {
    return offset >= this.text.length && this.text.endsWith("\n") ? this.text.length - 1 : offset;
  }

  /** Offset of the start of a 1-based line. */
  lineStart(line: number): number {
    const starts = this.starts();
    return starts[Math.min(Math.max(line, 1), starts.length) - 1] as number;
  }

  /** 1-based line of an offset. */
  line(offset: number): number {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based column of an offset, tabs advancing as in QEMU's parser. */
  column(offset: number): number {
    const start = this.starts()[this.line(offset) - 1] as number;
    let col = 1;
    for (const ch of this.text.slice(start, offset)) {
      col = ch === "\t" ? ((col + 7) % 8) + 1 : col + 1;
    }
    return col;
  }
}

/**
 * Where something is: a file (with the include chain that led to it), a line, and the
 * definition it belongs to. Mirrors QEMU's QAPISourceInfo so messages read the same.
 */
export class SourceInfo {
  defnMeta: string | undefined;
  defnName: string | undefined;

  constructor(
    readonly file: SourceFile,
    /** Where in the file; undefined for the file as a whole. */
    readonly offset: number | undefined,
    /** The include directive that brought this file in. */
    readonly parent: SourceInfo | undefined,
    /** Pragmas of the module, shared by all infos of that module. */
    readonly pragma: Pragma,
  ) {}

  get fname(): string {
    return this.file.name;
  }

  /** 1-based line, computed when asked: most infos never appear in a message. */
  get line(): number | undefined {
    return this.offset === undefined ? undefined : this.file.line(this.offset);
  }

  atLine(line: number): SourceInfo {
    return this.atOffset(this.file.lineStart(line));
  }

  atOffset(offset: number): SourceInfo {
    return new SourceInfo(this.file, offset, this.parent, this.pragma);
  }

  setDefn(meta: string, name: string): void {
    this.defnMeta = meta;
    this.defnName = name;
  }

  loc(): string {
    const line = this.line;
    return line === undefined ? this.fname : `${this.fname}:${line}`;
  }

  inDefn(): string {
    return this.defnName ? `${this.fname}: In ${this.defnMeta} '${this.defnName}':\n` : "";
  }

  includePath(): string {
    let ret = "";
    for (let p = this.parent; p !== undefined; p = p.parent) {
      ret = `In file included from ${p.loc()}:\n` + ret;
    }
    return ret;
  }

  toString(): string {
    return this.includePath() + this.inDefn() + this.loc();
  }
}
