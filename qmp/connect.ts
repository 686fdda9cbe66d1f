// Opening a QMP connection over a Unix socket or TCP. QEMU creates its socket a moment
// after it starts, so connecting can retry for a while instead of making every caller
// poll for the socket file.

import { connect as netConnect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { QmpConnection, type ConnectionOptions } from "./connection.js";
import { QmpAbortError, QmpTimeoutError } from "./errors.js";
import type { AnyEvents, EventMap } from "./events.js";

/** A Unix socket path, or { path }, or { host, port } for TCP. */
export type QmpAddress = string | { path: string } | { host?: string; port: number };

export interface ConnectOptions extends ConnectionOptions {
  /** Keep retrying refused / not-yet-created sockets for this many ms (default 0: once). */
  retryFor?: number;
  /** Fail if connecting, the greeting and negotiation take longer than this (ms). */
  timeout?: number;
  signal?: AbortSignal;
}

/** Errors that mean "QEMU is not listening yet". */
const RETRYABLE = new Set(["ENOENT", "ECONNREFUSED", "EAGAIN"]);

function open(address: QmpAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      typeof address === "string"
        ? netConnect({ path: address })
        : "path" in address
          ? netConnect({ path: address.path })
          : netConnect({ host: address.host ?? "127.0.0.1", port: address.port });
    const onError = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.once("error", onError);
    socket.once("connect", () => {
      socket.off("error", onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

async function openWithRetry(address: QmpAddress, options: ConnectOptions): Promise<Socket> {
  const deadline = Date.now() + (options.retryFor ?? 0);
  for (;;) {
    try {
      return await open(address);
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
  const { signal, timeout } = options;
  if (signal?.aborted === true) throw new QmpAbortError("connect", { cause: signal.reason });
  const socket = await openWithRetry(address, options);
  const conn = new QmpConnection<E>(socket, options);
  // Abort or time out the handshake by destroying the socket: handshake() then rejects.
  let failure: Error | undefined;
  const fail = (err: Error): void => {
    failure ??= err;
    socket.destroy();
  };
  const onAbort = (): void => fail(new QmpAbortError("connect", { cause: signal?.reason }));
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = timeout === undefined ? undefined : setTimeout(() => fail(new QmpTimeoutError("connect", timeout)), timeout);
  try {
    return await conn.handshake();
  } catch (err) {
    socket.destroy();
    throw failure ?? err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (timer !== undefined) clearTimeout(timer);
  }
}
