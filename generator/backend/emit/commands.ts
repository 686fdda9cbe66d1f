// commands: the command map (wire name → argument and return types) and the run-time
// table of every command; and calls/<module>: one standalone function per command,
// taking the transport first and carrying only its own validators, so that an app
// that calls three commands bundles the validators of three commands.

import type { Command, Feature, Type } from "../../frontend/model.js";
import type { CommandEntry, EmitContext, Emitter, ModuleFiles } from "../context.js";
import { type Doc, hardline, indent, join, ref } from "../print/doc.js";
import { GeneratedFile } from "../print/file.js";
import {
  type Param,
  call,
  cast,
  declaration,
  functionDeclaration,
  key,
  object,
  prop,
  returnStatement,
  str,
  typeArgs,
  typeLiteral,
  array,
  mappedType,
} from "../print/ts.js";
import { tsdoc } from "../print/tsdoc.js";
import { typeRef } from "./types.js";

/** The TypeScript type of a command's arguments. */
export function argsType(ctx: EmitContext, cmd: Command): Doc {
  if (cmd.argType === undefined || cmd.argType.isEmpty()) return "Record<string, never>";
  const t = typeRef(ctx, cmd.argType);
  // gen: false commands take arguments beyond the declared ones (e.g. device_add)
  return cmd.gen ? t : [t, " & { readonly [key: string]: unknown }"];
}

/** The TypeScript type of a command's return value ("void" when it returns nothing), as functions return it. */
export function returnType(ctx: EmitContext, cmd: Command): Doc {
  return cmd.retType === undefined ? "void" : typeRef(ctx, cmd.retType);
}

/** The type of a command's return value as data (the command map, its run-time facts): "undefined" when it returns nothing. */
function returnValueType(ctx: EmitContext, cmd: Command): Doc {
  return cmd.retType === undefined ? "undefined" : typeRef(ctx, cmd.retType);
}

/**
 * `export interface Name { … }`: a map type (commands, events) and its members. An
 * empty map is `{}` on purpose (no name is a key of it), which lint is told: no
 * other spelling of it escapes typescript-eslint's empty-object rules.
 */
export function mapInterface(name: string, members: readonly Doc[]): Doc {
  if (members.length === 0) {
    return ["// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an empty map", hardline, `export interface ${name} {}`];
  }
  return ["export interface ", name, " {", indent([hardline, join([hardline, hardline], members)]), hardline, "}"];
}

/** Must the arguments be given (some member is required)? */
export function argsRequired(cmd: Command): "none" | "optional" | "required" {
  const t = cmd.argType;
  if (t === undefined || t.isEmpty()) return "none";
  if (t.branches !== undefined || t.members.some((m) => !m.optional)) return "required";
  return "optional";
}

/** The `(transport, args, options)` parameters of a command function or method. */
export function callParams(ctx: EmitContext, c: CommandEntry): Param[] {
  const req = argsRequired(c.cmd);
  const params: Param[] = [];
  if (req !== "none") params.push({ name: "args", type: argsType(ctx, c.cmd), optional: req === "optional" });
  const options = c.cmd.allowOob ? "QmpOobCallOptions" : "QmpCallOptions";
  params.push({ name: "options", type: ref(ctx.sym.runtime(options), true), optional: true });
  return params;
}

/** `$call(transport, info, args, options[, defaults]) as Promise<R>`. */
export function callBody(ctx: EmitContext, c: CommandEntry, transport: Doc, defaults?: Doc): Doc {
  const args = argsRequired(c.cmd) === "none" ? "undefined" : "args";
  const list: Doc[] = [transport, ref(ctx.sym.command(c, "info")), args, "options"];
  if (defaults !== undefined) list.push(defaults);
  const invoked = call(ref(ctx.sym.internal("client", "$call")), list);
  return returnStatement(cast(invoked, ["Promise", typeArgs([returnType(ctx, c.cmd)])]));
}

/** The features of a command or event as generated (enabled ones). */
export function featureNames(ctx: EmitContext, d: { readonly features: readonly Feature[] }): Doc {
  return array(d.features.filter((f) => ctx.enabled(f.ifcond)).map((f) => str(f.name)));
}

/** calls/<module>: the functions of the module's commands, and their run-time facts. */
function callsFile(ctx: EmitContext, m: ModuleFiles): GeneratedFile {
  const file = new GeneratedFile(`calls/${m.slug}`, `Standalone calls of the commands of ${m.module.name}.`, ctx.options);
  const transport: Param = { name: "transport", type: ref(ctx.sym.runtime("QmpTransport"), true) };
  for (const c of m.commands) {
    const { cmd } = c;
    const infoType = [
      ref(ctx.sym.runtime("QmpCommandInfo"), true),
      typeArgs([str(cmd.name), argsType(ctx, cmd), returnValueType(ctx, cmd)]),
    ];
    const validator = (t: Type | undefined): Doc =>
      t === undefined || (t === cmd.argType && cmd.argType.isEmpty()) ? "undefined" : ref(ctx.sym.validatorOf(t));
    let args = validator(cmd.argType);
    // gen: false: the declared arguments' validator, used in compatible mode
    if (!cmd.gen && args !== "undefined") args = cast(args, [ref(ctx.sym.runtime("Validator"), true), typeArgs([argsType(ctx, cmd)])]);
    const info = object(
      [
        prop("name", str(cmd.name)),
        prop("args", args),
        prop("returns", validator(cmd.retType)),
        prop("boxed", String(cmd.boxed)),
        prop("successResponse", String(cmd.successResponse)),
        prop("allowOob", String(cmd.allowOob)),
        prop("allowPreconfig", String(cmd.allowPreconfig)),
        prop("gen", String(cmd.gen)),
        prop("features", featureNames(ctx, cmd)),
      ],
      { expanded: true },
    );
    file.add(declaration("const", c.info, infoType, info, { exported: true }), undefined);
    const params = [transport, ...callParams(ctx, c)];
    const ret = ["Promise", typeArgs([returnType(ctx, cmd)])];
    file.add(
      functionDeclaration(c.fn, params, ret, [callBody(ctx, c, "transport")], { exported: true }),
      functionDeclaration(c.fn, params, ret, undefined, { exported: true }),
      tsdoc([...c.doc, "", `QMP command \`${cmd.name}\`; also \`QmpClient.${c.method}\`.`]),
    );
  }
  return file;
}

/** commands: the map of commands to their types, and the table of their run-time facts. */
function commandsFile(ctx: EmitContext): GeneratedFile {
  const file = new GeneratedFile("commands", "QMP commands: wire names to types, and the table of run-time facts.", ctx.options);
  const Commands = ctx.names.fixed("Commands");
  const CommandName = ctx.names.fixed("CommandName");
  const members = ctx.commands.map((c) => [
    tsdoc(c.doc),
    key(c.cmd.name),
    ": ",
    typeLiteral([
      { name: "args", type: argsType(ctx, c.cmd) },
      { name: "returns", type: returnValueType(ctx, c.cmd) },
    ]),
    ";",
  ]);
  file.addTypes(
    mapInterface(Commands, members),
    tsdoc([
      "The QMP commands of this schema: wire name → the type of its `arguments`",
      "(`args`) and of its `return` (`returns`; `undefined` when it returns nothing,",
      "QEMU then answers `{}`). `Commands['transaction']['args']` is what",
      "`{ execute: 'transaction', arguments }` carries.",
    ]),
  );
  file.addTypes(`export type ${CommandName} = keyof ${Commands};`, tsdoc(["The wire name of a command, e.g. `'blockdev-snapshot-sync'`."]));
  const info = ref(ctx.sym.runtime("QmpCommandInfo"), true);
  const tableType = mappedType("K", CommandName, [info, typeArgs(["K", `${Commands}[K]["args"]`, `${Commands}[K]["returns"]`])], { readonly: true });
  const table = object(ctx.commands.map((c) => prop(c.cmd.name, ref(ctx.sym.command(c, "info")))), { expanded: true });
  file.add(
    declaration("const", ctx.names.fixed("commandInfo"), tableType, table, { exported: true }),
    ["export declare const ", ctx.names.fixed("commandInfo"), ": ", tableType, ";"],
    tsdoc([
      "Run-time facts about every command: validators of arguments (use them in",
      '"strict" mode, as QEMU checks arguments) and returns (use "compatible" mode for',
      "what a QEMU sends), and the command's flags and features.",
    ]),
  );
  return file;
}

export const emitCommands: Emitter = (ctx) => {
  if (!ctx.outputs.has("client") && !ctx.outputs.has("server")) return [];
  const files = [commandsFile(ctx), ...ctx.modules.filter((m) => m.commands.length > 0).map((m) => callsFile(ctx, m))];
  return files.flatMap((f) => f.print(ctx.schemaPath));
};
