// QMP asynchronous events: their shape, the name→data map that types them, and the
// async iterator over them. The iterator buffers from the moment it is created, so no
// event is lost between creating it and the first next(), and commands keep flowing
// on the connection meanwhile (the reader never waits for the consumer). The buffer is
// bounded: a consumer that falls further behind than that is told so, by an error.

import type { QmpTimestamp } from "./core/wire.js";
import { QmpEventOverflowError } from "./errors.js";

/**
 * Event name → type of its `data` member (generated as `Events` in commands.ts).
 * Constrained as `object` rather than an index signature so generated interfaces fit.
 */
export type EventMap = object;

/** The default when no event map is given: any name, untyped data. */
export type AnyEvents = Record<string, unknown>;

export interface QmpEvent<N extends string = string, D = unknown> {
  event: N;
  data: D;
  timestamp: QmpTimestamp;
}

/** The union of typed events for the names K of an event map. */
export type QmpEventOf<E extends EventMap, K extends keyof E & string = keyof E & string> = {
  [P in K]: QmpEvent<P, E[P]>;
}[K];

/** Events an iterator buffers for a consumer that is behind, unless told otherwise. */
export const DEFAULT_MAX_BUFFERED_EVENTS = 100_000;

/**
 * Buffered async iterator fed by the connection; ends when the connection closes.
 * O(1) per event: the buffer is an array read from a moving head, compacted once the
 * head has passed half of it. When `maxBuffered` events wait unread, the iterator
 * stops buffering: the consumer gets every event buffered so far, in order, then
 * next() rejects once with QmpEventOverflowError and the iteration is over.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private buffered: (T | undefined)[] = [];
  private head = 0;
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private done = false;
  private overflow: QmpEventOverflowError | undefined;

  constructor(
    private readonly onDone: () => void,
    private readonly maxBuffered: number = DEFAULT_MAX_BUFFERED_EVENTS,
  ) {}

  /** Events waiting to be read. */
  get size(): number {
    return this.buffered.length - this.head;
  }

  push(item: T): void {
    if (this.done) return;
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      w({ value: item, done: false });
    } else if (this.size >= this.maxBuffered) {
      this.overflow = new QmpEventOverflowError(this.maxBuffered);
      this.end();
    } else {
      this.buffered.push(item);
    }
  }

  /** End the iteration; items already buffered are still delivered first. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.onDone();
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.buffered.length) return Promise.resolve({ value: this.take(), done: false });
    if (this.overflow !== undefined) {
      const err = this.overflow;
      this.overflow = undefined;
      return Promise.reject(err);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    if (this.waiting !== undefined) {
      // Concurrent next() calls are not supported: each would race for one item.
      return Promise.reject(new Error("EventQueue: next() called while a previous next() is pending"));
    }
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Called by `break` in for-await: stop buffering. */
  return(): Promise<IteratorResult<T>> {
    this.buffered = [];
    this.head = 0;
    this.overflow = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private take(): T {
    const item = this.buffered[this.head] as T;
    this.buffered[this.head++] = undefined; // let it go
    if (this.head === this.buffered.length) {
      this.buffered.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.buffered.length) {
      this.buffered = this.buffered.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
