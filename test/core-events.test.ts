// qmp/core/events.ts as real code: parsing a raw event message against a table
// ($parseEvent), listening through an event source ($listen, $eventSource), and
// waiting for one event with a match, a timeout and an abort signal ($waitFor).

import { describe, expect, it } from "vitest";
import { QmpValidationError } from "../qmp/core/errors.js";
import { type QmpEventInfo, type QmpEventSource, type QmpRawEvent, type QmpTypedEvent, $eventSource, $listen, $parseEvent, $waitFor } from "../qmp/core/events.js";
import { $big, $isObject, $validator } from "../qmp/core/validate.js";
import { Item } from "./core-support.js";

const Counted = $validator<{ n: bigint }>(
  "Counted",
  (v) => $isObject(v) && typeof v["n"] === "bigint",
  (_v, _c, _d, _p, out) => out.push({ path: "n", message: "Parameter 'n' is missing" }),
  (v) => {
    if ($isObject(v)) v["n"] = $big(v["n"]);
    return v;
  },
);

const TABLE: Readonly<Record<string, QmpEventInfo>> = {
  ITEM: { name: "ITEM", data: Item, boxed: false, features: [] },
  COUNTED: { name: "COUNTED", data: Counted, boxed: false, features: [] },
  PING: { name: "PING", data: undefined, boxed: false, features: ["deprecated"] },
};

const ts = { seconds: 1, microseconds: 2 };
const parse = (m: unknown): QmpTypedEvent | undefined => $parseEvent(TABLE, m);

/** An event source whose events the test emits. */
function source(): QmpEventSource & { emit(e: QmpRawEvent): void; readonly listening: number } {
  const listeners = new Set<(e: QmpRawEvent) => void>();
  return {
    onEvents(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e) {
      for (const l of [...listeners]) l(e);
    },
    get listening() {
      return listeners.size;
    },
  };
}

function parseError(message: unknown): QmpValidationError {
  try {
    parse(message);
  } catch (e) {
    if (e instanceof QmpValidationError) return e;
    throw e;
  }
  throw new Error("parsed");
}

describe("$parseEvent", () => {
  it("types a known event: data validated compatibly, the timestamp copied", () => {
    const m = { event: "ITEM", data: { id: "x", later: 1 }, timestamp: { ...ts, extra: 3 } };
    expect(parse(m)).toEqual({ event: "ITEM", data: { id: "x", later: 1 }, timestamp: ts });
  });

  it("an event without data has {} (or the object sent)", () => {
    expect(parse({ event: "PING", timestamp: ts })).toEqual({ event: "PING", data: {}, timestamp: ts });
    expect(parse({ event: "PING", data: { newer: 1 }, timestamp: ts })?.data).toEqual({ newer: 1 });
  });

  it("converts data from JSON before validating it", () => {
    expect(parse({ event: "COUNTED", data: { n: 5 }, timestamp: ts })?.data).toEqual({ n: 5n });
  });

  it("an event the table does not know (a newer QEMU's): undefined", () => {
    expect(parse({ event: "NEWER", data: 1, timestamp: ts })).toBeUndefined();
    expect(parse({ event: "constructor", timestamp: ts })).toBeUndefined();
  });

  it.each([
    ["not an object", [1], "?", "", "Invalid event message: not a JSON object"],
    ["null", null, "?", "", "Invalid event message: not a JSON object"],
    ["no event name", { timestamp: ts }, "?", "event", "Invalid event message: 'event' must be a string"],
    ["an inherited event name", Object.create({ event: "PING", timestamp: ts }), "?", "event", "Invalid event message: 'event' must be a string"],
    ["no timestamp", { event: "PING" }, "PING", "timestamp", "Invalid event message: 'timestamp' must be { seconds, microseconds }"],
    ["a bad timestamp", { event: "PING", timestamp: { seconds: "1", microseconds: 0 } }, "PING", "timestamp", "Invalid event message: 'timestamp' must be { seconds, microseconds }"],
    ["data not an object", { event: "PING", data: [], timestamp: ts }, "PING", "data", "Invalid event message: 'data' must be an object"],
    ["invalid data", { event: "ITEM", data: { id: 1 }, timestamp: ts }, "ITEM", "id", "Invalid parameter type for 'id', expected: string"],
  ])("%s: QmpValidationError", (_what, message, target, path, problem) => {
    const e = parseError(message);
    expect([e.kind, e.target, e.problems]).toEqual(["event", target, [{ path, message: problem }]]);
  });
});

describe("$eventSource", () => {
  it("is the transport when it delivers events, else a TypeError", () => {
    const s = source();
    expect($eventSource(s)).toBe(s);
    expect(() => $eventSource({ execute: () => Promise.resolve() })).toThrow(new TypeError("the transport delivers no events (it has no onEvents method)"));
  });
});

describe("$listen", () => {
  it("delivers the named event's data and the event; others are not parsed", () => {
    const s = source();
    const got: unknown[] = [];
    let parsed = 0;
    const off = $listen(
      s,
      (m) => {
        parsed++;
        return parse(m);
      },
      "ITEM",
      (data, e) => got.push([data, e.event]),
      undefined,
    );
    s.emit({ event: "PING", timestamp: ts });
    s.emit({ event: "ITEM", data: { id: "a" }, timestamp: ts });
    expect(got).toEqual([[{ id: "a" }, "ITEM"]]);
    expect(parsed).toBe(1);
    off();
    s.emit({ event: "ITEM", data: { id: "b" }, timestamp: ts });
    expect(got).toHaveLength(1);
    expect(s.listening).toBe(0);
  });

  it("all events when no name is given, unknown ones skipped; invalid ones go to `invalid`", () => {
    const s = source();
    const got: string[] = [];
    const invalid: QmpValidationError[] = [];
    $listen(s, parse, undefined, (_d, e) => got.push(e.event), (e) => invalid.push(e));
    s.emit({ event: "PING", timestamp: ts });
    s.emit({ event: "NEWER", timestamp: ts });
    s.emit({ event: "ITEM", data: { id: 2 }, timestamp: ts });
    s.emit({ event: "ITEM", data: { id: "ok" }, timestamp: ts });
    expect(got).toEqual(["PING", "ITEM"]);
    expect(invalid.map((e) => e.message)).toEqual(["Invalid data of event 'ITEM': Invalid parameter type for 'id', expected: string"]);
  });

  it("an invalid event without `invalid` is dropped silently", () => {
    const s = source();
    const got: unknown[] = [];
    $listen(s, parse, "ITEM", (d) => got.push(d), undefined);
    expect(() => s.emit({ event: "ITEM", data: null, timestamp: ts })).not.toThrow();
    expect(got).toEqual([]);
  });
});

describe("$waitFor", () => {
  it("resolves with the first named event that matches, then stops listening", async () => {
    const s = source();
    const waiting = $waitFor(s, parse, "ITEM", { match: (d) => (d as { id: string }).id === "b" });
    s.emit({ event: "ITEM", data: { id: "a" }, timestamp: ts });
    s.emit({ event: "PING", timestamp: ts });
    s.emit({ event: "ITEM", data: { id: "b" }, timestamp: ts });
    await expect(waiting).resolves.toEqual({ event: "ITEM", data: { id: "b" }, timestamp: ts });
    expect(s.listening).toBe(0);
  });

  it("without a match, the first one", async () => {
    const s = source();
    const waiting = $waitFor(s, parse, "PING", {});
    s.emit({ event: "PING", timestamp: ts });
    await expect(waiting).resolves.toMatchObject({ event: "PING" });
  });

  it("rejects after `timeout` ms, and stops listening", async () => {
    const s = source();
    await expect($waitFor(s, parse, "PING", { timeout: 10 })).rejects.toThrow(new Error("no PING event within 10 ms"));
    expect(s.listening).toBe(0);
  });

  it("rejects when aborted, with the signal's reason as the cause; at once when aborted already", async () => {
    const s = source();
    const c = new AbortController();
    const reason = new Error("enough");
    const waiting = $waitFor(s, parse, "PING", { signal: c.signal, timeout: 60_000 });
    c.abort(reason);
    await expect(waiting).rejects.toMatchObject({ name: "AbortError", cause: reason });
    expect(s.listening).toBe(0);
    await expect($waitFor(s, parse, "PING", { signal: c.signal })).rejects.toMatchObject({ name: "AbortError", cause: reason });
    expect(s.listening).toBe(0);
  });

  it("an abort without a reason says what was waited for", async () => {
    const s = source();
    let onAbort: (() => void) | undefined;
    const signal = {
      aborted: false,
      addEventListener: (_t: "abort", l: () => void) => (onAbort = l),
      removeEventListener: () => (onAbort = undefined),
    };
    const waiting = $waitFor(s, parse, "PING", { signal });
    onAbort?.();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError", message: "waiting for PING: aborted", cause: undefined });
    expect(onAbort).toBeUndefined(); // removed once settled
  });

  it("an event after it settled changes nothing", async () => {
    const s = source();
    const waiting = $waitFor(s, parse, "PING", { timeout: 1000 });
    s.emit({ event: "PING", timestamp: { seconds: 1, microseconds: 0 } });
    s.emit({ event: "PING", timestamp: { seconds: 2, microseconds: 0 } });
    await expect(waiting).resolves.toMatchObject({ timestamp: { seconds: 1 } });
  });
});
