// V8's optimizing compiler, per phase of a one-shot run. The front end's parser is a
// few very large functions run once: compiling them optimized costs more than it
// saves, so the CLI turns the optimizing compiler off for a single run. The back end
// is many small functions run many times (the layout engine), where optimized code
// pays: the compiler comes back on before it runs (measured: 6.1G instructions for
// QEMU 10's full schema against 7.6G with it off throughout, callgrind).

import { setFlagsFromString } from "node:v8";

let frontEndOnly = false;

/** For a one-shot run (the CLI): no optimizing compiler until the back end starts. */
export function unoptimizedFrontEnd(): void {
  setFlagsFromString("--no-opt");
  frontEndOnly = true;
}

/** The back end is about to run: the optimizing compiler back on, if it was turned off here. */
export function optimizedBackEnd(): void {
  if (!frontEndOnly) return;
  setFlagsFromString("--opt");
  frontEndOnly = false;
}
