// JSON for QMP with lossless 64-bit integers. QEMU sends uint64 values (sizes,
// counters) that exceed 2^53; JSON.parse rounds them silently. Node 20 has no
// JSON.parse source access nor JSON.rawJSON, so the lossless path is a small parser
// here. The fast path stays JSON.parse: a line is handed to the slow parser only when
// it holds a run of 16+ digits, the only way an unsafe integer literal can appear.

export type Int64Mode = "number" | "bigint";

/** Might this text contain an integer literal beyond Number.MAX_SAFE_INTEGER? */
const LONG_DIGITS = /\d{16}/;

/** Parse one JSON text. In "bigint" mode, integers beyond 2^53 become bigint. */
export function parseJson(text: string, mode: Int64Mode = "number"): unknown {
  if (mode === "bigint" && LONG_DIGITS.test(text)) return new LosslessParser(text).parseDocument();
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

// Character codes used by the parser.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** A strict RFC 8259 parser that keeps unsafe integers exact as bigint. */
class LosslessParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const v = this.value();
    this.ws();
    if (this.pos !== this.text.length) this.fail("unexpected trailing text");
    return v;
  }

  private fail(msg: string): never {
    throw new JsonSyntaxError(msg, this.pos);
  }

  private ws(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.pos);
  }

  private value(): unknown {
    this.ws();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
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

  private object(): Record<string, unknown> {
    this.pos++; // {
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail("expected a member name");
      const key = this.string();
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      // defineProperty: a "__proto__" key must be an own member, as with JSON.parse.
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  private array(): unknown[] {
    this.pos++; // [
    const out: unknown[] = [];
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
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
