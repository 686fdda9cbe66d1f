// Errors the QMP client raises. Each failure mode has its own class so callers can
// tell "QEMU said no" (QmpError) from "we never got an answer" (the others).

// QmpError (QEMU answered with an error response) and QmpValidationError are the
// ones generated code carries (core/errors.ts): one concept, whichever copy a caller
// names in `instanceof`.
export { QmpError, QmpValidationError } from "./core/errors.js";

/** The connection closed (or QEMU died) before the command got its answer. */
export class QmpConnectionClosedError extends Error {
  constructor(
    message: string,
    readonly command?: string,
    options?: ErrorOptions,
  ) {
    super(command === undefined ? message : `${command}: ${message}`, options);
    this.name = "QmpConnectionClosedError";
  }
}

/** No answer within the command's timeout. The late answer, if any, is dropped. */
export class QmpTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeout: number,
  ) {
    super(`${command}: no response within ${timeout} ms`);
    this.name = "QmpTimeoutError";
  }
}

/** The caller's AbortSignal fired. QEMU may still execute the command. */
export class QmpAbortError extends Error {
  constructor(
    readonly command: string,
    options?: ErrorOptions,
  ) {
    super(`${command}: aborted`, options);
    this.name = "AbortError";
  }
}

/** The peer broke the protocol (bad greeting, malformed line, unexpected message). */
export class QmpProtocolError extends Error {
  constructor(
    message: string,
    /** The offending line, possibly truncated. */
    readonly line?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "QmpProtocolError";
  }
}
