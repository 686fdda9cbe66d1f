// Line framing for QMP: every message is one JSON object ending in CRLF (QEMU) or LF.
// Chunks from the socket split and coalesce messages arbitrarily; this collects them
// into whole lines. Lines are cut at the newline byte, which in UTF-8 never occurs
// inside a multi-byte character: the whole lines of a chunk are decoded in one go,
// and the bytes of an unfinished line are copied into one growing buffer, so memory
// stays within twice the bytes buffered however finely the line is chunked.
//
// The reader can be paused between lines (a server that must not take on more work):
// the rest of the input at hand is held as it is and framed at resume().

import type { Writable } from "node:stream";

export interface LineDecoderOptions {
  /** Longest line accepted, in bytes (its LF excluded); longer ones are dropped and reported. */
  maxLineLength?: number;
}

export interface LineSink {
  line(text: string): void;
  /**
   * A line passed the limit (`length`: its bytes so far); it is discarded up to its
   * newline. Told at once, not at the newline, which may be a gigabyte away.
   */
  overlong(length: number): void;
}

/**
 * QEMU's JSON streamer refuses a message whose tokens exceed 64 MiB (MAX_TOKEN_SIZE);
 * query-qmp-schema, the largest reply QEMU sends, is about 200 KB.
 */
export const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

/** A line buffer grown past this is released once its line is done. */
const KEEP_CAPACITY = 64 * 1024;
const MIN_CAPACITY = 1024;
const LF = 0x0a;

export class LineDecoder {
  private buffer: Buffer | undefined;
  /** Bytes of the unfinished line held in `buffer`. */
  private length = 0;
  /** Inside a line already over the limit: skip until its newline, counting. */
  private discarding = false;
  private discarded = 0;
  private paused = false;
  /** Inside push() or resume(): a resume() from the sink only clears `paused`. */
  private consuming = false;
  /** Input not yet framed because the reader is paused: chunks, or whole lines as text. */
  private readonly held: (Buffer | string)[] = [];
  private readonly max: number;

  constructor(
    private readonly sink: LineSink,
    options: LineDecoderOptions = {},
  ) {
    this.max = options.maxLineLength ?? DEFAULT_MAX_LINE;
  }

  push(chunk: Buffer | string): void {
    this.held.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    if (!this.paused && !this.consuming) this.drain();
  }

  /** Stop handing out lines (after the current one) until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (!this.consuming) this.drain();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Bytes buffered towards an unfinished line (for diagnostics at close). */
  get pending(): number {
    return this.discarding ? this.discarded : this.length;
  }

  /** Frame the held input, in order, until it is all framed or the sink pauses. */
  private drain(): void {
    this.consuming = true;
    try {
      while (!this.paused) {
        const input = this.held.shift();
        if (input === undefined) break;
        const rest = typeof input === "string" ? this.lines(input) : this.consume(input);
        if (rest !== undefined) this.held.unshift(rest);
      }
    } finally {
      this.consuming = false;
    }
  }

  /** Frame one chunk; returns what is left of it if the sink paused the reader. */
  private consume(bytes: Buffer): Buffer | string | undefined {
    let start = 0;
    if (this.discarding || this.length > 0) {
      // The end of a line begun in earlier chunks.
      const nl = bytes.indexOf(LF);
      if (nl < 0) {
        this.keep(bytes, 0, bytes.length);
        return undefined;
      }
      this.keep(bytes, 0, nl);
      this.finishBuffered();
      start = nl + 1;
      if (this.paused) return start < bytes.length ? bytes.subarray(start) : undefined;
    }
    const last = bytes.lastIndexOf(LF);
    let rest: string | undefined;
    if (last >= start) rest = this.lines(bytes.toString("utf8", start, last + 1));
    // The unfinished line goes to the buffer even when paused: it follows every whole line held.
    const tail = Math.max(start, last + 1);
    if (tail < bytes.length) this.keep(bytes, tail, bytes.length);
    return rest;
  }

  /** Hand on each line of `text` (whole lines, LF-terminated); returns the rest if paused. */
  private lines(text: string): string | undefined {
    let pos = 0;
    while (pos < text.length) {
      if (this.paused) return text.slice(pos);
      const nl = text.indexOf("\n", pos);
      const line = text.slice(pos, nl);
      pos = nl + 1;
      // A line's UTF-8 length is between its length and three times it.
      const bytes = line.length * 3 <= this.max ? 0 : Buffer.byteLength(line);
      if (bytes > this.max) this.sink.overlong(bytes);
      else this.emit(line);
    }
    return undefined;
  }

  /** Add bytes[from, to) to the unfinished line, or count them if it is over the limit. */
  private keep(bytes: Buffer, from: number, to: number): void {
    if (this.discarding) {
      this.discarded += to - from;
      return;
    }
    const need = this.length + (to - from);
    if (need > this.max) {
      this.discarding = true;
      this.discarded = need;
      this.length = 0;
      this.buffer = undefined;
      this.sink.overlong(need);
      return;
    }
    if (this.buffer === undefined || this.buffer.length < need) {
      const grown = Buffer.allocUnsafeSlow(Math.min(this.max, Math.max(need, MIN_CAPACITY, 2 * (this.buffer?.length ?? 0))));
      this.buffer?.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    bytes.copy(this.buffer, this.length, from, to);
    this.length = need;
  }

  /** The buffered line is complete: hand it on (unless it was over the limit). */
  private finishBuffered(): void {
    if (!this.discarding) this.emit((this.buffer as Buffer).toString("utf8", 0, this.length));
    this.length = 0;
    this.discarding = false;
    this.discarded = 0;
    if (this.buffer !== undefined && this.buffer.length > KEEP_CAPACITY) this.buffer = undefined;
  }

  private emit(line: string): void {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    // Blank lines carry nothing (a peer may send bare newlines); skip them quietly.
    if (line.trim() === "") return;
    this.sink.line(line);
  }
}

/**
 * Write to `stream` so that the writes of one tick go out in one system call (corked,
 * uncorked on the next tick): 32 commands or answers in one tick, one write.
 */
export function tickBatchedWriter(stream: Writable): (text: string, done?: (err: Error | null | undefined) => void) => void {
  let corked = false;
  return (text, done) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(() => {
        corked = false;
        stream.uncork();
      });
    }
    if (done === undefined) stream.write(text);
    else stream.write(text, done);
  };
}
