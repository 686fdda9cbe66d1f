// One QMP connection: greeting, capabilities negotiation, commands matched to their
// responses by id, events to listeners and iterators. It implements the transport
// interface generated clients take ({ execute(command, args) }), so
// `createClient(await QmpConnection.connect(...))` gives a typed client.
//
// Invariants: every execute() promise settles exactly once (answer, QEMU error,
// timeout, abort, or connection closed); nothing the connection does internally can
// produce an unhandled rejection; a malformed line is reported and skipped.

import type { Duplex } from "node:stream";
import { QmpAbortError, QmpConnectionClosedError, QmpError, QmpProtocolError, QmpTimeoutError } from "./errors.js";
import { EventQueue, type AnyEvents, type EventMap, type QmpEvent, type QmpEventOf } from "./events.js";
import { LineDecoder } from "./framing.js";
import { parseJson, stringifyJson, type Int64Mode } from "./json.js";
import { classifyServerMessage, versionString, type QmpGreeting, type QmpVersion } from "./messages.js";

export interface ConnectionOptions {
  /** "bigint": integers beyond 2^53 in replies arrive as exact bigints (match --int64). */
  int64?: Int64Mode;
  /** Ask for out-of-band execution; connecting fails if QEMU does not offer it. */
  oob?: boolean;
  /** Default timeout for each command in ms (none by default). */
  commandTimeout?: number;
  /** Longest accepted line from the peer, in characters. */
  maxLineLength?: number;
}

export interface ExecuteOptions {
  /** Send as `exec-oob` (needs the oob capability and a command that allows it). */
  oob?: boolean;
  /** Reject with QmpTimeoutError after this many ms; overrides commandTimeout. */
  timeout?: number;
  signal?: AbortSignal;
  /**
   * false for commands QEMU answers only on failure (`success-response: false`,
   * e.g. the guest agent's `guest-shutdown`): the promise resolves with undefined
   * once the command is written to the socket instead of waiting for a response
   * that never comes. An error response that does arrive later cannot be matched
   * to the call any more: it is reported to onProtocolError listeners. The
   * generated QmpClient sets this from `commandInfo[name].successResponse`.
   */
  expectResponse?: boolean;
}

/** Ids of commands sent without expecting a response, remembered at most. */
const MAX_UNANSWERED = 1024;

/** Why the connection ended. */
export interface CloseInfo {
  /** true when close() was called; false when the peer closed or the socket failed. */
  byClient: boolean;
  /** The socket error, if one ended it. */
  error?: Error;
}

interface Pending {
  command: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

type EventListener<E extends EventMap> = (event: QmpEventOf<E>) => void;
type NamedListener = (data: unknown, event: QmpEvent) => void;

/** A preview of a malformed line in an error: enough to recognise, not megabytes. */
const preview = (line: string): string => (line.length > 200 ? `${line.slice(0, 200)}…` : line);

export class QmpConnection<E extends EventMap = AnyEvents> {
  /** The greeting as QEMU sent it; set once the handshake is done. */
  greeting!: QmpGreeting;
  /** Capabilities enabled by negotiation. */
  readonly enabled = new Set<string>();

  private readonly decoder: LineDecoder;
  private readonly pending = new Map<number, Pending>();
  /** Commands sent with expectResponse: false, by id (the most recent ones). */
  private readonly unanswered = new Map<number, string>();
  private nextId = 1;
  private readonly int64: Int64Mode;
  private readonly commandTimeout: number | undefined;
  private state: "greeting" | "negotiating" | "open" | "closed" = "greeting";
  private closeInfo: CloseInfo | undefined;
  private socketError: Error | undefined;
  private closingByClient = false;
  private corked = false;

  private readonly eventListeners = new Set<EventListener<E>>();
  private readonly namedListeners = new Map<string, Set<NamedListener>>();
  private readonly protocolErrorListeners = new Set<(err: QmpProtocolError) => void>();
  private readonly closeListeners = new Set<(info: CloseInfo) => void>();
  private readonly queues = new Set<{ names: Set<string> | undefined; queue: EventQueue<QmpEventOf<E>> }>();

  private greetingWaiter: { resolve(g: QmpGreeting): void; reject(e: Error): void } | undefined;
  /** Settles when the greeting arrives (or cannot); created early so none is missed. */
  private readonly greetingReceived: Promise<QmpGreeting>;
  private resolveClosed!: (info: CloseInfo) => void;
  /** Resolves (never rejects) when the connection has ended, for whatever reason. */
  readonly closed: Promise<CloseInfo> = new Promise((r) => (this.resolveClosed = r));

  /**
   * Wrap a connected stream. Prefer connect() / openQmp(); call handshake() next.
   * Exposed for custom transports (TLS tunnels, test peers).
   */
  constructor(
    private readonly socket: Duplex,
    private readonly options: ConnectionOptions = {},
  ) {
    this.int64 = options.int64 ?? "number";
    this.commandTimeout = options.commandTimeout;
    this.greetingReceived = new Promise((resolve, reject) => (this.greetingWaiter = { resolve, reject }));
    // Nobody may be awaiting yet; handshake() observes the rejection when it awaits.
    this.greetingReceived.catch(() => {});
    this.decoder = new LineDecoder(
      {
        line: (text) => this.onLine(text),
        overlong: (n) => this.protocolError(new QmpProtocolError(`line of ${n} characters exceeds the limit; dropped`)),
      },
      options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength },
    );
    socket.on("data", (chunk: Buffer | string) => this.decoder.push(chunk));
    socket.on("error", (err: Error) => {
      this.socketError ??= err;
      // 'close' follows an 'error'; tear down there so the order is always the same.
    });
    socket.on("close", () => this.teardown());
    socket.on("end", () => {
      if (this.decoder.pending > 0) {
        this.protocolError(new QmpProtocolError(`connection ended inside a line (${this.decoder.pending} characters)`));
      }
    });
  }

  /** Read the greeting and negotiate capabilities. Rejects if the peer goes away. */
  async handshake(): Promise<this> {
    const greeting = await this.greetingReceived;
    this.greeting = greeting;
    const offered = new Set(greeting.QMP.capabilities);
    const enable: string[] = [];
    if (this.options.oob === true) {
      if (!offered.has("oob")) {
        this.close();
        throw new QmpProtocolError("out-of-band execution was requested but the server does not offer 'oob'");
      }
      enable.push("oob");
    }
    this.state = "negotiating";
    await this.send("qmp_capabilities", enable.length > 0 ? { enable } : undefined, {}, false);
    for (const c of enable) this.enabled.add(c);
    this.state = "open";
    return this;
  }

  /** QEMU's version from the greeting. */
  get version(): QmpVersion {
    return this.greeting.QMP.version;
  }

  /** QEMU's version as "MAJOR.MINOR.MICRO". */
  get versionString(): string {
    return versionString(this.version);
  }

  /** Capabilities the server offered in its greeting. */
  get capabilities(): readonly string[] {
    return this.greeting.QMP.capabilities;
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Commands sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Run a command. Resolves with its `return` value; rejects with QmpError when QEMU
   * answers with an error, QmpTimeoutError, QmpAbortError, or QmpConnectionClosedError.
   */
  execute(command: string, args?: object, options: ExecuteOptions = {}): Promise<unknown> {
    if (this.state !== "open") {
      return Promise.reject(
        this.state === "closed"
          ? this.closedError(command)
          : new QmpProtocolError(`${command}: connection not ready (handshake not complete)`),
      );
    }
    if (options.oob === true && !this.enabled.has("oob")) {
      return Promise.reject(new QmpProtocolError(`${command}: out-of-band execution not negotiated (connect with oob: true)`));
    }
    return this.send(command, args, options, options.oob === true);
  }

  /** Listen to every event. Returns a function that removes the listener. */
  onEvents(listener: EventListener<E>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Listen to one event by name, with its data typed. Returns the remover. */
  on<K extends keyof E & string>(name: K, listener: (data: E[K], event: QmpEvent<K, E[K]>) => void): () => void {
    let set = this.namedListeners.get(name);
    if (set === undefined) this.namedListeners.set(name, (set = new Set()));
    set.add(listener as NamedListener);
    return () => set.delete(listener as NamedListener);
  }

  /** Malformed or unexpected messages from the peer; the connection carries on. */
  onProtocolError(listener: (err: QmpProtocolError) => void): () => void {
    this.protocolErrorListeners.add(listener);
    return () => this.protocolErrorListeners.delete(listener);
  }

  onClose(listener: (info: CloseInfo) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Iterate over events (all, or those named) from now on. Ends when the connection
   * closes, when the loop breaks, or when the signal aborts.
   */
  events<K extends keyof E & string>(names?: K | readonly K[], options: { signal?: AbortSignal } = {}): AsyncIterableIterator<QmpEventOf<E, K>> {
    const list = names === undefined ? undefined : typeof names === "string" ? [names] : names;
    const entry = {
      names: list === undefined ? undefined : new Set<string>(list),
      queue: new EventQueue<QmpEventOf<E>>(() => {
        this.queues.delete(entry);
        options.signal?.removeEventListener("abort", stop);
      }),
    };
    const stop = (): void => entry.queue.end();
    if (this.state === "closed" || options.signal?.aborted === true) entry.queue.end();
    else {
      this.queues.add(entry);
      options.signal?.addEventListener("abort", stop, { once: true });
    }
    return entry.queue as unknown as AsyncIterableIterator<QmpEventOf<E, K>>;
  }

  /** The next event named `name` that satisfies `match`. Rejects if the connection closes first. */
  waitForEvent<K extends keyof E & string>(
    name: K,
    match: (data: E[K]) => boolean = () => true,
    options: { signal?: AbortSignal; timeout?: number } = {},
  ): Promise<QmpEvent<K, E[K]>> {
    return new Promise((resolve, reject) => {
      if (this.state === "closed") return reject(this.closedError(`waiting for ${name}`));
      const cleanup = (): void => {
        off();
        offClose();
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
      };
      const off = this.on(name, (data, event) => {
        if (!match(data)) return;
        cleanup();
        resolve(event);
      });
      const offClose = this.onClose(() => {
        cleanup();
        reject(this.closedError(`waiting for ${name}`));
      });
      const onAbort = (): void => {
        cleanup();
        reject(new QmpAbortError(`waiting for ${name}`, { cause: options.signal?.reason }));
      };
      const timer =
        options.timeout === undefined
          ? undefined
          : setTimeout(() => {
              cleanup();
              reject(new QmpTimeoutError(`waiting for ${name}`, options.timeout ?? 0));
            }, options.timeout);
      if (options.signal?.aborted === true) onAbort();
      else options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Close the connection; pending commands reject with QmpConnectionClosedError. */
  close(): Promise<CloseInfo> {
    if (this.state !== "closed") {
      this.closingByClient = true;
      this.socket.end();
      // The peer normally closes its side at once; don't let one that doesn't hold us.
      const t = setTimeout(() => this.socket.destroy(), 1000);
      t.unref();
      // Reject pending commands now rather than when the socket finishes closing.
      this.teardown();
    }
    return this.closed;
  }

  // ---- internals ----

  private send(command: string, args: object | undefined, options: ExecuteOptions, oob: boolean): Promise<unknown> {
    if (this.state === "closed") return Promise.reject(this.closedError(command));
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(new QmpAbortError(command, { cause: signal.reason }));
    const id = this.nextId++;
    const msg: Record<string, unknown> = oob ? { "exec-oob": command } : { execute: command };
    if (args !== undefined) msg["arguments"] = args;
    msg["id"] = id;
    let line: string;
    try {
      line = stringifyJson(msg);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (options.expectResponse === false) {
      this.unanswered.set(id, command);
      if (this.unanswered.size > MAX_UNANSWERED) {
        this.unanswered.delete(this.unanswered.keys().next().value as number);
      }
      return new Promise((resolve, reject) => {
        this.write(`${line}\n`, (err) => {
          if (err === undefined || err === null) resolve(undefined);
          else reject(this.state === "closed" ? this.closedError(command) : err);
        });
      });
    }
    return new Promise((resolve, reject) => {
      const p: Pending = { command, resolve, reject, timer: undefined, signal, onAbort: undefined };
      const timeout = options.timeout ?? this.commandTimeout;
      if (timeout !== undefined) {
        p.timer = setTimeout(() => this.settle(id, new QmpTimeoutError(command, timeout)), timeout);
      }
      if (signal !== undefined) {
        p.onAbort = () => this.settle(id, new QmpAbortError(command, { cause: signal.reason }));
        signal.addEventListener("abort", p.onAbort, { once: true });
      }
      this.pending.set(id, p);
      this.write(`${line}\n`);
    });
  }

  /** Batch the writes of one tick into one syscall: 32 commands in flight → 1 write. */
  private write(text: string, done?: (err: Error | null | undefined) => void): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    if (done === undefined) this.socket.write(text);
    else this.socket.write(text, done);
  }

  /** Finish pending command `id` with a value or an error; no-op if already finished. */
  private settle(id: number, error: Error | undefined, value?: unknown): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (p.onAbort !== undefined) p.signal?.removeEventListener("abort", p.onAbort);
    if (error === undefined) p.resolve(value);
    else p.reject(error);
  }

  private onLine(line: string): void {
    let value: unknown;
    try {
      value = parseJson(line, this.int64);
    } catch (err) {
      this.protocolError(new QmpProtocolError(`malformed JSON from peer: ${(err as Error).message}`, preview(line), { cause: err }));
      return;
    }
    const c = classifyServerMessage(value);
    switch (c.kind) {
      case "return":
      case "error": {
        const id = c.msg.id;
        if (id === undefined) {
          // QEMU omits id only when it could not parse the command at all.
          const what = c.kind === "error" ? `${c.msg.error.class}: ${c.msg.error.desc}` : "a return value";
          this.protocolError(new QmpProtocolError(`response without id: ${what}`, preview(line)));
          return;
        }
        // Unknown ids (e.g. answers to timed-out commands) are dropped, as qmp-spec says.
        if (typeof id !== "number") return;
        const quiet = this.unanswered.get(id);
        if (quiet !== undefined) {
          this.unanswered.delete(id);
          if (c.kind === "error") {
            const e = c.msg.error;
            this.protocolError(
              new QmpProtocolError(`error response to ${quiet}, sent without expecting a response: ${e.class}: ${e.desc}`, preview(line)),
            );
          }
          return;
        }
        if (c.kind === "return") this.settle(id, undefined, c.msg.return);
        else {
          const p = this.pending.get(id);
          if (p !== undefined) this.settle(id, new QmpError(c.msg.error.class, c.msg.error.desc, p.command));
        }
        return;
      }
      case "event":
        if (this.state === "open") this.dispatchEvent(c.msg as unknown as QmpEventOf<E>);
        return;
      case "greeting":
        if (this.state === "greeting") {
          this.state = "negotiating";
          const w = this.greetingWaiter;
          this.greetingWaiter = undefined;
          w?.resolve(c.msg);
        } else {
          this.protocolError(new QmpProtocolError("unexpected second greeting", preview(line)));
        }
        return;
      case "invalid":
        this.protocolError(new QmpProtocolError(`unexpected message from peer: ${c.why}`, preview(line)));
        return;
    }
  }

  private dispatchEvent(event: QmpEventOf<E>): void {
    if (!("data" in event)) (event as { data: unknown }).data = {};
    for (const l of this.eventListeners) this.callListener(l, event);
    const named = this.namedListeners.get(event.event);
    if (named !== undefined) for (const l of named) this.callListener(l, event.data, event);
    for (const q of this.queues) if (q.names === undefined || q.names.has(event.event)) q.queue.push(event);
  }

  /**
   * A throwing listener must not break the reader mid-chunk (that would lose the
   * messages after it); its error is rethrown on its own tick instead, where it is
   * an uncaught exception exactly as with an EventEmitter listener.
   */
  private callListener<A extends unknown[]>(l: (...a: A) => void, ...args: A): void {
    try {
      l(...args);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }

  private protocolError(err: QmpProtocolError): void {
    if (this.state === "greeting") {
      // Before the greeting nothing else can be trusted: fail the handshake.
      const w = this.greetingWaiter;
      this.greetingWaiter = undefined;
      if (w !== undefined) {
        w.reject(err);
        this.socket.destroy();
        return;
      }
    }
    for (const l of this.protocolErrorListeners) this.callListener(l, err);
  }

  private closedError(command: string): QmpConnectionClosedError {
    const info = this.closeInfo;
    if (info?.byClient === true || this.closingByClient) {
      return new QmpConnectionClosedError("connection closed by client", command);
    }
    const why = "connection closed by peer (QEMU exited or closed the socket)";
    // ECONNRESET and the like: say what the socket said, keep the error as the cause.
    return info?.error === undefined
      ? new QmpConnectionClosedError(why, command)
      : new QmpConnectionClosedError(`${why}: ${info.error.message}`, command, { cause: info.error });
  }

  private teardown(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.closeInfo = this.socketError === undefined
      ? { byClient: this.closingByClient }
      : { byClient: this.closingByClient, error: this.socketError };
    const w = this.greetingWaiter;
    this.greetingWaiter = undefined;
    w?.reject(this.closedError("handshake"));
    for (const [id, p] of this.pending) this.settle(id, this.closedError(p.command));
    for (const q of [...this.queues]) q.queue.end();
    for (const l of this.closeListeners) this.callListener(l, this.closeInfo);
    this.resolveClosed(this.closeInfo);
  }
}
