// runtime.ts of the output: the few types and helpers that generated types and
// validators share. Self-contained (imports nothing). Its public names (JsonValue,
// Problem, ValidationMode, Validator) come from the NameTable; its internal helpers
// start with `$`, which no name derived from a schema can contain, so they never
// clash with anything.

import type { EmitContext, Emitter } from "../context.js";
import { fileHeader } from "../context.js";
import { printUnionAlias } from "../print/layout.js";

/** Greatest nesting of objects and arrays the validators descend into. */
export const MAX_DEPTH = 1000;

/** Problems listed at most, per call of `problems`. */
export const MAX_PROBLEMS = 100;

/** Path of the runtime module, relative to the output directory. */
export const RUNTIME_PATH = "runtime.ts";

/** The public names runtime.ts exports, as a generated module imports them. */
export function runtimeNames(ctx: EmitContext): {
  JsonValue: string;
  Problem: string;
  ValidationMode: string;
  Validator: string;
} {
  const n = ctx.names;
  return {
    JsonValue: n.fixed("JsonValue"),
    Problem: n.fixed("Problem"),
    ValidationMode: n.fixed("ValidationMode"),
    Validator: n.fixed("Validator"),
  };
}

/**
 * The import specifier of a name runtime.ts exports. runtime.ts declares its public
 * names as the NameTable allocated them (`JsonValue2` when a schema type took
 * `JsonValue`), so the specifier is the allocated name itself.
 */
export function importSpec(_fixed: string, actual: string): string {
  return actual;
}

export const emitRuntime: Emitter = (ctx) => {
  const { JsonValue, Problem, ValidationMode, Validator } = runtimeNames(ctx);
  const big = ctx.options.int64 === "bigint";
  const text = `${fileHeader(ctx, "Shared runtime of the generated types and validators.")}
/**
 * A JSON value, as QMP carries it${big ? " (with 64-bit integers as bigint)" : ""}.
 * The type of QAPI's built-in type \`any\`.
 */
${printUnionAlias(`export type ${JsonValue} =`, ["null", "boolean", "number", ...(big ? ["bigint"] : []), "string", `${JsonValue}[]`, `{ [key: string]: ${JsonValue} }`]).trimEnd()}

/**
 * One thing wrong with a value.
 *
 * \`path\` locates it the way QEMU names parameters: members joined by \`.\`,
 * array elements as \`[i]\` (e.g. \`actions[0].data.extra\`); "" is the value
 * itself. \`message\` says what is wrong, in QEMU's words where QEMU has some
 * (e.g. "Parameter 'actions[0].data.extra' is unexpected").
 */
export interface ${Problem} {
  path: string;
  message: string;
}

/**
 * How a value is checked, by the direction it travels.
 *
 * - \`"strict"\` (the default) is for what a client sends: command arguments.
 *   Exactly as QEMU checks them: a member the schema does not know is an
 *   error, and so is an enumeration value it does not know.
 * - \`"compatible"\` is for what QEMU sends: command returns and event data.
 *   A newer QEMU may add members, enumeration values and union branches
 *   (qmp-spec, "Compatibility considerations"), so unknown members are
 *   ignored, an unknown enumeration value is accepted as it is (code should
 *   have a default case), and a union whose discriminator has an unknown
 *   value is checked for its common members only. Everything else (types,
 *   integer ranges, required members, known branches) is checked as in
 *   strict mode.
 */
export type ${ValidationMode} = "strict" | "compatible";

/**
 * The Standard Schema v1 interface (https://standardschema.dev), so that any
 * library accepting Standard Schema accepts qapi-gen validators.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<
    Schema["~standard"]["types"]
  >["input"];
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<
    Schema["~standard"]["types"]
  >["output"];
}

/**
 * Checks values against one QAPI type (or a command's arguments or return, or
 * an event's data). Every type \`Foo\` has \`FooValidator\` and the guard
 * \`isFoo(value, mode)\` (the same as \`FooValidator.is\`).
 *
 * \`\`\`ts
 * if (!TransactionArgumentsValidator.is(args)) {
 *   for (const p of TransactionArgumentsValidator.problems(args)) {
 *     console.error(p.message); // Parameter 'actions[0].data.extra' is unexpected
 *   }
 * }
 * const info = await qmp.execute("query-status");
 * if (StatusInfoValidator.is(info, "compatible")) console.log(info.status);
 * \`\`\`
 *
 * - \`is\` is the fast path: a type guard, no allocation on valid values.
 * - \`problems\` lists what is wrong ([] exactly when \`is\` is true), each with
 *   a QEMU-style path; it stops after ${MAX_PROBLEMS} problems.
 * - Both take the {@link ${ValidationMode}}; "strict" by default. In
 *   "compatible" mode the guard still narrows to \`T\`, but the value may carry
 *   members and enumeration values that \`T\` does not list.
 * - \`~standard\` is the Standard Schema v1 interface, in strict mode;
 *   \`standard("compatible")\` gives it in compatible mode.
 *
 * Integers are checked for their type's range. 64-bit integer types (int,
 * int64, uint64, size) are ${
   big
     ? `bigint values (generated with --int64 bigint).
 *
 * In bigint mode every 64-bit integer is a \`bigint\` in the types, for values
 * sent and received alike. JSON has one number type, so a value parsed from
 * JSON has numbers where the types say bigint: \`fromJson\` converts them, in
 * place and guided by the schema (only the 64-bit integer members of types
 * that contain some), before validation. The generated QmpClient does this on
 * every return value, parseEvent on event data, and QmpDispatcher on
 * arguments; parse with qapi-gen/qmp's parseJson in "bigint" mode (QmpConnection
 * option \`int64: "bigint"\`) so that integers beyond 2^53 arrive exact, and
 * send with its stringifyJson, which writes bigints as JSON numbers. A number
 * beyond 2^53 in a 64-bit position (parsed by JSON.parse, so imprecise) is left
 * alone by \`fromJson\` and reported by the validator`
     : "numbers: one beyond ±2^53 (where a number loses\n * precision) is reported, never accepted"
 }. A member whose value
 * is \`undefined\` counts as absent, as JSON.stringify drops it. Values are
 * only read, never changed; \`__proto__\` and other keys are data like any
 * other. Nesting deeper than ${MAX_DEPTH} objects and arrays is reported as a
 * problem rather than overflowing the stack.
 */
export interface ${Validator}<T> extends StandardSchemaV1<unknown, T> {
  /** The schema name of what is validated. */
  readonly name: string;
  is(value: unknown, mode?: ${ValidationMode}): value is T;
  problems(value: unknown, mode?: ${ValidationMode}): ${Problem}[];
  standard(mode: ${ValidationMode}): StandardSchemaV1<unknown, T>;${
    big
      ? `
  /**
   * Converts a value parsed from JSON to this type's representation, in place:
   * the safe-integer numbers of its 64-bit integer members become bigint.
   * Returns the converted value (the same object or array; a scalar converted).
   * Does not validate: call \`is\` or \`problems\` on the result.
   */
  fromJson(value: unknown): unknown;`
      : ""
  }
}

// Internal helpers of the generated validators: not part of the API.

/** @internal */
export type $Obj = { [key: string]: unknown };
/** @internal A guard: value, compatible mode, depth. */
export type $Guard = (v: unknown, c: boolean, d: number) => boolean;
/** @internal A problems function: value, compatible mode, depth, path, output. */
export type $Check = (
  v: unknown,
  c: boolean,
  d: number,
  p: string,
  out: ${Problem}[],
) => void;

${
  big
    ? `/** @internal A converter from JSON (see Validator.fromJson): value, depth. */
export type $Conv = (v: unknown, d: number) => unknown;

`
    : ""
}/** @internal */
export const $MAX_DEPTH = ${MAX_DEPTH};
/** @internal */
export const $MAX_PROBLEMS = ${MAX_PROBLEMS};

const $hasOwn = Object.prototype.hasOwnProperty;

/** @internal Is \`v\` a JSON object (not null, not an array)? */
export function $isObject(v: unknown): v is $Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** @internal An own member's value; undefined when absent (never inherited). */
export function $own(o: $Obj, key: string): unknown {
  return $hasOwn.call(o, key) ? o[key] : undefined;
}

/** @internal How many own members of \`o\` have a value that is not undefined? */
export function $ownKeys(o: $Obj): number {
  let m = 0;
  for (const k of Object.keys(o)) if (o[k] !== undefined) m++;
  return m;
}

/** @internal Is \`v\` a JSON value? Iterative: any depth, no recursion. */
export function $isJson(v: unknown): boolean {
  const t = typeof v;
  if (t === "string" || t === "boolean" || v === null) return true;
  if (t === "number") return Number.isFinite(v);${big ? '\n  if (t === "bigint") return true;' : ""}
  if (t !== "object") return false;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null) continue;
    if (typeof x === "object") {
      if (Array.isArray(x)) {
        for (let i = 0; i < x.length; i++) stack.push(x[i]);
      } else {
        for (const k of Object.keys(x)) {
          const y = (x as $Obj)[k];
          if (y !== undefined) stack.push(y);
        }
      }
    } else if (typeof x === "number") {
      if (!Number.isFinite(x)) return false;
    } else if (${
      big
        ? `
      typeof x !== "string" &&
      typeof x !== "boolean" &&
      typeof x !== "bigint"
    `
        : 'typeof x !== "string" && typeof x !== "boolean"'
    }) {
      return false;
    }
  }
  return true;
}

/** @internal Is \`v\` an integer from \`min\` to \`max\`? */
export function $isInt(v: unknown, min: number, max: number): boolean {
  return Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
}
${
  big
    ? `
/** @internal Is \`v\` a bigint from \`min\` to \`max\`? */
export function $isBig(v: unknown, min: bigint, max: bigint): boolean {
  return typeof v === "bigint" && v >= min && v <= max;
}

/** @internal A safe-integer number as bigint; anything else unchanged. */
export function $big(v: unknown): unknown {
  return Number.isSafeInteger(v) ? BigInt(v as number) : v;
}

/** @internal Converts the integers of array \`a\` in place (see $big). */
export function $bigs(a: unknown[]): void {
  for (let i = 0; i < a.length; i++) {
    const e = a[i];
    if (typeof e === "number") a[i] = $big(e);
  }
}

/** @internal Converts the elements of array \`a\` in place with \`b\`. */
export function $bigEach(a: unknown[], b: $Conv, d: number): void {
  if (d > $MAX_DEPTH) return;
  for (let i = 0; i < a.length; i++) a[i] = b(a[i], d + 1);
}

/** @internal Sets own member \`key\` (a name objects inherit, e.g. "constructor"). */
export function $setOwn(o: $Obj, key: string, v: unknown): void {
  Object.defineProperty(o, key, {
    value: v,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
`
    : ""
}
/** @internal The path of member \`name\` of the value at \`p\`. */
export function $at(p: string, name: string): string {
  return p === "" ? name : \`\${p}.\${name}\`;
}

function $name(p: string): string {
  return p === "" ? "the value" : \`'\${p}'\`;
}

/**
 * How QEMU names the value at \`p\` where its visitors name a member alone (enum
 * values, alternates, intN/uintN ranges): its last member name, "null" for an
 * array element.
 */
function $leaf(p: string): string {
  if (p === "") return "the value";
  return p.endsWith("]") ? "'null'" : \`'\${p.slice(p.lastIndexOf(".") + 1)}'\`;
}

/** @internal */
export function $type(out: ${Problem}[], p: string, expected: string): void {
  out.push({
    path: p,
    message:
      p === ""
        ? \`Invalid type, expected: \${expected}\`
        : \`Invalid parameter type for '\${p}', expected: \${expected}\`,
  });
}

/** @internal */
export function $missing(out: ${Problem}[], p: string): void {
  out.push({ path: p, message: \`Parameter '\${p}' is missing\` });
}

/** @internal */
export function $deep(out: ${Problem}[], p: string): void {
  out.push({ path: p, message: \`\${$name(p)} is nested too deeply\` });
}

/** @internal */
export function $enum(out: ${Problem}[], p: string, v: string): void {
  out.push({
    path: p,
    message: \`Parameter \${$leaf(p)} does not accept value '\${v}'\`,
  });
}

/** @internal A value no alternative of alternate \`expected\` takes. */
export function $alternate(out: ${Problem}[], p: string, expected: string): void {
  out.push({
    path: p,
    message:
      p === ""
        ? \`Invalid type, expected: \${expected}\`
        : \`Invalid parameter type for \${$leaf(p)}, expected: \${expected}\`,
  });
}

/** @internal Problems of a JSON value (QAPI's \`any\`). */
export function $json(v: unknown, p: string, out: ${Problem}[]): void {
  if (!$isJson(v)) $type(out, p, "JSON value");
}

/**
 * @internal Problems of an integer of type \`name\`, from \`min\` to \`max\`, in
 * QEMU's words: a signed value that is no int64 is not an "integer"; an unsigned
 * one is read as uint64 (a negative one as its two's complement), so what is no
 * uint64 "expects uint64"; a narrower type's range is checked after that, naming
 * the member alone and the C type (\`expects uint32_t\`).
 */
export function $int(
  v: unknown,
  p: string,
  out: ${Problem}[],
  name: string,
  min: ${big ? "number | bigint" : "number"},
  max: ${big ? "number | bigint" : "number"},
): void {
  const unsigned = name === "size" || name.startsWith("uint");
  const bad = (): void => {
    if (unsigned) {
      out.push({ path: p, message: \`Parameter \${$name(p)} expects uint64\` });
    } else {
      $type(out, p, "integer");
    }
  };
  if (typeof min === "number") {
    if (!Number.isInteger(v)) return bad();
    const n = v as number;
    if (name === "int" || name === "size" || name.endsWith("64")) {
      // 64 bits wide, as a number: exact only up to 2^53.
      if (!Number.isSafeInteger(n)) {
        out.push({
          path: p,
          message: \`Parameter \${$name(p)} exceeds 2^53 in magnitude: precision lost\`,
        });
      }
      return;
    }
    if (n < -(2 ** 63) || n >= (unsigned ? 2 ** 64 : 2 ** 63)) return bad();
    if (n < min || n > max) {
      out.push({ path: p, message: \`Parameter \${$leaf(p)} expects \${name}_t\` });
    }
    return;
  }${
    big
      ? `
  // 64 bits wide: bigint, exact.
  if (Number.isSafeInteger(v)) return $type(out, p, "integer (bigint)");
  if (Number.isInteger(v)) {
    out.push({
      path: p,
      message: \`Parameter \${$name(p)} exceeds 2^53 in magnitude: precision lost (parse with bigints)\`,
    });
  } else if (typeof v !== "bigint" || v < min || v > max) {
    bad();
  }`
      : ""
  }
}

/** @internal Reports the members of \`o\` that none of \`known\` has. */
export function $unknown(
  o: $Obj,
  known: ReadonlyArray<ReadonlySet<string>>,
  p: string,
  out: ${Problem}[],
): void {
  for (const k of Object.keys(o)) {
    if (o[k] === undefined || known.some((s) => s.has(k))) continue;
    out.push({
      path: $at(p, k),
      message: \`Parameter '\${$at(p, k)}' is unexpected\`,
    });
  }
}

/**
 * @internal Problems of member \`key\` of \`o\` (at path \`p\`), checked with
 * \`check\`. \`flags\`: 1 optional, 2 array of what \`check\` checks.
 */
export function $member(
  out: ${Problem}[],
  o: $Obj,
  p: string,
  key: string,
  flags: number,
  check: $Check,
  c: boolean,
  d: number,
): void {
  const v = $hasOwn.call(Object.prototype, key) ? $own(o, key) : o[key];
  const q = $at(p, key);
  if (v === undefined) {
    if ((flags & 1) === 0) $missing(out, q);
  } else if ((flags & 2) !== 0) {
    $array(v, c, d, q, out, check);
  } else {
    check(v, c, d, q, out);
  }
}

/** @internal Problems of an array whose elements \`check\` checks. */
export function $array(
  v: unknown,
  c: boolean,
  d: number,
  p: string,
  out: ${Problem}[],
  check: $Check,
): void {
  if (!Array.isArray(v)) return $type(out, p, "array");
  if (d > $MAX_DEPTH) return $deep(out, p);
  for (let i = 0; i < v.length && out.length < $MAX_PROBLEMS; i++) {
    check(v[i], c, d + 1, \`\${p}[\${i}]\`, out);
  }
}

/** @internal The guard of an array whose elements \`g\` checks. */
export function $listOf(g: $Guard): $Guard {
  return (v, c, d) => {
    if (!Array.isArray(v) || d > $MAX_DEPTH) return false;
    for (let i = 0; i < v.length; i++) if (!g(v[i], c, d + 1)) return false;
    return true;
  };
}

/** @internal Problems of an object: its members (\`q\`), then unknown ones. */
export function $object(
  v: unknown,
  c: boolean,
  d: number,
  p: string,
  out: ${Problem}[],
  q: (
    o: $Obj,
    c: boolean,
    d: number,
    p: string,
    out: ${Problem}[],
    ks: ReadonlySet<string>[],
  ) => void,
): void {
  if (!$isObject(v)) return $type(out, p, "object");
  if (d > $MAX_DEPTH) return $deep(out, p);
  const ks: ReadonlySet<string>[] = [];
  q(v, c, d, p, out, ks);
  if (!c) $unknown(v, ks, p, out);
}

/** A Problem's path as Standard Schema path segments. */
function $segments(path: string): PropertyKey[] {
  const out: PropertyKey[] = [];
  const re = /\\[(\\d+)\\]|\\.?((?:__[a-z0-9.-]+_)?[^.[]+)/g;
  for (let m = re.exec(path); m !== null; m = re.exec(path)) {
    out.push(m[1] !== undefined ? Number(m[1]) : (m[2] as string));
  }
  return out;
}

class $Validator<T> implements ${Validator}<T> {
  readonly "~standard": StandardSchemaV1.Props<unknown, T>;

  constructor(
    readonly name: string,
    private readonly g: $Guard,
    private readonly p: $Check,${big ? "\n    private readonly b: $Conv | undefined," : ""}
  ) {
    this["~standard"] = this.props(false);
  }
${
  big
    ? `
  fromJson(value: unknown): unknown {
    const b = this.b;
    if (b === undefined) return value;
    try {
      return b(value, 0);
    } catch (e) {
      if (e instanceof RangeError) return value;
      throw e;
    }
  }
`
    : ""
}
  is(value: unknown, mode?: ${ValidationMode}): value is T {
    try {
      return this.g(value, mode === "compatible", 0);
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
  }

  problems(value: unknown, mode?: ${ValidationMode}): ${Problem}[] {
    const c = mode === "compatible";
    const out: ${Problem}[] = [];
    try {
      if (this.g(value, c, 0)) return out;
      this.p(value, c, 0, "", out);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      $deep(out, "");
    }
    if (out.length > $MAX_PROBLEMS) out.length = $MAX_PROBLEMS;
    if (out.length === 0) $type(out, "", this.name);
    return out;
  }

  standard(mode: ${ValidationMode}): StandardSchemaV1<unknown, T> {
    return { "~standard": this.props(mode === "compatible") };
  }

  private props(c: boolean): StandardSchemaV1.Props<unknown, T> {
    return {
      version: 1,
      vendor: "qapi-gen",
      validate: (value) => {
        const problems = this.problems(value, c ? "compatible" : "strict");
        if (problems.length === 0) return { value: value as T };
        return {
          issues: problems.map((q) => ({
            message: q.message,
            path: $segments(q.path),
          })),
        };
      },
    };
  }
}

/** @internal Makes the validator of a generated guard and problems function. */
export function $validator<T>(
  name: string,
  g: $Guard,
  p: $Check,${big ? "\n  b?: $Conv," : ""}
): ${Validator}<T> {
  return new $Validator<T>(name, g, p${big ? ", b" : ""});
}
`;
  return [{ path: RUNTIME_PATH, content: text }];
};
