// The event iterator: order, its bound and overflow signal, O(1) per event, and the
// same through a connection while commands flow. The generated client's wait for an
// event (qmp/core/events.ts): match, abort, timeout, each leaving no listener.

import { describe, expect, it } from "vitest";
import { QmpEventOverflowError } from "../qmp/errors.js";
import { DEFAULT_MAX_BUFFERED_EVENTS, EventQueue } from "../qmp/events.js";
import { $waitFor, type QmpRawEvent, type QmpTypedEvent } from "../qmp/core/events.js";
import { connectQmp } from "../qmp/connect.js";
import { GREETING, peerPerTest } from "./qmp-peer.js";

describe("EventQueue", () => {
  it("delivers in order what was pushed before and after next() was called", async () => {
    const q = new EventQueue<number>(() => {});
    q.push(1);
    q.push(2);
    expect(await q.next()).toEqual({ value: 1, done: false });
    const pending = q.next();
    const later = q.next();
    expect(await pending).toEqual({ value: 2, done: false });
    q.push(3);
    expect(await later).toEqual({ value: 3, done: false });
    q.end();
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it("on overflow delivers what it holds, then rejects once with QmpEventOverflowError, then is done", async () => {
    let ended = 0;
    const q = new EventQueue<number>(() => ended++, 3);
    for (let i = 1; i <= 5; i++) q.push(i);
    expect(ended).toBe(1); // unsubscribed at the first event that did not fit
    const got: number[] = [];
    let error: unknown;
    try {
      for await (const n of q) got.push(n);
    } catch (e) {
      error = e;
    }
    expect(got).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(QmpEventOverflowError);
    expect(error).toMatchObject({ limit: 3, message: expect.stringMatching(/3 events buffered and unread/) });
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it("does not overflow a consumer that keeps up", async () => {
    const q = new EventQueue<number>(() => {}, 2);
    for (let i = 0; i < 1000; i++) {
      q.push(i);
      q.push(i);
      expect((await q.next()).value).toBe(i);
      expect((await q.next()).value).toBe(i);
    }
    q.end();
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it("return() drops the buffer and ends", async () => {
    const q = new EventQueue<number>(() => {});
    q.push(1);
    await q.return();
    q.push(2);
    expect(q.size).toBe(0);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it("drains a backlog of a million in linear time", async () => {
    // With Array.shift per event this took minutes (quadratic); the test timeout
    // turns such a regression into a failure.
    const q = new EventQueue<{ n: number }>(() => {}, 1_000_000);
    for (let i = 0; i < 1_000_000; i++) q.push({ n: i });
    let sum = 0;
    let count = 0;
    q.end();
    for await (const e of q) {
      sum += e.n;
      count++;
    }
    expect(count).toBe(1_000_000);
    expect(sum).toBe((999_999 * 1_000_000) / 2);
  }, 20_000);

  it("is bounded by default", async () => {
    const q = new EventQueue<number>(() => {});
    for (let i = 0; i <= DEFAULT_MAX_BUFFERED_EVENTS; i++) q.push(i);
    expect(q.size).toBe(DEFAULT_MAX_BUFFERED_EVENTS);
    for (let i = 0; i < DEFAULT_MAX_BUFFERED_EVENTS; i++) await q.next();
    await expect(q.next()).rejects.toBeInstanceOf(QmpEventOverflowError);
  });
});

describe("event iterators on a connection", () => {
  const peer = peerPerTest();

  const event = (n: number): string => `${JSON.stringify({ event: "E", data: { n }, timestamp: { seconds: 1, microseconds: 0 } })}\r\n`;

  it("events in the chunk of the negotiation reply reach listeners and iterators added once connectQmp resolves", async () => {
    const connP = connectQmp(peer.path);
    const p = await peer.accept();
    p.send(GREETING);
    const caps = await p.next();
    p.raw(`${JSON.stringify({ return: {}, id: caps["id"] })}\r\n${event(1)}${event(2)}`);
    const conn = await connP;
    const seen: number[] = [];
    conn.on("E", (d) => seen.push((d as { n: number }).n));
    const all = conn.events();
    p.raw(event(3));
    const got: number[] = [];
    for await (const e of all) {
      got.push((e.data as { n: number }).n);
      if (got.length === 3) break;
    }
    expect(got).toEqual([1, 2, 3]);
    expect(seen).toEqual([1, 2, 3]);
    await conn.close();
  });

  it("a slow iterator overflows alone: listeners, other iterators and commands carry on", async () => {
    const { conn, peer: p } = await peer.pair();
    const slow = conn.events("E", { maxBuffered: 3 });
    const all = conn.events();
    const seen: number[] = [];
    conn.on("E", (d) => seen.push((d as { n: number }).n));
    const r = conn.execute("x");
    const m = await p.next();
    p.raw([1, 2, 3, 4, 5].map(event).join("") + `${JSON.stringify({ return: "ok", id: m["id"] })}\r\n`);
    expect(await r).toBe("ok");
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const e of slow) got.push((e.data as { n: number }).n);
      })(),
    ).rejects.toBeInstanceOf(QmpEventOverflowError);
    expect(got).toEqual([1, 2, 3]);
    const rest: number[] = [];
    for await (const e of all) {
      rest.push((e.data as { n: number }).n);
      if (rest.length === 5) break;
    }
    expect(rest).toEqual([1, 2, 3, 4, 5]);
    await conn.close();
  });

  it("a flood of events with commands in flight: every command answered, every event delivered", async () => {
    const { conn, peer: p } = await peer.pair();
    let events = 0;
    conn.onEvents(() => events++);
    const commands = Array.from({ length: 100 }, (_, i) => conn.execute("c", { i }));
    const ids: unknown[] = [];
    for (let i = 0; i < 100; i++) ids.push((await p.next())["id"]);
    // 200,000 events, each command's answer somewhere among them.
    const chunks: string[] = [];
    for (let i = 0; i < 100; i++) {
      chunks.push(Array.from({ length: 2000 }, (_, k) => event(i * 2000 + k)).join(""));
      chunks.push(`${JSON.stringify({ return: i, id: ids[i] })}\r\n`);
    }
    p.raw(chunks.join(""));
    expect(await Promise.all(commands)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await expect.poll(() => events, { timeout: 20_000 }).toBe(200_000);
    await conn.close();
  });
});

describe("$waitFor: the generated client's waitForEvent", () => {
  function source() {
    const listeners = new Set<(e: QmpRawEvent) => void>();
    return {
      onEvents(listener: (e: QmpRawEvent) => void): () => void {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      emit(event: string, data: unknown): void {
        for (const l of [...listeners]) l({ event, data, timestamp: { seconds: 1, microseconds: 0 } });
      },
      get listening(): number {
        return listeners.size;
      },
    };
  }
  const parse = (m: unknown): QmpTypedEvent => m as QmpTypedEvent;

  it("resolves with the first event of the name that matches, and stops listening", async () => {
    const s = source();
    const wait = $waitFor(s, parse, "GO", { match: (d) => (d as { n: number }).n === 2 });
    s.emit("OTHER", { n: 2 });
    s.emit("GO", { n: 1 });
    s.emit("GO", { n: 2 });
    expect((await wait).data).toEqual({ n: 2 });
    expect(s.listening).toBe(0);
  });

  it("rejects on abort with an AbortError whose cause is the signal's reason, before or after waiting", async () => {
    for (const early of [false, true]) {
      const s = source();
      const ac = new AbortController();
      const reason = { why: "enough" };
      if (early) ac.abort(reason);
      const wait = $waitFor(s, parse, "GO", { signal: ac.signal });
      if (!early) ac.abort(reason);
      const error = (await wait.catch((e: unknown) => e)) as Error;
      expect([error.name, error.message, error.cause]).toEqual(["AbortError", "waiting for GO: aborted", reason]);
      expect(s.listening).toBe(0);
    }
  });

  it("rejects when no event came within the timeout", async () => {
    const s = source();
    const error = (await $waitFor(s, parse, "GO", { timeout: 5 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("no GO event within 5 ms");
    expect(s.listening).toBe(0);
  });
});
