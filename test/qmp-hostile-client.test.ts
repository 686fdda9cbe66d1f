// The mock server against hostile clients and hostile handlers: every request gets
// its answer, nothing kills the process, and a connection that does not read its
// responses stops being read (QEMU's monitor suspension), so memory stays bounded.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectQmp } from "../qmp/connect.js";
import type { QmpConnection } from "../qmp/connection.js";
import { MAX_QUEUED_REQUESTS, QmpMockServer, type MockServerOptions } from "../qmp/server.js";
import { runChild, transpiledForSuite } from "./qmp-child.js";
import { generateInto, type Generated } from "./qmp-gen.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "qmp-hostile-client-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let servers: QmpMockServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

let sockets = 0;
async function serve(options: MockServerOptions): Promise<string> {
  const server = new QmpMockServer(options);
  servers.push(server);
  return (await server.listen(join(dir, `m${sockets++}.qmp`))) as string;
}

/** A raw client: writes what it is told, collects the lines it gets, parsed. */
class RawClient {
  readonly socket: Socket;
  private buffer = "";
  private readonly lines: unknown[] = [];
  private waiter: (() => void) | undefined;

  constructor(path: string) {
    this.socket = connect({ path });
    this.socket.setEncoding("utf8");
    this.socket.on("data", (d: string) => {
      this.buffer += d;
      let nl: number;
      while ((nl = this.buffer.indexOf("\r\n")) >= 0) {
        this.lines.push(JSON.parse(this.buffer.slice(0, nl)));
        this.buffer = this.buffer.slice(nl + 2);
      }
      this.waiter?.();
    });
    this.socket.on("error", () => {});
  }

  /** Connect, read the greeting, negotiate (with oob if asked). */
  static async negotiated(path: string, oob = true): Promise<RawClient> {
    const c = new RawClient(path);
    await c.take(1);
    c.send({ execute: "qmp_capabilities", ...(oob ? { arguments: { enable: ["oob"] } } : {}) });
    expect(await c.take(1)).toEqual([{ return: {} }]);
    return c;
  }

  send(msg: unknown): void {
    this.socket.write(`${JSON.stringify(msg)}\n`);
  }

  raw(text: string): void {
    this.socket.write(text);
  }

  /** The next n lines. */
  async take(n: number): Promise<unknown[]> {
    while (this.lines.length < n) await new Promise<void>((r) => (this.waiter = r));
    return this.lines.splice(0, n);
  }
}

const generic = (desc: string | RegExp, id?: unknown) => ({
  error: { class: "GenericError", desc: typeof desc === "string" ? desc : expect.stringMatching(desc) },
  ...(id === undefined ? {} : { id }),
});

describe("input beyond QEMU's limits", () => {
  it.each(["number", "bigint"] as const)("an id nested 20,000 deep is refused as QEMU refuses it (%s mode), in-band and out-of-band", async (int64) => {
    const path = await serve({ dispatch: () => ({ return: {} }), int64 });
    const c = await RawClient.negotiated(path);
    const deep = `${"[".repeat(20_000)}18446744073709551615${"]".repeat(20_000)}`;
    c.raw(`{"exec-oob": "query-yank", "id": ${deep}}\n{"execute": "query-yank", "id": ${deep}}\n`);
    c.send({ execute: "after", id: 1 });
    expect(await c.take(3)).toEqual([
      generic("JSON nesting depth limit exceeded"),
      generic("JSON nesting depth limit exceeded"),
      { return: {}, id: 1 },
    ]);
    c.socket.destroy();
  });

  it("an id nested 1,000 deep is echoed exactly", async () => {
    const path = await serve({ dispatch: () => ({ return: {} }) });
    const c = await RawClient.negotiated(path);
    let id: unknown = "x";
    for (let i = 0; i < 1000; i++) id = [id];
    c.send({ "exec-oob": "a", id });
    c.send({ execute: "b", id });
    expect(await c.take(2)).toEqual([
      { return: {}, id },
      { return: {}, id },
    ]);
    c.socket.destroy();
  });

  it("a line over the limit gets one error, at once, and the connection carries on", async () => {
    const path = await serve({ dispatch: () => ({ return: 1 }), maxLineLength: 1000 });
    const c = await RawClient.negotiated(path);
    c.raw(`{"execute": "x", "arguments": {"s": "${"y".repeat(600)}`);
    c.raw("y".repeat(600));
    expect(await c.take(1)).toEqual([generic("JSON token size limit exceeded")]);
    c.raw(`${"y".repeat(5000)}"}, "id": 1}\n{"execute": "x", "id": 2}\n`);
    expect(await c.take(1)).toEqual([{ return: 1, id: 2 }]);
    c.socket.destroy();
  });
});

describe("what a handler returns or throws", () => {
  const cyclic: Record<string, unknown> = { return: {} };
  cyclic["self"] = cyclic;
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const outcomes: [string, () => unknown, string | RegExp][] = [
    ["a cycle", () => cyclic, /^mock: unserializable response: .*circular/i],
    ["a throwing getter", () => ({ get return() { throw new Error("getter"); } }), "mock: unreadable response: getter"],
    ["a throwing toJSON", () => ({ return: { toJSON() { throw new Error("toJSON"); } } }), "mock: unserializable response: toJSON"],
    ["a revoked Proxy", () => revoked.proxy, /revoked/],
    ["a string", () => "ok", "mock dispatcher returned no response object"],
    ["null", () => null, "mock dispatcher returned no response object"],
    ["a thenable whose then throws", () => ({ get then() { throw new Error("then"); } }), "then"],
    ["a rejection with a revoked Proxy", () => Promise.reject(revoked.proxy), "an exception that cannot be described"],
    ["a thrown Error", () => { throw new Error("boom"); }, "boom"],
    ["a thrown string", () => { throw "plain"; }, "plain"],
    ["a thrown object whose getters throw", () => { throw { get message() { throw new Error("m"); }, toString() { throw new Error("s"); } }; }, "an exception that cannot be described"],
    ["a thrown Error whose message getter throws", () => { throw Object.defineProperty(new Error(), "message", { get() { throw new Error("m"); } }); }, "an exception that cannot be described"],
    ["a thrown Symbol", () => { throw Symbol("sym"); }, "Symbol(sym)"],
  ];

  it.each(outcomes)("%s: answered with a GenericError and the id, in-band and out-of-band", async (_, outcome, desc) => {
    const path = await serve({ dispatch: (req) => (req["execute"] === "ok" || req["exec-oob"] === "ok" ? { return: "fine" } : outcome()) });
    const c = await RawClient.negotiated(path);
    c.send({ execute: "bad", id: 1 });
    c.send({ "exec-oob": "bad", id: 2 });
    c.send({ execute: "ok", id: 3 });
    c.send({ "exec-oob": "ok", id: 4 });
    const answers = await c.take(4);
    expect(answers).toContainEqual(generic(desc, 1));
    expect(answers).toContainEqual(generic(desc, 2));
    expect(answers).toContainEqual({ return: "fine", id: 3 });
    expect(answers).toContainEqual({ return: "fine", id: 4 });
    c.socket.destroy();
  });

  it("a handler that mutates the id into a cycle still gets its id answered", async () => {
    const path = await serve({
      dispatch: (req) => {
        const id = req["id"] as Record<string, unknown>;
        id["self"] = id;
        return { return: 1 };
      },
    });
    const c = await RawClient.negotiated(path);
    c.send({ execute: "x", id: { n: 1 } });
    expect(await c.take(1)).toEqual([generic(/^mock: unserializable response/, { n: 1 })]);
    c.socket.destroy();
  });
});

describe("the generated dispatcher's handlers", () => {
  let gen: Generated;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let mod: any;
  beforeAll(async () => {
    const schema = join(dir, "s.json");
    writeFileSync(schema, "{ 'command': 'ping', 'allow-oob': true }\n{ 'command': 'pong' }\n");
    gen = await generateInto(schema);
    mod = await gen.load("index.ts");
  });
  afterAll(() => gen.remove());

  it("throwing an object whose class getter throws: answered in-band and out-of-band", async () => {
    const evil = {
      get class(): string {
        throw new Error("class getter");
      },
      desc: "d",
    };
    const path = await serve({
      dispatch: new mod.QmpDispatcher({
        ping: () => {
          throw evil;
        },
        pong: () => {
          throw evil;
        },
      }),
    });
    const c = await RawClient.negotiated(path);
    c.send({ "exec-oob": "ping", id: 1 });
    c.send({ execute: "pong", id: 2 });
    c.send({ execute: "ping", id: 3 });
    const answers = await c.take(3);
    for (const id of [1, 2, 3]) expect(answers).toContainEqual(generic("class getter", id));
    c.socket.destroy();
  });
});

describe("a connection that has too much outstanding stops being read", () => {
  /** A dispatcher whose commands wait for release(); counts what it was given. */
  function gated() {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const state = { started: [] as unknown[], running: 0, maxRunning: 0 };
    const dispatch = async (req: Record<string, unknown>) => {
      state.started.push(req["id"]);
      state.running++;
      state.maxRunning = Math.max(state.maxRunning, state.running);
      if (req["execute"] === "wait" || req["exec-oob"] === "wait") await gate;
      state.running--;
      return { return: req["id"] };
    };
    return { dispatch, state, release: () => release() };
  }

  const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

  /** `n` in-band commands that wait, then one exec-oob, in one write. */
  const waitThenOob = (n: number): string =>
    Array.from({ length: n }, (_, i) => `${JSON.stringify({ execute: "wait", id: i })}\n`).join("") + '{"exec-oob": "now", "id": "oob"}\n';

  it(`with one running and ${MAX_QUEUED_REQUESTS - 1} waiting, exec-oob is still read and overtakes them`, async () => {
    const g = gated();
    const path = await serve({ dispatch: g.dispatch });
    const c = await RawClient.negotiated(path);
    c.raw(waitThenOob(MAX_QUEUED_REQUESTS));
    expect(await c.take(1)).toEqual([{ return: "oob", id: "oob" }]);
    g.release();
    expect(await c.take(MAX_QUEUED_REQUESTS)).toEqual(Array.from({ length: MAX_QUEUED_REQUESTS }, (_, i) => ({ return: i, id: i })));
    c.socket.destroy();
  });

  it(`with one running and ${MAX_QUEUED_REQUESTS} waiting, nothing more is read until one leaves the queue`, async () => {
    const g = gated();
    const path = await serve({ dispatch: g.dispatch });
    const c = await RawClient.negotiated(path);
    c.raw(waitThenOob(MAX_QUEUED_REQUESTS + 1));
    await settle();
    expect(g.state.started).toEqual([0]); // the oob command was not read
    g.release();
    const answers = await c.take(MAX_QUEUED_REQUESTS + 2);
    // read again as the second started: the oob command overtakes the rest
    expect(answers.slice(0, 2)).toEqual([
      { return: 0, id: 0 },
      { return: "oob", id: "oob" },
    ]);
    expect(answers.slice(2)).toEqual(Array.from({ length: MAX_QUEUED_REQUESTS }, (_, i) => ({ return: i + 1, id: i + 1 })));
    c.socket.destroy();
  });

  it(`at most ${MAX_QUEUED_REQUESTS} out-of-band commands run at once`, async () => {
    const g = gated();
    const path = await serve({ dispatch: g.dispatch });
    const c = await RawClient.negotiated(path);
    c.raw(Array.from({ length: 50 }, (_, i) => `${JSON.stringify({ "exec-oob": "wait", id: i })}\n`).join(""));
    await settle();
    expect(g.state.running).toBe(MAX_QUEUED_REQUESTS);
    g.release();
    const answers = await c.take(50);
    expect(new Set(answers.map((a) => (a as { id: number }).id)).size).toBe(50);
    expect(g.state.maxRunning).toBe(MAX_QUEUED_REQUESTS);
    c.socket.destroy();
  });
});

describe("load and faults", () => {
  it("1,000 connections × 100 commands: every answer arrives, to its command", async () => {
    const path = await serve({ dispatch: (req) => ({ return: (req["arguments"] as { n: number }).n }) });
    const conns: QmpConnection[] = [];
    for (let i = 0; i < 1000; i++) conns.push(await connectQmp(path));
    const results = await Promise.all(conns.map((conn, c) => Promise.all(Array.from({ length: 100 }, (_, k) => conn.execute("echo", { n: c * 100 + k })))));
    expect(results.flat()).toEqual(Array.from({ length: 100_000 }, (_, i) => i));
    expect(servers[0]?.commandsServed).toBe(100_000);
    await Promise.all(conns.map((c) => c.close()));
  });

  it("a flooding client does not starve a quiet one", async () => {
    const path = await serve({ dispatch: () => ({ return: {} }) });
    const flooder = await connectQmp(path);
    const quiet = await connectQmp(path);
    let flooded = 0;
    const flood = Promise.all(Array.from({ length: 50_000 }, () => flooder.execute("x").then(() => flooded++)));
    await new Promise((r) => setImmediate(r));
    await quiet.execute("y");
    expect(flooded).toBeLessThan(50_000);
    await flood;
    await Promise.all([flooder.close(), quiet.close()]);
  });

  it("clients that half-close or reset mid-stream leave the server serving", async () => {
    const server = new QmpMockServer({ dispatch: () => ({ return: {} }) });
    servers.push(server);
    const tcp = (await server.listen({ port: 0 })) as { host: string; port: number };
    for (let i = 0; i < 20; i++) {
      const s = connect(tcp);
      s.on("error", () => {});
      await new Promise((r) => s.once("data", r));
      s.write(`{"execute": "qmp_capabilities"}\n${'{"execute": "x", "id": 1}\n'.repeat(100)}{"execute": "x", "id`);
      if (i % 2 === 0) s.end();
      else s.resetAndDestroy();
    }
    const conn = await connectQmp(tcp);
    await expect(conn.execute("x")).resolves.toEqual({});
    await conn.close();
  });
});

describe("the mock in a process of its own", () => {
  const transpiled = transpiledForSuite();
  let mocks = 0;

  /** Start the child mock; resolves with a raw client connected to it and its result. */
  async function start(nodeArgs: string[] = []) {
    const path = join(transpiled.work, `mock${mocks++}.qmp`);
    const result = runChild(join(import.meta.dirname, "children", "mock-child.mjs"), [transpiled.lib, path], { nodeArgs });
    const c = await connectWhenUp(path);
    await c.take(1);
    c.send({ execute: "qmp_capabilities", arguments: { enable: ["oob"] } });
    await c.take(1);
    return { c, result };
  }

  it("survives hostile handlers and deep ids, out-of-band and in-band", async () => {
    const { c, result } = await start();
    const deep = `${"[".repeat(20_000)}1${"]".repeat(20_000)}`;
    c.raw(`{"exec-oob": "query-yank", "id": ${deep}}\n`);
    for (const name of ["cycle", "evil"]) {
      c.send({ "exec-oob": name, id: name });
      c.send({ execute: name, id: name });
    }
    c.send({ execute: "echo", arguments: { payload: "still here" }, id: "last" });
    const answers = await c.take(6);
    expect(answers).toContainEqual(generic("JSON nesting depth limit exceeded"));
    expect(answers.filter((a) => (a as { id?: string }).id === "cycle")).toHaveLength(2);
    expect(answers.filter((a) => (a as { id?: string }).id === "evil")).toHaveLength(2);
    expect(answers).toContainEqual({ return: "still here", id: "last" });
    c.send({ execute: "exit" });
    expect(await result).toMatchObject({ code: 0, stderr: "" });
  });

  it("a 200 MB request line: one error at the 64 MiB limit, the rest skipped, the next command answered", async () => {
    const { c, result } = await start(["--max-old-space-size=48"]);
    c.raw('{"execute": "echo", "arguments": {"payload": "');
    const block = Buffer.alloc(1024 * 1024, "x");
    for (let i = 0; i < 200; i++) {
      if (!c.socket.write(block)) await new Promise((r) => c.socket.once("drain", r));
    }
    c.raw('"}, "id": 1}\n');
    c.send({ execute: "echo", arguments: { payload: "next" }, id: 2 });
    expect(await c.take(2)).toEqual([generic("JSON token size limit exceeded"), { return: "next", id: 2 }]);
    c.send({ execute: "exit" });
    const r = await result;
    expect(r).toMatchObject({ code: 0, stderr: "" });
  });

  it("64 MiB of commands sent unread: the mock stops reading, survives, and answers all once read", async () => {
    // Without suspension the mock would hold 64 MiB of unsent responses: more than its
    // 48 MiB heap.
    const { c, result: child } = await start(["--max-old-space-size=48"]);
    c.socket.pause(); // read nothing for now
    const payload = "p".repeat(10 * 1024);
    const count = 6400;
    for (let i = 0; i < count; i++) c.send({ execute: "echo", arguments: { payload }, id: i });
    await new Promise((r) => setTimeout(r, 1000));
    c.socket.resume();
    const answers = (await c.take(count)) as { id: number; return: string }[];
    expect(answers.map((a) => a.id)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(answers.every((a) => a.return === payload)).toBe(true);
    c.send({ execute: "exit" });
    const r = await child;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { peakHeapMiB } = JSON.parse(r.stdout) as { peakHeapMiB: number };
    expect(peakHeapMiB).toBeLessThan(48);
  });
});

/** Connect to a Unix socket that a child is about to create. */
async function connectWhenUp(path: string): Promise<RawClient> {
  for (;;) {
    const probe = await new Promise<boolean>((resolve) => {
      const s = connect({ path });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (probe) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return new RawClient(path);
}
