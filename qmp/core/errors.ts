// The errors generated code and @qapi-gen/qmp share. Copied verbatim into every
// output as runtime/errors.ts. Each output has its own copy of these classes, and
// @qapi-gen/qmp has another, so `instanceof` goes by a brand registered with
// Symbol.for: an error response from QEMU is `instanceof QmpError` whichever copy
// of the class the test names.

import type { Problem } from "./validate.js";

const QMP_ERROR = Symbol.for("qapi-gen.QmpError");
const VALIDATION_ERROR = Symbol.for("qapi-gen.QmpValidationError");

function brand(target: object, key: symbol): void {
  Object.defineProperty(target, key, { value: true });
}

function branded(value: unknown, key: symbol): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[key] === true
  );
}

/**
 * An error response of QMP: QEMU (or a handler of the generated dispatcher)
 * answered a command with an error of class `class` (e.g. "GenericError",
 * "DeviceNotFound") and the human-readable `desc` (not meant to be parsed).
 *
 * Handlers of the generated dispatcher throw it to answer with a specific class:
 * `throw new QmpError("DeviceNotFound", "Device 'foo' not found")`.
 */
export class QmpError extends Error {
  /** The QMP error class, e.g. "GenericError", "DeviceNotFound". */
  readonly class: string;
  /** The human-readable description. */
  readonly desc: string;
  /** The command that failed, when known. */
  readonly command: string | undefined;

  constructor(errorClass: string, desc: string, command?: string) {
    super(
      command === undefined
        ? `${errorClass}: ${desc}`
        : `${command}: ${errorClass}: ${desc}`,
    );
    this.name = "QmpError";
    this.class = errorClass;
    this.desc = desc;
    this.command = command;
    brand(this, QMP_ERROR);
  }

  /** Any copy's QmpError is an instance of this one (subclasses keep the usual test). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === QmpError
      ? branded(value, QMP_ERROR)
      : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * A value failed validation: arguments before they were sent, a command's return,
 * or an event's data. `problems` lists what is wrong, with QEMU-style paths; the
 * message says what was validated and the first problems.
 */
export class QmpValidationError extends Error {
  /** What was validated. */
  readonly kind: "arguments" | "return" | "event";
  /** The command or event name. */
  readonly target: string;
  readonly problems: readonly Problem[];

  constructor(
    kind: "arguments" | "return" | "event",
    target: string,
    problems: readonly Problem[],
  ) {
    super(validationMessage(kind, target, problems));
    this.name = "QmpValidationError";
    this.kind = kind;
    this.target = target;
    this.problems = problems;
    brand(this, VALIDATION_ERROR);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === QmpValidationError
      ? branded(value, VALIDATION_ERROR)
      : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

function validationMessage(
  kind: string,
  target: string,
  problems: readonly Problem[],
): string {
  const what = kind === "event" ? "data of event" : `${kind} of command`;
  const shown = problems.slice(0, 3).map((p) => p.message);
  if (problems.length > 3)
    shown.push(`and ${String(problems.length - 3)} more`);
  return `Invalid ${what} '${target}': ${shown.join("; ")}`;
}
