// TypeScript constructs as layout documents, each laid out the way prettier (default
// options) lays out the same construct, so that printed code is prettier-stable.
// Emitters build code from these; none measures columns itself. Types are marked
// `typeOnly` where JavaScript has none (annotations, type arguments, `as` casts),
// so the same construct prints as TypeScript or as JavaScript.

import {
  type Doc,
  FlatText,
  align,
  conditionalGroup,
  group,
  hardline,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  softline,
  typeOnly,
} from "./doc.js";

// ---------------------------------------------------------------------------
// Tokens

const SIMPLE_STRING = /^[^"'\\\u0000-\u001f\u2028\u2029]*$/;

/** A string literal as prettier prints it: double quotes unless that needs more escapes. */
export function str(s: string): string {
  if (SIMPLE_STRING.test(s)) return `"${s}"`;
  const doubles = s.split('"').length - 1;
  const singles = s.split("'").length - 1;
  if (doubles > singles) return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
  return JSON.stringify(s);
}

/** Is `name` usable as a property name without quotes? */
export function isIdentifierName(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** A property key as prettier prints it: bare when it can be, else quoted. */
export function key(name: string): string {
  return isIdentifierName(name) ? name : str(name);
}

/** `o.name`, or `o["name"]` when the name is not an identifier. */
export function member(o: Doc, name: string): Doc {
  return isIdentifierName(name) ? [o, ".", name] : [o, "[", str(name), "]"];
}

// ---------------------------------------------------------------------------
// Expressions

/** A binary or logical expression: laid out by where it stands (see `expr`). */
export interface Binary {
  readonly t: "binary";
  readonly op: string;
  readonly left: Expr;
  readonly right: Expr;
}

export type Expr = Doc | Binary;

const PRECEDENCE: Record<string, number> = {
  "??": 1,
  "||": 2,
  "&&": 3,
  "===": 7,
  "!==": 7,
  "<": 8,
  ">": 8,
  "<=": 8,
  ">=": 8,
  "+": 10,
  "-": 10,
};

function isBinary(e: Expr): e is Binary {
  return typeof e === "object" && !Array.isArray(e) && (e as { t?: string }).t === "binary";
}

/** `left op right`. */
export function bin(op: string, left: Expr, right: Expr): Binary {
  return { t: "binary", op, left, right };
}

/** `a op b op c …`, associated to the left. */
export function chain(op: string, operands: readonly Expr[]): Expr {
  let e = operands[0] as Expr;
  for (let i = 1; i < operands.length; i++) e = bin(op, e, operands[i] as Expr);
  return e;
}

/** Do `a op1 b op2 c` print as one flat chain (same precedence, not equality)? */
function flattens(parent: string, child: string): boolean {
  if (PRECEDENCE[parent] !== PRECEDENCE[child]) return false;
  return PRECEDENCE[parent] !== 7;
}

function needsParens(parent: string, child: Binary): boolean {
  const p = PRECEDENCE[parent] as number;
  const c = PRECEDENCE[child.op] as number;
  // prettier keeps (adds) parentheses around `&&` inside `||`, and mixed `??`.
  const mixedLogical = isLogical(parent) && isLogical(child.op) && parent !== child.op;
  return c < p || mixedLogical || (c === p && !flattens(parent, child.op));
}

/** prettier tells logical expressions (`&&`, `||`, `??`) from binary ones (the rest). */
function kind(e: Expr | undefined): "logical" | "binary" | undefined {
  return e === undefined || !isBinary(e) ? undefined : isLogical(e.op) ? "logical" : "binary";
}

/**
 * The parts of a flattened chain: [first, " ", [op, line, second], ...] (prettier's
 * printBinaryish). `parent` is the binary or logical expression the chain is an
 * operand of, if any: a part is a group of its own only where the expression kind
 * changes (`a === b` as an operand of `&&`).
 */
function binaryParts(e: Binary, insideParens: boolean, parent?: Binary): Doc[] {
  const parts: Doc[] =
    isBinary(e.left) && flattens(e.op, e.left.op) ? binaryParts(e.left, insideParens, e) : [group(operand(e.op, e.left))];
  const right: Doc[] = [e.op, line, operand(e.op, e.right)];
  const k = kind(e);
  const own = !(insideParens && isLogical(e.op)) && kind(parent) !== k && kind(e.left) !== k && kind(e.right) !== k;
  parts.push(" ", own ? group(right) : right);
  return parts;
}

function isLogical(op: string): boolean {
  return op === "&&" || op === "||" || op === "??";
}

/** An operand of `op`: parenthesized and indented as a chain of its own when needed. */
function operand(op: string, e: Expr): Doc {
  if (!isBinary(e)) return e;
  const parts = binaryParts(e, false, bin(op, "", ""));
  const chainDoc = group([parts[0] as Doc, indent(parts.slice(1))]);
  return needsParens(op, e) ? ["(", chainDoc, ")"] : chainDoc;
}

/** Adds an expression's flat text to `f`: a chain's operands joined by its operators. */
function addExpr(f: FlatText, e: Expr): FlatText {
  if (!isBinary(e)) return f.doc(e);
  addOperand(f, e.op, e.left).str(` ${e.op} `);
  return addOperand(f, e.op, e.right);
}

function addOperand(f: FlatText, op: string, e: Expr): FlatText {
  if (!isBinary(e) || !needsParens(op, e)) return addExpr(f, e);
  return addExpr(f.str("("), e).str(")");
}

/** Adds items joined by `sep`, each an expression. */
function addList(f: FlatText, items: readonly Expr[], sep: string): FlatText {
  for (let i = 0; i < items.length && f.ok; i++) {
    if (i > 0) f.str(sep);
    addExpr(f, items[i] as Expr);
  }
  return f;
}

/**
 * An expression standing alone (an argument, an element, the right of `=`): a
 * binary chain is one group, its continuation lines indented.
 */
export function expr(e: Expr): Doc {
  if (!isBinary(e)) return e;
  return addExpr(new FlatText(), e).or(() => {
    const parts = binaryParts(e, false);
    return group([parts[0] as Doc, indent(parts.slice(1))]);
  });
}

/** `!e`, parenthesized when `e` is a chain. */
export function not(e: Expr): Doc {
  if (!isBinary(e)) return ["!", e];
  return addExpr(new FlatText().str("!("), e)
    .str(")")
    .or(() => ["!(", group([indent([softline, ...binaryParts(e, false)]), softline]), ")"]);
}

/** Arguments `(a, b)`, one per line with a trailing comma when they do not fit. */
export function args(list: readonly Expr[]): Doc {
  if (list.length === 0) return "()";
  return addList(new FlatText().str("("), list, ", ").str(")").or(() => {
    const printed = list.map(expr);
    return group(["(", indent([softline, join([",", line], printed)]), ifBreak(","), softline, ")"]);
  });
}

/**
 * `callee(args)`. When the last argument is an object or array literal (`hugLast`),
 * it is hugged as prettier does: `f(a, [` … `])` before breaking every argument.
 */
export function call(callee: Doc, list: readonly Expr[], opts: { hugLast?: boolean; typeArgs?: readonly Doc[] } = {}): Doc {
  const head: Doc = opts.typeArgs === undefined ? callee : [callee, typeOnly(["<", join(", ", opts.typeArgs), ">"])];
  if (opts.hugLast !== true || list.length === 0) {
    if (list.length === 0) return [head, "()"];
    return addList(new FlatText().doc(head).str("("), list, ", ").str(")").or(() => [head, args(list)]);
  }
  const printed = list.map(expr);
  const init = printed.slice(0, -1);
  const last = printed[printed.length - 1] as Doc;
  const hugged: Doc = ["(", join(", ", [...init, group(last, { shouldBreak: true })]), ")"];
  return [head, conditionalGroup([["(", join(", ", printed), ")"], hugged, args(list)])];
}

/** `new callee(args)`. */
export function newCall(callee: Doc, list: readonly Expr[], opts: { hugLast?: boolean; typeArgs?: readonly Doc[] } = {}): Doc {
  return ["new ", call(callee, list, opts)];
}

/** `value as Type` in TypeScript, `value` in JavaScript. */
export function cast(value: Doc, type: Doc): Doc {
  return [value, typeOnly([" as ", type])];
}

/**
 * An array literal. prettier breaks an array of two or more objects with more than
 * one member each; others break when they do not fit.
 */
export function array(items: readonly Doc[], opts: { shouldBreak?: boolean } = {}): Doc {
  if (items.length === 0) return "[]";
  const make = (): Doc =>
    group(["[", indent([softline, join([",", line], items)]), ifBreak(","), softline, "]"], {
      shouldBreak: opts.shouldBreak ?? false,
    });
  return opts.shouldBreak === true ? make() : addList(new FlatText().str("["), items, ", ").str("]").or(make);
}

/**
 * An object literal, flat when it fits unless `expanded` (prettier keeps an object
 * expanded when its source has a line break after `{`).
 */
export function object(props: readonly Doc[], opts: { expanded?: boolean } = {}): Doc {
  if (props.length === 0) return "{}";
  const make = (): Doc =>
    group(["{", indent([line, join([",", line], props)]), ifBreak(","), line, "}"], {
      shouldBreak: opts.expanded ?? false,
    });
  return opts.expanded === true ? make() : addList(new FlatText().str("{ "), props, ", ").str(" }").or(make);
}

/** How the right side of `=` or `:` is laid out (prettier's assignment layouts). */
export type RightKind =
  /** a string literal, a binary chain, a call that hardly breaks: break after the operator first */
  | "break-after"
  /** after a short key, a number or a boolean: never break after the operator */
  | "never-break"
  /** anything else: break inside the right side first, then after the operator */
  | "fluid";

/**
 * The layout of a right side, as prettier chooses it for what we print. `shortKey`:
 * the left is an object key narrower than the indentation plus three. A call with no
 * argument or one short one (`Object.getPrototypeOf(v)`) is "break-after" too, which
 * the caller says, as a Doc cannot tell.
 */
export function rightKind(right: Expr, shortKey: boolean): RightKind {
  if (isBinary(right)) return "break-after";
  if (shortKey) return "never-break";
  if (typeof right === "string" && /^["']/.test(right)) return "break-after";
  if (typeof right === "string" && /^(-?\d|true$|false$)/.test(right)) return "never-break";
  return "fluid";
}

/** `left op right` as an assignment-like construct (declaration, assignment, property). */
export function assignment(left: Doc, op: string, right: Expr, kind: RightKind): Doc {
  return addExpr(new FlatText().doc(left).str(`${op} `), right).or(() => assignmentLayout(left, op, right, kind));
}

function assignmentLayout(left: Doc, op: string, right: Expr, kind: RightKind): Doc {
  // A chain on the right is indented by the layout itself, not again as a chain.
  const r = isBinary(right) ? group(binaryParts(right, false)) : expr(right);
  switch (kind) {
    case "break-after":
      return group([group(left), op, group(indent([line, r]))]);
    case "never-break":
      return group([group(left), op, " ", r]);
    case "fluid": {
      const id = Symbol("assignment");
      return group([group(left), op, group(indent(line), { id }), indentIfBreak(r, id)]);
    }
  }
}

/** A `key: value` property of an object literal. */
export function prop(name: string, value: Expr): Doc {
  const k = key(name);
  // prettier does not break after a key shorter than the indentation plus three.
  return assignment(k, ":", value, rightKind(value, k.length < 5));
}

// ---------------------------------------------------------------------------
// Types

/** `A | B` laid out as the type of a member or parameter: `| A` lines when broken. */
export function unionType(items: readonly Doc[]): Doc {
  if (items.length === 1) return items[0] as Doc;
  return group(indent([ifBreak([line, "| "]), join([line, "| "], items.map((i) => align(2, i)))]));
}

/**
 * `type Name = T;`: a union stays on the line, else moves to the next line, else
 * breaks into `| A` lines; other types stay on the line and break inside.
 */
export function typeAlias(name: string, items: readonly Doc[], opts: { exported?: boolean; declare?: boolean } = {}): Doc {
  const head = `${opts.exported === true ? "export " : ""}${opts.declare === true ? "declare " : ""}type ${name} =`;
  if (items.length === 0) return `${head} never;`;
  if (items.length === 1) return [head, " ", items[0] as Doc, ";"];
  return addList(new FlatText().str(`${head} `), items, " | ").str(";").or(() => {
    const union = group([ifBreak("| "), join([line, "| "], items.map((i) => align(2, i)))]);
    return group([head, indent([line, union]), ";"]);
  });
}

/** `(A & B)` of a union, or any type in parentheses. */
export function parens(t: Doc): Doc {
  return ["(", t, ")"];
}

/** `A & B & C`; object type literals among them break inside (hugged). */
export function intersection(items: readonly Doc[]): Doc {
  return join(" & ", items);
}

/** A property of a type literal or interface: `key?: Type`. */
export interface TypeMember {
  readonly name: string;
  readonly optional?: boolean;
  readonly readonly?: boolean;
  readonly type: Doc;
  /** Its TSDoc comment (printed only when the literal breaks). */
  readonly doc?: Doc;
}

function typeMember(m: TypeMember): Doc {
  return [m.readonly === true ? "readonly " : "", key(m.name), m.optional === true ? "?" : "", ": ", m.type];
}

/**
 * A type literal `{ a: A; b: B }`, flat when it fits unless `expanded` or a member
 * has a doc comment.
 */
export function typeLiteral(members: readonly TypeMember[], opts: { expanded?: boolean } = {}): Doc {
  if (members.length === 0) return "{}";
  const broken = opts.expanded === true || members.some((m) => m.doc !== undefined);
  const body = members.map((m) => [m.doc ?? "", typeMember(m)]);
  const make = (): Doc =>
    group(["{", indent([line, join([ifBreak(";", "; "), softline], body)]), ifBreak(";"), line, "}"], {
      shouldBreak: broken,
    });
  return broken ? make() : addList(new FlatText().str("{ "), body, "; ").str(" }").or(make);
}

/**
 * Type arguments `<A, B>`, broken one per line when they do not fit; a lone simple
 * one (a name, a keyword) is hugged, as prettier does.
 */
export function typeArgs(list: readonly Doc[]): Doc {
  const args: Doc =
    list.length === 1 && isSimpleType(list[0] as Doc)
      ? ["<", list[0] as Doc, ">"]
      : addList(new FlatText().str("<"), list, ", ")
          .str(">")
          .or(() => group(["<", indent([softline, join([",", line], list)]), softline, ">"]));
  TYPE_ARGS.add(args as object);
  if (list.length > 1 && list.some(isGenericOrConditional)) COMPLEX_TYPE_ARGS.add(args as object);
  return args;
}

/** What typeArgs made, and those of them prettier calls complex (see isComplexTypeAnnotation). */
const TYPE_ARGS = new WeakSet<object>();
const COMPLEX_TYPE_ARGS = new WeakSet<object>();
/** What conditionalType made. */
const CONDITIONAL_TYPES = new WeakSet<object>();

/** A type with arguments of its own (`Record<string, never>`, `Foo<Bar>`), or a conditional type. */
function isGenericOrConditional(t: Doc): boolean {
  if (typeof t === "string") return /^[\w$.]+</.test(t);
  if (CONDITIONAL_TYPES.has(t as object)) return true;
  return Array.isArray(t) && (t as readonly Doc[]).some((part) => typeof part === "object" && TYPE_ARGS.has(part as object));
}

/**
 * prettier's "complex type annotation": a generic with several type arguments, one
 * of them generic or conditional. A declaration so typed breaks inside the type
 * rather than after `=`.
 */
function isComplexTypeAnnotation(type: Doc): boolean {
  if (!Array.isArray(type)) return false;
  const last = (type as readonly Doc[])[type.length - 1];
  return typeof last === "object" && COMPLEX_TYPE_ARGS.has(last as object);
}

/** A type name or keyword, without arguments or brackets. */
function isSimpleType(t: Doc): boolean {
  if (typeof t === "string") return /^[A-Za-z_$][\w$]*$/.test(t);
  return !Array.isArray(t) && (t as { t?: string }).t === "ref";
}

/** `check extends ext ? yes : no`, broken before `?` and `:` when it does not fit. */
export function conditionalType(check: Doc, ext: Doc, yes: Doc, no: Doc): Doc {
  const t = group([check, " extends ", ext, indent([line, "? ", yes, line, ": ", no])]);
  CONDITIONAL_TYPES.add(t);
  return t;
}

/** A mapped type `{ readonly [K in Keys]: Value }`, broken onto its own lines when it does not fit. */
export function mappedType(k: string, keys: Doc, value: Doc, opts: { readonly?: boolean } = {}): Doc {
  const member = [opts.readonly === true ? "readonly " : "", "[", k, " in ", keys, "]: ", value];
  return group(["{", indent([line, member, ifBreak(";")]), line, "}"]);
}

// ---------------------------------------------------------------------------
// Statements and declarations

/** A block `{ … }` of statements, each on its own line. */
export function block(statements: readonly Doc[]): Doc {
  if (statements.length === 0) return "{}";
  return ["{", indent([hardline, join(hardline, statements)]), hardline, "}"];
}

/** `if (test) statement`, or `if (test) { … }` when `then` is a block. */
export function ifStatement(test: Expr, then: Doc, opts: { block?: boolean; otherwise?: Doc } = {}): Doc {
  const make = (): Doc => {
    const t = isBinary(test) ? binaryParts(test, true) : test;
    const clause: Doc = opts.block === true ? [" ", then] : indent([line, then]);
    return group(["if (", group([indent([softline, t]), softline]), ")", clause]);
  };
  const head = opts.block === true ? make() : addExpr(new FlatText().str("if ("), test).str(") ").doc(then).or(make);
  if (opts.otherwise === undefined) return head;
  return [head, opts.block === true ? " else " : [hardline, "else "], opts.otherwise];
}

/** `return e;` (a binary chain in parentheses when it breaks). */
export function returnStatement(e?: Expr): Doc {
  if (e === undefined) return "return;";
  if (!isBinary(e)) return ["return ", e, ";"];
  return addExpr(new FlatText().str("return "), e).str(";").or(() => [
    "return",
    group([ifBreak(" (", " "), indent([softline, group(binaryParts(e, false))]), softline, ifBreak(")")]),
    ";",
  ]);
}

/** `for (const name of iterable) statement`. */
export function forOf(name: string, iterable: Doc, body: Doc, opts: { block?: boolean } = {}): Doc {
  return group([`for (const ${name} of `, iterable, ")", opts.block === true ? [" ", body] : indent([line, body])]);
}

/** `switch (e) { case …: … }`: each case's statements below its labels. */
export function switchStatement(e: Doc, cases: readonly { labels: readonly Doc[]; body: readonly Doc[] }[]): Doc {
  const printed = cases.map((c) => [
    join(hardline, c.labels.map((l) => ["case ", l, ":"])),
    c.body.length === 0 ? "" : indent([hardline, join(hardline, c.body)]),
  ]);
  return ["switch (", e, ") {", indent([hardline, join(hardline, printed)]), hardline, "}"];
}

/** `const name: Type = init;` (or `let`), laid out as prettier lays out assignments. */
export function declaration(
  kind: "const" | "let",
  name: string,
  type: Doc | undefined,
  init: Expr | undefined,
  opts: { exported?: boolean } = {},
): Doc {
  const text = `${opts.exported === true ? "export " : ""}${kind} ${name}`;
  const left: Doc = type === undefined ? text : [text, typeOnly([": ", type])];
  if (init === undefined) return [left, ";"];
  // prettier's "break-lhs" for a complex type is laid out as never-break here
  const layout = type !== undefined && isComplexTypeAnnotation(type) ? "never-break" : rightKind(init, false);
  return [assignment(left, " =", init, layout), ";"];
}

/** `target = value;`. */
export function assign(target: Doc, value: Expr): Doc {
  return [assignment(target, " =", value, rightKind(value, false)), ";"];
}

/** A parameter of a function or method: `name?: Type`, `name: Type = dflt`. */
export interface Param {
  readonly name: string;
  readonly type: Doc;
  readonly optional?: boolean;
  readonly default?: Doc;
}

function param(p: Param): Doc {
  return [
    p.name,
    typeOnly([p.optional === true ? "?" : "", ": ", p.type]),
    p.default === undefined ? "" : [" = ", p.default],
  ];
}

/** A parameter as a declaration states it: a default value makes it optional. */
function declared(p: Param): Param {
  return { name: p.name, type: p.type, optional: p.optional === true || p.default !== undefined };
}

/**
 * `(a: A, b: B): R`, parameters one per line when the whole does not fit (the
 * parameters break before the return type does, as prettier breaks them).
 */
export function signature(params: readonly Param[], returns: Doc | undefined): Doc {
  const ret: Doc = returns === undefined ? "" : typeOnly([": ", returns]);
  if (params.length === 0) return ["()", ret];
  // No comma may follow a rest parameter.
  const trailing = (params[params.length - 1] as Param).name.startsWith("...") ? "" : ifBreak(",");
  const printed = params.map(param);
  return addList(new FlatText().str("("), printed, ", ").str(")").doc(ret).or(() =>
    group(["(", indent([softline, join([",", line], printed)]), trailing, softline, ")", ret]),
  );
}

/** A function declaration; `body` undefined declares it only (for `.d.ts`). */
export function functionDeclaration(
  name: string,
  params: readonly Param[],
  returns: Doc | undefined,
  body: readonly Doc[] | undefined,
  opts: { exported?: boolean; async?: boolean; typeParams?: Doc } = {},
): Doc {
  const text = `${opts.exported === true ? "export " : ""}${body === undefined ? "declare " : ""}${opts.async === true ? "async " : ""}function ${name}`;
  const head: Doc = opts.typeParams === undefined ? text : [text, opts.typeParams];
  const sig = signature(body === undefined ? params.map(declared) : params, returns);
  return body === undefined ? [head, sig, ";"] : [head, sig, " ", block(body)];
}

/** A method of a class or object literal; `body` undefined declares it only. */
export function method(
  name: string,
  params: readonly Param[],
  returns: Doc | undefined,
  body: readonly Doc[] | undefined,
  opts: { typeParams?: Doc } = {},
): Doc {
  const sig = signature(body === undefined ? params.map(declared) : params, returns);
  return body === undefined ? [name, opts.typeParams ?? "", sig, ";"] : [name, opts.typeParams ?? "", sig, " ", block(body)];
}
