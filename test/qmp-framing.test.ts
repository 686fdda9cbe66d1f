// Line framing: any split of the byte stream gives the same lines.

import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineDecoder } from "../qmp/framing.js";
import { runChild, transpiledForSuite } from "./qmp-child.js";

function collect(maxLineLength?: number): { d: LineDecoder; lines: string[]; overlong: number[] } {
  const lines: string[] = [];
  const overlong: number[] = [];
  const d = new LineDecoder(
    { line: (l) => lines.push(l), overlong: (n) => overlong.push(n) },
    maxLineLength === undefined ? {} : { maxLineLength },
  );
  return { d, lines, overlong };
}

describe("LineDecoder", () => {
  it("splits coalesced messages and strips CR", () => {
    const { d, lines } = collect();
    d.push(Buffer.from('{"a":1}\r\n{"b":2}\n\r\n{"c"'));
    d.push(Buffer.from(":3}\r\n"));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it("gives the same lines for every way of cutting the stream into chunks", () => {
    const messages = ['{"return": {}, "id": 1}', '{"event": "STOP", "data": {"é": "ü"}}', '{"return": "x"}'];
    const bytes = Buffer.from(messages.map((m) => `${m}\r\n`).join(""));
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
        const { d, lines } = collect();
        let prev = 0;
        for (const c of [...cuts].sort((a, b) => a - b)) {
          d.push(bytes.subarray(prev, c)); // may cut inside a multi-byte character
          prev = c;
        }
        d.push(bytes.subarray(prev));
        expect(lines).toEqual(messages);
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same lines however it is paused and resumed", () => {
    const messages = ['{"return": {}, "id": 1}', "", '{"event": "STOP", "data": {"é": "ü"}}', '{"return": "x"}', "tail"];
    const bytes = Buffer.from(messages.map((m) => `${m}\r\n`).join(""));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        (cuts, pauses) => {
          const lines: string[] = [];
          const d: LineDecoder = new LineDecoder({
            line: (l) => {
              lines.push(l);
              if (pauses[lines.length % pauses.length] === true) d.pause();
            },
            overlong: () => {},
          });
          let prev = 0;
          for (const c of [...cuts, bytes.length].sort((a, b) => a - b)) {
            d.push(bytes.subarray(prev, c));
            prev = c;
            if (c % 2 === 0) d.resume();
          }
          for (let i = 0; i < 20; i++) d.resume();
          expect(lines).toEqual(messages.filter((m) => m !== ""));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("joins a very long line sent in many small chunks", () => {
    const { d, lines } = collect();
    const long = `{"return": "${"x".repeat(8 * 1024 * 1024)}"}`;
    for (let i = 0; i < long.length; i += 4096) d.push(long.slice(i, i + 4096));
    expect(lines).toEqual([]);
    d.push("\r\n{}\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(long);
  });

  it("reports a line over the limit as soon as it passes it, drops it, then carries on", () => {
    const { d, lines, overlong } = collect(100);
    d.push("a".repeat(60));
    d.push("b".repeat(60));
    expect(overlong).toEqual([120]); // told before the newline
    d.push("c".repeat(60) + "\n{}\n");
    expect(overlong).toEqual([120]);
    expect(lines).toEqual(["{}"]);
    d.push(`${"d".repeat(150)}\nok\n`);
    expect(overlong).toEqual([120, 150]);
    expect(lines).toEqual(["{}", "ok"]);
    expect(d.pending).toBe(0);
  });

  it("counts the limit in bytes of UTF-8", () => {
    const { d, lines, overlong } = collect(4);
    d.push("éé\nééé\nabcd\n");
    expect(lines).toEqual(["éé", "abcd"]);
    expect(overlong).toEqual([6]);
  });

  it("decodes bytes that are not UTF-8 as replacement characters", () => {
    const { d, lines } = collect();
    d.push(Buffer.from([0x7b, 0xff, 0xc3, 0x0a, 0xe2, 0x82]));
    d.push(Buffer.from([0xac, 0x0a]));
    expect(lines).toEqual(["{\ufffd\ufffd", "€"]);
  });

  it("holds input while paused, from inside a line too, and frames it in order on resume", () => {
    const lines: string[] = [];
    const d: LineDecoder = new LineDecoder({
      line: (l) => {
        lines.push(l);
        if (l === "stop") d.pause();
      },
      overlong: () => {},
    });
    d.push("a\nstop\nb\nc");
    expect(lines).toEqual(["a", "stop"]);
    expect(d.isPaused).toBe(true);
    d.push("\nd\n");
    d.push("stop\ne\n");
    expect(lines).toEqual(["a", "stop"]);
    d.resume();
    expect(lines).toEqual(["a", "stop", "b", "c", "d", "stop"]);
    d.resume();
    expect(lines).toEqual(["a", "stop", "b", "c", "d", "stop", "e"]);
    expect(d.isPaused).toBe(false);
  });

  it("a resume from inside a line only lifts the pause", () => {
    const lines: string[] = [];
    const d: LineDecoder = new LineDecoder({
      line: (l) => {
        lines.push(l);
        d.pause();
        d.resume();
      },
      overlong: () => {},
    });
    d.push("a\nb\nc\n");
    expect(lines).toEqual(["a", "b", "c"]);
  });

  it("reports how much of an unfinished line is buffered", () => {
    const { d } = collect();
    d.push('{"partial"');
    expect(d.pending).toBe(10);
  });
});

describe("LineDecoder memory", () => {
  const transpiled = transpiledForSuite();

  it("stays proportional to the bytes buffered when a line comes one byte per chunk", async () => {
    // 8 MiB buffered one byte at a time: at 10 bytes of heap per byte (a string kept
    // per chunk) the child's 48 MiB heap would be exhausted; the line buffer is one
    // growing Buffer outside the heap, and the line a single 8 MB string.
    const r = await runChild(join(import.meta.dirname, "children", "framing-bytewise.mjs"), [transpiled.lib, String(8 * 1024 * 1024)], {
      nodeArgs: ["--max-old-space-size=48"],
    });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ lines: 1, length: 8 * 1024 * 1024 });
    expect(r.code).toBe(0);
  });
});
