// The call path of generated clients: what a transport is, the options of a call,
// what a client knows about each command, and the one function every generated
// command function and QmpClient method calls. Copied verbatim into every output as
// runtime/client.ts; @qapi-gen/qmp's QmpConnection is such a transport.

import { QmpValidationError } from "./errors.js";
import { $unreadable, type Problem, type Validator } from "./validate.js";

/**
 * An AbortSignal, as far as the runtime uses one. Declared here (not the DOM's or
 * Node's type) so that generated code compiles with `lib: ["es2022"]` and no
 * `types`; a real AbortSignal fits.
 */
export interface QmpAbortSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(
    type: "abort",
    listener: () => void,
    options?: { once?: boolean },
  ): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Options of one command call. */
export interface QmpCallOptions {
  /** Reject with a timeout error after this many milliseconds (default: the transport's). */
  readonly timeout?: number | undefined;
  /** Abort waiting (QEMU may still execute the command). */
  readonly signal?: QmpAbortSignal | undefined;
  /** Check the arguments strictly before sending (default true). */
  readonly validateArguments?: boolean | undefined;
  /** Check the return value in compatible mode (default true). */
  readonly validateReturns?: boolean | undefined;
}

/** Options of a call of a command that can run out-of-band (`allow-oob`). */
export interface QmpOobCallOptions extends QmpCallOptions {
  /** Send as `exec-oob` (the connection must have negotiated `oob`). */
  readonly oob?: boolean | undefined;
}

/** What a transport is given with a command. */
export interface QmpExecuteOptions {
  readonly timeout?: number | undefined;
  readonly signal?: QmpAbortSignal | undefined;
  readonly oob?: boolean | undefined;
  /**
   * false for commands QEMU answers only on failure (`success-response: false`):
   * the transport resolves once the command is sent.
   */
  readonly expectResponse?: boolean | undefined;
}

/**
 * What generated clients send commands through: anything that executes a QMP
 * command and resolves with its `return` value, rejecting on an error response
 * (with a QmpError), such as @qapi-gen/qmp's QmpConnection.
 */
export interface QmpTransport {
  execute(
    command: string,
    args?: object,
    options?: QmpExecuteOptions,
  ): Promise<unknown>;
}

/** Options of a generated QmpClient: defaults for its calls, and what it does with bad events. */
export interface QmpClientOptions extends QmpCallOptions {
  /**
   * Told of each event whose data fails validation (compatible mode): such an
   * event is not delivered to listeners. By default it is dropped silently.
   */
  readonly onInvalidEvent?: ((error: QmpValidationError) => void) | undefined;
}

/**
 * `U` without its members `K`, branch by branch (Omit of a union would merge the
 * branches): what a union constructor takes besides the discriminator.
 */
export type QmpOmit<U, K extends PropertyKey> = U extends unknown
  ? Omit<U, K>
  : never;

/** What a client or dispatcher knows about a command at run time. */
export interface QmpCommandInfo<
  Name extends string = string,
  Args = unknown,
  Returns = unknown,
> {
  /** The wire name. */
  readonly name: Name;
  /** Validator of the arguments; undefined when the command takes none. */
  readonly args: Validator<Args> | undefined;
  /** Validator of the return value; undefined when the command returns nothing. */
  readonly returns: Validator<Returns> | undefined;
  /** The arguments are one object type (possibly a union), handed over whole. */
  readonly boxed: boolean;
  /** false when QEMU sends no response on success (`success-response: false`). */
  readonly successResponse: boolean;
  /** Can run out-of-band (`exec-oob`). */
  readonly allowOob: boolean;
  /** Available before the machine is configured (`--preconfig`). */
  readonly allowPreconfig: boolean;
  /**
   * false for `gen: false` commands: QEMU takes their arguments as they are, so
   * members beyond the declared ones are accepted (validated in compatible mode).
   */
  readonly gen: boolean;
  /** The command's features, e.g. "deprecated", "unstable". */
  readonly features: readonly string[];
}

/** The problems of a command's arguments, as the dispatcher and the client check them. */
export function $argumentProblems(
  info: QmpCommandInfo,
  args: object | undefined,
): Problem[] {
  const v = info.args;
  if (v !== undefined)
    return v.problems(args ?? {}, info.gen ? "strict" : "compatible");
  const problems: Problem[] = [];
  try {
    for (const [k, x] of Object.entries(args ?? {})) {
      if (x !== undefined)
        problems.push({ path: k, message: `Parameter '${k}' is unexpected` });
    }
  } catch (e) {
    $unreadable(problems, "", e); // a getter or Proxy trap threw
  }
  return problems;
}

/** What the transport is given: only the options that are set (none: no options argument). */
function execute(
  transport: QmpTransport,
  info: QmpCommandInfo,
  args: object | undefined,
  options: QmpOobCallOptions | undefined,
  defaults: QmpCallOptions | undefined,
): Promise<unknown> {
  const given: {
    -readonly [K in keyof QmpExecuteOptions]: QmpExecuteOptions[K];
  } = {};
  const timeout = options?.timeout ?? defaults?.timeout;
  const signal = options?.signal ?? defaults?.signal;
  if (timeout !== undefined) given.timeout = timeout;
  if (signal !== undefined) given.signal = signal;
  if (options?.oob !== undefined) given.oob = options.oob;
  if (!info.successResponse) given.expectResponse = false;
  if (Object.keys(given).length > 0)
    return transport.execute(info.name, args, given);
  return args === undefined
    ? transport.execute(info.name)
    : transport.execute(info.name, args);
}

/**
 * @internal Runs one command through `transport`: arguments validated strictly
 * before anything is sent, the return value converted from JSON (64-bit integers)
 * and validated in compatible mode. `defaults` are a client's options.
 */
export async function $call(
  transport: QmpTransport,
  info: QmpCommandInfo,
  args: object | undefined,
  options: QmpOobCallOptions | undefined,
  defaults?: QmpCallOptions,
): Promise<unknown> {
  const validateArguments =
    options?.validateArguments ?? defaults?.validateArguments ?? true;
  if (validateArguments) {
    const problems = $argumentProblems(info, args);
    if (problems.length > 0)
      throw new QmpValidationError("arguments", info.name, problems);
  }
  const raw = await execute(transport, info, args, options, defaults);
  const r = info.returns;
  if (r === undefined || !info.successResponse) return undefined;
  const result = r.fromJson(raw);
  if (options?.validateReturns ?? defaults?.validateReturns ?? true) {
    const problems = r.problems(result, "compatible");
    if (problems.length > 0)
      throw new QmpValidationError("return", info.name, problems);
  }
  return result;
}
