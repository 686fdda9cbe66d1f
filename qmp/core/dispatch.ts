// The dispatcher core of generated servers: answers raw QMP command messages the
// way QEMU's monitor does, by calling one handler method per command. Copied
// verbatim into every output as runtime/dispatch.ts; the generated QmpDispatcher
// gives it the command table and the handlers' types.

import type { QmpCommandInfo } from "./client.js";
import { $argumentProblems } from "./client.js";
import type { Problem } from "./validate.js";
import type { QmpResponse } from "./wire.js";

/** What a handler learns about the command it executes, besides its arguments. */
export interface QmpHandlerContext<Name extends string = string> {
  /** The command's wire name. */
  readonly command: Name;
  /** The command's `id`, undefined when it has none. */
  readonly id: unknown;
  /** Sent with `exec-oob`. */
  readonly oob: boolean;
}

/**
 * Options of a dispatcher.
 *
 * - `oob` (default true): accept `exec-oob` (as QEMU does once the client enabled
 *   the `oob` capability); false answers it as an unexpected member.
 * - `validateReturns` (default "strict"): how handlers' return values are checked:
 *   "strict" (a faithful QEMU sends nothing the schema lacks), "compatible" (a
 *   proxy passing on a newer QEMU's replies), or "off". An invalid return value
 *   is answered with a GenericError.
 */
export interface QmpDispatcherOptions {
  readonly oob?: boolean | undefined;
  readonly validateReturns?: "strict" | "compatible" | "off" | undefined;
}

/** @internal One command of a dispatcher: its handler method's name and what it is. */
export interface $DispatchEntry {
  readonly method: string;
  readonly info: QmpCommandInfo;
}

type Request = Record<string, unknown>;

/** Own property test (Object.hasOwn needs lib ES2022, which the output does not require). */
const hasOwn = (o: object, key: PropertyKey): boolean =>
  Object.prototype.hasOwnProperty.call(o, key);

function errorResponse(
  errorClass: string,
  desc: string,
  request: Request | undefined,
): QmpResponse {
  const response: QmpResponse = { error: { class: errorClass, desc } };
  if (request !== undefined && hasOwn(request, "id"))
    response.id = request["id"];
  return response;
}

function first(problems: readonly Problem[]): string {
  return problems[0]?.message ?? "Invalid value";
}

/** The command a request names, or the error QEMU answers a malformed request with. */
function parseRequest(
  req: Request,
  allowOob: boolean,
): { command: string; oob: boolean } | QmpResponse {
  let command: string | undefined;
  let oob = false;
  for (const key of Object.keys(req)) {
    const value = req[key];
    if (value === undefined) continue;
    if (key === "execute" || (key === "exec-oob" && allowOob)) {
      if (typeof value !== "string")
        return errorResponse(
          "GenericError",
          `QMP input member '${key}' must be a string`,
          req,
        );
      if (command !== undefined)
        return errorResponse(
          "GenericError",
          `QMP input member '${key}' is unexpected`,
          req,
        );
      command = value;
      oob = key === "exec-oob";
    } else if (key === "arguments") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return errorResponse(
          "GenericError",
          "QMP input member 'arguments' must be an object",
          req,
        );
      }
    } else if (key !== "id") {
      return errorResponse(
        "GenericError",
        `QMP input member '${key}' is unexpected`,
        req,
      );
    }
  }
  if (command === undefined)
    return errorResponse(
      "GenericError",
      "QMP input lacks member 'execute'",
      req,
    );
  return { command, oob };
}

/** An error's message, or a fallback when even that cannot be read (a throwing getter, a revoked Proxy). */
function messageOf(e: unknown): string {
  try {
    // a getter or a subclass may make an Error's message anything
    const message: unknown = e instanceof Error ? e.message : e;
    return typeof message === "string" ? message : String(message);
  } catch {
    return "the command's handler failed with an unreadable error";
  }
}

/** The error response for what a handler threw: its class and desc, else a GenericError. */
function thrownResponse(e: unknown, req: Request): QmpResponse {
  let cls: unknown;
  let desc: unknown;
  try {
    const err = e as { class?: unknown; desc?: unknown };
    if (typeof e === "object" && e !== null) {
      cls = err.class;
      desc = err.desc;
    }
  } catch (inner) {
    // Reading the error failed: answer with what that failure says.
    return errorResponse("GenericError", messageOf(inner), req);
  }
  if (typeof cls === "string" && typeof desc === "string")
    return errorResponse(cls, desc, req);
  return errorResponse("GenericError", messageOf(e), req);
}

/**
 * Executes raw QMP commands with handlers, answering as QEMU does:
 *
 * - input that is not an object, or has a bad `execute`/`exec-oob`/`arguments` or
 *   an unknown member: GenericError ("QMP input lacks member 'execute'", ...);
 * - an unknown command, or one without a handler: CommandNotFound ("The command X
 *   has not been found");
 * - `exec-oob` of a command without `allow-oob`: GenericError;
 * - arguments checked strictly: GenericError naming the first problem as QEMU
 *   does ("Parameter 'actions[0].data.extra' is unexpected", "Parameter 'device'
 *   is missing", "Invalid parameter type for 'x', expected: integer");
 * - the handler's return value checked (see options); an error it throws answered
 *   with its class and desc (a QmpError, or any object with string `class` and
 *   `desc`), any other as GenericError with its message;
 * - `id` echoed in every response to an object input;
 * - no response (undefined) for a successful `success-response: false` command.
 */
export class QmpDispatcherCore<Handlers extends object> {
  readonly handlers: Handlers;
  readonly options: QmpDispatcherOptions;
  private readonly table: Readonly<Record<string, $DispatchEntry>>;

  constructor(
    table: Readonly<Record<string, $DispatchEntry>>,
    handlers: Handlers,
    options: QmpDispatcherOptions = {},
  ) {
    this.table = table;
    this.handlers = handlers;
    this.options = options;
  }

  /** The response to one raw command (undefined when QEMU would send none). */
  async dispatch(request: unknown): Promise<QmpResponse | undefined> {
    if (
      typeof request !== "object" ||
      request === null ||
      Array.isArray(request)
    ) {
      return errorResponse(
        "GenericError",
        "QMP input must be a JSON object",
        undefined,
      );
    }
    const req = request as Request;
    const parsed = parseRequest(req, this.options.oob !== false);
    if (!("command" in parsed)) return parsed;
    const { command, oob } = parsed;
    const entry = hasOwn(this.table, command) ? this.table[command] : undefined;
    const handler =
      entry === undefined
        ? undefined
        : (this.handlers as Record<string, unknown>)[entry.method];
    if (entry === undefined || typeof handler !== "function") {
      return errorResponse(
        "CommandNotFound",
        `The command ${command} has not been found`,
        req,
      );
    }
    const { info } = entry;
    if (oob && !info.allowOob)
      return errorResponse(
        "GenericError",
        `The command ${command} does not support OOB`,
        req,
      );
    const raw = hasOwn(req, "arguments") ? (req["arguments"] as Request) : {};
    const args =
      info.args === undefined ? raw : (info.args.fromJson(raw) as Request);
    const problems = $argumentProblems(info, args);
    if (problems.length > 0)
      return errorResponse("GenericError", first(problems), req);
    const context: QmpHandlerContext = {
      command,
      id: hasOwn(req, "id") ? req["id"] : undefined,
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
      return thrownResponse(e, req);
    }
    return this.answer(info, result, req);
  }

  /** The success response for a handler's result, or the error when the result is invalid. */
  private answer(
    info: QmpCommandInfo,
    result: unknown,
    req: Request,
  ): QmpResponse | undefined {
    if (!info.successResponse) return undefined;
    const returns = info.returns;
    const mode = this.options.validateReturns ?? "strict";
    if (returns === undefined) {
      result = {};
    } else if (mode !== "off") {
      const problems = returns.problems(result, mode);
      if (problems.length > 0) {
        return errorResponse(
          "GenericError",
          `Invalid return value of command '${info.name}': ${first(problems)}`,
          req,
        );
      }
    }
    const response: QmpResponse = { return: result };
    if (hasOwn(req, "id")) response.id = req["id"];
    return response;
  }
}
