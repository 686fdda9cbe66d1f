// Line framing: any split of the byte stream gives the same lines.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineDecoder } from "../qmp/framing.js";

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

  it("joins a very long line sent in many small chunks", () => {
    const { d, lines } = collect();
    const long = `{"return": "${"x".repeat(8 * 1024 * 1024)}"}`;
    for (let i = 0; i < long.length; i += 4096) d.push(long.slice(i, i + 4096));
    expect(lines).toEqual([]);
    d.push("\r\n{}\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(long);
  });

  it("drops and reports a line over the limit, then carries on", () => {
    const { d, lines, overlong } = collect(100);
    d.push("a".repeat(60));
    d.push("b".repeat(60));
    d.push("c".repeat(60) + "\n{}\n");
    expect(overlong).toEqual([180]);
    expect(lines).toEqual(["{}"]);
    d.push(`${"d".repeat(150)}\nok\n`);
    expect(overlong).toEqual([180, 150]);
    expect(lines).toEqual(["{}", "ok"]);
  });

  it("reports how much of an unfinished line is buffered", () => {
    const { d } = collect();
    d.push('{"partial"');
    expect(d.pending).toBe(10);
  });
});
