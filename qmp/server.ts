// A QMP server for tests: the generated dispatcher (server.ts of the generated code)
// behind QEMU's wire behaviour — greeting, capabilities negotiation, line framing,
// ids echoed, in-band commands answered in order, exec-oob, events — so code written
// against QEMU runs unchanged against this stand-in.

import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { QmpAddress } from "./connect.js";
import { LineDecoder } from "./framing.js";
import { parseJson, stringifyJson, type Int64Mode } from "./json.js";
import type { QmpVersion } from "./messages.js";

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
}

const err = (cls: string, desc: string): { error: { class: string; desc: string } } => ({ error: { class: cls, desc } });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** One client connection to the mock. */
class Session {
  negotiated = false;
  oob = false;
  /** In-band commands run one after the other, as in QEMU's monitor. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly server: QmpMockServer,
    private readonly opts: MockServerOptions,
  ) {
    const decoder = new LineDecoder({
      line: (l) => this.onLine(l),
      overlong: () => this.send(err("GenericError", "JSON parse error, input too long")),
    });
    socket.setNoDelay(true);
    socket.on("data", (c: Buffer) => decoder.push(c));
    socket.on("error", () => {}); // a peer vanishing is normal; 'close' cleans up
  }

  greet(): void {
    const version = this.opts.version ?? { qemu: { major: 7, minor: 2, micro: 0 }, package: "qapi-gen mock" };
    this.send({ QMP: { version, capabilities: this.opts.capabilities ?? ["oob"] } });
  }

  send(msg: object): void {
    let line: string;
    try {
      line = stringifyJson(msg);
    } catch (e) {
      // A handler returned something JSON can't carry (a cycle): say so, keep serving.
      const id = (msg as { id?: unknown }).id;
      line = stringifyJson({ ...err("GenericError", `mock: unserializable response: ${String(e)}`), ...(id === undefined ? {} : { id }) });
    }
    if (!this.socket.destroyed) this.socket.write(`${line}\r\n`);
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = parseJson(line, this.opts.int64 ?? "number");
    } catch (e) {
      return this.inOrder(() => this.send(err("GenericError", `JSON parse error, ${(e as Error).message}`)));
    }
    if (!isObject(msg)) return this.inOrder(() => this.send(err("GenericError", "QMP input must be a JSON object")));
    const hasId = "id" in msg;
    const reply = (r: object): void => this.send(hasId && !("id" in r) ? { ...r, id: msg["id"] } : r);
    const oobName = msg["exec-oob"];
    const name = oobName ?? msg["execute"];
    if (oobName !== undefined && this.oob) {
      // Out-of-band: runs at once, overtaking queued in-band commands, as in QEMU.
      void this.run(name, msg, reply);
      return;
    }
    if (oobName !== undefined) {
      return this.inOrder(() => reply(err("GenericError", "QMP input member 'exec-oob' is not supported unless capability 'oob' is enabled")));
    }
    this.inOrder(() => this.run(name, msg, reply));
  }

  /** Everything in-band, errors included, is answered in the order it arrived. */
  private inOrder(work: () => void | Promise<void>): void {
    // A failure in one command must not stall the queue for the next ones.
    this.queue = this.queue.then(work).catch(() => {});
  }

  private async run(name: unknown, msg: Record<string, unknown>, reply: (r: object) => void): Promise<void> {
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
      response = err("GenericError", e instanceof Error ? e.message : String(e));
    }
    this.server.commandsServed++;
    if (response === undefined) return; // success-response: false
    reply(isObject(response) ? response : err("GenericError", "mock dispatcher returned no response object"));
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
