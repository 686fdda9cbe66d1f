// One QMP connection: greeting, capabilities negotiation, commands matched to their
// responses by id, events to listeners and iterators. It implements the transport
// interface generated clients take ({ execute(command, args) }), so
// `createClient(await QmpConnection.connect(...))` gives a typed client.
//
// Invariants: every execute() promise settles exactly once (answer, QEMU error, bad
// reply, timeout, abort, or connection closed); nothing the connection does internally
// can produce an unhandled rejection; a malformed line is reported and skipped. As
// python's qemu.qmp does, a bad greeting or negotiation fails the connection, and so
// does an error response without id: QEMU could not parse some command, which will
// never be answered, and no one can tell which.

import type { Duplex } from "node:stream";
import {
  QmpAbortError,
  QmpBadReplyError,
  QmpConnectionClosedError,
  QmpError,
  QmpNegotiationError,
  QmpProtocolError,
  QmpTimeoutError,
} from "./errors.js";
import { EventQueue, type AnyEvents, type EventMap, type QmpEvent, type QmpEventOf } from "./events.js";
import { DEFAULT_MAX_LINE, LineDecoder, tickBatchedWriter } from "./framing.js";
import { checkNesting, JsonNestingError, MAX_NESTING, parseJson, stringifyJson, type Int64Mode } from "./json.js";
import type { QmpGreeting, QmpVersion } from "./core/wire.js";
import { classifyServerMessage, versionString, type Classified } from "./messages.js";

export interface ConnectionOptions {
  /** "bigint": integers beyond 2^53 in replies arrive as exact bigints (match --int64). */
  int64?: Int64Mode;
  /** Ask for out-of-band execution; connecting fails if QEMU does not offer it. */
  oob?: boolean;
  /**
   * Default timeout for each command in ms. None by default: QEMU runs in-band
   * commands one after the other and some run for minutes, so no figure fits every
   * command; a peer that goes away is noticed without one.
   */
  commandTimeout?: number;
  /** Longest accepted line from the peer, in bytes (default 64 MiB, QEMU's token limit). */
  maxLineLength?: number;
}

export interface HandshakeOptions {
  /**
   * Fail with QmpTimeoutError when the greeting and negotiation take longer than this
   * (ms; default DEFAULT_CONNECT_TIMEOUT; Infinity waits for ever).
   */
  timeout?: number;
  signal?: AbortSignal;
}

/**
 * How long connecting waits for a silent peer by default (ms): libvirt's default wait
 * for QEMU's monitor. QEMU greets as soon as it accepts the connection, but it accepts
 * only once its main loop runs (after, say, preallocating a large guest's memory).
 */
export const DEFAULT_CONNECT_TIMEOUT = 30_000;

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
  /** The socket error, or the peer's protocol error, that ended it. */
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
  /**
   * Events read after the negotiation reply, held until the code awaiting the
   * handshake has run (it adds the listeners): they may come in the reply's chunk.
   */
  private heldEvents: QmpEventOf<E>[] | undefined;
  private closeInfo: CloseInfo | undefined;
  private socketError: Error | undefined;
  /** The protocol error that made us drop the connection. */
  private fatal: QmpProtocolError | undefined;
  /** Why the handshake failed, once it has. */
  private handshakeError: Error | undefined;
  /** The id of qmp_capabilities, once sent, and the capabilities it enables. */
  private negotiationId: number | undefined;
  private enabling: readonly string[] = [];
  private closingByClient = false;
  /** Writes of one tick go out together. */
  private readonly write: (text: string, done?: (err: Error | null | undefined) => void) => void;

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
    this.write = tickBatchedWriter(socket);
    this.greetingReceived = new Promise((resolve, reject) => (this.greetingWaiter = { resolve, reject }));
    // Nobody may be awaiting yet; handshake() observes the rejection when it awaits.
    this.greetingReceived.catch(() => {});
    const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE;
    this.decoder = new LineDecoder(
      {
        line: (text) => this.onLine(text),
        overlong: () => this.drop(new QmpProtocolError(`line from peer longer than the limit of ${maxLineLength} bytes`)),
      },
      { maxLineLength },
    );
    socket.on("data", (chunk: Buffer | string) => this.decoder.push(chunk));
    socket.on("error", (err: Error) => {
      this.socketError ??= err;
      // 'close' follows an 'error'; tear down there so the order is always the same.
    });
    socket.on("close", () => this.teardown());
    socket.on("end", () => {
      if (this.decoder.pending > 0) {
        this.protocolError(new QmpProtocolError(`connection ended inside a line (${this.decoder.pending} bytes)`));
      }
      // Nothing more can arrive, so nothing pending can be answered: settle it now,
      // even on a transport that stays half open.
      this.socket.end();
      this.teardown();
    });
  }

  /**
   * Read the greeting and negotiate capabilities. Rejects with QmpNegotiationError
   * when the peer's greeting or negotiation reply is not understood, with QmpError
   * when it refuses the capabilities, QmpTimeoutError, QmpAbortError, or
   * QmpConnectionClosedError; the connection is closed then.
   */
  async handshake(options: HandshakeOptions = {}): Promise<this> {
    const { signal, timeout = DEFAULT_CONNECT_TIMEOUT } = options;
    const fail = (err: Error): void => {
      this.failHandshake(err);
    };
    const onAbort = (): void => fail(new QmpAbortError("connect", { cause: signal?.reason }));
    const timer = Number.isFinite(timeout) ? setTimeout(() => fail(new QmpTimeoutError("connect", timeout)), timeout) : undefined;
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.negotiate();
    } catch (err) {
      throw this.handshakeError ?? err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private async negotiate(): Promise<this> {
    const greeting = await this.greetingReceived;
    if (this.handshakeError !== undefined) throw this.handshakeError;
    this.greeting = greeting;
    const offered = new Set(greeting.QMP.capabilities);
    const enable: string[] = [];
    if (this.options.oob === true) {
      if (!offered.has("oob")) {
        throw this.failHandshake(new QmpNegotiationError("out-of-band execution was requested but the server does not offer 'oob'"));
      }
      enable.push("oob");
    }
    this.negotiationId = this.nextId;
    this.enabling = enable;
    try {
      await this.send("qmp_capabilities", enable.length > 0 ? { enable } : undefined, {}, false);
    } catch (err) {
      // A refusal (QmpError) fails connecting too; the connection is of no use.
      throw this.failHandshake(err as Error);
    }
    // onNegotiation opened the connection, unless something failed it since.
    if (this.state !== "open") throw this.handshakeError ?? this.closedError("handshake");
    return this;
  }

  /** End a handshake that cannot succeed: settle whatever it waits for, drop the socket. */
  private failHandshake(err: Error): Error {
    if (this.state !== "greeting" && this.state !== "negotiating") return err;
    this.handshakeError ??= err;
    const w = this.greetingWaiter;
    this.greetingWaiter = undefined;
    w?.reject(this.handshakeError);
    if (this.negotiationId !== undefined) this.settle(this.negotiationId, this.handshakeError);
    this.socket.destroy();
    this.teardown();
    return this.handshakeError;
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
   * closes, when the loop breaks, or when the signal aborts. At most `maxBuffered`
   * events (default DEFAULT_MAX_BUFFERED_EVENTS) wait for a slow consumer; one more
   * and the iterator stops buffering: the consumer reads those, then next() rejects
   * with QmpEventOverflowError and the iteration ends (create a new iterator and
   * re-query the state it tracked).
   */
  events<K extends keyof E & string>(
    names?: K | readonly K[],
    options: { signal?: AbortSignal; maxBuffered?: number } = {},
  ): AsyncIterableIterator<QmpEventOf<E, K>> {
    const list = names === undefined ? undefined : typeof names === "string" ? [names] : names;
    const entry = {
      names: list === undefined ? undefined : new Set<string>(list),
      queue: new EventQueue<QmpEventOf<E>>(() => {
        this.queues.delete(entry);
        options.signal?.removeEventListener("abort", stop);
      }, options.maxBuffered),
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
      withinQemuLimits(command, line);
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

  /**
   * A line that is not a JSON object (or too deep or long to read) may have been the
   * reply some command waits for: as qemu.qmp does, the connection ends, so that
   * every pending command learns it now.
   */
  private onLine(line: string): void {
    if (this.state === "closed") return;
    let value: unknown;
    try {
      value = parseJson(line, this.int64);
    } catch (err) {
      const what = err instanceof JsonNestingError ? "JSON from peer refused" : "malformed JSON from peer";
      this.drop(new QmpProtocolError(`${what}: ${(err as Error).message}`, preview(line), { cause: err }));
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.drop(new QmpProtocolError("message from peer is not a JSON object", preview(line)));
      return;
    }
    const c = classifyServerMessage(value);
    if (this.state === "greeting") this.onGreeting(c, line);
    else if (this.state === "negotiating") this.onNegotiation(c, line);
    else if (this.state === "open") this.onMessage(c, line);
  }

  /** The first message must be the greeting; anything else fails the handshake. */
  private onGreeting(c: Classified, line: string): void {
    if (c.kind !== "greeting") {
      const why = c.kind === "invalid" ? c.why : `a ${c.kind === "bad-reply" ? "reply" : c.kind} came first`;
      this.failHandshake(new QmpNegotiationError(`did not understand the greeting: ${why}`, preview(line)));
      return;
    }
    this.state = "negotiating";
    const w = this.greetingWaiter;
    this.greetingWaiter = undefined;
    w?.resolve(c.msg);
  }

  /**
   * Until negotiation is done the only message expected is its reply. The connection
   * opens as that reply is read, not a tick later: events may follow it in one chunk.
   */
  private onNegotiation(c: Classified, line: string): void {
    const id = this.negotiationId;
    if ((c.kind === "return" || c.kind === "error") && id !== undefined && c.msg.id === id) {
      if (c.kind === "return") {
        for (const cap of this.enabling) this.enabled.add(cap);
        this.state = "open";
        this.heldEvents = [];
        // after the promise reactions of the handshake, before any later socket data
        setImmediate(() => this.releaseEvents());
      }
      this.onResponse(c, line);
      return;
    }
    const why =
      c.kind === "invalid" || c.kind === "bad-reply"
        ? c.why
        : c.kind !== "return" && c.kind !== "error"
          ? `unexpected ${c.kind}`
          : id === undefined
            ? "a reply before qmp_capabilities was sent"
            : `reply with id ${preview(stringifyJson(c.msg.id) ?? "absent")} instead of ${id}`;
    this.failHandshake(new QmpNegotiationError(`capabilities negotiation failed: ${why}`, preview(line)));
  }

  private onMessage(c: Classified, line: string): void {
    switch (c.kind) {
      case "return":
      case "error":
      case "bad-reply":
        this.onResponse(c, line);
        return;
      case "event":
        this.dispatchEvent(c.msg as unknown as QmpEventOf<E>);
        return;
      case "greeting":
        this.protocolError(new QmpProtocolError("unexpected second greeting", preview(line)));
        return;
      case "invalid":
        this.protocolError(new QmpProtocolError(`unexpected message from peer: ${c.why}`, preview(line)));
        return;
    }
  }

  private onResponse(c: Extract<Classified, { kind: "return" | "error" | "bad-reply" }>, line: string): void {
    const id = c.msg.id;
    if (id === undefined) {
      if (c.kind === "return") {
        this.protocolError(new QmpProtocolError("response without id: a return value", preview(line)));
      } else {
        const what = c.kind === "error" ? `${c.msg.error.class}: ${c.msg.error.desc}` : c.why;
        this.drop(new QmpProtocolError(`error response without id (the peer could not parse a command, which will never be answered): ${what}`, preview(line)));
      }
      return;
    }
    // Unknown ids (e.g. answers to timed-out commands) are dropped, as qmp-spec says.
    if (typeof id !== "number") return;
    const quiet = this.unanswered.get(id);
    if (quiet !== undefined) {
      this.unanswered.delete(id);
      if (c.kind !== "return") {
        const what = c.kind === "error" ? `${c.msg.error.class}: ${c.msg.error.desc}` : c.why;
        this.protocolError(new QmpProtocolError(`error response to ${quiet}, sent without expecting a response: ${what}`, preview(line)));
      }
      return;
    }
    const p = this.pending.get(id);
    if (p === undefined) return;
    if (c.kind === "return") this.settle(id, undefined, c.msg.return);
    else if (c.kind === "error") this.settle(id, new QmpError(c.msg.error.class, c.msg.error.desc, p.command));
    else {
      const err = new QmpBadReplyError(p.command, c.why, preview(line));
      this.settle(id, err);
      this.protocolError(err);
    }
  }

  private releaseEvents(): void {
    const held = this.heldEvents ?? [];
    this.heldEvents = undefined;
    for (const e of held) this.dispatchEvent(e);
  }

  private dispatchEvent(event: QmpEventOf<E>): void {
    if (this.heldEvents !== undefined) {
      this.heldEvents.push(event);
      return;
    }
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
    if (this.state === "greeting" || this.state === "negotiating") {
      // Before negotiation is done nothing else can be trusted: fail the handshake.
      this.failHandshake(new QmpNegotiationError(`handshake failed: ${err.message}`, err.line, { cause: err }));
      return;
    }
    for (const l of this.protocolErrorListeners) this.callListener(l, err);
  }

  /** Report `err` and close: pending commands reject with it as the cause. */
  private drop(err: QmpProtocolError): void {
    this.protocolError(err);
    this.fatal ??= err;
    this.socket.destroy();
    this.teardown();
  }

  private closedError(command: string): QmpConnectionClosedError {
    const info = this.closeInfo;
    if (info?.byClient === true || this.closingByClient) {
      return new QmpConnectionClosedError("connection closed by client", command);
    }
    if (this.fatal !== undefined) {
      return new QmpConnectionClosedError(`connection closed after a protocol error: ${this.fatal.message}`, command, { cause: this.fatal });
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
    const error = this.fatal ?? this.socketError;
    this.closeInfo = error === undefined ? { byClient: this.closingByClient } : { byClient: this.closingByClient, error };
    const w = this.greetingWaiter;
    this.greetingWaiter = undefined;
    w?.reject(this.handshakeError ?? this.closedError("handshake"));
    for (const [id, p] of this.pending) this.settle(id, this.closedError(p.command));
    this.releaseEvents(); // what was read before the end, ahead of it
    for (const q of [...this.queues]) q.queue.end();
    for (const l of this.closeListeners) this.callListener(l, this.closeInfo);
    this.resolveClosed(this.closeInfo);
  }
}

/**
 * Refuse to send what QEMU's JSON streamer would refuse: it answers such a command
 * with an error without id, so the command could never be told it failed.
 */
function withinQemuLimits(command: string, line: string): void {
  if (line.length * 3 > DEFAULT_MAX_LINE && Buffer.byteLength(line) > DEFAULT_MAX_LINE) {
    throw new RangeError(`${command}: command of more than ${DEFAULT_MAX_LINE} bytes; QEMU refuses it`);
  }
  try {
    checkNesting(line);
  } catch {
    throw new RangeError(`${command}: arguments nested deeper than ${MAX_NESTING} levels; QEMU refuses them`);
  }
}
