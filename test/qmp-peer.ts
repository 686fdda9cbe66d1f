// A scripted QMP peer for unit tests: a Unix socket server in a temp dir whose side of
// the conversation the test writes byte by byte (greeting, replies, garbage).

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { connectQmp, type ConnectOptions } from "../qmp/connect.js";
import type { QmpConnection } from "../qmp/connection.js";
import type { AnyEvents, EventMap } from "../qmp/events.js";

export const GREETING = {
  QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: "test" }, capabilities: ["oob"] },
};

/** The server side of one connection. */
export class PeerSocket {
  private buffer = "";
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;

  constructor(readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      this.buffer += d;
      let nl: number;
      while ((nl = this.buffer.indexOf("\n")) >= 0) {
        this.lines.push(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.waiter?.();
    });
    socket.on("error", () => {});
  }

  /** Write raw text (no newline added). */
  raw(text: string): void {
    this.socket.write(text);
  }

  /** Write one message as QEMU does (CRLF). */
  send(msg: unknown): void {
    this.socket.write(`${JSON.stringify(msg)}\r\n`);
  }

  /** The next line the client sent, parsed. */
  async next(): Promise<Record<string, unknown>> {
    while (this.lines.length === 0) {
      if (this.socket.destroyed || this.socket.readableEnded) throw new Error("peer: client went away");
      await new Promise<void>((r) => {
        // one listener per wait, removed when it ends (a long exchange would pile them up)
        const done = (): void => {
          this.socket.off("close", done);
          r();
        };
        this.waiter = done;
        this.socket.once("close", done);
      });
      this.waiter = undefined;
    }
    return JSON.parse(this.lines.shift() as string) as Record<string, unknown>;
  }

  /** The next raw line the client sent. */
  async nextRaw(): Promise<string> {
    while (this.lines.length === 0) {
      await new Promise<void>((r) => (this.waiter = r));
    }
    return this.lines.shift() as string;
  }

  /** Answer the greeting + qmp_capabilities exchange; returns the negotiation message. */
  async negotiate(greeting: unknown = GREETING): Promise<Record<string, unknown>> {
    this.send(greeting);
    const caps = await this.next();
    this.send({ return: {}, id: caps["id"] });
    return caps;
  }
}

export class FakePeer {
  readonly dir = mkdtempSync(join(tmpdir(), "qmp-peer-"));
  readonly path = join(this.dir, "qmp.sock");
  private readonly server: Server;
  private readonly accepted: PeerSocket[] = [];
  private readonly sockets = new Set<Socket>();
  private waiter: (() => void) | undefined;

  constructor() {
    this.server = createServer((s) => {
      this.sockets.add(s);
      this.accepted.push(new PeerSocket(s));
      this.waiter?.();
    });
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.path, r));
  }

  async accept(): Promise<PeerSocket> {
    while (this.accepted.length === 0) await new Promise<void>((r) => (this.waiter = r));
    return this.accepted.shift() as PeerSocket;
  }

  /** Connect a client and run the handshake; returns both ends. */
  async pair<E extends EventMap = AnyEvents>(
    options: ConnectOptions = {},
  ): Promise<{ conn: QmpConnection<E>; peer: PeerSocket; caps: Record<string, unknown> }> {
    const connP = connectQmp<E>(this.path, options);
    const peer = await this.accept();
    const caps = await peer.negotiate();
    return { conn: await connP, peer, caps };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A FakePeer listening afresh for each test of the suite that calls this. */
export function peerPerTest() {
  let current: FakePeer | undefined;
  beforeEach(async () => {
    current = new FakePeer();
    await current.listen();
  });
  afterEach(async () => {
    await current?.close();
  });
  const peer = (): FakePeer => current as FakePeer;
  return {
    get path(): string {
      return peer().path;
    },
    accept: (): Promise<PeerSocket> => peer().accept(),
    pair: <E extends EventMap = AnyEvents>(options: ConnectOptions = {}) => peer().pair<E>(options),
  };
}
