// Errors in schema input. Anything wrong with the user's schema is a QapiError, which
// the CLI prints as `FILE:LINE[:COL]: message` (after the include chain and the
// definition context) and exits 1. Any other exception is a bug in qapi-gen.

import type { SourceInfo } from "./source.js";

export class QapiError extends Error {
  constructor(
    readonly info: SourceInfo | undefined,
    readonly msg: string,
    readonly col?: number,
  ) {
    super(msg);
    this.name = "QapiError";
  }

  /** The complete located message, as printed; a warning says so after the location. */
  format(kind?: "warning"): string {
    let loc = this.info === undefined ? "" : this.info.toString();
    if (this.col !== undefined) loc += `:${this.col}`;
    const msg = kind === undefined ? this.msg : `${kind}: ${this.msg}`;
    return loc === "" ? msg : `${loc}: ${msg}`;
  }
}

/** An error at a source offset (syntax and doc comment errors carry a column). */
export function errorAt(info: SourceInfo, offset: number, msg: string): QapiError {
  const at = info.file.reportOffset(offset);
  return new QapiError(info.atOffset(at), msg, info.file.column(at));
}

/**
 * Where doc comment problems go. QEMU versions disagree on doc comment rules, so by
 * default they are warnings and the run goes on; with --strict they are errors.
 */
export interface Diagnostics {
  readonly strict: boolean;
  /** Report a doc comment problem: throws when strict, records a warning otherwise. */
  docProblem(err: QapiError): void;
  readonly warnings: QapiError[];
}

export function makeDiagnostics(strict: boolean): Diagnostics {
  const warnings: QapiError[] = [];
  return {
    strict,
    warnings,
    docProblem(err) {
      if (strict) throw err;
      warnings.push(err);
    },
  };
}
