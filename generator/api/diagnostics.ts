// Problems as values: what the API returns instead of throwing or printing.

import type { QapiError } from "../frontend/errors.js";

/** A located problem in a schema, a config file or the output folder. */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  /** The file, named as in messages (as given, includes relative to their includer); undefined when none applies. */
  readonly file: string | undefined;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** 1-based column (code points, tabs as QEMU counts them), when known. */
  readonly column: number | undefined;
  /** The message alone, without location. */
  readonly message: string;
  /**
   * The complete message as the command line prints it: the include chain and the
   * definition it is in, then `FILE:LINE:COL: message` (`warning: ` after the location
   * for a warning).
   */
  readonly text: string;
}

export function fromQapiError(err: QapiError, severity: "error" | "warning"): Diagnostic {
  return {
    severity,
    file: err.info?.fname,
    line: err.info?.line,
    column: err.col,
    message: err.msg,
    text: err.format(severity === "warning" ? "warning" : undefined),
  };
}

/** A problem at a place in a file (config files), or in no file (`file` undefined). */
export function diagnostic(file: string | undefined, line: number | undefined, column: number | undefined, message: string): Diagnostic {
  const loc = [file, line, column].filter((p) => p !== undefined).join(":");
  return { severity: "error", file, line, column, message, text: loc === "" ? message : `${loc}: ${message}` };
}
