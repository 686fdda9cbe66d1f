// File access shared by the front end and the writer: file names with their exact
// bytes, error texts, and schema files read only when they are regular and bounded.
//
// Node decodes file names as UTF-8 and replaces what is not, so a name that is not
// UTF-8 would open another file, or none. Here a name is a string in which each byte
// that is not part of valid UTF-8 stands as a lone surrogate U+DC80–U+DCFF (Python's
// "surrogateescape", which is how QEMU's own generator sees such names); `fsName`
// gives the exact bytes back for a file system call, `showName` a printable form.

import { Buffer } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";

/** Schema files larger than this are refused: QEMU's whole schema is about 1 MiB. */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

/** A file that is not read, with the reason in the words of strerror(). */
export class FileRefusal extends Error {}

/** Offset of the first byte in `bytes` (from `from`) that is not part of valid UTF-8. */
export function firstInvalidUtf8(bytes: Uint8Array, from = 0): number {
  let i = from;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // overlong 3/4-byte forms, surrogates, and code points beyond U+10FFFF
    const c1 = bytes[i + 1] as number;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 >= 0xa0) || (b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 >= 0x90))
      return i;
    i += need + 1;
  }
  return bytes.length;
}

/** A file name's bytes as a name string: valid UTF-8 decoded, other bytes escaped. */
export function decodeName(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let name = "";
  for (let at = 0; at < buf.length; ) {
    const bad = firstInvalidUtf8(buf, at);
    name += buf.toString("utf8", at, bad);
    if (bad < buf.length) name += String.fromCharCode(0xdc00 + (buf[bad] as number));
    at = bad + 1;
  }
  return name;
}

// A low surrogate that is not the second half of a pair: an escaped byte.
const ESCAPED_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/g;
const HAS_ESCAPED_BYTE = new RegExp(ESCAPED_BYTE.source);

/** What to hand to `node:fs` for a name: the string itself, or its exact bytes. */
export function fsName(name: string): string | Buffer {
  if (!HAS_ESCAPED_BYTE.test(name)) return name;
  const parts: Buffer[] = [];
  let start = 0;
  for (const m of name.matchAll(ESCAPED_BYTE)) {
    parts.push(Buffer.from(name.slice(start, m.index), "utf8"), Buffer.of(name.charCodeAt(m.index) - 0xdc00));
    start = m.index + 1;
  }
  parts.push(Buffer.from(name.slice(start), "utf8"));
  return Buffer.concat(parts);
}

/** Text for a terminal or a file: each escaped byte of a name shown as `\xNN`. */
export function showName(text: string): string {
  return text.replace(ESCAPED_BYTE, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16)}`);
}

const STRERROR: Record<string, string> = {
  EACCES: "Permission denied",
  EBUSY: "Device or resource busy",
  EDQUOT: "Disk quota exceeded",
  EEXIST: "File exists",
  EFBIG: "File too large",
  EINVAL: "Invalid argument",
  EIO: "Input/output error",
  EISDIR: "Is a directory",
  ELOOP: "Too many levels of symbolic links",
  EMFILE: "Too many open files",
  ENAMETOOLONG: "File name too long",
  ENFILE: "Too many open files in system",
  ENOENT: "No such file or directory",
  ENOSPC: "No space left on device",
  ENOTDIR: "Not a directory",
  ENOTEMPTY: "Directory not empty",
  EPERM: "Operation not permitted",
  EROFS: "Read-only file system",
  EXDEV: "Invalid cross-device link",
};

/** The strerror() text of a failed file system call (or the reason of a refusal). */
export function describeFsError(err: unknown): string {
  if (err instanceof FileRefusal) return err.message;
  const code = codeOf(err);
  if (typeof code === "string") return STRERROR[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}

/** A failed file system call and the name it was given. */
export class FsFailure extends Error {
  constructor(
    readonly path: string,
    readonly error: unknown,
  ) {
    super(`${path}: ${describeFsError(error)}`);
  }
}

/** The errno code of a failed call (`ENOENT`), if any. */
export function codeOf(err: unknown): unknown {
  return (err as { code?: unknown }).code;
}

/** A failure of `path` with an errno code the system did not raise itself. */
export function failure(path: string, code: string): FsFailure {
  return new FsFailure(path, Object.assign(new Error(code), { code }));
}

/** Runs a file system call on `path`'s exact bytes; a failure names `path`. */
export function fsCall<T>(path: string, call: (name: string | Buffer) => T): T {
  try {
    return call(fsName(path));
  } catch (err) {
    throw new FsFailure(path, err);
  }
}

function fileKind(st: Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a file";
}

function tooLarge(size: number | undefined): FileRefusal {
  const what = size === undefined ? "" : `${size} bytes; `;
  return new FileRefusal(`File too large (${what}the limit is ${MAX_SOURCE_BYTES} bytes)`);
}

/** The size of a file that may be read; refuses anything but a regular file. */
function readableSize(st: Stats): number {
  if (st.isDirectory()) throw new FileRefusal("Is a directory");
  if (!st.isFile()) throw new FileRefusal(`Not a regular file (${fileKind(st)})`);
  if (st.size > MAX_SOURCE_BYTES) throw tooLarge(st.size);
  return st.size;
}

/**
 * The bytes of a regular file of at most MAX_SOURCE_BYTES. Anything else is refused
 * before it is opened (opening a device can act: a tape rewinds, a watchdog starts);
 * the file is opened non-blocking and checked again, so one swapped in meanwhile (a
 * FIFO) cannot hang the read, and a file that grows is cut off at the limit.
 */
export function readRegularFile(path: string): Buffer {
  const name = fsName(path);
  readableSize(statSync(name));
  const fd = openSync(name, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  try {
    // One byte more than the size sees a file that grew since.
    let buf = Buffer.allocUnsafe(readableSize(fstatSync(fd)) + 1);
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > MAX_SOURCE_BYTES) throw tooLarge(undefined);
        const grown = Buffer.allocUnsafe(Math.min(2 * length, MAX_SOURCE_BYTES + 1));
        buf.copy(grown);
        buf = grown;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) return buf.subarray(0, length);
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}
