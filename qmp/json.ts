// JSON for QMP with lossless 64-bit integers. QEMU sends uint64 values (sizes,
// counters) that exceed 2^53; JSON.parse rounds them silently. Node 20 has no
// JSON.parse source access nor JSON.rawJSON, so the lossless path is a small parser
// here. The fast path stays JSON.parse: a line is handed to the slow parser only when
// it holds a run of 16+ digits, the only way an unsafe integer literal can appear.
//
// Both paths refuse nesting deeper than QEMU's JSON streamer accepts, before anything
// that deep is built: a peer cannot make us allocate (or later echo) a tower of
// containers, and the lossless parser, being iterative, never runs out of stack.

export type Int64Mode = "number" | "bigint";

/** Might this text contain an integer literal beyond Number.MAX_SAFE_INTEGER? */
const LONG_DIGITS = /\d{16}/;

/** Containers open at once that QEMU's JSON streamer accepts (MAX_NESTING there). */
export const MAX_NESTING = 1024;

/**
 * Parse one JSON text. In "bigint" mode, integers beyond 2^53 become bigint. Throws a
 * SyntaxError on malformed JSON; JsonNestingError beyond MAX_NESTING open containers.
 */
export function parseJson(text: string, mode: Int64Mode = "number"): unknown {
  if (mode === "bigint" && LONG_DIGITS.test(text)) return new LosslessParser(text).parseDocument();
  checkNesting(text);
  return JSON.parse(text);
}

/** Serialize to JSON; bigints are written as plain JSON numbers. */
export function stringifyJson(value: unknown): string {
  try {
    // Fast path: no bigint anywhere (JSON.stringify throws TypeError on one).
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
  }
  return writeValue(value, "") ?? "null";
}

function writeValue(value: unknown, key: string): string | undefined {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON(k: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => writeValue(v, String(i)) ?? "null").join(",")}]`;
      }
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        const s = writeValue(v, k);
        if (s !== undefined) parts.push(`${JSON.stringify(k)}:${s}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      // undefined, functions, symbols: omitted as JSON.stringify does.
      return undefined;
  }
}

export class JsonSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = "JsonSyntaxError";
  }
}

/** More than MAX_NESTING containers open at once: refused as QEMU refuses it. */
export class JsonNestingError extends JsonSyntaxError {
  constructor(position: number) {
    super(`nesting deeper than ${MAX_NESTING} levels`, position);
    this.name = "JsonNestingError";
  }
}

// Character codes used by the scanners.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/**
 * Throw JsonNestingError if `text` opens more than MAX_NESTING containers at once,
 * counting brackets and braces outside strings as QEMU's streamer does (a stray
 * closer never takes the count below zero). Malformed text is JSON.parse's to reject.
 */
export function checkNesting(text: string): void {
  // Text with no more openers than the limit cannot nest deeper than it; counting them
  // natively spares most replies the character loop below.
  if (text.length <= MAX_NESTING || openers(text) <= MAX_NESTING) return;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === LBRACE || c === LBRACKET) {
      if (++depth > MAX_NESTING) throw new JsonNestingError(i);
    } else if ((c === RBRACE || c === RBRACKET) && depth > 0) depth--;
  }
}

/** How many '{' and '[' the text holds, strings included, counted up to MAX_NESTING + 1. */
function openers(text: string): number {
  let n = 0;
  for (const opener of ["{", "["]) {
    for (let i = text.indexOf(opener); i >= 0; i = text.indexOf(opener, i + 1)) {
      if (++n > MAX_NESTING) return n;
    }
  }
  return n;
}

/** Index of the quote that closes the string opened at `open` (text.length if none). */
function stringEnd(text: string, open: number): number {
  let q = open;
  for (;;) {
    q = text.indexOf('"', q + 1);
    if (q < 0) return text.length;
    let b = q - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q; // an even run of backslashes escapes nothing
  }
}

/**
 * A strict RFC 8259 parser that keeps unsafe integers exact as bigint. Iterative: the
 * containers being filled are an explicit stack, at most MAX_NESTING deep.
 */
class LosslessParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const t = this.text;
    // Open containers, innermost last; keys[i] is the member name containers[i] (an
    // object) awaits a value for, undefined for an array.
    const containers: (unknown[] | Record<string, unknown>)[] = [];
    const keys: (string | undefined)[] = [];
    let value: unknown;
    for (;;) {
      this.ws();
      const c = t.charCodeAt(this.pos);
      if (c === LBRACE || c === LBRACKET) {
        if (containers.length === MAX_NESTING) throw new JsonNestingError(this.pos);
        this.pos++;
        this.ws();
        const object = c === LBRACE;
        if (t.charCodeAt(this.pos) === (object ? RBRACE : RBRACKET)) {
          this.pos++;
          value = object ? {} : [];
        } else {
          containers.push(object ? {} : []);
          keys.push(object ? this.memberName() : undefined);
          continue;
        }
      } else {
        value = this.scalar(c);
      }
      // Store the value in its container, closing every container that ends here.
      for (;;) {
        const top = containers.length - 1;
        if (top < 0) {
          this.ws();
          if (this.pos !== t.length) this.fail("unexpected trailing text");
          return value;
        }
        const container = containers[top] as unknown[] | Record<string, unknown>;
        const key = keys[top];
        if (key === undefined) (container as unknown[]).push(value);
        else setMember(container as Record<string, unknown>, key, value);
        this.ws();
        const d = t.charCodeAt(this.pos++);
        if (d === 0x2c) {
          if (key !== undefined) keys[top] = this.memberName();
          break;
        }
        if (d !== (key === undefined ? RBRACKET : RBRACE)) {
          this.pos--;
          this.fail(key === undefined ? "expected ',' or ']'" : "expected ',' or '}'");
        }
        value = containers.pop();
        keys.pop();
      }
    }
  }

  private fail(msg: string): never {
    throw new JsonSyntaxError(msg, this.pos);
  }

  private ws(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.pos);
  }

  /** A member name and its colon. */
  private memberName(): string {
    this.ws();
    if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail("expected a member name");
    const key = this.string();
    this.ws();
    if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
    this.pos++;
    return key;
  }

  private scalar(c: number): unknown {
    if (c === QUOTE) return this.string();
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    if (this.text.startsWith("true", this.pos)) return this.literal(4, true);
    if (this.text.startsWith("false", this.pos)) return this.literal(5, false);
    if (this.text.startsWith("null", this.pos)) return this.literal(4, null);
    return this.fail(Number.isNaN(c) ? "unexpected end of JSON" : "unexpected character");
  }

  private literal<T>(len: number, v: T): T {
    this.pos += len;
    return v;
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos; // opening quote
    // Fast scan: most strings have no escapes; slice them in one go.
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === QUOTE) return t.slice(start, this.pos++);
      if (c === BACKSLASH) break;
      if (c < 0x20 || Number.isNaN(c)) this.fail("bad character in string");
      this.pos++;
    }
    // Slow path: hand the whole literal to JSON.parse, which knows every escape.
    let end = this.pos;
    for (;;) {
      const c = t.charCodeAt(end);
      if (Number.isNaN(c)) {
        this.pos = end;
        this.fail("unterminated string");
      }
      if (c === BACKSLASH) end += 2;
      else if (c === QUOTE) break;
      else end++;
    }
    let s: string;
    try {
      s = JSON.parse(t.slice(start - 1, end + 1)) as string;
    } catch {
      this.fail("bad escape in string");
    }
    this.pos = end + 1;
    return s;
  }

  private number(): number | bigint {
    const t = this.text;
    const start = this.pos;
    if (t.charCodeAt(this.pos) === MINUS) this.pos++;
    const intStart = this.pos;
    this.digits();
    if (this.pos === intStart) this.fail("expected a digit");
    if (t.charCodeAt(intStart) === ZERO && this.pos - intStart > 1) this.fail("leading zero");
    let integer = true;
    if (t.charCodeAt(this.pos) === 0x2e) {
      integer = false;
      this.pos++;
      const fracStart = this.pos;
      this.digits();
      if (this.pos === fracStart) this.fail("expected a digit");
    }
    const e = t.charCodeAt(this.pos);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      this.pos++;
      const s = t.charCodeAt(this.pos);
      if (s === 0x2b || s === MINUS) this.pos++;
      const expStart = this.pos;
      this.digits();
      if (this.pos === expStart) this.fail("expected a digit");
    }
    const literal = t.slice(start, this.pos);
    const n = Number(literal);
    if (integer && !Number.isSafeInteger(n)) return BigInt(literal);
    return n;
  }

  private digits(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c >= ZERO && c <= NINE) c = t.charCodeAt(++this.pos);
  }
}

/** A member as JSON.parse makes it: "__proto__" too is an own data member. */
function setMember(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
