// Validation: what generated validators share. Copied verbatim into every output as
// runtime/validate.ts (so generated code needs no dependency), and part of
// @qapi-gen/qmp. Names starting with `$` are internal to generated code: no name
// derived from a schema contains `$`, so they never clash.

/**
 * One thing wrong with a value.
 *
 * `path` locates it the way QEMU names parameters: members joined by `.`, array
 * elements as `[i]` (e.g. `actions[0].data.extra`); "" is the value itself.
 * `message` says what is wrong, in QEMU's words where QEMU has some (e.g.
 * "Parameter 'actions[0].data.extra' is unexpected").
 */
export interface Problem {
  path: string;
  message: string;
}

/**
 * How a value is checked, by the direction it travels.
 *
 * - `"strict"` (the default) is for what a client sends: command arguments.
 *   Exactly as QEMU checks them: a member the schema does not know is an error,
 *   and so is an enumeration value it does not know.
 * - `"compatible"` is for what QEMU sends: command returns and event data. A
 *   newer QEMU may add members, enumeration values and union branches (qmp-spec,
 *   "Compatibility considerations"), so unknown members are ignored, an unknown
 *   enumeration value is accepted as it is (code should have a default case),
 *   and a union whose discriminator has an unknown value is checked for its
 *   common members only. Everything else (types, integer ranges, required
 *   members, known branches) is checked as in strict mode.
 */
export type ValidationMode = "strict" | "compatible";

/**
 * The Standard Schema v1 interface (https://standardschema.dev), so that any
 * library accepting Standard Schema accepts qapi-gen validators.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

// The namespace is the published shape of Standard Schema v1, declared only.
// eslint-disable-next-line @typescript-eslint/no-namespace
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
    readonly issues: readonly Issue[];
  }
  export interface Issue {
    readonly message: string;
    readonly path?: readonly (PropertyKey | PathSegment)[] | undefined;
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
 * Checks values against one QAPI type (or a command's arguments or return, or an
 * event's data). Every type `Foo` has `FooValidator` and the guard
 * `isFoo(value, mode)` (the same as `FooValidator.is`).
 *
 * ```ts
 * if (!TransactionArgumentsValidator.is(args)) {
 *   for (const p of TransactionArgumentsValidator.problems(args)) {
 *     console.error(p.message); // Parameter 'actions[0].data.extra' is unexpected
 *   }
 * }
 * ```
 *
 * - `is` is the fast path: a type guard, no allocation on valid values.
 * - `problems` lists what is wrong ([] exactly when `is` is true), each with a
 *   QEMU-style path; it stops after 100 problems.
 * - Both take the {@link ValidationMode}; "strict" by default. In "compatible"
 *   mode the guard still narrows to `T`, but the value may carry members and
 *   enumeration values that `T` does not list.
 * - `~standard` is the Standard Schema v1 interface, in strict mode;
 *   `standard("compatible")` gives it in compatible mode.
 *
 * Integers are checked for their type's range. Generated with `--int64 number`,
 * 64-bit integer types (int, int64, uint64, size) are numbers, and one beyond
 * ±2^53 (where a number loses precision) is reported, never accepted. Generated
 * with `--int64 bigint` they are `bigint` in both directions; JSON has one number
 * type, so `fromJson` converts the numbers of a parsed value's 64-bit members in
 * place, guided by the schema, before validation (the generated client, event
 * parser and dispatcher do this).
 *
 * A value that validates is the value JSON.stringify sends:
 * - An object's members are its own enumerable properties, read as
 *   JSON.stringify reads them (a getter is called); inherited and non-enumerable
 *   properties are not members, and `__proto__` is data like any other key. A
 *   member whose value is `undefined` counts as absent, as JSON.stringify drops
 *   it. Objects whose prototype is not Object.prototype (class instances,
 *   null-prototype objects) are checked member by member for this; plain ones
 *   (what object literals and JSON.parse make) are taken to have enumerable
 *   properties only, so one made non-enumerable with Object.defineProperty is
 *   still read, and in compatible mode their unknown members go unread, `toJSON`
 *   among them.
 * - An object or array with a toJSON method (a Date, a Buffer, a class that
 *   defines one) and a boxed primitive are refused: JSON.stringify would send
 *   something else, and a guard must hold for the value it narrows. Call toJSON
 *   and validate what it returns if that is what you mean to send.
 * - `any` takes JSON values: strings, finite numbers, booleans, null, arrays and
 *   objects of those (and bigints with `--int64 bigint`). An undefined element,
 *   a hole, a function, a symbol, NaN and a cycle are refused, at their own path.
 *
 * Limits, so that no value can hang or exhaust the process: nesting deeper than
 * 1,000 objects and arrays (the value itself at 0, `any` contents included) is a
 * problem, as is a value of more than 2^21 values in one call (objects, array
 * elements, and what `any` values hold: QEMU refuses a command of more than 2^21
 * JSON tokens); a cyclic value ends at one of the two. `problems` lists 100 at
 * most. Nothing is thrown out of `is`, `problems`, `fromJson` or `~standard`: a
 * getter or Proxy trap that throws makes `is` false and is a problem at its path
 * ("'x' cannot be read: ..."), and `fromJson` leaves what it cannot convert.
 * Values are only read, never changed (but by `fromJson`).
 */
export interface Validator<T> extends StandardSchemaV1<unknown, T> {
  /** The schema name of what is validated. */
  readonly name: string;
  is(value: unknown, mode?: ValidationMode): value is T;
  problems(value: unknown, mode?: ValidationMode): Problem[];
  standard(mode: ValidationMode): StandardSchemaV1<unknown, T>;
  /**
   * Converts a value parsed from JSON to this type's representation, in place:
   * with `--int64 bigint`, the safe-integer numbers of its 64-bit integer members
   * become bigint; otherwise the value as it is. Returns the converted value (the
   * same object or array; a scalar converted). Does not validate: call `is` or
   * `problems` on the result.
   */
  fromJson(value: unknown): unknown;
}

/** @internal */
export type $Obj = Record<string, unknown>;
/** @internal A guard: value, compatible mode, depth. */
export type $Guard = (v: unknown, c: boolean, d: number) => boolean;
/** @internal A problems function: value, compatible mode, depth, path, output. */
export type $Check = (
  v: unknown,
  c: boolean,
  d: number,
  p: string,
  out: Problem[],
) => void;
/** @internal A converter from JSON (see Validator.fromJson): value, depth. */
export type $Conv = (v: unknown, d: number) => unknown;
/** @internal An object type's member problems; pushes its known member names to `ks`. */
export type $Members = (
  o: $Obj,
  c: boolean,
  d: number,
  p: string,
  out: Problem[],
  ks: ReadonlySet<string>[],
) => void;

/** @internal Greatest nesting of objects and arrays the validators descend into. */
export const $MAX_DEPTH = 1000;
/** @internal Problems listed at most, per call of `problems`. */
export const $MAX_PROBLEMS = 100;
/**
 * @internal Values one call of `is`, `problems` or `fromJson` visits at most:
 * objects, array elements, and the members and elements inside `any` values.
 * QEMU refuses a command of more than 2^21 JSON tokens (its streamer's
 * MAX_TOKEN_COUNT), and each value is at least one token.
 */
export const $MAX_VALUES = 2_097_152; // 2^21

/** What the running call may still visit (see $MAX_VALUES); each entry point resets it. */
let budget = $MAX_VALUES;

/** @internal Own property test (Object.hasOwn needs lib ES2022, which the output does not require). */
export const $hasOwn = (o: object, key: PropertyKey): boolean =>
  Object.prototype.hasOwnProperty.call(o, key);
/** Is `key` an own enumerable property of `o` (one JSON.stringify sends)? */
const isEnumerable = (o: object, key: PropertyKey): boolean =>
  Object.prototype.propertyIsEnumerable.call(o, key);

/** @internal Is `v` a JSON object (not null, not an array)? */
export function $isObject(v: unknown): v is $Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** @internal An own member's value; undefined when absent (never inherited). */
export function $own(o: $Obj, key: string): unknown {
  return $hasOwn(o, key) ? o[key] : undefined;
}

/** @internal How many own members of `o` have a value that is not undefined? */
export function $ownKeys(o: $Obj): number {
  let m = 0;
  for (const k of Object.keys(o)) if (o[k] !== undefined) m++;
  return m;
}

/**
 * @internal Is object `o` sent by JSON.stringify as its own members (or
 * elements)? Not when it has a toJSON method (JSON.stringify sends what that
 * returns), nor when it is a boxed primitive (sent as the primitive).
 */
export function $sendsItself(o: object): boolean {
  if (typeof (o as { toJSON?: unknown }).toJSON === "function") return false;
  return (
    Object.getPrototypeOf(o) === Object.prototype ||
    Array.isArray(o) ||
    !(
      o instanceof String ||
      o instanceof Number ||
      o instanceof Boolean ||
      o instanceof BigInt
    )
  );
}

/** How a walk over a JSON value goes: with bigints or not, and to what depth. */
interface JsonWalk {
  readonly big: boolean;
  readonly limit: number;
  /** A walk that reports its problems: where to, and the containers it is inside. */
  readonly trace?: JsonTrace;
}

interface JsonTrace {
  readonly out: Problem[];
  readonly open: Set<object>;
  /** The walk failed for nesting deeper than its limit. */
  tooDeep: boolean;
}

/** The walks of the guards (no allocation). */
const NUMBERS: JsonWalk = { big: false, limit: $MAX_DEPTH };
const BIGINTS: JsonWalk = { big: true, limit: $MAX_DEPTH };

/**
 * @internal Is `v` a JSON value (with bigints when `big`), none of its arrays
 * and objects deeper than $MAX_DEPTH (`v` itself at depth `d`)? Within the
 * call's budget (see $MAX_VALUES); a cycle ends at the depth limit.
 */
export function $isJson(v: unknown, big: boolean, d: number): boolean {
  return json(v, big ? BIGINTS : NUMBERS, d, "");
}

/**
 * @internal Problems of a JSON value (QAPI's `any`) at depth `d`, with bigints
 * when `big`: the first thing that makes it none, at its own path (a value
 * JSON cannot carry, too deep, a cycle, too large, unreadable, a toJSON method).
 */
export function $json(
  v: unknown,
  d: number,
  p: string,
  out: Problem[],
  big: boolean,
): void {
  const trace: JsonTrace = { out, open: new Set(), tooDeep: false };
  json(v, { big, limit: $MAX_DEPTH, trace }, d, p);
}

/**
 * @internal The first problem that makes `v` no JSON value (with bigints when
 * `big`; its containers at depth `d` and below, at most `limit`), checked as a
 * call of its own; `tooDeep` when nesting is that problem. Undefined for JSON.
 */
export function $jsonProblem(
  v: unknown,
  big: boolean,
  d: number,
  limit: number,
  p: string,
): (Problem & { readonly tooDeep: boolean }) | undefined {
  const saved = budget;
  try {
    budget = $MAX_VALUES;
    if (json(v, { big, limit }, d, p)) return undefined;
    budget = $MAX_VALUES;
    const trace: JsonTrace = { out: [], open: new Set(), tooDeep: false };
    json(v, { big, limit, trace }, d, p);
    const problem = trace.out[0] ?? { path: p, message: "Invalid value" };
    return { ...problem, tooDeep: trace.tooDeep };
  } finally {
    budget = saved;
  }
}

/** Walks a JSON value; with a trace, reports where and why it is none (and finds cycles). */
function json(v: unknown, w: JsonWalk, d: number, p: string): boolean {
  if (typeof v === "object" && v !== null) return container(v, w, d, p);
  if (isJsonScalar(v, w.big)) return true;
  return fail(w, p, (out) => {
    $type(out, p, "JSON value");
  });
}

function container(o: object, w: JsonWalk, d: number, p: string): boolean {
  const t = w.trace;
  if (d > w.limit) {
    if (t !== undefined) t.tooDeep = true;
    return fail(w, p, $deep);
  }
  if (t !== undefined) {
    if (t.open.has(o)) return fail(w, p, cyclic);
    t.open.add(o);
  }
  try {
    if (!$sendsItself(o)) return fail(w, p, $toJSON);
    const keys = Array.isArray(o) ? undefined : Object.keys(o);
    const n = keys === undefined ? (o as unknown[]).length : keys.length;
    if (n > budget) return fail(w, p, $large);
    budget -= n;
    return keys === undefined
      ? elements(o as unknown[], n, w, d, p)
      : members(o as $Obj, keys, w, d, p);
  } catch (e) {
    return fail(w, p, (out) => {
      $unreadable(out, p, e);
    });
  } finally {
    t?.open.delete(o);
  }
}

function elements(
  a: unknown[],
  n: number,
  w: JsonWalk,
  d: number,
  p: string,
): boolean {
  for (let i = 0; i < n; i++) {
    const q = w.trace === undefined ? p : `${p}[${String(i)}]`;
    if (!json(a[i], w, d + 1, q)) return false;
  }
  return true;
}

function members(
  o: $Obj,
  keys: readonly string[],
  w: JsonWalk,
  d: number,
  p: string,
): boolean {
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue; // absent, as JSON.stringify drops it
    if (!json(x, w, d + 1, w.trace === undefined ? p : $at(p, k))) return false;
  }
  return true;
}

function isJsonScalar(v: unknown, big: boolean): boolean {
  const t = typeof v;
  return (
    t === "string" ||
    t === "boolean" ||
    v === null ||
    (t === "number" ? Number.isFinite(v) : big && t === "bigint")
  );
}

/** Reports a problem at `p` with `report` when the walk traces; false. */
function fail(
  w: JsonWalk,
  p: string,
  report: (out: Problem[], p: string) => void,
): false {
  if (w.trace !== undefined) report(w.trace.out, p);
  return false;
}

/** @internal Is `v` an integer from `min` to `max`? */
export function $isInt(v: unknown, min: number, max: number): boolean {
  return Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
}

/** @internal Is `v` a bigint from `min` to `max`? */
export function $isBig(v: unknown, min: bigint, max: bigint): boolean {
  return typeof v === "bigint" && v >= min && v <= max;
}

/** @internal A safe-integer number as bigint; anything else unchanged. */
export function $big(v: unknown): unknown {
  return Number.isSafeInteger(v) ? BigInt(v as number) : v;
}

/** @internal Converts the integers of array `a` in place (see $big), within the call's budget. */
export function $bigs(a: unknown[]): void {
  const n = a.length;
  if ((budget -= n) < 0) return;
  for (let i = 0; i < n; i++) {
    const e = a[i];
    if (typeof e === "number") a[i] = $big(e);
  }
}

/** @internal Converts the elements of array `a` in place with `b`, within the limits. */
export function $bigEach(a: unknown[], b: $Conv, d: number): void {
  const n = a.length;
  if (d > $MAX_DEPTH || (budget -= n) < 0) return;
  for (let i = 0; i < n; i++) a[i] = b(a[i], d + 1);
}

/** @internal Sets own member `key` (a name objects inherit, e.g. "constructor"). */
export function $setOwn(o: $Obj, key: string, v: unknown): void {
  Object.defineProperty(o, key, {
    value: v,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** @internal The path of member `name` of the value at `p`. */
export function $at(p: string, name: string): string {
  return p === "" ? name : `${p}.${name}`;
}

function named(p: string): string {
  return p === "" ? "the value" : `'${p}'`;
}

/**
 * How QEMU names the value at `p` where its visitors name a member alone (enum
 * values, alternates, intN/uintN ranges): its last member name, "null" for an
 * array element.
 */
function leaf(p: string): string {
  if (p === "") return "the value";
  return p.endsWith("]") ? "'null'" : `'${p.slice(p.lastIndexOf(".") + 1)}'`;
}

/** @internal */
export function $type(out: Problem[], p: string, expected: string): void {
  out.push({
    path: p,
    message:
      p === ""
        ? `Invalid type, expected: ${expected}`
        : `Invalid parameter type for '${p}', expected: ${expected}`,
  });
}

/** @internal */
export function $missing(out: Problem[], p: string): void {
  out.push({ path: p, message: `Parameter '${p}' is missing` });
}

/** @internal */
export function $deep(out: Problem[], p: string): void {
  out.push({ path: p, message: `${named(p)} is nested too deeply` });
}

function cyclic(out: Problem[], p: string): void {
  out.push({ path: p, message: `${named(p)} contains itself (a cycle)` });
}

/** @internal The call's budget of values (see $MAX_VALUES) ran out at `p`. */
export function $large(out: Problem[], p: string): void {
  out.push({
    path: p,
    message: `${named(p)} is too large: more than ${String($MAX_VALUES)} values`,
  });
}

/** @internal An object or array that JSON.stringify would not send as it is (see $sendsItself). */
export function $toJSON(out: Problem[], p: string): void {
  out.push({
    path: p,
    message: `${named(p)} is not sent as it is: it has a toJSON method or is a boxed primitive`,
  });
}

/** @internal Reading the value at `p` threw `e` (a getter, a Proxy trap). */
export function $unreadable(out: Problem[], p: string, e: unknown): void {
  if (e instanceof RangeError)
    $deep(out, p); // the stack ran out
  else
    out.push({
      path: p,
      message: `${named(p)} cannot be read: ${describe(e)}`,
    });
}

/** What an exception says, whatever it is. */
function describe(e: unknown): string {
  try {
    // a getter or a subclass may make an Error's message anything
    const message: unknown = e instanceof Error ? e.message : e;
    return typeof message === "string" ? message : String(message);
  } catch {
    return "an exception that cannot be described";
  }
}

/** @internal */
export function $enum(out: Problem[], p: string, v: string): void {
  out.push({
    path: p,
    message: `Parameter ${leaf(p)} does not accept value '${v}'`,
  });
}

/** @internal A value no alternative of alternate `expected` takes. */
export function $alternate(out: Problem[], p: string, expected: string): void {
  out.push({
    path: p,
    message:
      p === ""
        ? `Invalid type, expected: ${expected}`
        : `Invalid parameter type for ${leaf(p)}, expected: ${expected}`,
  });
}

/**
 * @internal Problems of an integer of type `name`, from `min` to `max` (numbers,
 * or bigints for 64-bit types generated with `--int64 bigint`), in QEMU's words: a
 * signed value that is no int64 is not an "integer"; an unsigned one is read as
 * uint64 (a negative one as its two's complement), so what is no uint64 "expects
 * uint64"; a narrower type's range is checked after that, naming the member alone
 * and the C type (`expects uint32_t`).
 */
export function $int(
  v: unknown,
  p: string,
  out: Problem[],
  name: string,
  min: number | bigint,
  max: number | bigint,
): void {
  const unsigned = name === "size" || name.startsWith("uint");
  const bad = (): void => {
    if (unsigned)
      out.push({ path: p, message: `Parameter ${named(p)} expects uint64` });
    else $type(out, p, "integer");
  };
  if (typeof min === "number") {
    if (!Number.isInteger(v)) {
      bad();
      return;
    }
    const n = v as number;
    if (name === "int" || name === "size" || name.endsWith("64")) {
      // 64 bits wide, as a number: exact only up to 2^53.
      if (!Number.isSafeInteger(n)) {
        out.push({
          path: p,
          message: `Parameter ${named(p)} exceeds 2^53 in magnitude: precision lost`,
        });
      }
      return;
    }
    if (n < -(2 ** 63) || n >= (unsigned ? 2 ** 64 : 2 ** 63)) {
      bad();
      return;
    }
    if (n < min || n > (max as number))
      out.push({ path: p, message: `Parameter ${leaf(p)} expects ${name}_t` });
    return;
  }
  // 64 bits wide: bigint, exact.
  if (Number.isSafeInteger(v)) $type(out, p, "integer (bigint)");
  else if (Number.isInteger(v)) {
    out.push({
      path: p,
      message: `Parameter ${named(p)} exceeds 2^53 in magnitude: precision lost (parse with bigints)`,
    });
  } else if (typeof v !== "bigint" || v < min || v > max) {
    bad();
  }
}

/** @internal Reports the members of `o` that none of `known` has. */
export function $unknown(
  o: $Obj,
  known: readonly ReadonlySet<string>[],
  p: string,
  out: Problem[],
): void {
  for (const k of Object.keys(o)) {
    if (out.length >= $MAX_PROBLEMS) return;
    if (o[k] === undefined || known.some((s) => s.has(k))) continue;
    out.push({
      path: $at(p, k),
      message: `Parameter '${$at(p, k)}' is unexpected`,
    });
  }
}

/**
 * @internal Problems of member `key` of `o` (at path `p`), checked with `check`.
 * `flags`: 1 optional, 2 array of what `check` checks. Only an own enumerable
 * member counts, as only such a one is sent.
 */
export function $member(
  out: Problem[],
  o: $Obj,
  p: string,
  key: string,
  flags: number,
  check: $Check,
  c: boolean,
  d: number,
): void {
  if (out.length >= $MAX_PROBLEMS) return;
  const q = $at(p, key);
  try {
    const v = isEnumerable(o, key) ? o[key] : undefined;
    if (v === undefined) {
      if ((flags & 1) === 0) $missing(out, q);
    } else if ((flags & 2) !== 0) {
      $array(v, c, d, q, out, check);
    } else {
      check(v, c, d, q, out);
    }
  } catch (e) {
    $unreadable(out, q, e);
  }
}

/** @internal Problems of an array whose elements `check` checks. */
export function $array(
  v: unknown,
  c: boolean,
  d: number,
  p: string,
  out: Problem[],
  check: $Check,
): void {
  if (out.length >= $MAX_PROBLEMS) return;
  try {
    if (!Array.isArray(v)) $type(out, p, "array");
    else if (d > $MAX_DEPTH) $deep(out, p);
    else if (!$sendsItself(v)) $toJSON(out, p);
    else {
      const n = v.length;
      if (n > budget) $large(out, p);
      else {
        budget -= n;
        for (let i = 0; i < n && out.length < $MAX_PROBLEMS; i++) {
          const q = `${p}[${String(i)}]`;
          try {
            check(v[i], c, d + 1, q, out);
          } catch (e) {
            $unreadable(out, q, e);
          }
        }
      }
    }
  } catch (e) {
    $unreadable(out, p, e);
  }
}

/** @internal Problems of an object: its members (`q`), then unknown ones. */
export function $object(
  v: unknown,
  c: boolean,
  d: number,
  p: string,
  out: Problem[],
  q: $Members,
): void {
  if (out.length >= $MAX_PROBLEMS) return;
  try {
    if (!$isObject(v)) $type(out, p, "object");
    else if (d > $MAX_DEPTH) $deep(out, p);
    else if (!$sendsItself(v)) $toJSON(out, p);
    else if (--budget < 0) $large(out, p);
    else {
      const ks: ReadonlySet<string>[] = [];
      q(v, c, d, p, out, ks);
      if (!c) $unknown(v, ks, p, out);
    }
  } catch (e) {
    $unreadable(out, p, e);
  }
}

/**
 * @internal The guard's test of an object: is `v` an object within the depth
 * limit and the call's budget (spending one value)?
 */
export function $enter(v: unknown, d: number): v is $Obj {
  return $isObject(v) && d <= $MAX_DEPTH && --budget >= 0;
}

/**
 * @internal The guard's test of an array: is `v` an array that JSON.stringify
 * sends as its elements, within the call's budget (spending its length)?
 */
export function $isArray(v: unknown): v is unknown[] {
  return (
    Array.isArray(v) &&
    (budget -= v.length) >= 0 &&
    typeof (v as { toJSON?: unknown }).toJSON !== "function"
  );
}

/**
 * @internal The guard of an object that is not plain (its prototype is not
 * Object.prototype: a class instance, a null-prototype object, a Proxy that says
 * so): its inherited and non-enumerable properties are not sent, so it is
 * checked by `p`, which reads own enumerable members only.
 */
export function $exact(v: $Obj, c: boolean, d: number, p: $Check): boolean {
  budget++; // the guard's $enter spent what `p` spends again
  const out: Problem[] = [];
  p(v, c, d, "", out);
  return out.length === 0;
}

/** A Problem's path as Standard Schema path segments. */
function segments(path: string): PropertyKey[] {
  const out: PropertyKey[] = [];
  const re = /\[(\d+)\]|\.?((?:__[a-z0-9.-]+_)?[^.[]+)/g;
  for (let m = re.exec(path); m !== null; m = re.exec(path)) {
    out.push(m[1] !== undefined ? Number(m[1]) : (m[2] as string));
  }
  return out;
}

class SchemaValidator<T> implements Validator<T> {
  readonly "~standard": StandardSchemaV1.Props<unknown, T>;
  readonly name: string;
  private readonly g: $Guard;
  private readonly p: $Check;
  private readonly b: $Conv | undefined;

  constructor(name: string, g: $Guard, p: $Check, b: $Conv | undefined) {
    this.name = name;
    this.g = g;
    this.p = p;
    this.b = b;
    this["~standard"] = this.props(false);
  }

  fromJson(value: unknown): unknown {
    const b = this.b;
    if (b === undefined) return value;
    const saved = budget;
    budget = $MAX_VALUES;
    try {
      return b(value, 0);
    } catch {
      return value; // validation will say what is wrong
    } finally {
      budget = saved;
    }
  }

  is(value: unknown, mode?: ValidationMode): value is T {
    const saved = budget; // a getter may call a validator
    budget = $MAX_VALUES;
    try {
      return this.g(value, mode === "compatible", 0);
    } catch {
      return false; // a getter or Proxy trap threw
    } finally {
      budget = saved;
    }
  }

  problems(value: unknown, mode?: ValidationMode): Problem[] {
    const c = mode === "compatible";
    const out: Problem[] = [];
    if (this.is(value, mode)) return out;
    const saved = budget;
    budget = $MAX_VALUES;
    try {
      this.p(value, c, 0, "", out);
    } catch (e) {
      $unreadable(out, "", e);
    } finally {
      budget = saved;
    }
    if (out.length > $MAX_PROBLEMS) out.length = $MAX_PROBLEMS;
    if (out.length === 0) $type(out, "", this.name);
    return out;
  }

  standard(mode: ValidationMode): StandardSchemaV1<unknown, T> {
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
            path: segments(q.path),
          })),
        };
      },
    };
  }
}

/** @internal Makes the validator of a generated guard, problems function and converter. */
export function $validator<T>(
  name: string,
  g: $Guard,
  p: $Check,
  b?: $Conv,
): Validator<T> {
  return new SchemaValidator<T>(name, g, p, b);
}

/** @internal A validator from a problems function alone (returns of array and built-in types). */
export function $checked<T>(name: string, p: $Check, b?: $Conv): Validator<T> {
  const g: $Guard = (v, c, d) => {
    const out: Problem[] = [];
    p(v, c, d, "", out);
    return out.length === 0;
  };
  return new SchemaValidator<T>(name, g, p, b);
}

/** @internal The validator of arrays of what `p` checks (and `b` converts). */
export function $list<T>(name: string, p: $Check, b?: $Conv): Validator<T[]> {
  const check: $Check = (v, c, d, q, out) => {
    $array(v, c, d, q, out, p);
  };
  if (b === undefined) return $checked<T[]>(name, check);
  return $checked<T[]>(name, check, (v, d) => {
    if (Array.isArray(v)) $bigEach(v, b, d);
    return v;
  });
}
