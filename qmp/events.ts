// QMP asynchronous events: their shape, the name→data map that types them, and the
// async iterator over them. The iterator buffers from the moment it is created, so no
// event is lost between creating it and the first next(), and commands keep flowing
// on the connection meanwhile (the reader never waits for the consumer).

export interface QmpTimestamp {
  seconds: number;
  microseconds: number;
}

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

/** Buffered async iterator fed by the connection; ends when the connection closes. */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffered: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private done = false;

  constructor(private readonly onDone: () => void) {}

  push(item: T): void {
    if (this.done) return;
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      w({ value: item, done: false });
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
    const item = this.buffered.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
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
    this.buffered.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
