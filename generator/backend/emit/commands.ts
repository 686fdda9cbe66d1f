// commands.ts of the output: the command and event maps (wire name → types), their
// run-time tables (validators and flags), the typed event message and parseEvent, and
// QmpValidationError. Also the helpers the client and server emitters share: which
// commands and events are generated, their method names, TypeScript types and docs.

import { ArrayType, BuiltinType, Command, EnumType, Event, type Definition, type Module, type Type } from "../../frontend/model.js";
import { camelCase, FIXED_NAMES, isNamedType, propertyKey } from "../ts-names.js";
import { PRINT_WIDTH, fitOrBreak, printCall } from "../print/layout.js";
import { type EmitContext, type Emitter, fileHeader } from "../context.js";
import { quote } from "../print/literal.js";
import { importSpec, runtimeNames } from "./runtime.js";
import { definitionDocLines, tsdoc } from "../print/tsdoc.js";
import { Imports, isWide, moduleSlug, typeRef } from "./types.js";

// ---------------------------------------------------------------------------
// Shared by the stubs emitters

export interface StubCommand {
  readonly cmd: Command;
  /** Method name on the client and on the handler interface. */
  readonly method: string;
  /** TSDoc lines (description, returns, since, deprecated, ...). */
  readonly doc: string[];
}

export interface StubEvent {
  readonly event: Event;
  readonly doc: string[];
}

export interface Stubs {
  commands: StubCommand[];
  events: StubEvent[];
}

/**
 * Names a method can't have: they'd clash with the client's own members, or with what
 * every object inherits (a handler object is looked up by method name).
 */
const RESERVED_METHODS = new Set([
  "constructor",
  "execute",
  "transport",
  "options",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

/** Allocates distinct names from preferred ones (numeric suffix on a clash). */
export class LocalNames {
  private readonly used: Set<string>;
  constructor(reserved: Iterable<string> = []) {
    this.used = new Set(reserved);
  }
  allocate(preferred: string): string {
    let name = preferred === "" ? "_" : /^[0-9]/.test(preferred) ? `_${preferred}` : preferred;
    const base = name;
    for (let i = 2; this.used.has(name); i++) name = `${base}${i}`;
    this.used.add(name);
    return name;
  }
}

const stubsCache = new WeakMap<EmitContext, Stubs>();

/** The enabled commands and events, in module order (as QEMU visits them), with their names and docs. */
export function stubs(ctx: EmitContext): Stubs {
  let s = stubsCache.get(ctx);
  if (s !== undefined) return s;
  const methods = new LocalNames(RESERVED_METHODS);
  s = { commands: [], events: [] };
  for (const mod of ctx.schema.modules) {
    for (const e of mod.entities) {
      if (e instanceof Command && ctx.enabled(e.ifcond)) {
        s.commands.push({
          cmd: e,
          method: methods.allocate(camelCase(e.name)),
          doc: definitionDocLines(ctx, e, e.doc, { returns: true }),
        });
      } else if (e instanceof Event && ctx.enabled(e.ifcond)) {
        s.events.push({ event: e, doc: definitionDocLines(ctx, e, e.doc) });
      }
    }
  }
  stubsCache.set(ctx, s);
  return s;
}

/** Every exported identifier the NameTable gave out (types, derived names, fixed names). */
export function allExportedNames(ctx: EmitContext): Set<string> {
  const out = new Set<string>();
  for (const e of ctx.schema.entities) {
    if (!isNamedType(e) || !ctx.names.hasType(e)) continue;
    out.add(ctx.names.type(e));
    for (const kind of ["values", "validator", "guard"] as const) {
      if (kind === "values" && !(e instanceof EnumType)) continue; // only enums have values
      out.add(ctx.names.derived(e, kind));
    }
  }
  for (const f of FIXED_NAMES) out.add(ctx.names.fixed(f));
  return out;
}

/** Path of a module's file in `dir` (types, validators), relative to the output root. */
export function modulePath(ctx: EmitContext, dir: string, module: Module | undefined): string {
  const m = module ?? (ctx.schema.modules.find((x) => x.isBuiltin()) as Module);
  return `./${dir}/${moduleSlug(ctx.schema, m)}.js`;
}

/**
 * The TypeScript type of a reference to `t` from a file at the output root, adding the
 * imports it needs (as the types emitter types members).
 */
export function tsType(ctx: EmitContext, imports: Imports, t: Type): string {
  return typeRef(ctx, t, (from, spec) =>
    imports.add(from === "runtime" ? "./runtime.js" : modulePath(ctx, "types", from), spec),
  );
}

/** The validator of a named type, imported. */
export function validatorRef(ctx: EmitContext, imports: Imports, t: Definition): string {
  const name = ctx.names.derived(t, "validator");
  imports.add(modulePath(ctx, "validators", t.module), name);
  return name;
}

/** The TypeScript type of a command's arguments. */
export function argsType(ctx: EmitContext, imports: Imports, cmd: Command): string {
  if (cmd.argType === undefined || cmd.argType.isEmpty()) return "Record<string, never>";
  const t = tsType(ctx, imports, cmd.argType);
  // gen: false commands take arguments beyond the declared ones (e.g. device_add)
  return cmd.gen ? t : `${t} & { readonly [key: string]: unknown }`;
}

/** The TypeScript type of a command's return value ("void" when it returns nothing). */
export function returnType(ctx: EmitContext, imports: Imports, cmd: Command): string {
  return cmd.retType === undefined ? "void" : tsType(ctx, imports, cmd.retType);
}

/** Must the arguments be given (some member is required)? */
export function argsRequired(cmd: Command): "none" | "optional" | "required" {
  const t = cmd.argType;
  if (t === undefined || t.isEmpty()) return "none";
  if (t.branches !== undefined || t.members.some((m) => !m.optional)) return "required";
  return "optional";
}

/** `{ a: X; b: Y }` or, when too long at `indent` after `prefixLen` characters, broken. */
function typeLiteral(props: readonly [string, string][], indent: string, prefixLen: number, suffixLen: number): string {
  const flat = `{ ${props.map(([k, v]) => `${propertyKey(k)}: ${v}`).join("; ")} }`;
  if (indent.length + prefixLen + flat.length + suffixLen <= PRINT_WIDTH && !flat.includes("\n")) return flat;
  const inner = `${indent}  `;
  return `{\n${props.map(([k, v]) => `${inner}${propertyKey(k)}: ${v};\n`).join("")}${indent}}`;
}

/** A member `key: { ... };` line of an interface, as prettier prints it. */
function interfaceMember(key: string, props: readonly [string, string][], indent: string): string {
  const k = propertyKey(key);
  return `${indent}${k}: ${typeLiteral(props, indent, k.length + 2, 1)};\n`;
}

/** Prints a `name: value` property of an object literal whose value is already printed flat. */
function literalProp(key: string, value: string, indent: string): string {
  const k = propertyKey(key);
  const line = `${indent}${k}: ${value},`;
  if (line.length <= PRINT_WIDTH || !value.startsWith('"')) return `${line}\n`;
  return `${indent}${k}:\n${indent}  ${value},\n`;
}

// ---------------------------------------------------------------------------
// The emitter

export const emitCommands: Emitter = (ctx) => {
  const n = ctx.names;
  const { commands, events } = stubs(ctx);
  const rt = runtimeNames(ctx);
  const Commands = n.fixed("Commands");
  const CommandName = n.fixed("CommandName");
  const Events = n.fixed("Events");
  const EventName = n.fixed("EventName");
  const CommandInfo = n.fixed("QmpCommandInfo");
  const EventInfo = n.fixed("QmpEventInfo");
  const commandInfo = n.fixed("commandInfo");
  const eventInfo = n.fixed("eventInfo");
  const QmpEvent = n.fixed("QmpEvent");
  const parseEvent = n.fixed("parseEvent");
  const QmpValidationError = n.fixed("QmpValidationError");

  const typeImports = new Imports();
  const valueImports = new Imports();
  typeImports.add("./runtime.js", importSpec("Problem", rt.Problem));
  typeImports.add("./runtime.js", importSpec("Validator", rt.Validator));

  const parts: string[] = [];

  // Commands map
  let text = tsdoc([
    "The QMP commands of this schema: wire name → the type of its `arguments`",
    "(`args`) and of its `return` (`returns`; `void` when it returns nothing, QEMU",
    "then answers `{}`). `Commands['transaction']['args']` is what",
    "`{ execute: 'transaction', arguments }` carries.",
  ]);
  text += `export interface ${Commands} {${commands.length === 0 ? "}\n" : "\n"}`;
  commands.forEach((c, i) => {
    if (i > 0) text += "\n";
    text += tsdoc(c.doc, "  ");
    text += interfaceMember(
      c.cmd.name,
      [
        ["args", argsType(ctx, typeImports, c.cmd)],
        ["returns", returnType(ctx, typeImports, c.cmd)],
      ],
      "  ",
    );
  });
  if (commands.length > 0) text += "}\n";
  text += "\n";
  text += tsdoc(["The wire name of a command, e.g. `'blockdev-snapshot-sync'`."]);
  text += `export type ${CommandName} = keyof ${Commands};\n`;
  parts.push(text);

  // Events map
  text = tsdoc([
    "The QMP events of this schema: wire name → the type of its `data`",
    "(`Record<string, never>` for events without data, which QEMU sends without `data`).",
  ]);
  text += `export interface ${Events} {${events.length === 0 ? "}\n" : "\n"}`;
  events.forEach((e, i) => {
    if (i > 0) text += "\n";
    text += tsdoc(e.doc, "  ");
    const t = e.event.argType;
    const data = t === undefined || t.isEmpty() ? "Record<string, never>" : tsType(ctx, typeImports, t);
    text += `  ${propertyKey(e.event.name)}: ${data};\n`;
  });
  if (events.length > 0) text += "}\n";
  text += "\n";
  text += tsdoc(["The wire name of an event, e.g. `'JOB_STATUS_CHANGE'`."]);
  text += `export type ${EventName} = keyof ${Events};\n`;
  parts.push(text);

  // Run-time tables
  text = tsdoc(["What a client or dispatcher needs to know about a command at run time."]);
  text += `export interface ${CommandInfo}<K extends ${CommandName} = ${CommandName}> {
  /** The wire name. */
  readonly name: K;
  /** Validator of the arguments; undefined when the command takes none. */
  readonly args: ${rt.Validator}<${Commands}[K]["args"]> | undefined;
  /** Validator of the return value; undefined when the command returns nothing. */
  readonly returns: ${rt.Validator}<${Commands}[K]["returns"]> | undefined;
  /** The arguments are one object type (possibly a union), handed over whole. */
  readonly boxed: boolean;
  /** false when QEMU sends no response on success (\`success-response: false\`). */
  readonly successResponse: boolean;
  /** Can run out-of-band (\`exec-oob\`). */
  readonly allowOob: boolean;
  /** Available before the machine is configured (\`--preconfig\`). */
  readonly allowPreconfig: boolean;
  /**
   * false for \`gen: false\` commands: QEMU takes their arguments as they are, so
   * members beyond the declared ones are accepted (validated in compatible mode).
   */
  readonly gen: boolean;
  /** The command's features, e.g. "deprecated", "unstable". */
  readonly features: readonly string[];
}

`;
  text += tsdoc(["What a client needs to know about an event at run time."]);
  text += `export interface ${EventInfo}<K extends ${EventName} = ${EventName}> {
  /** The wire name. */
  readonly name: K;
  /** Validator of the data; undefined when the event carries none. */
  readonly data: ${rt.Validator}<${Events}[K]> | undefined;
  /** The data is one object type (possibly a union). */
  readonly boxed: boolean;
  /** The event's features, e.g. "deprecated", "unstable". */
  readonly features: readonly string[];
}

`;
  text += tsdoc([
    "Run-time facts about every command: validators of arguments (use them in",
    '"strict" mode, as QEMU checks arguments) and returns (use "compatible" mode for',
    "what a QEMU sends), and the command's flags and features.",
  ]);
  text += `export const ${commandInfo}: {\n  readonly [K in ${CommandName}]: ${CommandInfo}<K>;\n} = {${commands.length === 0 ? "" : "\n"}`;
  for (const { cmd } of commands) {
    let args = cmd.argType === undefined || cmd.argType.isEmpty() ? "undefined" : validatorRef(ctx, valueImports, cmd.argType);
    // gen: false: the declared arguments' validator, used in compatible mode
    if (!cmd.gen && args !== "undefined") {
      const target = `${Commands}[${quote(cmd.name)}]["args"]`;
      args =
        `    args: ${args} as ${rt.Validator}<${target}>,`.length <= PRINT_WIDTH
          ? `${args} as ${rt.Validator}<${target}>`
          : `${args} as ${rt.Validator}<\n      ${target}\n    >`;
    }
    const rets =
      cmd.retType === undefined ? "undefined" : returnValidator(ctx, typeImports, valueImports, cmd.retType);
    text += `  ${propertyKey(cmd.name)}: {\n`;
    text += literalProp("name", quote(cmd.name), "    ");
    text += literalProp("args", args, "    ");
    text += literalProp("returns", rets, "    ");
    text += `    boxed: ${cmd.boxed},\n`;
    text += `    successResponse: ${cmd.successResponse},\n`;
    text += `    allowOob: ${cmd.allowOob},\n`;
    text += `    allowPreconfig: ${cmd.allowPreconfig},\n`;
    text += `    gen: ${cmd.gen},\n`;
    text += featuresProp(ctx, cmd, "    ");
    text += "  },\n";
  }
  text += "};\n\n";
  text += tsdoc(['Run-time facts about every event: the validator of its data (use "compatible"', "mode), and its features."]);
  text += `export const ${eventInfo}: {\n  readonly [K in ${EventName}]: ${EventInfo}<K>;\n} = {${events.length === 0 ? "" : "\n"}`;
  for (const { event } of events) {
    const t = event.argType;
    const data = t === undefined || t.isEmpty() ? "undefined" : validatorRef(ctx, valueImports, t);
    text += `  ${propertyKey(event.name)}: {\n`;
    text += literalProp("name", quote(event.name), "    ");
    text += literalProp("data", data, "    ");
    text += `    boxed: ${event.boxed},\n`;
    text += featuresProp(ctx, event, "    ");
    text += "  },\n";
  }
  text += "};\n";
  const extra = extraValidators(ctx);
  if (extra !== "") parts.push(extra.slice(0, -1));
  parts.push(text);

  // Errors and events
  parts.push(`${tsdoc([
    "A value failed validation: arguments before they were sent, a command's return,",
    "or an event's data. `problems` lists what is wrong, with QEMU-style paths; the",
    "message says what was validated and the first problems.",
  ])}export class ${QmpValidationError} extends Error {
  constructor(
    /** What was validated. */
    readonly kind: "arguments" | "return" | "event",
    /** The command or event name. */
    readonly target: string,
    readonly problems: readonly ${rt.Problem}[],
  ) {
    super($validationMessage(kind, target, problems));
    this.name = "QmpValidationError";
  }
}

function $validationMessage(
  kind: string,
  target: string,
  problems: readonly ${rt.Problem}[],
): string {
  const what = kind === "event" ? "data of event" : \`\${kind} of command\`;
  const shown = problems.slice(0, 3).map((p) => p.message);
  if (problems.length > 3) shown.push(\`and \${problems.length - 3} more\`);
  return \`Invalid \${what} '\${target}': \${shown.join("; ")}\`;
}

${tsdoc([
  "A QMP event message, typed by its name: narrowing on `event` narrows `data`.",
  "Events without data get `data: {}`.",
])}export type ${QmpEvent} = {
  [K in ${EventName}]: {
    readonly event: K;
    readonly data: ${Events}[K];
    readonly timestamp: {
      readonly seconds: number;
      readonly microseconds: number;
    };
  };
}[${EventName}];

const $hasOwn = Object.prototype.hasOwnProperty;

${tsdoc([
  "Validates a raw QMP event message (`{ event, data?, timestamp }`) and returns it",
  "typed. Data is validated in compatible mode: members and enumeration values a",
  "newer QEMU added are accepted (QMP's compatibility promise).",
  "",
  "@returns the typed event, or `undefined` for an event this schema does not know",
  "  (a newer QEMU's, which clients are expected to ignore).",
  `@throws {@link ${QmpValidationError}} when the message or its data is malformed.`,
])}export function ${parseEvent}(message: unknown): ${QmpEvent} | undefined {
  let name = "?";
  const bad = (path: string, what: string): ${QmpValidationError} =>
    new ${QmpValidationError}("event", name, [
      { path, message: \`Invalid event message: \${what}\` },
    ]);
  if (
    typeof message !== "object" ||
    message === null ||
    Array.isArray(message)
  ) {
    throw bad("", "not a JSON object");
  }
  const m = message as { [key: string]: unknown };
  const event = $hasOwn.call(m, "event") ? m["event"] : undefined;
  if (typeof event !== "string") throw bad("event", "'event' must be a string");
  name = event;
  const ts = $hasOwn.call(m, "timestamp") ? m["timestamp"] : undefined;
  const t = ts as { seconds?: unknown; microseconds?: unknown } | undefined;
  if (
    typeof t !== "object" ||
    t === null ||
    typeof t.seconds !== "number" ||
    typeof t.microseconds !== "number"
  ) {
    throw bad("timestamp", "'timestamp' must be { seconds, microseconds }");
  }
  if (!$hasOwn.call(${eventInfo}, event)) return undefined;
  const table = ${eventInfo} as {
    readonly [key: string]: { readonly data: ${rt.Validator}<unknown> | undefined };
  };
  const validator = table[event]?.data;
  ${ctx.options.int64 === "bigint" ? `const raw = $hasOwn.call(m, "data") ? m["data"] : {};
  // 64-bit integers as bigint, in place, before validation
  const data = validator !== undefined ? validator.fromJson(raw) : raw;` : `const data = $hasOwn.call(m, "data") ? m["data"] : {};`}
  if (validator !== undefined) {
    const problems = validator.problems(data, "compatible");
    if (problems.length > 0) {
      throw new ${QmpValidationError}("event", event, problems);
    }
  } else if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw bad("data", "'data' must be an object");
  }
  return {
    event,
    data,
    timestamp: { seconds: t.seconds, microseconds: t.microseconds },
  } as ${QmpEvent};
}
`);

  let out = fileHeader(ctx, "QMP commands and events: maps from wire names to types, run-time tables, parseEvent.");
  out += "\n";
  const ti = typeImports.print(true);
  const vi = valueImports.print(false);
  out += ti + vi + (ti + vi === "" ? "" : "\n");
  out += parts.join("\n");
  return [{ path: "commands.ts", content: out }];
};

function featuresProp(ctx: EmitContext, d: Command | Event, indent: string): string {
  const items = d.features.filter((f) => ctx.enabled(f.ifcond)).map((f) => quote(f.name));
  return `${fitOrBreak({ indent, head: "features: ", open: "[", close: "]", items, sep: ", ", trailing: ",", tail: "," })}\n`;
}

// Return validators of types without a validator of their own (arrays, built-ins): made
// in commands.ts from the validators' internal problem functions.

interface Extra {
  name: string;
  code: string;
}

const extraCache = new WeakMap<EmitContext, Map<Type, Extra>>();

/** The validator of a command's return type (made here for arrays and built-ins). */
function returnValidator(ctx: EmitContext, types: Imports, values: Imports, t: Type): string {
  if (isNamedType(t) && ctx.names.hasType(t)) return validatorRef(ctx, values, t);
  let m = extraCache.get(ctx);
  if (m === undefined) extraCache.set(ctx, (m = new Map()));
  const known = m.get(t);
  if (known !== undefined) return known.name;
  const rt = runtimeNames(ctx);
  values.add("./runtime.js", "$validator");
  types.add("./runtime.js", importSpec("Problem", rt.Problem));
  types.add("./runtime.js", "$Check");
  if (ctx.options.int64 === "bigint") types.add("./runtime.js", "$Conv");
  const tsT = tsType(ctx, types, t);
  const problemsFn = (x: Type): string => {
    const fn = x instanceof BuiltinType ? `$p_${x.name}` : `$p_${ctx.names.type(x)}`;
    values.add(modulePath(ctx, "validators", x.module), fn);
    return fn;
  };
  /** The converter from JSON of a value of wide type `x` (see Validator.fromJson). */
  const convertFn = (x: Type): string => {
    if (x instanceof BuiltinType) {
      values.add("./runtime.js", "$big");
      return "$big";
    }
    const fn = `$b_${ctx.names.type(x)}`;
    values.add(modulePath(ctx, "validators", x.module), fn);
    return fn;
  };
  let name: string;
  let call: string;
  let args: string[];
  if (t instanceof ArrayType) {
    const el = t.elementType;
    name = `$r_${el instanceof BuiltinType ? el.name : ctx.names.type(el)}List`;
    values.add("./runtime.js", "$array");
    call = `$list<${tsType(ctx, types, el)}>`;
    args = [quote(`[${el.name}]`), problemsFn(el)];
    if (ctx.options.int64 === "bigint") values.add("./runtime.js", "$bigEach");
    if (isWide(ctx, el)) args.push(convertFn(el));
  } else {
    name = `$r_${t.name}`;
    call = `$checked<${tsT}>`;
    args = [quote(t.name), problemsFn(t)];
    if (isWide(ctx, t)) args.push(convertFn(t));
  }
  const flat = `const ${name} = ${call}(${args.join(", ")});`;
  m.set(t, {
    name,
    code:
      flat.length <= PRINT_WIDTH
        ? `${flat}\n`
        : `const ${name} = ${call}(\n${args.map((x) => `  ${x},\n`).join("")});\n`,
  });
  return name;
}

function extraValidators(ctx: EmitContext): string {
  const m = extraCache.get(ctx);
  if (m === undefined || m.size === 0) return "";
  const rt = runtimeNames(ctx);
  const big = ctx.options.int64 === "bigint";
  let out = `/** A validator from a problems function (for returns of array and built-in types). */
${printCall("", "function ", "$checked<T>", ["name: string", "p: $Check", ...(big ? ["b?: $Conv"] : [])], `: ${rt.Validator}<T> {`)}
  const g = (v: unknown, c: boolean, d: number): boolean => {
    const out: ${rt.Problem}[] = [];
    p(v, c, d, "", out);
    return out.length === 0;
  };
  return $validator<T>(name, g, p${big ? ", b" : ""});
}

${
    [...m.values()].some((e) => e.code.includes("$list<"))
      ? big
        ? `/** The validator of arrays of what \`p\` checks (and \`b\` converts). */
${printCall("", "function ", "$list<T>", ["name: string", "p: $Check", "b?: $Conv"], `: ${rt.Validator}<T[]> {`)}
  const check: $Check = (v, c, d, q, out) => $array(v, c, d, q, out, p);
  if (b === undefined) return $checked<T[]>(name, check);
  return $checked<T[]>(name, check, (v, d) => {
    if (Array.isArray(v)) $bigEach(v, b, d);
    return v;
  });
}

`
        : `/** The validator of arrays of what \`p\` checks. */
${printCall("", "function ", "$list<T>", ["name: string", "p: $Check"], `: ${rt.Validator}<T[]> {`)}
  return $checked<T[]>(name, (v, c, d, q, out) => $array(v, c, d, q, out, p));
}

`
      : ""
  }`;
  out += [...m.values()].map((e) => e.code).join("");
  return out;
}
