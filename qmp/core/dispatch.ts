// The dispatcher core of generated servers: answers raw QMP command messages the
// way QEMU's monitor does, by calling one handler method per command. Copied
// verbatim into every output as runtime/dispatch.ts; the generated QmpDispatcher
// gives it the command table and the handlers' types.

import { $argumentProblems, type QmpCommandInfo } from "./client.js";
import { $hasOwn, $jsonProblem, type Problem } from "./validate.js";
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
 *   proxy passing on a newer QEMU's replies), or "off" (not against the schema;
 *   still as JSON data, as every mode checks them). An invalid return value is
 *   answered with a GenericError.
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

/** Containers a message may nest: QEMU's JSON streamer refuses more (MAX_NESTING there). */
const MAX_NESTING = 1024;

/**
 * A request's id: `value` to echo (a copy of an object id, as it arrived),
 * `given` for the handler; undefined when the request has none.
 */
type Id = { readonly value: unknown; readonly given: unknown } | undefined;

/** The platform's structuredClone (Node, browsers, Deno), typed without a DOM or Node lib. */
const platform = globalThis as unknown as {
  structuredClone?: (value: unknown) => unknown;
};

function errorResponse(errorClass: string, desc: string, id: Id): QmpResponse {
  const response: QmpResponse = { error: { class: errorClass, desc } };
  if (id !== undefined) response.id = id.value;
  return response;
}

function first(problems: readonly Problem[]): string {
  return problems[0]?.message ?? "Invalid value";
}

/**
 * The id of request `req`, read once: a copy of an object id (a handler or the
 * caller may change the original meanwhile), or the error QEMU answers a request
 * it cannot echo with (too deep: refused as QEMU's parser refuses it).
 */
function readId(req: Request): Id | QmpResponse {
  if (!$hasOwn(req, "id")) return undefined;
  const value = req["id"];
  if (value === undefined) return undefined; // JSON.stringify sends no id
  if (typeof value !== "object" || value === null)
    return { value, given: value };
  const problem = $jsonProblem(value, true, 2, MAX_NESTING, "id");
  if (problem !== undefined) {
    const desc = problem.tooDeep
      ? "JSON nesting depth limit exceeded"
      : `QMP input member 'id' is no JSON value: ${problem.message}`;
    return errorResponse("GenericError", desc, undefined);
  }
  try {
    return { value: platform.structuredClone?.(value) ?? value, given: value };
  } catch {
    return { value, given: value }; // a Proxy: it cannot be copied, but it serialises
  }
}

/** What a well-formed request asks for. */
interface Parsed {
  readonly command: string;
  readonly oob: boolean;
  readonly args: Request | undefined;
}

/** The command a request names, or the error QEMU answers a malformed request with. */
function parseRequest(
  req: Request,
  allowOob: boolean,
  id: Id,
): Parsed | QmpResponse {
  let command: string | undefined;
  let oob = false;
  let args: Request | undefined;
  const bad = (desc: string): QmpResponse =>
    errorResponse("GenericError", desc, id);
  for (const key of Object.keys(req)) {
    if (key === "id") continue;
    const value = req[key];
    if (value === undefined) continue;
    if (key === "execute" || (key === "exec-oob" && allowOob)) {
      if (typeof value !== "string")
        return bad(`QMP input member '${key}' must be a string`);
      if (command !== undefined)
        return bad(`QMP input member '${key}' is unexpected`);
      command = value;
      oob = key === "exec-oob";
    } else if (key === "arguments") {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return bad("QMP input member 'arguments' must be an object");
      args = value as Request;
    } else {
      return bad(`QMP input member '${key}' is unexpected`);
    }
  }
  if (command === undefined) return bad("QMP input lacks member 'execute'");
  return { command, oob, args };
}

/** What an exception says, or a fallback when even that cannot be read (a throwing getter, a revoked Proxy). */
function messageOf(e: unknown): string {
  try {
    // a getter or a subclass may make an Error's message anything
    const message: unknown = e instanceof Error ? e.message : e;
    return typeof message === "string" ? message : String(message);
  } catch {
    return "an exception that cannot be described";
  }
}

/** The error response for what a handler threw: its class and desc, else a GenericError. */
function thrownResponse(e: unknown, id: Id): QmpResponse {
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
    return errorResponse("GenericError", messageOf(inner), id);
  }
  if (typeof cls === "string" && typeof desc === "string")
    return errorResponse(cls, desc, id);
  return errorResponse("GenericError", messageOf(e), id);
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
 * - the handler's return value checked (see options) and, in every mode, that it
 *   is JSON data, which any serialiser can send: no cycle, no function, no
 *   toJSON method, no getter that throws, nested at most 1,024 deep with the
 *   response (QEMU's limit) and within the validators' budget of values;
 * - an error the handler throws answered with its class and desc (a QmpError, or
 *   any object with string `class` and `desc`), any other as GenericError with
 *   its message (or, when even that cannot be read, what reading it threw);
 * - `id` echoed in every response to an object input, as it arrived: an object
 *   id is copied before the handler runs, so neither the handler nor the caller
 *   can change what is echoed. An id nested deeper than QEMU accepts (1,024 with
 *   the request) is answered "JSON nesting depth limit exceeded" without id, as
 *   QEMU's parser answers it; an id that is no JSON value (a cycle, a function)
 *   is answered without id too;
 * - a request or handlers object whose getter or Proxy trap throws: GenericError
 *   with what it threw;
 * - no response (undefined) for a successful `success-response: false` command.
 *
 * `dispatch` never rejects: every request gets its answer.
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

  /**
   * The response to one raw command (undefined when QEMU would send none). Never
   * rejects: whatever the request holds and whatever the handler does, the
   * response is JSON data (bigints aside) carrying the request's id as it arrived.
   */
  async dispatch(request: unknown): Promise<QmpResponse | undefined> {
    let id: Id;
    try {
      if (
        typeof request !== "object" ||
        request === null ||
        Array.isArray(request)
      )
        return errorResponse(
          "GenericError",
          "QMP input must be a JSON object",
          undefined,
        );
      const req = request as Request;
      const read = readId(req);
      if (read !== undefined && !("value" in read)) return read;
      id = read;
      const parsed = parseRequest(req, this.options.oob !== false, id);
      if (!("command" in parsed)) return parsed;
      return await this.execute(parsed, id);
    } catch (e) {
      // A getter or Proxy trap of the request or the handlers threw.
      return errorResponse("GenericError", messageOf(e), id);
    }
  }

  /** Runs a well-formed request's command. */
  private async execute(
    { command, oob, args: raw }: Parsed,
    id: Id,
  ): Promise<QmpResponse | undefined> {
    const entry = $hasOwn(this.table, command)
      ? this.table[command]
      : undefined;
    const handler =
      entry === undefined
        ? undefined
        : (this.handlers as Record<string, unknown>)[entry.method];
    if (entry === undefined || typeof handler !== "function") {
      return errorResponse(
        "CommandNotFound",
        `The command ${command} has not been found`,
        id,
      );
    }
    const { info } = entry;
    if (oob && !info.allowOob)
      return errorResponse(
        "GenericError",
        `The command ${command} does not support OOB`,
        id,
      );
    const given = raw ?? {};
    const args =
      info.args === undefined ? given : (info.args.fromJson(given) as Request);
    const problems = $argumentProblems(info, args);
    if (problems.length > 0)
      return errorResponse("GenericError", first(problems), id);
    const context: QmpHandlerContext = { command, id: id?.given, oob };
    let result: unknown;
    try {
      result = await (handler as (a: unknown, c: unknown) => unknown).call(
        this.handlers,
        args,
        context,
      );
    } catch (e) {
      return thrownResponse(e, id);
    }
    return this.answer(info, result, id);
  }

  /**
   * The success response for a handler's result, or the error when the result is
   * invalid: not of the schema's type (unless `validateReturns` is "off"), or not
   * JSON data (a cycle, a toJSON method, a throwing getter, nested too deeply).
   */
  private answer(
    info: QmpCommandInfo,
    result: unknown,
    id: Id,
  ): QmpResponse | undefined {
    if (!info.successResponse) return undefined;
    const returns = info.returns;
    const mode = this.options.validateReturns ?? "strict";
    if (returns === undefined) {
      result = {};
    } else {
      const problem =
        (mode === "off" ? undefined : returns.problems(result, mode)[0]) ??
        $jsonProblem(result, true, 2, MAX_NESTING, "");
      if (problem !== undefined) {
        return errorResponse(
          "GenericError",
          `Invalid return value of command '${info.name}': ${problem.message}`,
          id,
        );
      }
    }
    const response: QmpResponse = { return: result };
    if (id !== undefined) response.id = id.value;
    return response;
  }
}
