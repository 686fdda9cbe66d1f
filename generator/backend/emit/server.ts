// server: QmpHandlers (one optional method per command) and QmpDispatcher, the
// dispatcher core of the runtime given this schema's command table.

import type { EmitContext, Emitter } from "../context.js";
import { type Doc, hardline, indent, join, ref, typeOnly } from "../print/doc.js";
import { GeneratedFile } from "../print/file.js";
import { type Param, declaration, method, object, prop, str } from "../print/ts.js";
import { tsdoc } from "../print/tsdoc.js";
import { argsType, returnType } from "./commands.js";

function serverFile(ctx: EmitContext): GeneratedFile {
  const file = new GeneratedFile("server", "QMP server stubs: handler interface and dispatcher.", ctx.options);
  const QmpHandlers = ctx.names.fixed("QmpHandlers");
  const QmpDispatcher = ctx.names.fixed("QmpDispatcher");
  const context = ref(ctx.sym.runtime("QmpHandlerContext"), true);
  const members = ctx.commands.map((c) => {
    const ret = returnType(ctx, c.cmd);
    const result: Doc = [ret, " | Promise<", ret, ">"];
    const params: Param[] = [
      { name: "args", type: argsType(ctx, c.cmd) },
      { name: "context", type: [context, "<", str(c.cmd.name), ">"] },
    ];
    return [tsdoc(c.doc), method(`${c.method}?`, params, result, undefined)];
  });
  file.addTypes(
    ["export interface ", QmpHandlers, " ", members.length === 0 ? "{}" : ["{", indent([hardline, join([hardline, hardline], members)]), hardline, "}"]],
    tsdoc([
      "Implementations of the commands, one optional method per command (named as",
      "on the client), taking the arguments object (the whole object for boxed",
      "commands too) and returning the return value or a promise of it (nothing for",
      "commands without a return; `{}` is sent).",
      "",
      "Methods are optional so that a mock or proxy implements only what it needs:",
      "a command without a method is answered `CommandNotFound`, as QEMU answers",
      `commands its build leaves out. Use \`Required<${QmpHandlers}>\` to insist on all.`,
    ]),
  );
  const entry = ref(ctx.sym.internal("dispatch", "$DispatchEntry"), true);
  const table = object(
    ctx.commands.map((c) => prop(c.cmd.name, object([prop("method", str(c.method)), prop("info", ref(ctx.sym.command(c, "info")))]))),
    { expanded: true },
  );
  file.add(declaration("const", "$commands", ["Readonly<Record<string, ", entry, ">>"], table), undefined);
  const core = ref(ctx.sym.runtime("QmpDispatcherCore"));
  const options = ref(ctx.sym.runtime("QmpDispatcherOptions"), true);
  const params: Param[] = [
    { name: "handlers", type: QmpHandlers },
    { name: "options", type: options, default: "{}" },
  ];
  const body = (ctor: Doc): Doc => ["{", indent([hardline, ctor]), hardline, "}"];
  file.add(
    ["export class ", QmpDispatcher, " extends ", core, typeOnly(["<", QmpHandlers, ">"]), " ", body(method("constructor", params, undefined, ["super($commands, handlers, options);"]))],
    ["export declare class ", QmpDispatcher, " extends ", core, "<", QmpHandlers, "> ", body(method("constructor", params, undefined, undefined))],
    tsdoc([
      `Answers raw QMP commands with {@link ${QmpHandlers}}, as QEMU does (see`,
      `{@link ${ctx.names.fixed("QmpDispatcherCore")}}): \`new ${QmpDispatcher}(handlers).dispatch(request)\`.`,
    ]),
  );
  return file;
}

export const emitServer: Emitter = (ctx) => (ctx.outputs.has("server") ? serverFile(ctx).print(ctx.schemaPath) : []);
