// Events as generated code receives them: what it knows about each event, parsing a
// raw event message into a typed one, and listening through a transport that
// delivers events (such as @qapi-gen/qmp's QmpConnection). Copied verbatim into
// every output as runtime/events.ts.

import { QmpValidationError } from "./errors.js";
import type { QmpAbortSignal } from "./client.js";
import { $hasOwn, type Validator } from "./validate.js";
import type { QmpTimestamp } from "./wire.js";

/** What a client needs to know about an event at run time. */
export interface QmpEventInfo<Name extends string = string, Data = unknown> {
  /** The wire name. */
  readonly name: Name;
  /** Validator of the data; undefined when the event carries none. */
  readonly data: Validator<Data> | undefined;
  /** The data is one object type (possibly a union). */
  readonly boxed: boolean;
  /** The event's features, e.g. "deprecated", "unstable". */
  readonly features: readonly string[];
}

/** An event, typed: `data` is `{}` for events without data. */
export interface QmpTypedEvent<Name extends string = string, Data = unknown> {
  readonly event: Name;
  readonly data: Data;
  readonly timestamp: QmpTimestamp;
}

/** A raw event as a transport delivers it. */
export interface QmpRawEvent {
  readonly event: string;
  readonly data?: unknown;
  readonly timestamp: QmpTimestamp;
}

/**
 * A transport that also delivers events (QmpConnection does): every event, to a
 * listener, until the returned function is called.
 */
export interface QmpEventSource {
  onEvents(listener: (event: QmpRawEvent) => void): () => void;
}

/**
 * @internal Validates a raw QMP event message (`{ event, data?, timestamp }`)
 * against `table` and returns it typed, undefined for an event the table does not
 * know (a newer QEMU's). Data is converted from JSON (64-bit integers) and
 * validated in compatible mode. Throws QmpValidationError when malformed.
 */
export function $parseEvent(
  table: Readonly<Record<string, QmpEventInfo>>,
  message: unknown,
): QmpTypedEvent | undefined {
  let name = "?";
  const bad = (path: string, what: string): QmpValidationError =>
    new QmpValidationError("event", name, [
      { path, message: `Invalid event message: ${what}` },
    ]);
  if (typeof message !== "object" || message === null || Array.isArray(message))
    throw bad("", "not a JSON object");
  const m = message as Record<string, unknown>;
  const event = $hasOwn(m, "event") ? m["event"] : undefined;
  if (typeof event !== "string") throw bad("event", "'event' must be a string");
  name = event;
  const ts = ($hasOwn(m, "timestamp") ? m["timestamp"] : undefined) as
    Record<string, unknown> | null | undefined;
  if (
    typeof ts !== "object" ||
    ts === null ||
    typeof ts["seconds"] !== "number" ||
    typeof ts["microseconds"] !== "number"
  ) {
    throw bad("timestamp", "'timestamp' must be { seconds, microseconds }");
  }
  if (!$hasOwn(table, event)) return undefined;
  const validator = (table[event] as QmpEventInfo).data;
  const raw = $hasOwn(m, "data") ? m["data"] : {};
  const data = validator !== undefined ? validator.fromJson(raw) : raw;
  if (validator !== undefined) {
    const problems = validator.problems(data, "compatible");
    if (problems.length > 0)
      throw new QmpValidationError("event", event, problems);
  } else if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw bad("data", "'data' must be an object");
  }
  return {
    event,
    data,
    timestamp: { seconds: ts["seconds"], microseconds: ts["microseconds"] },
  };
}

/** Options of waiting for an event. */
export interface QmpWaitOptions<Data> {
  /** Only an event whose data satisfies this. */
  readonly match?: ((data: Data) => boolean) | undefined;
  /** Reject with an error after this many milliseconds. */
  readonly timeout?: number | undefined;
  readonly signal?: QmpAbortSignal | undefined;
}

/** The event source of a transport, or a TypeError saying it has none. */
export function $eventSource(transport: object): QmpEventSource {
  const s = transport as Partial<QmpEventSource>;
  if (typeof s.onEvents !== "function")
    throw new TypeError(
      "the transport delivers no events (it has no onEvents method)",
    );
  return s as QmpEventSource;
}

/**
 * @internal Listens to the events named `name` (all when undefined) that `parse`
 * accepts; an event that fails validation goes to `invalid` instead.
 */
export function $listen(
  source: QmpEventSource,
  parse: (message: unknown) => QmpTypedEvent | undefined,
  name: string | undefined,
  listener: (data: unknown, event: QmpTypedEvent) => void,
  invalid: ((error: QmpValidationError) => void) | undefined,
): () => void {
  return source.onEvents((raw) => {
    if (name !== undefined && raw.event !== name) return;
    let event: QmpTypedEvent | undefined;
    try {
      event = parse(raw);
    } catch (e) {
      if (e instanceof QmpValidationError && invalid !== undefined) invalid(e);
      return;
    }
    if (event !== undefined) listener(event.data, event);
  });
}

/** The timers of the platform (browsers, Node, Deno have them), typed without a DOM or Node lib. */
const timers = globalThis as unknown as {
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
};

/** @internal The next event named `name` that `parse` accepts and `options.match` selects. */
export function $waitFor(
  source: QmpEventSource,
  parse: (message: unknown) => QmpTypedEvent | undefined,
  name: string,
  options: QmpWaitOptions<unknown>,
): Promise<QmpTypedEvent> {
  return new Promise((resolve, reject) => {
    const { match, timeout, signal } = options;
    const done = (): void => {
      off();
      if (timer !== undefined) timers.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const off = $listen(
      source,
      parse,
      name,
      (data, e) => {
        if (match !== undefined && !match(data)) return;
        done();
        resolve(e);
      },
      undefined,
    );
    // as the connection's waitForEvent rejects (QmpAbortError): an AbortError, the signal's reason as its cause
    const onAbort = (): void => {
      done();
      const error = new Error(`waiting for ${name}: aborted`);
      reject(
        Object.assign(error, { name: "AbortError", cause: signal?.reason }),
      );
    };
    const timer =
      timeout === undefined
        ? undefined
        : timers.setTimeout(() => {
            done();
            reject(new Error(`no ${name} event within ${String(timeout)} ms`));
          }, timeout);
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
