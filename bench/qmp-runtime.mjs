#!/usr/bin/env node
// The QMP runtime under load, without QEMU (issue 11). Each part runs in processes of
// its own, so that peak memory is its own:
//   mock     QmpMockServer under 1,000 connections × 100 commands, all 100 in flight
//            per connection (clients in another process): commands/s, peak RSS of
//            the server and of the clients; median of RUNS runs.
//   events   an event iterator with a backlog of 1e6 events (through a real socket,
//            from a peer in the same process): drain rate, heap per buffered event.
//   framing  one line fed one byte per chunk, and in 64 KiB chunks: heap + external
//            memory per buffered byte.
//   json     parseJson on real replies captured from QEMU (skipped without QEMU),
//            each given one uint64 member so that bigint mode takes the lossless
//            parser: MB/s of the lossless parser, of number mode (JSON.parse behind
//            the nesting check) and of bare JSON.parse, and of the lossless parser as
//            it was before it became iterative (from git, when the history is there).
//
//   node bench/qmp-runtime.mjs [--json] [--runs N] [--lib DIR] [--backlog N]
// --lib: a folder of the runtime as JavaScript (default qmp/dist; npm run bench builds).

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { benchArgs, failer, loadNote, machineLoad, median, round } from "./measure.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const LIB = resolve(opt("--lib", join(ROOT, "qmp/dist")));
const lib = (file) => import(pathToFileURL(join(LIB, file)).href);
const part = opt("--part", undefined);
const MiB = 1024 * 1024;
const rssMiB = () => round(process.resourceUsage().maxRSS / 1024, 1);

/** The parser as it was before it became iterative (commit before issue 11's work). */
const BASELINE_COMMIT = "523ebef";

// ---- the parts, each run as `node bench/qmp-runtime.mjs --part NAME ...` ----

const parts = {
  /** The mock server: echoes; prints "ready", then its peak RSS when stdin ends. */
  async "mock-server"() {
    const { QmpMockServer } = await lib("index.js");
    const server = new QmpMockServer({ dispatch: (req) => ({ return: req.arguments ?? {} }) });
    await server.listen(opt("--path"));
    process.stdout.write("ready\n");
    process.stdin.resume();
    process.stdin.on("end", () => {
      process.stdout.write(`${JSON.stringify({ commandsServed: server.commandsServed, peakRssMiB: rssMiB() })}\n`);
      process.exit(0);
    });
  },

  /** 1,000 clients × 100 commands in flight each against the server at --path. */
  async "mock-clients"() {
    const { connectQmp } = await lib("index.js");
    const path = opt("--path");
    const conns = [];
    for (let i = 0; i < 1000; i++) conns.push(await connectQmp(path));
    const t0 = process.hrtime.bigint();
    const results = await Promise.all(conns.map((c, ci) => Promise.all(Array.from({ length: 100 }, (_, k) => c.execute("echo", { n: ci * 100 + k })))));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const flat = results.flat();
    if (flat.length !== 100_000 || flat.some((r, i) => r.n !== i)) throw new Error("answers lost or mismatched");
    await Promise.all(conns.map((c) => c.close()));
    process.stdout.write(`${JSON.stringify({ commandsPerSecond: Math.round(100_000 / seconds), peakRssMiB: rssMiB() })}\n`);
  },

  /** Drain an iterator holding a backlog of N events that came through a socket. */
  async events() {
    const { connectQmp } = await lib("index.js");
    const backlog = Number(opt("--backlog", 1_000_000));
    const dir = mkdtempSync(join(tmpdir(), "qmp-bench-events-"));
    const path = join(dir, "peer.sock");
    const server = createServer((s) => {
      s.on("error", () => {}); // the client hangs up when it has them all
      s.write('{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": ""}, "capabilities": []}}\r\n');
      // the flood starts once the client has subscribed and says so (its 2nd command)
      s.once("data", () => {
        s.write('{"return": {}, "id": 1}\r\n');
        s.once("data", flood);
      });
      const flood = async () => {
        s.write('{"return": {}, "id": 2}\r\n');
        const line = (n) => `{"event": "BLOCK_JOB_COMPLETED", "data": {"device": "job${n % 16}", "len": ${n}, "offset": ${n}, "speed": 0, "type": "backup"}, "timestamp": {"seconds": 1700000000, "microseconds": ${n % 1_000_000}}}\r\n`;
        for (let i = 0; i < backlog; i += 1000) {
          const chunk = Array.from({ length: Math.min(1000, backlog - i) }, (_, k) => line(i + k)).join("");
          if (!s.write(chunk)) await new Promise((r) => s.once("drain", r));
        }
      };
    });
    await new Promise((r) => server.listen(path, r));
    const conn = await connectQmp(path);
    conn.onProtocolError((e) => {
      throw e;
    });
    const iterator = conn.events(undefined, { maxBuffered: backlog });
    let received = 0;
    let done;
    const all = new Promise((r) => (done = r));
    conn.onEvents(() => ++received === backlog && done());
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    await conn.execute("start");
    await all;
    globalThis.gc?.();
    const heapPerEvent = (process.memoryUsage().heapUsed - heapBefore) / backlog;
    const t0 = process.hrtime.bigint();
    let drained = 0;
    for await (const _ of iterator) if (++drained === backlog) break;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await conn.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${JSON.stringify({ backlog, drainEventsPerSecond: Math.round(backlog / seconds), drainSeconds: round(seconds, 3), heapBytesPerBufferedEvent: Math.round(heapPerEvent) })}\n`);
  },

  /** Memory per buffered byte of one unfinished line, fed in chunks of --chunk bytes. */
  async framing() {
    const { LineDecoder } = await lib("framing.js");
    const size = 16 * MiB;
    const chunk = Number(opt("--chunk", 1));
    const d = new LineDecoder({ line: () => {}, overlong: () => {} });
    const source = Buffer.alloc(chunk, "x");
    const used = () => {
      globalThis.gc();
      globalThis.gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external; // external includes Buffers
    };
    const before = used();
    for (let fed = 0; fed < size; fed += chunk) d.push(source.subarray(0, chunk)); // a fresh view per chunk, as a socket gives
    const perByte = (used() - before) / size;
    d.push("\n");
    process.stdout.write(`${JSON.stringify({ chunk, buffered: size, bytesPerBufferedByte: round(perByte, 2) })}\n`);
  },

  /** MB/s of the parsers on the replies in --replies (one per line). */
  async json() {
    const { readFileSync } = await import("node:fs");
    const { parseJson } = await lib("json.js");
    const texts = readFileSync(opt("--replies"), "utf8").trim().split("\n");
    // One uint64 member in each: in bigint mode the lossless parser takes them.
    const lossless = texts.map((t) => t.replace(/^\{/, '{"size": 18446744073709551615, '));
    const baselineDir = opt("--baseline", undefined);
    const baseline = baselineDir === undefined ? undefined : (await import(pathToFileURL(join(baselineDir, "json.js")).href)).parseJson;
    const bytes = lossless.reduce((n, t) => n + t.length, 0);
    const cases = {
      lossless: () => lossless.forEach((t) => parseJson(t, "bigint")),
      ...(baseline === undefined ? {} : { losslessBefore: () => lossless.forEach((t) => baseline(t, "bigint")) }),
      numberMode: () => lossless.forEach((t) => parseJson(t, "number")),
      jsonParse: () => lossless.forEach((t) => JSON.parse(t)),
    };
    const rate = (f) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 20; i++) f();
      return (20 * bytes) / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e6;
    };
    for (const f of Object.values(cases)) rate(f); // warm-up
    const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let round_ = 0; round_ < 9; round_++) for (const [k, f] of Object.entries(cases)) samples[k].push(rate(f));
    const out = { replies: texts.length, bytes };
    for (const [k, xs] of Object.entries(samples)) out[`${k}MBps`] = round(median(xs), 1);
    if (out.losslessBeforeMBps !== undefined) out.losslessVsBefore = round(out.losslessMBps / out.losslessBeforeMBps, 2);
    out.numberModeVsJsonParse = round(out.numberModeMBps / out.jsonParseMBps, 2);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  },
};

if (part !== undefined) {
  await parts[part]();
} else {
  await main();
}

// ---- the orchestration ----

/** Run a part to its end; its last stdout line is JSON. */
function runPart(name, extra = [], nodeArgs = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, SELF, "--part", name, "--lib", LIB, ...extra], { encoding: "utf8", maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`part ${name} exited with ${r.status ?? r.signal}: ${r.stderr.slice(0, 1000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

async function mockRun(work) {
  const path = join(work, `mock-${Date.now()}.qmp`);
  const server = spawn(process.execPath, [SELF, "--part", "mock-server", "--lib", LIB, "--path", path], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  server.stdout.setEncoding("utf8").on("data", (d) => (out += d));
  while (!out.includes("ready\n")) {
    if (server.exitCode !== null) throw new Error("mock server exited");
    await sleep(10);
  }
  const clients = runPart("mock-clients", ["--path", path]);
  server.stdin.end();
  await new Promise((r) => server.once("exit", r));
  const s = JSON.parse(out.trim().split("\n").pop());
  return { commandsPerSecond: clients.commandsPerSecond, serverPeakRssMiB: s.peakRssMiB, clientsPeakRssMiB: clients.peakRssMiB };
}

/**
 * A connection to the Unix socket at `path` once something listens there: QEMU creates
 * the socket file before it listens, so a connect can be refused in between.
 */
async function connectWhenListening(path) {
  for (let tries = 0; ; tries++) {
    const socket = connect({ path });
    const error = await new Promise((resolve) => {
      socket.once("connect", () => resolve(undefined));
      socket.once("error", resolve);
    });
    if (error === undefined) return socket;
    socket.destroy();
    if (!["ENOENT", "ECONNREFUSED"].includes(error.code) || tries > 3000) throw error;
    await sleep(10);
  }
}

/** Reply lines from QEMU, as it wrote them, for a set of query commands; undefined without QEMU. */
async function captureReplies(work) {
  const qemu = process.env.QEMU_SYSTEM ?? "qemu-system-x86_64";
  if (spawnSync(qemu, ["--version"]).status !== 0) return undefined;
  const sock = join(work, "qemu.qmp");
  const child = spawn(qemu, ["-M", "none", "-nodefaults", "-display", "none", "-qmp", `unix:${sock},server=on,wait=off`], { stdio: "ignore" });
  const commands = ["qmp_capabilities", "query-version", "query-status", "query-commands", "query-qmp-schema", "query-machines", "query-cpu-definitions", "qom-list-types", "query-target", "query-chardev"];
  try {
    const socket = await connectWhenListening(sock);
    socket.setEncoding("utf8");
    let buffer = "";
    const lines = [];
    await new Promise((resolve, reject) => {
      socket.on("error", reject);
      socket.on("data", (d) => {
        buffer += d;
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          lines.push(buffer.slice(0, nl).replace(/\r$/, ""));
          buffer = buffer.slice(nl + 1);
        }
        if (lines.length === commands.length + 1) resolve();
      });
      socket.write(commands.map((c, i) => `${JSON.stringify({ execute: c, id: i })}\n`).join(""));
    });
    socket.destroy();
    const version = JSON.parse(lines[0]).QMP.version.qemu;
    const file = join(work, "replies.jsonl");
    writeFileSync(file, `${lines.slice(2).join("\n")}\n`); // neither the greeting nor the capabilities reply
    return { file, qemu: `${version.major}.${version.minor}.${version.micro}` };
  } finally {
    child.kill("SIGKILL");
  }
}

/** The runtime's json.ts as it was at BASELINE_COMMIT, as JavaScript, if git has it. */
async function baselineJson(work) {
  try {
    const source = execFileSync("git", ["-C", ROOT, "show", `${BASELINE_COMMIT}:qmp/json.ts`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const ts = (await import("typescript")).default;
    const dir = join(work, "baseline");
    mkdirSync(dir);
    writeFileSync(join(dir, "json.js"), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
    return dir;
  } catch {
    return undefined;
  }
}

async function main() {
  const { json, runs } = benchArgs(argv, 3);
  const fail = failer("qmp-runtime", json);
  if (!existsSync(join(LIB, "index.js"))) fail(`${LIB}/index.js not found: run npm run build first`);
  const work = mkdtempSync(join(tmpdir(), "qmp-bench-"));
  try {
    const load = machineLoad();
    const mockRuns = [];
    for (let i = 0; i < runs; i++) mockRuns.push(await mockRun(work));
    const mock = {
      connections: 1000,
      commandsPerConnection: 100,
      runs,
      commandsPerSecondMedian: median(mockRuns.map((r) => r.commandsPerSecond)),
      serverPeakRssMiBMedian: median(mockRuns.map((r) => r.serverPeakRssMiB)),
      clientsPeakRssMiBMedian: median(mockRuns.map((r) => r.clientsPeakRssMiB)),
    };
    const events = runPart("events", ["--backlog", opt("--backlog", "1000000")], ["--expose-gc"]);
    const framing = {
      bytewise: runPart("framing", ["--chunk", "1"], ["--expose-gc"]),
      chunks64KiB: runPart("framing", ["--chunk", String(64 * 1024)], ["--expose-gc"]),
    };
    const replies = await captureReplies(work);
    let jsonFigures;
    if (replies === undefined) jsonFigures = { skipped: "qemu-system-x86_64 not found: no real replies to parse" };
    else {
      const baseline = await baselineJson(work);
      jsonFigures = { qemu: replies.qemu, ...runPart("json", ["--replies", replies.file, ...(baseline === undefined ? [] : ["--baseline", baseline])]) };
    }
    const summary = { load, mock, events, framing, json: jsonFigures };
    if (json) {
      console.log(JSON.stringify(summary));
      return;
    }
    console.log(`QMP runtime (${loadNote(load)})`);
    console.log(`  mock, 1,000 connections × 100 commands in flight: ${mock.commandsPerSecondMedian} commands/s; peak RSS server ${mock.serverPeakRssMiBMedian} MiB, clients ${mock.clientsPeakRssMiBMedian} MiB (median of ${runs})`);
    console.log(`  events: backlog of ${events.backlog} drained at ${events.drainEventsPerSecond} events/s (${events.drainSeconds} s); ${events.heapBytesPerBufferedEvent} bytes of heap per buffered event`);
    console.log(`  framing: ${framing.bytewise.bytesPerBufferedByte} bytes per buffered byte fed one byte per chunk, ${framing.chunks64KiB.bytesPerBufferedByte} in 64 KiB chunks`);
    if (jsonFigures.skipped !== undefined) console.log(`  json: skipped (${jsonFigures.skipped})`);
    else {
      console.log(
        `  json on ${jsonFigures.replies} replies of QEMU ${jsonFigures.qemu} (${jsonFigures.bytes} bytes): lossless ${jsonFigures.losslessMBps} MB/s` +
          (jsonFigures.losslessBeforeMBps === undefined ? "" : ` (before: ${jsonFigures.losslessBeforeMBps} MB/s, ×${jsonFigures.losslessVsBefore})`) +
          `; number mode ${jsonFigures.numberModeMBps} MB/s, JSON.parse ${jsonFigures.jsonParseMBps} MB/s (×${jsonFigures.numberModeVsJsonParse})`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
