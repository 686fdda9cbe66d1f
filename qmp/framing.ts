// Line framing for QMP: every message is one JSON object ending in CRLF (QEMU) or LF.
// Chunks from the socket split and coalesce messages arbitrarily; this collects them
// into whole lines. A long line arriving in many chunks is joined once, at its end
// (no quadratic re-concatenation), and only each new chunk is scanned for newlines.

import { StringDecoder } from "node:string_decoder";

export interface LineDecoderOptions {
  /** Longest line accepted, in UTF-16 units; longer ones are dropped and reported. */
  maxLineLength?: number;
}

export interface LineSink {
  line(text: string): void;
  /** A line over the limit was discarded (length counts what was seen). */
  overlong(length: number): void;
}

/** query-qmp-schema is about 200 KB; leave generous room above anything QEMU sends. */
export const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

export class LineDecoder {
  private readonly decoder = new StringDecoder("utf8");
  private parts: string[] = [];
  private partsLength = 0;
  /** Inside a line already over the limit: skip until its newline. */
  private discarding = false;
  private readonly max: number;

  constructor(
    private readonly sink: LineSink,
    options: LineDecoderOptions = {},
  ) {
    this.max = options.maxLineLength ?? DEFAULT_MAX_LINE;
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      this.finishLine(text.slice(start, nl));
      start = nl + 1;
    }
    if (start < text.length) this.keep(text.slice(start));
  }

  /** Bytes buffered towards an unfinished line (for diagnostics at close). */
  get pending(): number {
    return this.partsLength;
  }

  private keep(piece: string): void {
    if (this.discarding) {
      this.partsLength += piece.length;
      return;
    }
    this.parts.push(piece);
    this.partsLength += piece.length;
    if (this.partsLength > this.max) {
      this.parts = [];
      this.discarding = true;
    }
  }

  private finishLine(tail: string): void {
    if (this.discarding) {
      const length = this.partsLength + tail.length;
      this.reset();
      this.sink.overlong(length);
      return;
    }
    let line = this.parts.length === 0 ? tail : this.parts.join("") + tail;
    this.reset();
    if (line.length > this.max) {
      this.sink.overlong(line.length);
      return;
    }
    if (line.endsWith("\r")) line = line.slice(0, -1);
    // Blank lines carry nothing (a peer may send bare newlines); skip them quietly.
    if (line.trim() === "") return;
    this.sink.line(line);
  }

  private reset(): void {
    this.parts = [];
    this.partsLength = 0;
    this.discarding = false;
  }
}
