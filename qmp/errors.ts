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

/**
 * A reply routed to a command by its id but not understood: an error without string
 * `class` and `desc`, both `return` and `error`, or neither (python qemu.qmp's
 * BadReplyError). The command fails with it; the connection carries on.
 */
export class QmpBadReplyError extends QmpProtocolError {
  constructor(
    readonly command: string,
    why: string,
    line?: string,
  ) {
    super(`${command}: bad reply from peer: ${why}`, line);
    this.name = "QmpBadReplyError";
  }
}

/**
 * The greeting or the capabilities negotiation went wrong (python qemu.qmp's
 * GreetingError and NegotiationError): connecting fails and the socket is closed.
 */
export class QmpNegotiationError extends QmpProtocolError {
  constructor(message: string, line?: string, options?: ErrorOptions) {
    super(message, line, options);
    this.name = "QmpNegotiationError";
  }
}

/** An event iterator's consumer fell `limit` events behind; the iteration ends. */
export class QmpEventOverflowError extends Error {
  constructor(readonly limit: number) {
    super(`event iterator overflow: ${limit} events buffered and unread; later events were not kept`);
    this.name = "QmpEventOverflowError";
  }
}
