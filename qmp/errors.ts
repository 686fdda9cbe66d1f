// Errors the QMP client raises. Each failure mode has its own class so callers can
// tell "QEMU said no" (QmpError) from "we never got an answer" (the others).

/** QEMU answered the command with an error response. */
export class QmpError extends Error {
  /** QEMU's error class, e.g. "GenericError", "DeviceNotFound". */
  readonly class: string;
  /** QEMU's human-readable description (not meant to be parsed). */
  readonly desc: string;
  /** The command that failed. */
  readonly command: string;

  constructor(command: string, errorClass: string, desc: string) {
    super(`${command}: ${errorClass}: ${desc}`);
    this.name = "QmpError";
    this.class = errorClass;
    this.desc = desc;
    this.command = command;
  }
}

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
