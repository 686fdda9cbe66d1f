// The QMP client against a scripted peer: handshake, ids, errors, timeouts, aborts,
// close, events, malformed input, bigint.

import { describe, expect, it } from "vitest";
import { connectQmp } from "../qmp/connect.js";
import {
  QmpAbortError,
  QmpConnectionClosedError,
  QmpError,
  QmpProtocolError,
  QmpTimeoutError,
} from "../qmp/errors.js";
import { FakePeer, GREETING, peerPerTest } from "./qmp-peer.js";

type Events = {
  STOP: Record<string, never>;
  BLOCK_JOB_COMPLETED: { device: string; len: number };
};

const peer = peerPerTest();

const event = (name: string, data?: object): object => ({
  event: name,
  ...(data === undefined ? {} : { data }),
  timestamp: { seconds: 1, microseconds: 2 },
});

describe("handshake", () => {
  it("reads the greeting, negotiates, exposes the version", async () => {
    const { conn, caps } = await peer.pair();
    expect(caps).toEqual({ execute: "qmp_capabilities", id: 1 });
    expect(conn.versionString).toBe("7.2.22");
    expect(conn.version.package).toBe("test");
    expect(conn.capabilities).toEqual(["oob"]);
    expect(conn.enabled.has("oob")).toBe(false);
    expect(conn.isOpen).toBe(true);
    await conn.close();
  });

  it("enables oob when asked, and sends exec-oob", async () => {
    const { conn, peer: p, caps } = await peer.pair({ oob: true });
    expect(caps["arguments"]).toEqual({ enable: ["oob"] });
    const r = conn.execute("migrate-pause", undefined, { oob: true });
    const msg = await p.next();
    expect(msg).toEqual({ "exec-oob": "migrate-pause", id: msg["id"] });
    p.send({ return: {}, id: msg["id"] });
    await expect(r).resolves.toEqual({});
    await conn.close();
  });

  it("refuses exec-oob when oob was not negotiated, without sending", async () => {
    const { conn } = await peer.pair();
    await expect(conn.execute("x", undefined, { oob: true })).rejects.toThrow(/not negotiated/);
    expect(conn.inFlight).toBe(0);
    await conn.close();
  });

  it("fails to connect when oob is required and not offered", async () => {
    const connP = connectQmp(peer.path, { oob: true });
    const p = await peer.accept();
    p.send({ QMP: { ...GREETING.QMP, capabilities: [] } });
    await expect(connP).rejects.toThrow(/does not offer 'oob'/);
  });

  it("fails to connect on a garbage greeting", async () => {
    const connP = connectQmp(peer.path);
    const p = await peer.accept();
    p.raw("HTTP/1.1 400 Bad Request\r\n");
    await expect(connP).rejects.toBeInstanceOf(QmpProtocolError);
  });

  it("fails to connect when the peer hangs up before the greeting", async () => {
    const connP = connectQmp(peer.path);
    const p = await peer.accept();
    p.socket.destroy();
    await expect(connP).rejects.toBeInstanceOf(QmpConnectionClosedError);
  });

  it("fails to connect when negotiation is refused", async () => {
    const connP = connectQmp(peer.path);
    const p = await peer.accept();
    p.send(GREETING);
    const caps = await p.next();
    p.send({ error: { class: "GenericError", desc: "no" }, id: caps["id"] });
    await expect(connP).rejects.toMatchObject({ class: "GenericError", desc: "no" });
  });

  it("retries while the socket does not exist yet", async () => {
    const later = new FakePeer();
    const connP = connectQmp(later.path, { retryFor: 60_000 });
    // Listening only after connect() started: the first attempts find no socket.
    await new Promise((r) => setTimeout(r, 50));
    await later.listen();
    const p = await later.accept();
    await p.negotiate();
    const conn = await connP;
    expect(conn.isOpen).toBe(true);
    await conn.close();
    await later.close();
  });
});

describe("commands", () => {
  it("matches responses to commands by id, in any order", async () => {
    const { conn, peer: p } = await peer.pair();
    const results = Array.from({ length: 32 }, (_, i) => conn.execute("echo", { i }));
    const sent: Record<string, unknown>[] = [];
    for (let i = 0; i < 32; i++) sent.push(await p.next());
    expect(conn.inFlight).toBe(32);
    expect(new Set(sent.map((m) => m["id"])).size).toBe(32);
    // Answer in reverse order, all in one write.
    p.raw(
      [...sent]
        .reverse()
        .map((m) => `${JSON.stringify({ id: m["id"], return: (m["arguments"] as { i: number }).i })}\r\n`)
        .join(""),
    );
    expect(await Promise.all(results)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(conn.inFlight).toBe(0);
    await conn.close();
  });

  it("sends arguments only when given", async () => {
    const { conn, peer: p } = await peer.pair();
    const a = conn.execute("query-version").catch((e: unknown) => e);
    const b = conn.execute("stop", {}).catch((e: unknown) => e);
    expect(await p.next()).toEqual({ execute: "query-version", id: 2 });
    expect(await p.next()).toEqual({ execute: "stop", arguments: {}, id: 3 });
    await conn.close();
    expect(await a).toBeInstanceOf(QmpConnectionClosedError);
    expect(await b).toBeInstanceOf(QmpConnectionClosedError);
  });

  it("turns error responses into QmpError with class and desc", async () => {
    const { conn, peer: p } = await peer.pair();
    const r = conn.execute("transaction", { actions: [] });
    const msg = await p.next();
    p.send({ id: msg["id"], error: { class: "DeviceNotFound", desc: "Device 'x' not found" } });
    const err = await r.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect(err).toMatchObject({ class: "DeviceNotFound", desc: "Device 'x' not found", command: "transaction" });
    expect((err as Error).message).toBe("transaction: DeviceNotFound: Device 'x' not found");
    await conn.close();
  });

  it("times out one command without disturbing the others, and drops its late answer", async () => {
    const { conn, peer: p } = await peer.pair({ commandTimeout: 60_000 });
    // The expectation is attached at once: the timeout may fire before the peer reads.
    const slow = expect(conn.execute("slow", undefined, { timeout: 1 })).rejects.toBeInstanceOf(QmpTimeoutError);
    const other = conn.execute("other");
    const [m1, m2] = [await p.next(), await p.next()];
    await slow;
    const errors: Error[] = [];
    conn.onProtocolError((e) => errors.push(e));
    p.send({ id: m1["id"], return: "late" });
    p.send({ id: m2["id"], return: "ok" });
    await expect(other).resolves.toBe("ok");
    expect(errors).toEqual([]);
    await conn.close();
  });

  it("rejects on abort, before sending when already aborted", async () => {
    const { conn, peer: p } = await peer.pair();
    await expect(conn.execute("x", undefined, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(QmpAbortError);
    const ac = new AbortController();
    const r = conn.execute("y", undefined, { signal: ac.signal });
    expect((await p.next())["execute"]).toBe("y"); // x was never sent
    ac.abort();
    await expect(r).rejects.toBeInstanceOf(QmpAbortError);
    expect(conn.inFlight).toBe(0);
    await conn.close();
  });
});

describe("closing", () => {
  it("rejects every pending command when the peer goes away", async () => {
    const { conn, peer: p } = await peer.pair();
    const pending = Array.from({ length: 10 }, (_, i) => conn.execute(`cmd${i}`));
    await p.next();
    p.socket.destroy();
    const results = await Promise.allSettled(pending);
    for (const [i, r] of results.entries()) {
      expect(r.status).toBe("rejected");
      const reason = (r as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(QmpConnectionClosedError);
      expect(reason.message).toBe(`cmd${i}: connection closed by peer (QEMU exited or closed the socket)`);
    }
    expect(await conn.closed).toEqual({ byClient: false });
    // And later commands fail at once, without hanging.
    await expect(conn.execute("after")).rejects.toBeInstanceOf(QmpConnectionClosedError);
  });

  it("rejects pending commands when the client closes", async () => {
    const { conn } = await peer.pair();
    const r = conn.execute("x");
    const info = await conn.close();
    expect(info.byClient).toBe(true);
    await expect(r).rejects.toThrow("x: connection closed by client");
  });

  it("ends event iterators and fails waitForEvent on close", async () => {
    const { conn, peer: p } = await peer.pair();
    const it1 = conn.events();
    const waiting = conn.waitForEvent("STOP");
    p.socket.destroy();
    expect(await it1.next()).toEqual({ value: undefined, done: true });
    await expect(waiting).rejects.toBeInstanceOf(QmpConnectionClosedError);
  });
});

describe("events", () => {
  it("delivers typed events to listeners and iterators while commands flow", async () => {
    const { conn, peer: p } = await peer.pair<Events>();
    const seen: string[] = [];
    conn.onEvents((e) => seen.push(e.event));
    const lens: number[] = [];
    conn.on("BLOCK_JOB_COMPLETED", (data) => lens.push(data.len));
    const jobs = conn.events("BLOCK_JOB_COMPLETED");

    const r1 = conn.execute("a");
    const m1 = await p.next();
    // An event, a response and another event in one chunk.
    p.raw(
      `${JSON.stringify(event("STOP"))}\r\n${JSON.stringify({ return: 1, id: m1["id"] })}\r\n` +
        `${JSON.stringify(event("BLOCK_JOB_COMPLETED", { device: "j1", len: 5 }))}\r\n`,
    );
    expect(await r1).toBe(1);
    const first = await jobs.next();
    expect(first.value).toEqual(event("BLOCK_JOB_COMPLETED", { device: "j1", len: 5 }));
    // STOP carries no data: the connection supplies {} so `data` is always an object.
    expect(seen).toEqual(["STOP", "BLOCK_JOB_COMPLETED"]);
    expect(lens).toEqual([5]);

    // The iterator buffers while nobody is reading, and commands still complete.
    p.send(event("BLOCK_JOB_COMPLETED", { device: "j2", len: 6 }));
    const r2 = conn.execute("b");
    const m2 = await p.next();
    p.send({ return: 2, id: m2["id"] });
    expect(await r2).toBe(2);
    p.send(event("BLOCK_JOB_COMPLETED", { device: "j3", len: 7 }));
    const devices: string[] = [];
    for await (const e of jobs) {
      devices.push(e.data.device);
      if (devices.length === 2) break;
    }
    expect(devices).toEqual(["j2", "j3"]);
    await conn.close();
  });

  it("waitForEvent resolves with the first matching event", async () => {
    const { conn, peer: p } = await peer.pair<Events>();
    const w = conn.waitForEvent("BLOCK_JOB_COMPLETED", (d) => d.device === "b");
    p.send(event("BLOCK_JOB_COMPLETED", { device: "a", len: 1 }));
    p.send(event("BLOCK_JOB_COMPLETED", { device: "b", len: 2 }));
    expect((await w).data).toEqual({ device: "b", len: 2 });
    await conn.close();
  });

  it("stops an iterator on abort", async () => {
    const { conn } = await peer.pair<Events>();
    const ac = new AbortController();
    const it1 = conn.events(["STOP"], { signal: ac.signal });
    const next = it1.next();
    ac.abort();
    expect(await next).toEqual({ value: undefined, done: true });
    await conn.close();
  });
});

describe("robustness", () => {
  it("reports unexpected messages and keeps going", async () => {
    const { conn, peer: p } = await peer.pair();
    const errors: QmpProtocolError[] = [];
    conn.onProtocolError((e) => errors.push(e));
    const r = conn.execute("x");
    const m = await p.next();
    p.raw('{"foo": 1}\r\n{"return": 5}\r\n{"event": "STOP"}\r\n{"return": 1, "id": 999}\r\n');
    p.send(GREETING);
    p.send({ return: "fine", id: m["id"] });
    expect(await r).toBe("fine");
    expect(errors.map((e) => e.message)).toEqual([
      "unexpected message from peer: neither a response, an event nor a greeting",
      "response without id: a return value",
      "unexpected message from peer: event without timestamp",
      "unexpected second greeting",
    ]);
    expect(errors[0]?.line).toBe('{"foo": 1}');
    await conn.close();
  });

  it("handles a multi-megabyte reply split in small chunks", async () => {
    const { conn, peer: p } = await peer.pair();
    const r = conn.execute("query-qmp-schema");
    const m = await p.next();
    const big = Array.from({ length: 50_000 }, (_, i) => ({ name: `t${i}`, "meta-type": "object", members: [] }));
    const text = `${JSON.stringify({ return: big, id: m["id"] })}\r\n`;
    for (let i = 0; i < text.length; i += 1000) p.raw(text.slice(i, i + 1000));
    expect(await r).toEqual(big);
    await conn.close();
  });

  it("with int64 'bigint', unsafe integers arrive exact and bigints are sent as numbers", async () => {
    const { conn, peer: p } = await peer.pair({ int64: "bigint" });
    const r = conn.execute("block-resize", { size: 2n ** 63n + 1n });
    const raw = await p.nextRaw();
    expect(raw).toBe('{"execute":"block-resize","arguments":{"size":9223372036854775809},"id":2}');
    p.raw('{"return": {"count": 18446744073709551615, "small": 1}, "id": 2}\r\n');
    expect(await r).toEqual({ count: 18446744073709551615n, small: 1 });
    await conn.close();
  });

  it("without int64 'bigint', large integers are parsed as JSON.parse does", async () => {
    const { conn, peer: p } = await peer.pair();
    const r = conn.execute("x");
    const m = await p.next();
    p.raw(`{"return": 18446744073709551615, "id": ${String(m["id"])}}\r\n`);
    expect(await r).toBe(18446744073709551615);
    await conn.close();
  });
});
