// Opening a QMP connection over a Unix socket or TCP. QEMU creates its socket a moment
// after it starts, so connecting can retry for a while instead of making every caller
// poll for the socket file.

import { connect as netConnect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_CONNECT_TIMEOUT, QmpConnection, type ConnectionOptions } from "./connection.js";
import { QmpAbortError, QmpTimeoutError } from "./errors.js";
import type { AnyEvents, EventMap } from "./events.js";

/** A Unix socket path, or { path }, or { host, port } for TCP. */
export type QmpAddress = string | { path: string } | { host?: string; port: number };

export interface ConnectOptions extends ConnectionOptions {
  /** Keep retrying refused / not-yet-created sockets for this many ms (default 0: once). */
  retryFor?: number;
  /**
   * How long to wait for a silent peer, in ms: for a connection attempt to be
   * accepted, then for the greeting and the negotiation (default
   * DEFAULT_CONNECT_TIMEOUT, 30 s; Infinity waits for ever). Time spent retrying
   * within retryFor does not count.
   */
  timeout?: number;
  signal?: AbortSignal;
}

/** Errors that mean "QEMU is not listening yet". */
const RETRYABLE = new Set(["ENOENT", "ECONNREFUSED", "EAGAIN"]);

function open(address: QmpAddress, timeout: number, signal: AbortSignal | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      typeof address === "string"
        ? netConnect({ path: address })
        : "path" in address
          ? netConnect({ path: address.path })
          : netConnect({ host: address.host ?? "127.0.0.1", port: address.port });
    const done = (err?: Error): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", done);
      if (err === undefined) return resolve(socket);
      socket.destroy();
      reject(err);
    };
    const onAbort = (): void => done(new QmpAbortError("connect", { cause: signal?.reason }));
    const timer = Number.isFinite(timeout) ? setTimeout(() => done(new QmpTimeoutError("connect", timeout)), timeout) : undefined;
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("error", done);
    socket.once("connect", () => {
      socket.setNoDelay(true);
      done();
    });
  });
}

async function openWithRetry(address: QmpAddress, timeout: number, options: ConnectOptions): Promise<Socket> {
  const deadline = Date.now() + (options.retryFor ?? 0);
  for (;;) {
    try {
      return await open(address, timeout, options.signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === undefined || !RETRYABLE.has(code) || Date.now() >= deadline) throw err;
      if (options.signal?.aborted === true) throw new QmpAbortError("connect", { cause: options.signal.reason });
      await sleep(25);
    }
  }
}

/**
 * Connect, read the greeting, negotiate capabilities. The returned connection is
 * ready for commands and is a transport for the generated client.
 */
export async function connectQmp<E extends EventMap = AnyEvents>(
  address: QmpAddress,
  options: ConnectOptions = {},
): Promise<QmpConnection<E>> {
  const { signal, timeout = DEFAULT_CONNECT_TIMEOUT } = options;
  if (signal?.aborted === true) throw new QmpAbortError("connect", { cause: signal.reason });
  const socket = await openWithRetry(address, timeout, options);
  const conn = new QmpConnection<E>(socket, options);
  try {
    return await conn.handshake(signal === undefined ? { timeout } : { timeout, signal });
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
