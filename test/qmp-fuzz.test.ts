// Property tests: random and mutated byte streams, derived from real QMP traffic, into
// the client and into the mock server. Whatever arrives, nothing throws out of them,
// every pending call settles (the client's commands and connect; one answer from the
// mock per request line), and what they hold stays within their bounds.

import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QmpConnection } from "../qmp/connection.js";
import { QmpConnectionClosedError, QmpError, QmpEventOverflowError, QmpProtocolError } from "../qmp/errors.js";
import type { EventQueue } from "../qmp/events.js";
import { QmpMockServer } from "../qmp/server.js";

const CRLF = "\r\n";
const ts = { seconds: 1700000000, microseconds: 123456 };

/** What QEMU sends a client that negotiates and runs five commands (ids 1 to 6). */
const SERVER_TRAFFIC = [
  { QMP: { version: { qemu: { micro: 22, minor: 2, major: 7 }, package: "Debian 1:7.2+dfsg-7" }, capabilities: ["oob"] } },
  { return: {}, id: 1 },
  { return: { status: "running", singlestep: false, running: true }, id: 2 },
  { event: "STOP", timestamp: ts },
  { return: { qemu: { micro: 22, minor: 2, major: 7 }, package: "Debian" }, id: 3 },
  { event: "JOB_STATUS_CHANGE", data: { status: "concluded", id: "job0" }, timestamp: ts },
  { id: 4, error: { class: "CommandNotFound", desc: "The command query-objects has not been found" } },
  { return: [{ device: "disk0", inserted: { "virtual-size": 18446744073709551615n, "node-name": "n0" } }], id: 5 },
  { event: "RESUME", timestamp: ts },
  { return: [], id: 6 },
];

/** What a client sends a server. */
const CLIENT_TRAFFIC = [
  { execute: "qmp_capabilities", arguments: { enable: ["oob"] } },
  { execute: "query-status", id: 1 },
  { execute: "echo", arguments: { size: 18446744073709551615n, list: [1, "x", null] }, id: "two" },
  { "exec-oob": "echo", id: { nested: [1, 2] } },
  { execute: "throw", arguments: { why: "x" }, id: null },
  { execute: "cycle", id: [3] },
  { execute: "qmp_capabilities", id: 4 },
  { execute: "echo", arguments: { __proto__: { polluted: true } }, id: 5 },
];

const lines = (msgs: unknown[]): string[] => msgs.map((m) => JSON.stringify(m, (_, v: unknown) => (typeof v === "bigint" ? `@${v}@` : v)).replace(/"@(\d+)@"/g, "$1"));

type Mutation =
  | { op: "flip"; at: number; byte: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete" | "duplicate" | "long"; at: number; length: number }
  | { op: "text"; at: number; text: string }
  | { op: "deep"; at: number; depth: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 24 }) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({
    op: fc.constant("text" as const),
    at: fc.nat(),
    text: fc.constantFrom("\n", "\r\n", "{", "}", "[", '"', "\\", ":", ",", "null", '"id": 3', '"error": {}', '"return": 1', "\u00e9", "\ud800"),
  }),
  fc.record({ op: fc.constant("deep" as const), at: fc.nat(), depth: fc.integer({ min: 1000, max: 3000 }) }),
  fc.record({ op: fc.constant("long" as const), at: fc.nat(), length: fc.integer({ min: 3000, max: 9000 }) }),
);

function mutate(bytes: Buffer, mutations: Mutation[]): Buffer {
  let b = bytes;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    const splice = (insert: Buffer, skip = 0): Buffer => Buffer.concat([b.subarray(0, at), insert, b.subarray(at + skip)]);
    if (m.op === "flip") b = b.length === 0 ? b : splice(Buffer.from([m.byte]), 1);
    else if (m.op === "insert") b = splice(Buffer.from(m.bytes));
    else if (m.op === "delete") b = splice(Buffer.alloc(0), m.length);
    else if (m.op === "duplicate") b = splice(b.subarray(at, at + m.length));
    else if (m.op === "text") b = splice(Buffer.from(m.text));
    else if (m.op === "deep") b = splice(Buffer.from("[".repeat(m.depth)));
    else b = splice(Buffer.alloc(m.length, "x"));
  }
  return b;
}

/** Traffic lines picked (with repeats) from `lines`, then mutated; or random bytes. */
function stream(lines: string[], minLength = 1): fc.Arbitrary<Buffer> {
  const picked = fc
    .array(fc.integer({ min: 0, max: lines.length - 1 }), { minLength, maxLength: 12 })
    .map((picks) => Buffer.from(picks.map((i) => `${lines[i] as string}${CRLF}`).join("")));
  const mutated = fc.tuple(picked, fc.array(mutation, { maxLength: 5 })).map(([b, ms]) => mutate(b, ms));
  return fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)) });
}

/** Cut `bytes` into chunks at the given points. */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p > prev) out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("the client fed random and mutated server traffic", () => {
  const traffic = lines(SERVER_TRAFFIC);
  const line = (i: number): Buffer => Buffer.from(`${traffic[i] as string}${CRLF}`);
  const known = (e: unknown): boolean =>
    e instanceof QmpError || e instanceof QmpProtocolError || e instanceof QmpConnectionClosedError || e instanceof QmpEventOverflowError;
  // The greeting, then the capabilities reply, each mostly intact; then replies and events.
  const mostlyIntact = (b: Buffer): fc.Arbitrary<Buffer> =>
    fc.oneof({ weight: 3, arbitrary: fc.constant(b) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => mutate(b, ms)) });
  const prefix = fc.tuple(mostlyIntact(line(0)), mostlyIntact(line(1)));

  it("settles connect and every command with a value or a specific error; buffers stay bounded", async () => {
    await fc.assert(
      fc.asyncProperty(
        prefix,
        stream(traffic.slice(2)),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom("number" as const, "bigint" as const),
        async ([greeting, capsReply], body, cuts, int64) => {
          const transport = new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
          const conn = new QmpConnection(transport, { int64, maxLineLength: 4096 });
          const events = conn.events(undefined, { maxBuffered: 4 }) as unknown as EventQueue<unknown>;
          conn.onProtocolError(() => {});
          const outcomes: { settled: boolean; value?: unknown; error?: unknown }[] = [];
          const track = (p: Promise<unknown>): void => {
            const o: (typeof outcomes)[number] = { settled: false };
            outcomes.push(o);
            p.then(
              (value) => Object.assign(o, { settled: true, value }),
              (error: unknown) => Object.assign(o, { settled: true, error }),
            );
          };
          track(conn.handshake({ timeout: Infinity }));
          // each after what the client sent before it, as a server would
          for (const part of [greeting, capsReply]) {
            for (const chunk of chunks(part, cuts)) transport.push(chunk);
            await tick();
          }
          // five commands in flight (ids 2 to 6) when the replies come
          if (conn.isOpen) for (let i = 0; i < 5; i++) track(conn.execute(`cmd${i}`));
          for (const chunk of chunks(body, cuts)) {
            transport.push(chunk);
            await tick();
          }
          transport.push(null); // the peer stops: whatever is pending can never be answered
          await conn.closed;
          await tick();
          for (const o of outcomes) {
            expect(o.settled).toBe(true);
            if (o.error !== undefined) expect(known(o.error), String(o.error)).toBe(true);
          }
          expect(conn.inFlight).toBe(0);
          expect(events.size).toBeLessThanOrEqual(4);
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000); // a call left pending hangs a run: the timeout turns that into a failure
});

describe("the mock server fed random and mutated client traffic", () => {
  const traffic = lines(CLIENT_TRAFFIC);
  const MAX_LINE = 4096;
  let dir: string;
  let server: QmpMockServer;
  let path: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "qmp-fuzz-"));
    const cyclic: Record<string, unknown> = { return: {} };
    cyclic["self"] = cyclic;
    server = new QmpMockServer({
      maxLineLength: MAX_LINE,
      dispatch: (req) => {
        if (req["execute"] === "throw") throw { get message(): string { throw new Error("no"); } };
        if (req["execute"] === "cycle") return cyclic;
        return { return: req["arguments"] ?? {} };
      },
    });
    path = (await server.listen(join(dir, "m.qmp"))) as string;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Lines as the mock frames them: one answer each (over-long ones included). */
  function requestLines(bytes: Buffer): number {
    let n = 0;
    for (let start = 0, nl = bytes.indexOf(0x0a); nl >= 0; start = nl + 1, nl = bytes.indexOf(0x0a, start)) {
      if (nl - start > MAX_LINE) n++;
      else if (bytes.toString("utf8", start, nl).replace(/\r$/, "").trim() !== "") n++;
    }
    return n;
  }

  it("answers every request line exactly once, and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(stream(traffic), fc.array(fc.nat(), { maxLength: 10 }), async (body, cuts) => {
        // Mostly negotiated first, so that commands reach the dispatcher.
        const bytes = cuts.length % 3 === 0 ? body : Buffer.concat([Buffer.from(`${traffic[0] as string}${CRLF}`), body]);
        const sentinel = '{"execute": "echo", "arguments": {"last": true}, "id": "sentinel"}\n';
        const input = Buffer.concat([bytes, Buffer.from(`\n${sentinel}`)]);
        const expected = requestLines(input) + 1; // and the greeting
        const socket = connect({ path });
        let received = 0;
        let buffer = "";
        let sawSentinel = false;
        const done = new Promise<void>((resolve, reject) => {
          socket.setEncoding("utf8");
          socket.on("data", (d: string) => {
            buffer += d;
            for (let nl = buffer.indexOf("\r\n"); nl >= 0; nl = buffer.indexOf("\r\n")) {
              const msg = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>; // the mock only writes JSON
              buffer = buffer.slice(nl + 2);
              if (msg["id"] === "sentinel") sawSentinel = true;
              if (++received === expected) resolve();
            }
          });
          socket.on("error", reject);
          socket.on("close", () => reject(new Error(`closed after ${received} of ${expected} answers`)));
        });
        for (const c of chunks(input, cuts)) socket.write(c);
        await done;
        expect(sawSentinel).toBe(true);
        await tick();
        expect(received).toBe(expected); // and nothing more
        socket.destroy();
        // nothing of the connection stays behind
        await expect.poll(() => server.connections, { interval: 1 }).toBe(0);
      }),
      { numRuns: 150 },
    );
  }, 60_000); // an answer lost hangs a run: the timeout turns that into a failure
});
