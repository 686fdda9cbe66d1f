// Parse phase: schema files → top-level expressions and doc comments, in source order,
// with include and pragma directives processed (qapi-code-gen.rst, "Schema syntax",
// "Include directives", "Pragma directives").
//
// The grammar (grammar/qapi.peggy) builds a syntax tree per file; this module walks it
// in order so that errors come out in the order QEMU reports them: an error inside an
// included file or a doc comment comes before a syntax error further down the file.

import { Buffer, isUtf8 } from "node:buffer";
import { resolve } from "node:path";
import { parse as peggyParse } from "./grammar.generated.js";
import { QapiError, errorAt, type Diagnostics } from "./errors.js";
import { parseDoc, type QAPIDoc } from "./doc.js";
import { describeFsError, firstInvalidUtf8, readRegularFile } from "./files.js";
import { SourceFile, SourceInfo, defaultPragma, type Pragma } from "./source.js";
import type { ExprDict, TopItem, Value } from "./syntax.js";

export type { ExprDict, Value } from "./syntax.js";

/** A definition (enum, struct, union, alternate, command, event) and its doc comment. */
export interface DefinitionExpr {
  kind: "definition";
  expr: ExprDict;
  info: SourceInfo;
  doc: QAPIDoc | undefined;
}

/** An include directive; `path` is relative to the folder of the main schema's caller. */
export interface IncludeExpr {
  kind: "include";
  path: string;
  info: SourceInfo;
}

export type TopExpr = DefinitionExpr | IncludeExpr;

export interface ParsedSchema {
  exprs: TopExpr[];
  docs: QAPIDoc[];
}

/** How files are read; the CLI resolves names against its working directory. */
export interface FileReader {
  /** Absolute identity of a file name, to detect repeated includes and loops. */
  resolve(name: string): string;
  /** The file's bytes, or throws a Node error with `code` or a FileRefusal. */
  read(name: string): Uint8Array;
}

/**
 * Files on disk, names resolved against `cwd`. Names and `cwd` may hold bytes that are
 * not UTF-8, escaped as files.ts describes. Only regular files of at most
 * MAX_SOURCE_BYTES are read.
 */
export function nodeFileReader(cwd: string): FileReader {
  return {
    resolve: (name) => resolve(cwd, name),
    read: (name) => readRegularFile(resolve(cwd, name)),
  };
}

/** Include directives nested deeper than this are an error (QEMU's schema nests 2). */
export const MAX_INCLUDE_DEPTH = 100;

/** Nesting of dicts and lists deeper than this is an error (the grammar counts it). */
export const MAX_NESTING = 256;

interface PeggyLocation {
  start: { offset: number };
}
interface PeggyExpectation {
  type: string;
  text?: string;
  description?: string;
}
interface PeggyError {
  message: string;
  expected: PeggyExpectation[] | null;
  location: PeggyLocation;
}

const peggy = peggyParse as (text: string, options: object) => TopItem[];

/**
 * The syntax tree of `text`. The first attempt records no expectations (peggy's
 * `peg$silentFails`), which makes it cheaper; only a failed parse is repeated with
 * them, to say what was expected where. Errors raised by the grammar's actions
 * (`expected` null) are the same either way.
 */
function parseTree(text: string, startRule: "File" | "Prefix"): TopItem[] {
  try {
    return peggy(text, { startRule, maxNesting: MAX_NESTING, peg$silentFails: 1 });
  } catch (e) {
    if ((e as PeggyError).expected === null) throw e;
    return peggy(text, { startRule, maxNesting: MAX_NESTING });
  }
}

/** Parse the schema rooted at `fname`. Throws QapiError. */
export function parseSchema(fname: string, reader: FileReader, diags: Diagnostics): ParsedSchema {
  const out: ParsedSchema = { exprs: [], docs: [] };
  const pragma = defaultPragma();
  new FileParser(reader, diags, pragma, out, new Set()).parseFile(fname, undefined);
  return out;
}

/** Read a file as UTF-8, rejecting invalid byte sequences with their location. */
export function readSource(reader: FileReader, name: string, info: SourceInfo | undefined, what: string): SourceFile {
  let bytes: Uint8Array;
  try {
    bytes = reader.read(name);
  } catch (err) {
    throw new QapiError(info, `can't read ${what} file '${name}': ${describeFsError(err)}`);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A byte order mark is kept (Buffer decoding does not strip it), and rejected as a
  // stray character, as QEMU does.
  if (isUtf8(buffer)) return new SourceFile(name, universalNewlines(buffer.toString("utf8")));
  const bad = firstInvalidUtf8(bytes);
  const good = universalNewlines(buffer.subarray(0, bad).toString("utf8"));
  const file = new SourceFile(name, good);
  throw errorAt(
    new SourceInfo(file, undefined, info, defaultPragma()),
    good.length,
    `invalid UTF-8 byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, "0")}`,
  );
}

/** CR LF and lone CR end lines too, as in Python's text files (QEMU reads schemas so). */
function universalNewlines(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

// File names are joined as QEMU joins them (no normalisation), so messages and module
// names read the same as QEMU's.
export function dirName(p: string): string {
  const head = p.slice(0, p.lastIndexOf("/") + 1);
  return /^\/*$/.test(head) ? head : head.replace(/\/+$/, "");
}

export function joinPath(dir: string, name: string): string {
  if (name.startsWith("/") || dir === "") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

const TOKEN_NAMES: Record<string, string> = {
  ",": "','",
  ":": "':'",
  "{": "'{'",
  "[": "'['",
  "]": "']'",
  string: "string",
  "}": "'}'",
  boolean: "boolean",
};
const TOKEN_ORDER = Object.keys(TOKEN_NAMES);

// Python's whitespace (str.isspace), which QEMU's lexer skips; unlike JavaScript's \s
// it has no byte order mark.
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TOKEN_START = new RegExp(`^(?:[{}:,[\\]'#${PY_SPACE}]|true|false)`);
const STRAY_WORD = new RegExp(`^[^[\\]{}:,'${PY_SPACE}]+`);

/** A syntax error message in QEMU's terms: a stray word, or the tokens expected. */
function syntaxMessage(text: string, offset: number, expected: PeggyExpectation[]): string {
  const rest = text.slice(offset, offset + 200);
  if (rest !== "" && !TOKEN_START.test(rest)) {
    const word = STRAY_WORD.exec(rest);
    // Invisible and non-ASCII characters are shown as escapes, so the message says what is there.
    const shown = (word ? word[0] : (rest[0] as string)).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    return `stray '${shown}'`;
  }
  const wanted = new Set<string>();
  for (const e of expected) {
    const key = e.type === "literal" ? e.text : e.description;
    if (key !== undefined && key in TOKEN_NAMES) wanted.add(key);
  }
  const names = TOKEN_ORDER.filter((k) => wanted.has(k)).map((k) => TOKEN_NAMES[k] as string);
  if (names.length === 0) return "syntax error";
  if (names.length === 1) return `expected ${names[0]}`;
  if (names.length === 2) return `expected ${names[0]} or ${names[1]}`;
  return `expected ${names.slice(0, -1).join(", ")}, or ${names[names.length - 1]}`;
}

class FileParser {
  constructor(
    private readonly reader: FileReader,
    private readonly diags: Diagnostics,
    private readonly pragma: Pragma,
    private readonly out: ParsedSchema,
    /** Absolute names of the files parsed so far: a repeated include is skipped. */
    private readonly included: Set<string>,
  ) {}

  parseFile(fname: string, includeInfo: SourceInfo | undefined): void {
    this.included.add(this.reader.resolve(fname));
    const file = readSource(this.reader, fname, includeInfo, includeInfo ? "include" : "schema");
    const fileInfo = new SourceInfo(file, undefined, includeInfo, this.pragma);
    let items: TopItem[];
    try {
      items = parseTree(file.text, "File");
    } catch (e) {
      const err = e as PeggyError;
      if (err.location === undefined) throw e;
      const offset = err.location.start.offset;
      // Items before the error come first, as QEMU checks them as it reads.
      this.processItems(this.prefixItems(file.text, offset), fileInfo);
      const message = err.expected === null ? err.message : syntaxMessage(file.text, offset, err.expected);
      throw errorAt(fileInfo, offset, message);
    }
    this.processItems(items, fileInfo);
  }

  /** The complete top-level items before `offset`. */
  private prefixItems(text: string, offset: number): TopItem[] {
    try {
      return parseTree(text.slice(0, offset), "Prefix");
    } catch {
      return [];
    }
  }

  private processItems(items: TopItem[], fileInfo: SourceInfo): void {
    let curDoc: QAPIDoc | undefined;
    for (const item of items) {
      const info = fileInfo.atOffset(item.kind === "doc" ? item.open.offset : item.offset);
      if (item.kind === "doc") {
        this.rejectExprDoc(curDoc);
        curDoc = parseDoc(item, info, this.diags);
        this.out.docs.push(curDoc);
        continue;
      }
      const expr = item.value;
      if (!(expr instanceof Map)) throw new QapiError(info, "top-level expression must be an object");
      if (expr.has("include")) {
        this.rejectExprDoc(curDoc);
        this.include(expr, info);
      } else if (expr.has("pragma")) {
        this.rejectExprDoc(curDoc);
        if (expr.size !== 1) throw new QapiError(info, "invalid 'pragma' directive");
        const pragma = expr.get("pragma");
        if (!(pragma instanceof Map)) throw new QapiError(info, "value of 'pragma' must be an object");
        for (const [name, value] of pragma) this.setPragma(name, value, info);
      } else {
        let doc = curDoc;
        if (doc !== undefined && doc.symbol === undefined) {
          this.diags.docProblem(new QapiError(doc.info, "definition documentation required"));
          doc = undefined;
        }
        this.out.exprs.push({ kind: "definition", expr, info, doc });
      }
      curDoc = undefined;
    }
    this.rejectExprDoc(curDoc);
  }

  private rejectExprDoc(doc: QAPIDoc | undefined): void {
    if (doc?.symbol !== undefined) {
      this.diags.docProblem(
        new QapiError(doc.info, `documentation for '${doc.symbol}' is not followed by the definition`),
      );
    }
  }

  private include(expr: ExprDict, info: SourceInfo): void {
    if (expr.size !== 1) throw new QapiError(info, "invalid 'include' directive");
    const include = expr.get("include");
    if (typeof include !== "string") throw new QapiError(info, "value of 'include' must be a string");
    const inclName = joinPath(dirName(info.fname), include);
    this.out.exprs.push({ kind: "include", path: inclName, info });
    const abs = this.reader.resolve(inclName);
    let depth = 0;
    for (let inf: SourceInfo | undefined = info; inf !== undefined; inf = inf.parent, depth++) {
      if (abs === this.reader.resolve(inf.fname)) throw new QapiError(info, `inclusion loop for ${include}`);
    }
    if (this.included.has(abs)) return;
    // Each level costs stack; a chain of names that never repeat (a symlink to its own
    // folder) would otherwise end in a stack overflow.
    if (depth > MAX_INCLUDE_DEPTH) throw new QapiError(info, `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels`);
    this.parseFile(inclName, info);
  }

  private setPragma(name: string, value: Value, info: SourceInfo): void {
    const listOfStrings = (): string[] => {
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        throw new QapiError(info, `pragma ${name} must be a list of strings`);
      }
      return value as string[];
    };
    switch (name) {
      case "doc-required":
        if (typeof value !== "boolean") throw new QapiError(info, "pragma 'doc-required' must be boolean");
        this.pragma.docRequired = value;
        break;
      case "command-name-exceptions":
        this.pragma.commandNameExceptions = listOfStrings();
        break;
      case "command-returns-exceptions":
        this.pragma.commandReturnsExceptions = listOfStrings();
        break;
      case "documentation-exceptions":
        this.pragma.documentationExceptions = listOfStrings();
        break;
      case "member-name-exceptions":
        this.pragma.memberNameExceptions = listOfStrings();
        break;
      default:
        throw new QapiError(info, `unknown pragma '${name}'`);
    }
  }
}
