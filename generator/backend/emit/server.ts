// server.ts of the output: QmpHandlers (one optional method per command) and
// QmpDispatcher, which turns a raw QMP command object into the raw response the way
// QEMU's dispatcher does (qmp-spec.rst; QEMU's messages and error classes).

import { PRINT_WIDTH } from "../print/layout.js";
import { type Emitter, fileHeader } from "../context.js";
import { quote } from "../print/literal.js";
import { importSpec, runtimeNames } from "./runtime.js";
import { argsType, returnType, stubs } from "./commands.js";
import { methodHead } from "./client.js";
import { tsdoc } from "../print/tsdoc.js";
import { Imports } from "./types.js";

export const emitServer: Emitter = (ctx) => {
  const n = ctx.names;
  const rt = runtimeNames(ctx);
  const CommandName = n.fixed("CommandName");
  const commandInfo = n.fixed("commandInfo");
  const QmpHandlers = n.fixed("QmpHandlers");
  const QmpDispatcher = n.fixed("QmpDispatcher");
  const QmpError = n.fixed("QmpError");
  const QmpHandlerContext = n.fixed("QmpHandlerContext");
  const QmpCommandMessage = n.fixed("QmpCommandMessage");
  const QmpResponse = n.fixed("QmpResponse");
  const Options = n.fixed("QmpDispatcherOptions");
  const types = new Imports();
  const values = new Imports();
  types.add("./commands.js", importSpec("CommandName", CommandName));
  types.add("./runtime.js", importSpec("JsonValue", rt.JsonValue));
  types.add("./runtime.js", importSpec("Problem", rt.Problem));
  types.add("./runtime.js", importSpec("Validator", rt.Validator));
  values.add("./commands.js", importSpec("commandInfo", commandInfo));

  const { commands } = stubs(ctx);
  let handlers = "";
  let table = "";
  commands.forEach((c, i) => {
    const ret = returnType(ctx, types, c.cmd);
    const params = [`args: ${argsType(ctx, types, c.cmd)}`, `context: ${QmpHandlerContext}`];
    if (i > 0) handlers += "\n";
    handlers += tsdoc(c.doc, "  ");
    const r = `: ${ret} | Promise<${ret}>`;
    const head = methodHead("  ", `${c.method}?`, params, r).slice(0, -2);
    // an interface method signature ends with `;` instead of a body
    const flat = `  ${c.method}?(${params.join(", ")})${r};`;
    if (flat.length <= PRINT_WIDTH) handlers += `${flat}\n`;
    else if (`  ${c.method}?(`.length + 1 <= PRINT_WIDTH && `  )${r};`.length <= PRINT_WIDTH) handlers += `${head};\n`;
    else handlers += `${head};\n`;
    const line = `  ${propertyKeyOf(c.cmd.name)}: ${quote(c.method)},`;
    table +=
      line.length <= PRINT_WIDTH ? `${line}\n` : `  ${propertyKeyOf(c.cmd.name)}:\n    ${quote(c.method)},\n`;
  });

  let out = fileHeader(ctx, "QMP server stubs: handler interface and dispatcher.");
  out += "\n";
  out += types.print(true);
  out += values.print(false);
  out += `
${tsdoc([
  "An error a handler throws to answer with a specific QMP error class, e.g.",
  '`throw new QmpError("DeviceNotFound", "Device \'foo\' not found")`. Any thrown',
  "object with string `class` and `desc` members is answered the same way; any",
  'other error as `GenericError` with its message.',
])}export class ${QmpError} extends Error {
  /** The QMP error class, e.g. "GenericError", "DeviceNotFound". */
  readonly class: string;
  /** The human-readable description. */
  readonly desc: string;

  constructor(errorClass: string, desc: string) {
    super(desc);
    this.name = "QmpError";
    this.class = errorClass;
    this.desc = desc;
  }
}

/** What a handler learns about the command it executes, besides its arguments. */
export interface ${QmpHandlerContext} {
  /** The command's wire name. */
  readonly command: ${CommandName};
  /** The command's \`id\`, undefined when it has none. */
  readonly id: ${rt.JsonValue} | undefined;
  /** Sent with \`exec-oob\`. */
  readonly oob: boolean;
}

${tsdoc([
  "Implementations of the commands, one optional method per command (named as",
  "on the client), taking the arguments object (the whole object for boxed",
  "commands too) and returning the return value or a promise of it (nothing for",
  "commands without a return; `{}` is sent).",
  "",
  "Methods are optional so that a mock or proxy implements only what it needs:",
  "a command without a method is answered `CommandNotFound`, as QEMU answers",
  `commands its build leaves out. Use \`Required<${QmpHandlers}>\` to insist on all.`,
])}export interface ${QmpHandlers} {
${handlers}}

/** A raw QMP command message. */
export type ${QmpCommandMessage} =
  | {
      execute: string;
      arguments?: { [key: string]: ${rt.JsonValue} };
      id?: ${rt.JsonValue};
    }
  | {
      "exec-oob": string;
      arguments?: { [key: string]: ${rt.JsonValue} };
      id?: ${rt.JsonValue};
    };

/** A raw QMP response: success (\`return\`) or error, with the command's \`id\`. */
export type ${QmpResponse} =
  | { return: unknown; id?: ${rt.JsonValue} }
  | { error: { class: string; desc: string }; id?: ${rt.JsonValue} };

${tsdoc([
  `Options of a {@link ${QmpDispatcher}}.`,
  "",
  "- `oob` (default true): accept `exec-oob` (as QEMU does once the client",
  "  enabled the `oob` capability); false answers it as an unexpected member.",
  "- `validateReturns` (default \"strict\"): how handlers' return values are",
  "  checked: \"strict\" (a faithful QEMU sends nothing the schema lacks),",
  "  \"compatible\" (a proxy passing on a newer QEMU's replies), or \"off\". An",
  "  invalid return value is answered with a GenericError.",
])}export interface ${Options} {
  readonly oob?: boolean;
  readonly validateReturns?: "strict" | "compatible" | "off";
}

const $methods: { readonly [K in ${CommandName}]: string } = {
${table}};

const $hasOwn = Object.prototype.hasOwnProperty;

interface $Info {
  readonly args: ${rt.Validator}<unknown> | undefined;
  readonly returns: ${rt.Validator}<unknown> | undefined;
  readonly successResponse: boolean;
  readonly allowOob: boolean;
  readonly gen: boolean;
}

function $error(
  errorClass: string,
  desc: string,
  request: { [key: string]: unknown } | undefined,
): ${QmpResponse} {
  const response: ${QmpResponse} = { error: { class: errorClass, desc } };
  if (request !== undefined && $hasOwn.call(request, "id")) {
    response.id = request["id"] as ${rt.JsonValue};
  }
  return response;
}

function $first(problems: readonly ${rt.Problem}[]): string {
  return problems[0]?.message ?? "Invalid value";
}

${tsdoc([
  "Executes raw QMP commands with {@link " + QmpHandlers + "}, answering as QEMU does:",
  "",
  "- input that is not an object, or has a bad `execute`/`exec-oob`/`arguments`",
  "  or an unknown member: GenericError (\"QMP input lacks member 'execute'\", ...);",
  "- an unknown command, or one without a handler: CommandNotFound",
  "  (\"The command X has not been found\");",
  "- `exec-oob` of a command without `allow-oob`: GenericError;",
  "- arguments checked strictly: GenericError naming the first problem as QEMU",
  "  does (\"Parameter 'actions[0].data.extra' is unexpected\", \"Parameter",
  "  'device' is missing\", \"Invalid parameter type for 'x', expected: integer\");",
  "- the handler's return value checked (see options); an error it throws",
  `  answered with its class and desc (see {@link ${QmpError}});`,
  "- `id` echoed in every response to an object input;",
  ...(ctx.options.int64 === "bigint"
    ? [
        "- the arguments' 64-bit integers converted to bigint in place (see",
        "  `Validator.fromJson`) before validation;",
      ]
    : []),
  "- no response (undefined) for a successful `success-response: false` command.",
])}export class ${QmpDispatcher} {
  constructor(
    readonly handlers: ${QmpHandlers},
    readonly options: ${Options} = {},
  ) {}

  /** The response to one raw command (undefined when QEMU would send none). */
  async dispatch(request: unknown): Promise<${QmpResponse} | undefined> {
    if (
      typeof request !== "object" ||
      request === null ||
      Array.isArray(request)
    ) {
      return $error(
        "GenericError",
        "QMP input must be a JSON object",
        undefined,
      );
    }
    const req = request as { [key: string]: unknown };
    const allowOob = this.options.oob !== false;
    let command: string | undefined;
    let oob = false;
    for (const key of Object.keys(req)) {
      const value = req[key];
      if (value === undefined) continue;
      if (key === "execute" || (key === "exec-oob" && allowOob)) {
        if (typeof value !== "string") {
          return $error(
            "GenericError",
            \`QMP input member '\${key}' must be a string\`,
            req,
          );
        }
        if (command !== undefined) {
          return $error(
            "GenericError",
            \`QMP input member '\${key}' is unexpected\`,
            req,
          );
        }
        command = value;
        oob = key === "exec-oob";
      } else if (key === "arguments") {
        if (
          typeof value !== "object" ||
          value === null ||
          Array.isArray(value)
        ) {
          return $error(
            "GenericError",
            "QMP input member 'arguments' must be an object",
            req,
          );
        }
      } else if (key !== "id") {
        return $error(
          "GenericError",
          \`QMP input member '\${key}' is unexpected\`,
          req,
        );
      }
    }
    if (command === undefined) {
      return $error("GenericError", "QMP input lacks member 'execute'", req);
    }
    const handlers = this.handlers as { [key: string]: unknown };
    const method = $hasOwn.call($methods, command)
      ? $methods[command as ${CommandName}]
      : undefined;
    const handler = method !== undefined ? handlers[method] : undefined;
    if (method === undefined || typeof handler !== "function") {
      return $error(
        "CommandNotFound",
        \`The command \${command} has not been found\`,
        req,
      );
    }
    const info = (${commandInfo} as { readonly [key: string]: $Info })[
      command
    ] as $Info;
    if (oob && !info.allowOob) {
      return $error(
        "GenericError",
        \`The command \${command} does not support OOB\`,
        req,
      );
    }
    const args = ($hasOwn.call(req, "arguments") ? req["arguments"] : {}) as {
      [key: string]: unknown;
    };
    const validator = info.args;
    if (validator !== undefined) {${ctx.options.int64 === "bigint" ? `
      // 64-bit integers as bigint, in place, before validation
      validator.fromJson(args);` : ""}
      const problems = validator.problems(
        args,
        info.gen ? "strict" : "compatible",
      );
      if (problems.length > 0) {
        return $error("GenericError", $first(problems), req);
      }
    } else {
      for (const key of Object.keys(args)) {
        if (args[key] === undefined) continue;
        return $error("GenericError", \`Parameter '\${key}' is unexpected\`, req);
      }
    }
    const context: ${QmpHandlerContext} = {
      command: command as ${CommandName},
      id: $hasOwn.call(req, "id") ? (req["id"] as ${rt.JsonValue}) : undefined,
      oob,
    };
    let result: unknown;
    try {
      result = await (handler as (a: unknown, c: unknown) => unknown).call(
        this.handlers,
        args,
        context,
      );
    } catch (e) {
      const err = e as { class?: unknown; desc?: unknown; message?: unknown };
      if (
        typeof e === "object" &&
        e !== null &&
        typeof err.class === "string" &&
        typeof err.desc === "string"
      ) {
        return $error(err.class, err.desc, req);
      }
      const desc =
        e instanceof Error ? e.message : typeof e === "string" ? e : String(e);
      return $error("GenericError", desc, req);
    }
    if (!info.successResponse) return undefined;
    const returns = info.returns;
    const mode = this.options.validateReturns ?? "strict";
    if (returns === undefined) {
      result = {};
    } else if (mode !== "off") {
      const problems = returns.problems(result, mode);
      if (problems.length > 0) {
        return $error(
          "GenericError",
          \`Invalid return value of command '\${command}': \${$first(problems)}\`,
          req,
        );
      }
    }
    const response: ${QmpResponse} = { return: result };
    if ($hasOwn.call(req, "id")) response.id = req["id"] as ${rt.JsonValue};
    return response;
  }
}
`;
  return [{ path: "server.ts", content: out }];
};

function propertyKeyOf(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}
