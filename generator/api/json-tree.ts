// JSON (RFC 8259) parsed into a tree that remembers where each value and key stands,
// so that a problem in a config file is reported at its FILE:LINE:COL. JSON.parse gives
// no positions; it still decodes each string and number token here.

export type JsonNode =
  | { readonly kind: "object"; readonly offset: number; readonly members: readonly JsonMember[] }
  | { readonly kind: "array"; readonly offset: number; readonly items: readonly JsonNode[] }
  | { readonly kind: "scalar"; readonly offset: number; readonly value: string | number | boolean | null };

export interface JsonMember {
  readonly key: string;
  readonly keyOffset: number;
  readonly value: JsonNode;
}

export class JsonTreeError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const SCALAR = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const WHITESPACE = /[ \t\n\r]*/y;

class Parser {
  pos = 0;

  constructor(private readonly text: string) {}

  skip(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  fail(what: string): never {
    const ch = this.text[this.pos];
    const found = ch === undefined ? "end of file" : ch === '"' ? "an unterminated or invalid string" : `'${ch}'`;
    throw new JsonTreeError(this.pos, `expected ${what}, found ${found}`);
  }

  expect(ch: string, what: string): void {
    this.skip();
    if (this.text[this.pos] !== ch) this.fail(what);
    this.pos++;
  }

  value(depth: number): JsonNode {
    this.skip();
    const offset = this.pos;
    if (depth > 64) throw new JsonTreeError(offset, "nested too deeply");
    const ch = this.text[offset];
    if (ch === "{") return this.object(depth);
    if (ch === "[") return this.array(depth);
    SCALAR.lastIndex = offset;
    const m = SCALAR.exec(this.text);
    if (m === null) this.fail("a value");
    this.pos = SCALAR.lastIndex;
    return { kind: "scalar", offset, value: JSON.parse(m[0]) as string | number | boolean | null };
  }

  /** Items of `{ … }` or `[ … ]`, comma-separated, the opening bracket at `pos`. */
  list(close: string, item: () => void): void {
    this.pos++;
    this.skip();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    for (;;) {
      item();
      this.skip();
      if (this.text[this.pos] === close) break;
      this.expect(",", `',' or '${close}'`);
    }
    this.pos++;
  }

  object(depth: number): JsonNode {
    const offset = this.pos;
    const members: JsonMember[] = [];
    this.list("}", () => {
      this.skip();
      const keyOffset = this.pos;
      if (this.text[keyOffset] !== '"') this.fail("a key in double quotes");
      const key = (this.value(depth + 1) as { value: string }).value;
      if (members.some((m) => m.key === key)) throw new JsonTreeError(keyOffset, `duplicate key '${key}'`);
      this.expect(":", "':'");
      members.push({ key, keyOffset, value: this.value(depth + 1) });
    });
    return { kind: "object", offset, members };
  }

  array(depth: number): JsonNode {
    const offset = this.pos;
    const items: JsonNode[] = [];
    this.list("]", () => items.push(this.value(depth + 1)));
    return { kind: "array", offset, items };
  }
}

/** Parse `text` (a leading byte order mark is ignored). Throws JsonTreeError. */
export function parseJsonTree(text: string): JsonNode {
  const parser = new Parser(text);
  if (text.startsWith("\uFEFF")) parser.pos = 1;
  const node = parser.value(0);
  parser.skip();
  if (parser.pos < text.length) parser.fail("end of file");
  return node;
}

/** The plain value of a node. */
export function jsonValue(node: JsonNode): unknown {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "array") return node.items.map(jsonValue);
  return Object.fromEntries(node.members.map((m) => [m.key, jsonValue(m.value)]));
}

/** 1-based line and column (in code points) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: (before.match(/\n/g)?.length ?? 0) + 1, column: [...before.slice(lineStart)].length + 1 };
}
