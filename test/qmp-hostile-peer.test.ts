// The client against a peer that breaks the protocol: every pending call (connect
// included) settles promptly with a specific error, the peer is reported, and it is
// disconnected where python's qemu.qmp disconnects it.

import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connectQmp } from "../qmp/connect.js";
import { DEFAULT_CONNECT_TIMEOUT, QmpConnection } from "../qmp/connection.js";
import {
  QmpAbortError,
  QmpBadReplyError,
  QmpConnectionClosedError,
  QmpError,
  QmpNegotiationError,
  QmpProtocolError,
  QmpTimeoutError,
} from "../qmp/errors.js";
import { JsonNestingError } from "../qmp/json.js";
import { runChild, transpiledForSuite } from "./qmp-child.js";
import { GREETING, PeerSocket, peerPerTest } from "./qmp-peer.js";

const peer = peerPerTest();
afterEach(() => {
  vi.useRealTimers();
});

/** Resolves when the client has closed its end of `p`. */
const hungUp = (p: PeerSocket): Promise<void> =>
  new Promise((r) => {
    if (p.socket.readableEnded || p.socket.destroyed) r();
    p.socket.once("end", () => r());
    p.socket.once("close", () => r());
  });

/** A connect whose peer sends `greeting`, then the raw `reply` to qmp_capabilities. */
async function negotiateWith(reply: (capsId: unknown) => string, greeting: unknown = GREETING) {
  const connP = connectQmp(peer.path).catch((e: unknown) => e);
  const p = await peer.accept();
  p.send(greeting);
  const caps = await p.next();
  p.raw(reply(caps["id"]));
  return { err: await connP, p };
}

describe("greeting", () => {
  const { qemu } = GREETING.QMP.version;
  it.each([
    ["version {}", { QMP: { version: {}, capabilities: [] } }, "greeting's version has no qemu object"],
    ["a string major", { QMP: { version: { qemu: { ...qemu, major: "7" }, package: "" }, capabilities: [] } }, "version.qemu.major is not an integer"],
    ["no package", { QMP: { version: { qemu }, capabilities: [] } }, "version.package is not a string"],
    ["no capabilities", { QMP: { version: { qemu, package: "" } } }, "capabilities are not an array of strings"],
    ["capabilities [1]", { QMP: { version: { qemu, package: "" }, capabilities: [1] } }, "capabilities are not an array of strings"],
    ["QMP 5", { QMP: 5 }, "QMP member is not an object"],
    ["a return first", { return: {}, id: 1 }, "a return came first"],
    ["an event first", { event: "STOP", timestamp: { seconds: 0, microseconds: 0 } }, "a event came first"],
    ["an array", [GREETING], "not a JSON object"],
  ])("refuses a greeting with %s, and hangs up", async (_, greeting, why) => {
    const connP = connectQmp(peer.path).catch((e: unknown) => e);
    const p = await peer.accept();
    p.send(greeting);
    const err = await connP;
    expect(err).toBeInstanceOf(QmpNegotiationError);
    expect((err as Error).message).toContain(why);
    await hungUp(p);
  });

  it("refuses garbage and truncated JSON before the greeting", async () => {
    for (const text of ["HTTP/1.1 400 Bad Request\r\n", '{"QMP": {"version": \r\n', `${"[".repeat(5000)}\r\n`]) {
      const connP = connectQmp(peer.path).catch((e: unknown) => e);
      const p = await peer.accept();
      p.raw(text);
      const err = await connP;
      expect(err).toBeInstanceOf(QmpNegotiationError);
      expect((err as Error).message).toMatch(/^handshake failed: (malformed JSON from peer|JSON from peer refused: nesting)/);
      await hungUp(p);
    }
  });
});

describe("negotiation", () => {
  it.each([
    ['{"error": {}} with its id', (id: unknown) => `{"error": {}, "id": ${String(id)}}\r\n`, "error response without string class and desc"],
    ['{"error": {}} without id', () => '{"error": {}}\r\n', "error response without string class and desc"],
    ["a return without id", () => '{"return": {}}\r\n', "reply with id absent instead of 1"],
    ["a return with a wrong id", () => '{"return": {}, "id": 99}\r\n', "reply with id 99 instead of 1"],
    ["a return with the id as a string", () => '{"return": {}, "id": "1"}\r\n', 'reply with id "1" instead of 1'],
    ["return and error", (id: unknown) => `{"return": {}, "error": {"class": "A", "desc": "b"}, "id": ${String(id)}}\r\n`, "both 'return' and 'error'"],
    ["an event", () => `${JSON.stringify({ event: "STOP", timestamp: { seconds: 0, microseconds: 0 } })}\r\n`, "unexpected event"],
    ["malformed JSON", () => '{"return": \r\n', "malformed JSON from peer"],
    ["a second greeting", () => `${JSON.stringify(GREETING)}\r\n`, "unexpected greeting"],
  ])("fails connecting on %s as the capabilities reply, and hangs up", async (_, reply, why) => {
    const { err, p } = await negotiateWith(reply);
    expect(err).toBeInstanceOf(QmpNegotiationError);
    expect((err as Error).message).toContain(why);
    await hungUp(p);
  });

  it("a refusal is QEMU's error, and the connection is closed", async () => {
    const { err, p } = await negotiateWith((id) => `{"error": {"class": "GenericError", "desc": "no"}, "id": ${String(id)}}\r\n`);
    expect(err).toBeInstanceOf(QmpError);
    expect(err).toMatchObject({ class: "GenericError", desc: "no", command: "qmp_capabilities" });
    await hungUp(p);
  });
});

describe("right after negotiation", () => {
  it("events in the same chunk as the capabilities reply are delivered, after the code awaiting the handshake ran", async () => {
    const transport: Duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _e, cb) {
        if (chunk.toString().includes("qmp_capabilities")) {
          transport.push(`{"return": {}, "id": 1}\r\n${JSON.stringify({ event: "RESUME", timestamp: { seconds: 1, microseconds: 0 } })}\r\n`);
        }
        cb();
      },
    });
    const conn = new QmpConnection(transport);
    const seen: string[] = [];
    conn.onEvents((e) => seen.push(e.event));
    const hs = conn.handshake();
    transport.push(`${JSON.stringify(GREETING)}\r\n`);
    await hs;
    expect(seen).toEqual([]); // held for the listeners this code adds now
    const late: string[] = [];
    conn.onEvents((e) => late.push(e.event));
    await new Promise((r) => setImmediate(r));
    expect([seen, late]).toEqual([["RESUME"], ["RESUME"]]);
    expect(conn.isOpen).toBe(true);
    await conn.close();
  });
});

describe("connect timeout", () => {
  it("fails a peer that accepts but never greets, and hangs up", async () => {
    const connP = connectQmp(peer.path, { timeout: 50 }).catch((e: unknown) => e);
    const p = await peer.accept();
    const err = await connP;
    expect(err).toBeInstanceOf(QmpTimeoutError);
    expect((err as Error).message).toBe("connect: no response within 50 ms");
    await hungUp(p);
  });

  it("fails a peer that greets but never answers qmp_capabilities", async () => {
    const connP = connectQmp(peer.path, { timeout: 50 }).catch((e: unknown) => e);
    const p = await peer.accept();
    p.send(GREETING);
    await p.next();
    expect(await connP).toBeInstanceOf(QmpTimeoutError);
    await hungUp(p);
  });

  it("waits 30 s by default", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let settled: unknown;
    const connP = connectQmp(peer.path).then(
      () => (settled = "connected"),
      (e: unknown) => (settled = e),
    );
    await peer.accept();
    await vi.advanceTimersByTimeAsync(DEFAULT_CONNECT_TIMEOUT - 1);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await connP;
    expect(settled).toBeInstanceOf(QmpTimeoutError);
    expect(DEFAULT_CONNECT_TIMEOUT).toBe(30_000);
  });

  it("is aborted by its signal", async () => {
    const ac = new AbortController();
    const connP = connectQmp(peer.path, { signal: ac.signal }).catch((e: unknown) => e);
    const p = await peer.accept();
    ac.abort(new Error("enough"));
    const err = await connP;
    expect(err).toBeInstanceOf(QmpAbortError);
    expect((err as Error).cause).toEqual(new Error("enough"));
    await hungUp(p);
  });

  it("bounds handshake() on any transport", async () => {
    const silent = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
    const err = await new QmpConnection(silent).handshake({ timeout: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpTimeoutError);
    expect(silent.destroyed).toBe(true);
  });
});

describe("bad replies", () => {
  it.each([
    ['"error": {}', "error response without string class and desc"],
    ['"error": {"class": 1, "desc": "x"}', "error response without string class and desc"],
    ['"error": "boom"', "error response without string class and desc"],
    ['"error": null', "error response without string class and desc"],
    ['"return": 1, "error": {"class": "GenericError", "desc": "x"}', "response with both 'return' and 'error'"],
    ['"error": {"class": "GenericError", "desc": "x"}, "return": 1', "response with both 'return' and 'error'"],
    ['"foo": 1', "response without 'return' or 'error'"],
  ])("{%s} fails its command with QmpBadReplyError; the connection carries on", async (members, why) => {
    const { conn, peer: p } = await peer.pair();
    const reported: QmpProtocolError[] = [];
    conn.onProtocolError((e) => reported.push(e));
    const r = conn.execute("query-x").catch((e: unknown) => e);
    const m = await p.next();
    p.raw(`{${members}, "id": ${String(m["id"])}}\r\n`);
    const err = await r;
    expect(err).toBeInstanceOf(QmpBadReplyError);
    expect(err).toMatchObject({ command: "query-x", message: `query-x: bad reply from peer: ${why}` });
    expect(reported).toEqual([err]);
    const next = conn.execute("y");
    const m2 = await p.next();
    p.send({ return: 2, id: m2["id"] });
    expect(await next).toBe(2);
    await conn.close();
  });

  it("drops an answer with an unknown id; the command still gets its own", async () => {
    const { conn, peer: p } = await peer.pair();
    const r = conn.execute("x");
    const m = await p.next();
    p.raw('{"return": 1, "id": 12345}\r\n{"error": {}, "id": "other"}\r\n');
    p.send({ return: "mine", id: m["id"] });
    expect(await r).toBe("mine");
    await conn.close();
  });
});

describe("lines that end the connection", () => {
  /** Send `raw` with three commands pending; they must all reject, naming the cause. */
  async function pendingAfter(raw: string, options = {}) {
    const { conn, peer: p } = await peer.pair(options);
    const reported: QmpProtocolError[] = [];
    conn.onProtocolError((e) => reported.push(e));
    const pending = ["a", "b", "c"].map((c) => conn.execute(c).catch((e: unknown) => e));
    for (let i = 0; i < 3; i++) await p.next();
    p.raw(raw);
    const errors = (await Promise.all(pending)) as Error[];
    for (const e of errors) expect(e).toBeInstanceOf(QmpConnectionClosedError);
    const info = await conn.closed;
    expect(info.byClient).toBe(false);
    expect(info.error).toBe(reported[0]);
    expect(errors[0]?.cause).toBe(reported[0]);
    await hungUp(p);
    await expect(conn.execute("after")).rejects.toBeInstanceOf(QmpConnectionClosedError);
    return { errors, reported, conn };
  }

  it("an error without id: the command it answers can never be matched (qemu.qmp's ServerParseError)", async () => {
    const { errors } = await pendingAfter('{"error": {"class": "GenericError", "desc": "JSON parse error, stray x"}}\r\n');
    expect(errors[0]?.message).toBe(
      "a: connection closed after a protocol error: error response without id (the peer could not parse a command, which will never be answered): GenericError: JSON parse error, stray x",
    );
  });

  it("malformed JSON, which may have been a reply", async () => {
    const { reported } = await pendingAfter('{"return": 1, "id": 2\r\n');
    expect(reported[0]?.message).toMatch(/^malformed JSON from peer/);
    expect(reported[0]?.line).toBe('{"return": 1, "id": 2');
  });

  it("a JSON value that is not an object", async () => {
    const { reported } = await pendingAfter("[1, 2]\r\n");
    expect(reported[0]?.message).toBe("message from peer is not a JSON object");
  });

  it.each(["number", "bigint"] as const)("a reply nested 20,000 deep in %s mode (with a 16-digit run)", async (int64) => {
    const deep = `${"[".repeat(20_000)}18446744073709551615${"]".repeat(20_000)}`;
    const { reported } = await pendingAfter(`{"return": ${deep}, "id": 2}\r\n`, { int64 });
    // '{"return": ' then 1024 brackets: the 1024th is the 1025th container
    expect(reported[0]?.message).toBe("JSON from peer refused: nesting deeper than 1024 levels at position 1034");
    expect(reported[0]?.cause).toBeInstanceOf(JsonNestingError);
  });

  it("a line over the limit, at once, before its newline", async () => {
    const { reported } = await pendingAfter(`{"return": "${"x".repeat(5000)}`, { maxLineLength: 4096 });
    expect(reported[0]?.message).toBe("line from peer longer than the limit of 4096 bytes");
  });
});

describe("what a peer may send", () => {
  it.each(["number", "bigint"] as const)("a reply nested 1,000 deep arrives whole in %s mode", async (int64) => {
    const { conn, peer: p } = await peer.pair({ int64 });
    const r = conn.execute("x");
    const m = await p.next();
    p.raw(`{"return": ${"[".repeat(1000)}18446744073709551615${"]".repeat(1000)}, "id": ${String(m["id"])}}\r\n`);
    let v = await r;
    let depth = 0;
    for (; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(1000);
    expect(v).toBe(int64 === "bigint" ? 18446744073709551615n : 18446744073709551615);
    await conn.close();
  });

  it.each(["number", "bigint"] as const)("__proto__ and constructor keys stay data in %s mode", async (int64) => {
    const { conn, peer: p } = await peer.pair({ int64 });
    const r = conn.execute("x");
    const m = await p.next();
    p.raw(`{"return": {"__proto__": {"polluted": true}, "constructor": 1, "n": 18446744073709551615}, "id": ${String(m["id"])}}\r\n`);
    const v = (await r) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__", "constructor", "n"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    await conn.close();
  });
});

describe("what the client refuses to send", () => {
  it("arguments nested deeper than QEMU accepts: a RangeError, nothing sent", async () => {
    const { conn, peer: p } = await peer.pair();
    let deep: unknown = 1;
    for (let i = 0; i < 1100; i++) deep = [deep];
    await expect(conn.execute("x", { deep })).rejects.toThrow(
      new RangeError("x: arguments nested deeper than 1024 levels; QEMU refuses them"),
    );
    expect(conn.inFlight).toBe(0);
    const r = conn.execute("y");
    expect((await p.next())["execute"]).toBe("y");
    await conn.close();
    await r.catch(() => {});
  });
});

describe("the peer going away", () => {
  it("half-close: pending commands reject at once", async () => {
    const { conn, peer: p } = await peer.pair();
    const pending = ["a", "b"].map((c) => conn.execute(c).catch((e: unknown) => e));
    await p.next();
    p.socket.end();
    for (const e of await Promise.all(pending)) expect(e).toBeInstanceOf(QmpConnectionClosedError);
  });

  it("reset (TCP RST): pending commands reject, saying so", async () => {
    const accepted = new Promise<PeerSocket>((resolve) => {
      const server = createServer((s) => {
        server.close();
        resolve(new PeerSocket(s));
      });
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        tcp = connectQmp({ port });
      });
    });
    let tcp: Promise<QmpConnection> | undefined;
    const p = await accepted;
    await p.negotiate();
    const conn = await (tcp as Promise<QmpConnection>);
    const pending = conn.execute("a").catch((e: unknown) => e);
    await p.next();
    p.socket.resetAndDestroy();
    const err = (await pending) as Error;
    expect(err).toBeInstanceOf(QmpConnectionClosedError);
    expect(err.message).toBe("a: connection closed by peer (QEMU exited or closed the socket): read ECONNRESET");
    expect((err.cause as NodeJS.ErrnoException).code).toBe("ECONNRESET");
  });

  it("a transport that stays half open still settles pending commands when its peer stops sending", async () => {
    const transport: Duplex = new Duplex({
      allowHalfOpen: true,
      read() {},
      write(chunk: Buffer, _e, cb) {
        // answer qmp_capabilities once it is sent
        if (chunk.toString().includes("qmp_capabilities")) transport.push('{"return": {}, "id": 1}\r\n');
        cb();
      },
    });
    const conn = new QmpConnection(transport);
    const hs = conn.handshake();
    transport.push(`${JSON.stringify(GREETING)}\r\n`);
    await hs;
    const pending = conn.execute("a").catch((e: unknown) => e);
    transport.push(null);
    expect(await pending).toBeInstanceOf(QmpConnectionClosedError);
  });
});

describe("huge lines, in a child with a small heap", () => {
  const transpiled = transpiledForSuite();

  /** The child connects and runs one command; `answer` writes the peer's reply. */
  async function child(answer: (p: PeerSocket, id: unknown) => Promise<void>, heapMiB: number) {
    const run = runChild(join(import.meta.dirname, "children", "client-one-command.mjs"), [transpiled.lib, peer.path], {
      nodeArgs: [`--max-old-space-size=${heapMiB}`],
    });
    const p = await peer.accept();
    await p.negotiate();
    const m = await p.next();
    await answer(p, m["id"]);
    const r = await run;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as { outcome: string; message: string; maxRssMiB: number };
  }

  /** Write `total` bytes of one JSON string, honouring backpressure, until done or hung up. */
  async function writeLine(p: PeerSocket, id: unknown, total: number): Promise<void> {
    const head = `{"id": ${String(id)}, "return": "`;
    p.raw(head);
    const block = Buffer.alloc(1024 * 1024, "x");
    for (let sent = 0; sent < total && !p.socket.destroyed; sent += block.length) {
      if (!p.socket.write(block)) {
        await new Promise<void>((r) => {
          const done = (): void => {
            p.socket.off("drain", done).off("close", done);
            r();
          };
          p.socket.once("drain", done).once("close", done);
        });
      }
    }
    if (!p.socket.destroyed) p.raw('"}\r\n');
  }

  it("a 1 GB line: dropped at the 64 MiB limit, the command rejected, memory bounded", async () => {
    const r = await child((p, id) => writeLine(p, id, 1024 * 1024 * 1024), 64);
    expect(r.outcome).toBe("QmpConnectionClosedError");
    expect(r.message).toBe("x: connection closed after a protocol error: line from peer longer than the limit of 67108864 bytes");
    expect(r.maxRssMiB).toBeLessThan(400);
  });

  it("a 48 MiB reply within the limit arrives whole", async () => {
    const r = await child((p, id) => writeLine(p, id, 48 * 1024 * 1024), 200);
    expect(r).toMatchObject({ outcome: "resolved", message: `${48 * 1024 * 1024} characters` });
  });
});
