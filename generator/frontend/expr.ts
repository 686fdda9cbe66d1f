// Expression phase: the context-free checks of each definition's structure
// (qapi-code-gen.rst, "Schema syntax" through "Features", and "Naming rules").
// It follows QEMU 10.0's rules and message wording, and checks in QEMU's order, so
// the first error reported is the one QEMU reports.
//
// Nothing is rewritten here: the schema phase reads the raw forms (a member given as
// a bare type name, a feature or enum value given as a bare string). Where QEMU would
// first desugar a value, the checks below look at it through memberDef() and namedDef()
// instead.

import { QapiError, type Diagnostics } from "./errors.js";
import { cName } from "./c-names.js";
import type { DefinitionExpr, ExprDict, TopExpr, Value } from "./parse.js";
import type { SourceInfo } from "./source.js";

export { cName };

/** The keys that say what a definition is, in the order QEMU's messages list them. */
export const METAS = ["enum", "struct", "union", "alternate", "command", "event"] as const;
export type Meta = (typeof METAS)[number];

/** The metatype of a definition, or undefined unless exactly one meta key is present. */
export function exprMeta(expr: ExprDict): Meta | undefined {
  const metas = METAS.filter((m) => expr.has(m));
  return metas.length === 1 ? metas[0] : undefined;
}

/** A member's definition as a Map: `'name': 'T'` is sugar for `'name': {'type': 'T'}`. */
export function memberDef(value: Value): ExprDict {
  return value instanceof Map ? value : new Map([["type", value]]);
}

/** A feature or enum value as a Map: a bare string `'x'` is sugar for `{'name': 'x'}`. */
export function namedDef(value: Value): ExprDict {
  return value instanceof Map ? value : new Map([["name", value]]);
}

// Names consist of letters, digits, '-' and '_', starting with a letter, optionally
// preceded by a downstream prefix '__RFQDN_' and then an experimental prefix 'x-'.
// Group 3 is the stem, which the case conventions apply to.
const VALID_NAME = /^(__[a-z0-9.-]+_)?(x-)?([a-z][a-z0-9_-]*)$/i;

/** The stem of a well-formed QAPI name (prefixes removed), or undefined if ill-formed. */
export function nameStem(name: string): string | undefined {
  const m = VALID_NAME.exec(name);
  // 'q_' is reserved for cName()'s protection and implicit types (q_empty, q_obj_*).
  if (m === null || cName(name, false).startsWith("q_")) return undefined;
  return m[3];
}

function fail(info: SourceInfo, msg: string): never {
  throw new QapiError(info, msg);
}

/** Python's truthiness, which QEMU applies to 'boxed' and to an alternate's 'data'. */
function truthy(v: Value | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return v;
}

// ---------------------------------------------------------------------------
// Names

function checkNameIsStr(name: Value | undefined, info: SourceInfo, source: string): asserts name is string {
  if (typeof name !== "string") fail(info, `${source} requires a string name`);
}

function checkNameStr(name: string, info: SourceInfo, source: string): string {
  const stem = nameStem(name);
  if (stem === undefined) fail(info, `${source} has an invalid name`);
  return stem;
}

/** Event names: upper case, words separated by '_'. */
function checkNameUpper(name: string, info: SourceInfo, source: string): void {
  if (/[a-z-]/.test(checkNameStr(name, info, source))) {
    fail(info, `name of ${source} must not use lowercase or '-'`);
  }
}

/** Command, member, feature and enum value names: lower case, words separated by '-'. */
function checkNameLower(
  name: string,
  info: SourceInfo,
  source: string,
  permitUpper = false,
  permitUnderscore = false,
): void {
  const stem = checkNameStr(name, info, source);
  if ((!permitUpper && /[A-Z]/.test(stem)) || (!permitUnderscore && stem.includes("_"))) {
    fail(info, `name of ${source} must not use uppercase or '_'`);
  }
}

/** Type names: CamelCase, with at least one lower-case letter after the initial capital. */
function checkNameCamel(name: string, info: SourceInfo, source: string): void {
  if (!/^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$/.test(checkNameStr(name, info, source))) {
    fail(info, `name of ${source} must use CamelCase`);
  }
}

function checkDefnNameStr(name: string, info: SourceInfo, meta: Meta): void {
  if (meta === "event") {
    checkNameUpper(name, info, meta);
  } else if (meta === "command") {
    // Legacy command names with '_' are tolerated when the pragma lists them.
    checkNameLower(name, info, meta, false, info.pragma.commandNameExceptions.includes(name));
  } else {
    checkNameCamel(name, info, meta);
    // Array types are named 'FooList': a type of that name would clash with them.
    if (name.endsWith("List")) fail(info, `${meta} name should not end in 'List'`);
  }
}

// ---------------------------------------------------------------------------
// Keys, flags, conditions, features

function quotedSorted(keys: Iterable<string>): string {
  return [...keys]
    .sort()
    .map((k) => `'${k}'`)
    .join(", ");
}

/** Missing required keys are reported before unknown ones. */
function checkKeys(value: ExprDict, info: SourceInfo, source: string, required: string[], optional: string[]): void {
  // Fast path first: this runs for every definition and member.
  let ok = value.size >= required.length && required.every((k) => value.has(k));
  if (ok) for (const k of value.keys()) if (!required.includes(k) && !optional.includes(k)) ok = false;
  if (ok) return;
  const missing = required.filter((k) => !value.has(k));
  if (missing.length > 0) {
    fail(info, `${source} misses key${missing.length > 1 ? "s" : ""} ${quotedSorted(missing)}`);
  }
  const allowed = new Set([...required, ...optional]);
  const unknown = [...value.keys()].filter((k) => !allowed.has(k));
  fail(
    info,
    `${source} has unknown key${unknown.length > 1 ? "s" : ""} ${quotedSorted(unknown)}\n` +
      `Valid keys are ${quotedSorted(allowed)}.`,
  );
}

function checkFlags(expr: ExprDict, info: SourceInfo): void {
  // These flags only make sense set to the value opposite their default.
  for (const key of ["gen", "success-response"]) {
    if (expr.has(key) && expr.get(key) !== false) fail(info, `flag '${key}' may only use false value`);
  }
  for (const key of ["boxed", "allow-oob", "allow-preconfig", "coroutine"]) {
    if (expr.has(key) && expr.get(key) !== true) fail(info, `flag '${key}' may only use true value`);
  }
  // Not a fundamental conflict, but there is no use case and the semantics would be unclear.
  if (expr.has("allow-oob") && expr.has("coroutine")) {
    fail(info, "flags 'allow-oob' and 'coroutine' are incompatible");
  }
}

/** Check the 'if' of `owner`: a config symbol, or a one-key {'all'|'any'|'not'} object. */
function checkIf(owner: ExprDict, info: SourceInfo, source: string): void {
  const cond = owner.get("if");
  if (cond !== undefined) checkIfCond(cond, info, source);
}

function checkIfCond(cond: Value, info: SourceInfo, source: string): void {
  if (typeof cond === "string") {
    // The symbol becomes a C preprocessor macro name.
    if (!/^[A-Z][A-Z0-9_]*$/.test(cond)) {
      fail(info, `'if' condition '${cond}' of ${source} is not a valid identifier`);
    }
    return;
  }
  if (!(cond instanceof Map)) fail(info, `'if' condition of ${source} must be a string or an object`);
  checkKeys(cond, info, `'if' condition of ${source}`, [], ["all", "any", "not"]);
  if (cond.size !== 1) fail(info, `'if' condition of ${source} has conflicting keys`);
  const [op, operand] = [...cond][0] as [string, Value];
  if (op === "not") {
    checkIfCond(operand, info, source);
    return;
  }
  if (!Array.isArray(operand)) fail(info, `'${op}' condition of ${source} must be an array`);
  if (operand.length === 0) fail(info, `'if' condition [] of ${source} is useless`);
  for (const c of operand) checkIfCond(c, info, source);
}

function checkFeatures(features: Value | undefined, info: SourceInfo): void {
  if (features === undefined) return;
  if (!Array.isArray(features)) fail(info, "'features' must be an array");
  for (const raw of features) {
    const feat = namedDef(raw);
    checkKeys(feat, info, "'features' member", ["name"], ["if"]);
    const name = feat.get("name");
    checkNameIsStr(name, info, "'features' member");
    const source = `'features' member '${name}'`;
    checkNameLower(name, info, source);
    checkIf(feat, info, source);
  }
}

// ---------------------------------------------------------------------------
// Type references

function checkTypeName(value: Value | undefined, info: SourceInfo, source: string): void {
  if (value !== undefined && typeof value !== "string") fail(info, `${source} should be a type name`);
}

function checkTypeNameOrArray(value: Value | undefined, info: SourceInfo, source: string): void {
  if (value === undefined || typeof value === "string") return;
  if (!Array.isArray(value)) fail(info, `${source} should be a type name or array`);
  if (value.length !== 1 || typeof value[0] !== "string") {
    fail(info, `${source}: array type must contain single type name`);
  }
}

/**
 * An implicit struct type: an object of members. `parentName` is the definition whose
 * members these are; the member-name-exceptions pragma can exempt it from the case rules.
 */
function checkTypeImplicit(
  value: Value | undefined,
  info: SourceInfo,
  source: string,
  parentName: string | undefined,
): void {
  if (value === undefined) return;
  if (!(value instanceof Map)) fail(info, `${source} should be an object or type name`);
  const permissive = parentName !== undefined && info.pragma.memberNameExceptions.includes(parentName);
  for (const [key, raw] of value) {
    const keySource = `${source} member '${key}'`;
    const name = key.startsWith("*") ? key.slice(1) : key;
    checkNameLower(name, info, keySource, permissive, permissive);
    // C reserves 'u' for the union of branches and 'has_X' for X's presence flag.
    const c = cName(name, false);
    if (c === "u" || c.startsWith("has_")) fail(info, `${keySource} uses reserved name`);
    if (raw instanceof Map) {
      checkKeys(raw, info, keySource, ["type"], ["if", "features"]);
      checkIf(raw, info, keySource);
      checkFeatures(raw.get("features"), info);
      checkTypeNameOrArray(raw.get("type"), info, keySource);
    } else {
      checkTypeNameOrArray(raw, info, keySource); // 'T' is short for {'type': 'T'}
    }
  }
}

function checkTypeNameOrImplicit(
  value: Value | undefined,
  info: SourceInfo,
  source: string,
  parentName: string | undefined,
): void {
  if (value === undefined || typeof value === "string") return;
  checkTypeImplicit(value, info, source, parentName);
}

// ---------------------------------------------------------------------------
// Definitions (their keys have been checked: required ones are present)

function checkEnum(expr: ExprDict, name: string, info: SourceInfo): void {
  const members = expr.get("data");
  const prefix = expr.get("prefix");
  if (!Array.isArray(members)) fail(info, "'data' must be an array");
  if (prefix !== undefined && typeof prefix !== "string") fail(info, "'prefix' must be a string");
  const permissive = info.pragma.memberNameExceptions.includes(name);
  for (const raw of members) {
    const member = namedDef(raw);
    checkKeys(member, info, "'data' member", ["name"], ["if", "features"]);
    const memberName = member.get("name");
    checkNameIsStr(memberName, info, "'data' member");
    const source = `'data' member '${memberName}'`;
    // Enum values may start with a digit; the name rules otherwise apply to them.
    const checked = /^[0-9]/.test(memberName) ? `d${memberName}` : memberName;
    checkNameLower(checked, info, source, permissive, permissive);
    checkIf(member, info, source);
    checkFeatures(member.get("features"), info);
  }
}

function checkStruct(expr: ExprDict, name: string, info: SourceInfo): void {
  checkTypeImplicit(expr.get("data"), info, "'data'", name);
  checkTypeName(expr.get("base"), info, "'base'");
}

function checkUnion(expr: ExprDict, name: string, info: SourceInfo): void {
  checkTypeNameOrImplicit(expr.get("base"), info, "'base'", name);
  checkNameIsStr(expr.get("discriminator"), info, "'discriminator'");
  const members = expr.get("data");
  if (!(members instanceof Map)) fail(info, "'data' must be an object");
  for (const [key, raw] of members) {
    // Branch names are values of the discriminator's enum, checked with that enum.
    const source = `'data' member '${key}'`;
    const branch = memberDef(raw);
    checkKeys(branch, info, source, ["type"], ["if"]);
    checkIf(branch, info, source);
    checkTypeName(branch.get("type"), info, source);
  }
}

function checkAlternate(expr: ExprDict, info: SourceInfo): void {
  const members = expr.get("data");
  if (!truthy(members)) fail(info, "'data' must not be empty");
  if (!(members instanceof Map)) fail(info, "'data' must be an object");
  for (const [key, raw] of members) {
    const source = `'data' member '${key}'`;
    checkNameLower(key, info, source);
    const branch = memberDef(raw);
    checkKeys(branch, info, source, ["type"], ["if"]);
    checkIf(branch, info, source);
    checkTypeNameOrArray(branch.get("type"), info, source);
  }
}

/** Arguments of a command or event: a type name when boxed, else also an implicit struct. */
function checkArguments(expr: ExprDict, info: SourceInfo): void {
  const args = expr.get("data");
  if (truthy(expr.get("boxed"))) {
    if (args === undefined) fail(info, "'boxed': true requires 'data'");
    checkTypeName(args, info, "'data'");
  } else {
    checkTypeNameOrImplicit(args, info, "'data'", undefined);
  }
}

function checkCommand(expr: ExprDict, info: SourceInfo): void {
  checkArguments(expr, info);
  checkTypeNameOrArray(expr.get("returns"), info, "'returns'");
}

/** Each metatype's required keys (the meta key first) and optional keys. */
const KEYS: Record<Meta, { required: string[]; optional: string[] }> = {
  enum: { required: ["enum", "data"], optional: ["if", "features", "prefix"] },
  union: { required: ["union", "base", "discriminator", "data"], optional: ["if", "features"] },
  alternate: { required: ["alternate", "data"], optional: ["if", "features"] },
  struct: { required: ["struct", "data"], optional: ["base", "if", "features"] },
  command: {
    required: ["command"],
    optional: [
      "data",
      "returns",
      "boxed",
      "if",
      "features",
      "gen",
      "success-response",
      "allow-oob",
      "allow-preconfig",
      "coroutine",
    ],
  },
  event: { required: ["event"], optional: ["data", "boxed", "if", "features"] },
};

/** Doc comment problems are warnings unless --strict: report them and carry on. */
function checkDoc(defn: DefinitionExpr, name: string, diags: Diagnostics): void {
  const { doc, info, expr } = defn;
  if (doc === undefined) {
    if (info.pragma.docRequired) diags.docProblem(new QapiError(info, "documentation comment required"));
    return;
  }
  if (doc.symbol !== name) {
    // The comment documents something else: its sections say nothing about this one.
    diags.docProblem(new QapiError(info, `documentation comment is for '${doc.symbol}'`));
    return;
  }
  try {
    doc.checkExpr(expr);
  } catch (e) {
    if (!(e instanceof QapiError)) throw e;
    diags.docProblem(e);
  }
}

function checkDefinition(defn: DefinitionExpr, diags: Diagnostics): void {
  const { expr, info } = defn;
  const meta = exprMeta(expr);
  if (meta === undefined) {
    fail(info, `expression must have exactly one key ${METAS.map((m) => `'${m}'`).join(", ")}`);
  }
  const name = expr.get(meta);
  checkNameIsStr(name, info, `'${meta}'`);
  // From here on, messages are prefixed "In <meta> '<name>':" (QEMU omits that for an
  // empty name, which is rejected right below).
  if (name !== "") info.setDefn(meta, name);
  checkDefnNameStr(name, info, meta);
  checkDoc(defn, name, diags);

  checkKeys(expr, info, meta, KEYS[meta].required, KEYS[meta].optional);
  switch (meta) {
    case "enum":
      checkEnum(expr, name, info);
      break;
    case "union":
      checkUnion(expr, name, info);
      break;
    case "alternate":
      checkAlternate(expr, info);
      break;
    case "struct":
      checkStruct(expr, name, info);
      break;
    case "command":
      checkCommand(expr, info);
      break;
    case "event":
      checkArguments(expr, info);
      break;
  }
  checkIf(expr, info, meta);
  checkFeatures(expr.get("features"), info);
  checkFlags(expr, info);
}

/**
 * Check the structure of every definition, in order. Throws QapiError on the first
 * error; doc comment problems go to `diags`. Also sets each definition's context
 * (SourceInfo.setDefn) for the messages of later phases.
 */
export function checkExprs(exprs: TopExpr[], diags: Diagnostics): void {
  for (const e of exprs) {
    if (e.kind === "definition") checkDefinition(e, diags);
  }
}
