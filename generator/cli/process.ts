// The command line's process boundary: arguments and working directory with the exact
// bytes of their names, and standard output and error that end quietly when their
// reader goes away (`qapi-gen dump … | head -1`).
//
// Node decodes argv and the working directory as UTF-8 and replaces what is not, so
// a name that is not UTF-8 would name another file. On Linux the exact bytes are in
// /proc/self/cmdline and /proc/self/cwd; elsewhere such a name is refused.

import { readFileSync, readlinkSync } from "node:fs";
import { decodeName, describeFsError, showName } from "../frontend/files.js";

const REPLACED = "\ufffd";

/** The exit status of a process killed by SIGPIPE, as shells report it (128 + 13). */
export const BROKEN_PIPE_STATUS = 141;

/** The arguments after the script, from the bytes the process was started with. */
function exactArgs(): string[] | undefined {
  const args = process.argv.slice(2);
  if (!args.some((a) => a.includes(REPLACED))) return args;
  let raw: Buffer;
  try {
    raw = readFileSync("/proc/self/cmdline");
  } catch {
    return undefined;
  }
  // NUL-terminated; Node's own options come before the script, so the last ones are ours.
  const all: Buffer[] = [];
  for (let at = 0; at < raw.length; ) {
    const end = raw.indexOf(0, at);
    all.push(raw.subarray(at, end < 0 ? raw.length : end));
    at = end < 0 ? raw.length : end + 1;
  }
  const ours = all.slice(all.length - args.length);
  // Each must decode to what Node made of it, or the two lists do not line up.
  if (ours.length !== args.length || ours.some((b, i) => b.toString("utf8") !== args[i])) return undefined;
  return ours.map(decodeName);
}

function exactCwd(): string | undefined {
  const cwd = process.cwd();
  if (!cwd.includes(REPLACED)) return cwd;
  try {
    const raw = readlinkSync("/proc/self/cwd", { encoding: "buffer" });
    return raw.toString("utf8") === cwd ? decodeName(raw) : undefined;
  } catch {
    return undefined;
  }
}

/** The command's arguments and working directory, names exact; or why they cannot be had. */
export function processInputs(): { argv: string[]; cwd: string } | { problem: string } {
  const argv = exactArgs();
  if (argv === undefined) return { problem: "an argument is not valid UTF-8, and this system does not give its bytes" };
  const cwd = exactCwd();
  if (cwd === undefined) {
    return { problem: "the working directory's name is not valid UTF-8, and this system does not give its bytes" };
  }
  return { argv, cwd };
}

/**
 * Writers for standard output and error. Names in the text are shown with `showName`.
 * When a reader goes away (EPIPE) nothing more is written there, and a run that would
 * have succeeded exits BROKEN_PIPE_STATUS, as a pipeline expects; any other write
 * error is reported on standard error and the exit status is 1.
 */
export function processOutput(): { stdout(text: string): void; stderr(text: string): void } {
  const broken = new Set<NodeJS.WriteStream>();
  const writer = (stream: NodeJS.WriteStream, name: string) => {
    stream.on("error", (err) => {
      if (broken.has(stream)) return;
      broken.add(stream);
      const pipe = (err as { code?: unknown }).code === "EPIPE";
      if (!pipe && !broken.has(process.stderr)) {
        process.stderr.write(`qapi-gen: cannot write to standard ${name}: ${describeFsError(err)}\n`);
      }
      if (!process.exitCode) process.exitCode = pipe ? BROKEN_PIPE_STATUS : 1;
    });
    return (text: string): void => {
      if (!broken.has(stream)) stream.write(showName(text));
    };
  };
  return { stdout: writer(process.stdout, "output"), stderr: writer(process.stderr, "error") };
}
