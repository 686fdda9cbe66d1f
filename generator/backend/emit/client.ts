// client: QmpClient, one typed method per command (the standalone functions of
// calls/, bound to a transport and to the client's defaults), `execute` by wire name,
// and typed events from a transport that delivers them. unions: constructors of
// union values, one per branch (`transactionAction.driveBackup({...})`).

import { EnumType, ObjectType } from "../../frontend/model.js";
import { type EmitContext, type Emitter, LocalNames } from "../context.js";
import { camelCase } from "../ts-names.js";
import { type Doc, hardline, indent, join, ref, typeOnly } from "../print/doc.js";
import { GeneratedFile } from "../print/file.js";
import { type Param, call, cast, conditionalType, declaration, key, method, object, returnStatement, str, typeArgs } from "../print/ts.js";
import { memberDocLines, tsdoc } from "../print/tsdoc.js";
import { callBody, callParams, returnType } from "./commands.js";
import { typeRef } from "./types.js";

/** A class member, and whether it is types only (a field declaration, absent from `.js`). */
interface ClassMember {
  readonly doc: Doc;
  readonly types: boolean;
}

/**
 * A class body: members separated by blank lines, in `.js` too, where the members
 * that are types only are left out with their separators.
 */
function classBody(members: readonly ClassMember[]): Doc {
  const parts: Doc[] = [];
  let valueBefore = false;
  members.forEach((m, i) => {
    const sep: Doc = i === 0 ? "" : [hardline, hardline];
    if (m.types) parts.push(typeOnly([sep, m.doc]));
    else {
      // Before the first value member, the separator exists only where type members printed.
      parts.push(valueBefore ? sep : typeOnly(sep), m.doc);
      valueBefore = true;
    }
  });
  return ["{", indent([hardline, parts]), hardline, "}"];
}

/** A class's members as `.ts`/`.js` print them and as `.d.ts` declares them. */
class ClassMembers {
  readonly code: ClassMember[] = [];
  readonly declared: ClassMember[] = [];

  /** A member: its code, its declaration, its TSDoc; `types` for a member of types only. */
  add(code: Doc, declaration: Doc, doc: Doc = "", types = false): void {
    this.code.push({ doc: [doc, code], types });
    this.declared.push({ doc: [doc, declaration], types: false });
  }
}

/** The references the client's members share. */
function clientRefs(ctx: EmitContext) {
  return {
    Commands: ref(ctx.sym.generated("Commands"), true),
    CommandName: ref(ctx.sym.generated("CommandName"), true),
    Events: ref(ctx.sym.generated("Events"), true),
    EventName: ref(ctx.sym.generated("EventName"), true),
    QmpEvent: ref(ctx.sym.generated("QmpEvent"), true),
    transportType: ref(ctx.sym.runtime("QmpTransport"), true),
    rt: (file: string, name: string): Doc => ref(ctx.sym.internal(file, name)),
  };
}

type ClientRefs = ReturnType<typeof clientRefs>;

/** The fields and the constructor: a transport and the client's defaults. */
function constructorMembers(ctx: EmitContext, r: ClientRefs, members: ClassMembers): void {
  const optionsType = ref(ctx.sym.runtime("QmpClientOptions"), true);
  members.add(["readonly transport: ", r.transportType, ";"], ["readonly transport: ", r.transportType, ";"], "", true);
  members.add(["readonly options: ", optionsType, ";"], ["readonly options: ", optionsType, ";"], "", true);
  const params: Param[] = [
    { name: "transport", type: r.transportType },
    { name: "options", type: optionsType, default: "{}" },
  ];
  members.add(method("constructor", params, undefined, ["this.transport = transport;", "this.options = options;"]), method("constructor", params, undefined, undefined));
}

/**
 * execute: by wire name, with the types of the command map; the arguments may be
 * left out when no member is required (the empty record then satisfies them).
 */
function executeMember(ctx: EmitContext, r: ClientRefs, members: ClassMembers): void {
  const oobOptions = ref(ctx.sym.runtime("QmpOobCallOptions"), true);
  const argsOf = [r.Commands, '[K]["args"]'];
  const rest: Param = {
    name: "...rest",
    type: conditionalType("Record<string, never>", argsOf, ["[args?: ", argsOf, ", options?: ", oobOptions, "]"], ["[args: ", argsOf, ", options?: ", oobOptions, "]"]),
  };
  const params: Param[] = [{ name: "command", type: "K" }, rest];
  const ret = ["Promise<", r.Commands, '[K]["returns"]>'];
  const table = ref(ctx.sym.generated("commandInfo"));
  const body = [returnStatement(cast(call(r.rt("client", "$call"), ["this.transport", [table, "[command]"], "rest[0]", "rest[1]", "this.options"]), ret))];
  members.add(
    method("execute", params, ret, body, { typeParams: typeOnly(["<K extends ", r.CommandName, ">"]) }),
    method("execute", params, ret, undefined, { typeParams: ["<K extends ", r.CommandName, ">"] }),
    tsdoc(["Executes a command by its wire name, with the same types and checks as its method."]),
  );
}

/** on and waitForEvent: events typed by name, from a transport that delivers them. */
function eventMembers(ctx: EmitContext, r: ClientRefs, members: ClassMembers): void {
  const parse = ref(ctx.sym.generated("parseEvent"));
  const eventOf = ["Extract<", r.QmpEvent, ", { event: K }>"];
  const typeParams = ["<K extends ", r.EventName, ">"];
  const source = call(r.rt("events", "$eventSource"), ["this.transport"]);
  const onParams: Param[] = [
    { name: "name", type: "K" },
    { name: "listener", type: ["(data: ", r.Events, "[K], event: ", eventOf, ") => void"] },
  ];
  const deliver = ["(data: unknown, event: ", ref(ctx.sym.runtime("QmpTypedEvent"), true), ") => void"];
  const onBody = [
    declaration("const", "deliver", undefined, cast("listener", deliver)),
    returnStatement(call(r.rt("events", "$listen"), [source, parse, "name", "deliver", "this.options.onInvalidEvent"])),
  ];
  members.add(
    method("on", onParams, "() => void", onBody, { typeParams: typeOnly(typeParams) }),
    method("on", onParams, "() => void", undefined, { typeParams }),
    tsdoc([
      "Listens to the events named `name`, their data validated (compatible mode) and",
      "typed; returns the function that stops listening. Needs a transport that",
      "delivers events (QmpConnection does). Events whose data fails validation go to",
      "`options.onInvalidEvent`.",
    ]),
  );
  const waitOptions = ref(ctx.sym.runtime("QmpWaitOptions"), true);
  const waitParams: Param[] = [
    { name: "name", type: "K" },
    { name: "options", type: [waitOptions, "<", r.Events, "[K]>"], default: "{}" },
  ];
  const waitRet = ["Promise<", eventOf, ">"];
  const waitBody = [
    declaration("const", "wait", undefined, call(r.rt("events", "$waitFor"), [source, parse, "name", cast("options", [waitOptions, "<unknown>"])])),
    returnStatement(cast("wait", waitRet)),
  ];
  members.add(
    method("waitForEvent", waitParams, waitRet, waitBody, { typeParams: typeOnly(typeParams) }),
    method("waitForEvent", waitParams, waitRet, undefined, { typeParams }),
    tsdoc(["The next event named `name` whose data `options.match` accepts (any, by default)."]),
  );
}

/** The class's TSDoc: how to use it. */
function clientDoc(ctx: EmitContext): Doc {
  const n = ctx.names;
  return tsdoc([
    `A typed QMP client over any {@link ${n.fixed("QmpTransport")}}.`,
    "",
    "```ts",
    `const qmp = new ${n.fixed("QmpClient")}(connection);`,
    "await qmp.transaction({ actions: [transactionAction.abort()] });",
    'const status = await qmp.execute("query-status");',
    'qmp.on("JOB_STATUS_CHANGE", (data) => console.log(data.status));',
    "```",
    "",
    "Each command has a method (its name in camelCase; `execute` takes the wire",
    "name) that validates the arguments strictly before sending and the return",
    "value in compatible mode, and resolves with the typed return value",
    "(`undefined` for commands that return nothing). Validation failures throw",
    `{@link ${n.fixed("QmpValidationError")}}; error responses reject as the transport rejects.`,
    "Each method is also a standalone function (calls/), which bundles alone.",
  ]);
}

function clientFile(ctx: EmitContext): GeneratedFile {
  const file = new GeneratedFile("client", "Typed QMP client: one method per command, typed events.", ctx.options);
  const r = clientRefs(ctx);
  const members = new ClassMembers();
  constructorMembers(ctx, r, members);
  executeMember(ctx, r, members);
  eventMembers(ctx, r, members);
  for (const c of ctx.commands) {
    const params = callParams(ctx, c);
    const ret = ["Promise", typeArgs([returnType(ctx, c.cmd)])];
    members.add(method(c.method, params, ret, [callBody(ctx, c, "this.transport", "this.options")]), method(c.method, params, ret, undefined), tsdoc(c.doc));
  }
  const QmpClient = ctx.names.fixed("QmpClient");
  file.add(["export class ", QmpClient, " ", classBody(members.code)], ["export declare class ", QmpClient, " ", classBody(members.declared)], clientDoc(ctx));
  return file;
}

/** The TypeScript type of union `t`'s branch `name`: `Extract<U, { tag: "name" }>`. */
function branchType(ctx: EmitContext, t: ObjectType, name: string): Doc {
  const tag = (t.branches as NonNullable<ObjectType["branches"]>).tagName;
  return ["Extract", typeArgs([ref(ctx.sym.type(t), true), ["{ ", key(tag), ": ", str(name), " }"]])];
}

/** unions: per union type, an object of constructors, one per branch. */
function unionsFile(ctx: EmitContext): GeneratedFile {
  const file = new GeneratedFile("unions", "Constructors of union values, one per branch.", ctx.options);
  for (const m of ctx.modules) {
    for (const t of m.types) {
      if (!(t instanceof ObjectType) || t.branches === undefined) continue;
      unionConstructors(ctx, file, t);
    }
  }
  return file;
}

function unionConstructors(ctx: EmitContext, file: GeneratedFile, t: ObjectType): void {
  const branches = t.branches as NonNullable<ObjectType["branches"]>;
  const uName = ctx.names.type(t);
  const tag = branches.tagMember;
  const tagKey = key(tag.name);
  const tagEnum = tag.type instanceof EnumType ? tag.type : undefined;
  const baseOthers = t.members.filter((m) => m !== tag && ctx.enabled(m.ifcond));
  const variants = branches.variants.filter((v) => ctx.enabled(v.ifcond));
  // Every branch wraps its members in `data` (QEMU's "simple union" pattern): take the data.
  const wrapped =
    baseOthers.length === 0 &&
    variants.every((v) => {
      const vt = v.type as ObjectType;
      if (vt.name === "q_empty") return true;
      const ms = vt.members.filter((x) => ctx.enabled(x.ifcond));
      return vt.branches === undefined && ms.length === 1 && ms[0]?.name === "data" && !ms[0].optional;
    });
  const methods = new LocalNames(["__proto__"]);
  const code: Doc[] = [];
  const declared: Doc[] = [];
  for (const v of variants) {
    const vt = v.type as ObjectType;
    const name = methods.allocate(camelCase(v.name));
    const docLines = [`Branch ${str(v.name)} of {@link ${uName}}.`];
    const em = tagEnum?.members.find((x) => x.name === v.name);
    if (em !== undefined) {
      const more = memberDocLines(ctx, em, tagEnum?.doc);
      if (more.length > 0) docLines.push("", ...more);
    }
    const ret = branchType(ctx, t, v.name);
    let params: Param[] = [];
    let value: Doc;
    const ms = [...baseOthers, ...(vt.name === "q_empty" ? [] : vt.members.filter((x) => ctx.enabled(x.ifcond)))];
    if (ms.length === 0) {
      // nothing but the discriminator: no parameter (an empty `members` would take any value)
      value = object([[tagKey, ": ", str(v.name)]]);
    } else if (wrapped) {
      const dt = vt.members.find((x) => x.name === "data")?.type;
      const allOptional = dt instanceof ObjectType && dt.branches === undefined && dt.members.every((x) => x.optional);
      params = [{ name: "data", type: [typeRef(ctx, vt), '["data"]'], ...(allOptional ? { default: "{}" } : {}) }];
      value = object([[tagKey, ": ", str(v.name)], "data"]);
    } else {
      const allOptional = ms.every((x) => x.optional) && vt.branches === undefined;
      const omit = ref(ctx.sym.runtime("QmpOmit"), true);
      params = [{ name: "members", type: [omit, typeArgs([ret, str(tag.name)])], ...(allOptional ? { default: "{}" } : {}) }];
      value = object(["...members", [tagKey, ": ", str(v.name)]]);
    }
    const doc = tsdoc(docLines);
    code.push([doc, method(name, params, ret, [returnStatement(value)])]);
    declared.push([doc, method(name, params, ret, undefined)]);
  }
  const obj = ctx.names.unionConstructors(t);
  const lines = [
    `Constructors of {@link ${uName}} values, one per branch (named after the`,
    `branch in camelCase): each sets the discriminator \`${tag.name}\` and returns the branch's type.`,
    wrapped ? "Each takes the branch's `data`." : "Each takes the other members.",
  ];
  const body: Doc = code.length === 0 ? "{}" : ["{", indent([hardline, join([",", hardline, hardline], code), ","]), hardline, "}"];
  const declBody: Doc = declared.length === 0 ? "{}" : ["{", indent([hardline, join([hardline, hardline], declared)]), hardline, "}"];
  file.add(["export const ", obj, " = ", body, ";"], ["export declare const ", obj, ": ", declBody, ";"], tsdoc(lines));
}

export const emitClient: Emitter = (ctx) =>
  ctx.outputs.has("client") ? [clientFile(ctx), unionsFile(ctx)].flatMap((f) => f.print(ctx.schemaPath)) : [];
