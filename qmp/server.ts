// A QMP server for tests: the generated dispatcher (server.ts of the generated code)
// behind QEMU's wire behaviour — greeting, capabilities negotiation, line framing,
// ids echoed, in-band commands answered in order, exec-oob, events — so code written
// against QEMU runs unchanged against this stand-in.
//
// A client cannot take it down: every request gets exactly one answer (or none, for
// success-response: false), whatever the dispatcher returns or throws; input beyond
// QEMU's JSON limits is refused as QEMU refuses it; and, as QEMU suspends a monitor
// whose request queue is full, the mock stops reading a connection that has too much
// outstanding, so its memory stays bounded however much a client sends unread.

import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { QmpAddress } from "./connect.js";
import { DEFAULT_MAX_LINE, LineDecoder, tickBatchedWriter } from "./framing.js";
import { JsonNestingError, parseJson, stringifyJson, type Int64Mode } from "./json.js";
import type { QmpVersion } from "./core/wire.js";

/**
 * Takes a raw command message ({ execute | exec-oob, arguments?, id? }) as received
 * and returns (or resolves to) the raw response ({ return } or { error: { class,
 * desc } }), or undefined for no response (success-response: false). The generated
 * `QmpDispatcher` has this shape; pass it or its bound `dispatch`. The mock adds
 * `id` when the dispatcher leaves it out.
 */
export type QmpDispatch = (request: Record<string, unknown>) => unknown;

export interface MockServerOptions {
  dispatch: QmpDispatch | { dispatch(request: unknown): unknown };
  /** The version the greeting announces (default 7.2.0, package "qapi-gen mock"). */
  version?: QmpVersion;
  /** Capabilities the greeting offers (default ["oob"]). */
  capabilities?: string[];
  /** Parse arguments with exact 64-bit integers (see json.ts). */
  int64?: Int64Mode;
  /** Longest request line accepted, in bytes (default 64 MiB, QEMU's token limit). */
  maxLineLength?: number;
}

/**
 * The mock stops reading from a connection while this many in-band requests wait
 * behind the one running (QEMU's QMP_REQ_QUEUE_LEN_MAX), while this many out-of-band
 * commands run, or while the socket's output is not drained; it reads on once they
 * drain.
 */
export const MAX_QUEUED_REQUESTS = 8;

type ErrorResponse = { error: { class: string; desc: string } };

const err = (cls: string, desc: string): ErrorResponse => ({ error: { class: cls, desc } });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A thrown value as text, even one whose message getter or toString throws. */
function describe(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message) : String(e);
  } catch {
    return "an exception that cannot be described";
  }
}

/** One client connection to the mock. */
class Session {
  negotiated = false;
  oob = false;
  private readonly decoder: LineDecoder;
  /** In-band work not started yet; it runs one at a time, as in QEMU's monitor. */
  private readonly queue: (() => unknown)[] = [];
  private running = false;
  private oobRunning = 0;
  private readonly writeBatched: (text: string) => void;

  constructor(
    private readonly socket: Socket,
    private readonly server: QmpMockServer,
    private readonly opts: MockServerOptions,
  ) {
    this.decoder = new LineDecoder(
      {
        line: (l) => this.onLine(l),
        overlong: () => this.inOrder(() => this.send(err("GenericError", "JSON token size limit exceeded"))),
      },
      { maxLineLength: opts.maxLineLength ?? DEFAULT_MAX_LINE },
    );
    this.writeBatched = tickBatchedWriter(socket);
    socket.setNoDelay(true);
    socket.on("data", (c: Buffer) => this.decoder.push(c));
    socket.on("drain", () => this.throttle());
    socket.on("error", () => {}); // a peer vanishing is normal; 'close' cleans up
    socket.on("close", () => {
      this.queue.length = 0; // nobody left to answer
    });
  }

  greet(): void {
    const version = this.opts.version ?? { qemu: { major: 7, minor: 2, micro: 0 }, package: "qapi-gen mock" };
    this.send({ QMP: { version, capabilities: this.opts.capabilities ?? ["oob"] } });
  }

  /**
   * Write one message. One that cannot be serialised (a cycle, a throwing getter or
   * toJSON) is answered with a GenericError instead, carrying `idJson`, the request's
   * id as it arrived.
   */
  send(msg: object, idJson?: string): void {
    let line: string;
    try {
      line = stringifyJson(msg);
    } catch (e) {
      line = errorLine(`mock: unserializable response: ${describe(e)}`, idJson);
    }
    this.write(line);
  }

  /** Write one line; the lines of one tick go out in one system call. */
  private write(line: string): void {
    if (!this.socket.writable) return;
    this.writeBatched(`${line}\r\n`);
    if (this.socket.writableNeedDrain) this.throttle();
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = parseJson(line, this.opts.int64 ?? "number");
    } catch (e) {
      const desc = e instanceof JsonNestingError ? "JSON nesting depth limit exceeded" : `JSON parse error, ${describe(e)}`;
      return this.inOrder(() => this.send(err("GenericError", desc)));
    }
    if (!isObject(msg)) return this.inOrder(() => this.send(err("GenericError", "QMP input must be a JSON object")));
    const request = msg;
    const hasId = "id" in request;
    const id = request["id"];
    // Parsed JSON always serialises; as text, the id survives whatever a handler does to it.
    const idJson = hasId ? stringifyJson(id) : undefined;
    const reply = (r: unknown): void => this.reply(r, hasId, id, idJson);
    const oobName = request["exec-oob"];
    const name = oobName ?? request["execute"];
    if (oobName !== undefined && this.oob) {
      // Out-of-band: runs at once, overtaking queued in-band commands, as in QEMU.
      this.oobRunning++;
      this.throttle();
      const done = (): void => {
        this.oobRunning--;
        this.throttle();
      };
      void this.run(name, request, reply).then(done, done); // run() answers for its own failures
      return;
    }
    if (oobName !== undefined) {
      return this.inOrder(() => reply(err("GenericError", "QMP input member 'exec-oob' is not supported unless capability 'oob' is enabled")));
    }
    this.inOrder(() => this.run(name, request, reply));
  }

  /** Answer a request: the response with its id added, or an error if it is no object. */
  private reply(response: unknown, hasId: boolean, id: unknown, idJson: string | undefined): void {
    let msg: object;
    try {
      // A Proxy's traps may throw here; the catch answers for it.
      const r = isObject(response) ? response : err("GenericError", "mock dispatcher returned no response object");
      msg = hasId && !("id" in r) ? { ...r, id } : r;
    } catch (e) {
      return this.write(errorLine(`mock: unreadable response: ${describe(e)}`, idJson));
    }
    this.send(msg, idJson);
  }

  /** Everything in-band, errors included, is answered in the order it arrived. */
  private inOrder(work: () => unknown): void {
    this.queue.push(work);
    this.throttle();
    if (!this.running) void this.drainQueue();
  }

  private async drainQueue(): Promise<void> {
    this.running = true;
    for (let work = this.queue.shift(); work !== undefined; work = this.queue.shift()) {
      this.throttle(); // as QEMU does, read on as soon as a request leaves the queue
      try {
        await work();
      } catch {
        // run() answers for its own failures; nothing else here can throw
      }
    }
    this.running = false;
  }

  /** Stop reading while too much is outstanding or unsent; read on once it drains. */
  private throttle(): void {
    const busy =
      this.queue.length >= MAX_QUEUED_REQUESTS ||
      this.oobRunning >= MAX_QUEUED_REQUESTS ||
      this.socket.writableNeedDrain;
    if (busy && !this.decoder.isPaused) {
      this.decoder.pause();
      this.socket.pause();
    } else if (!busy && this.decoder.isPaused) {
      this.decoder.resume(); // frames held input, which may pause again
      if (!this.decoder.isPaused && !this.socket.destroyed) this.socket.resume();
    }
  }

  /** Run one command and answer it; never rejects, whatever the dispatcher does. */
  private async run(name: unknown, msg: Record<string, unknown>, reply: (r: unknown) => void): Promise<void> {
    if (name === "qmp_capabilities") return reply(this.negotiate(msg["arguments"]));
    if (!this.negotiated) {
      return reply(err("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'"));
    }
    // Everything else, malformed requests included, is the dispatcher's to answer.
    const d = this.opts.dispatch;
    let response: unknown;
    try {
      response = await (typeof d === "function" ? d(msg) : d.dispatch(msg));
    } catch (e) {
      response = err("GenericError", describe(e));
    }
    this.server.commandsServed++;
    if (response === undefined) return; // success-response: false
    reply(response);
  }

  private negotiate(args: unknown): object {
    if (this.negotiated) {
      return err("CommandNotFound", "Capabilities negotiation is already complete, command ignored");
    }
    const enable = isObject(args) ? args["enable"] : undefined;
    const offered = this.opts.capabilities ?? ["oob"];
    for (const cap of Array.isArray(enable) ? enable : []) {
      if (typeof cap !== "string" || !offered.includes(cap)) {
        return err("GenericError", `Capability '${String(cap)}' not available`);
      }
      if (cap === "oob") this.oob = true;
    }
    this.negotiated = true;
    return { return: {} };
  }
}

/** A GenericError response line, with the request's id (as JSON text) if it had one. */
function errorLine(desc: string, idJson: string | undefined): string {
  const error = JSON.stringify(err("GenericError", desc).error);
  return idJson === undefined ? `{"error":${error}}` : `{"error":${error},"id":${idJson}}`;
}

export class QmpMockServer {
  private readonly server: Server;
  private readonly sessions = new Set<Session>();
  private readonly sockets = new Set<Socket>();
  /** Commands answered by the dispatcher (qmp_capabilities not counted). */
  commandsServed = 0;

  constructor(private readonly options: MockServerOptions) {
    this.server = createServer((socket) => {
      const s = new Session(socket, this, options);
      this.sessions.add(s);
      this.sockets.add(socket);
      socket.on("close", () => {
        this.sessions.delete(s);
        this.sockets.delete(socket);
      });
      s.greet();
    });
  }

  /** Listen on a Unix socket path or TCP port (0 picks a free port); resolves with the address to connect to. */
  listen(address: QmpAddress): Promise<QmpAddress> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      const done = (): void => {
        this.server.off("error", reject);
        const a = this.server.address();
        resolve(typeof a === "string" ? a : { host: (a as AddressInfo).address, port: (a as AddressInfo).port });
      };
      if (typeof address === "string") this.server.listen(address, done);
      else if ("path" in address) this.server.listen(address.path, done);
      else this.server.listen(address.port, address.host ?? "127.0.0.1", done);
    });
  }

  /** Send an event to every client past negotiation, as QEMU would. */
  emitEvent(event: string, data?: object): void {
    const now = Date.now();
    const msg: Record<string, unknown> = {
      event,
      timestamp: { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 },
    };
    if (data !== undefined) msg["data"] = data;
    for (const s of this.sessions) if (s.negotiated) s.send(msg);
  }

  /** Number of connected clients. */
  get connections(): number {
    return this.sessions.size;
  }

  /** Drop every client connection (as if QEMU died) but keep listening. */
  dropConnections(): void {
    for (const sock of this.sockets) sock.destroy();
  }

  /** Stop listening and drop all clients. */
  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
