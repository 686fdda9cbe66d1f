#!/usr/bin/env node
// QMP round trips per second against real QEMUs, 7.2 (the system's) and 10.0 (from
// .ci/fetch-qemu10, when there): `query-version` through the client generated from the
// matching schema (argument and return validation on) over qapi-gen/qmp's connection,
// against a raw baseline (newline-delimited JSON over the same kind of Unix socket, ids
// matched, no validation). One at a time and 32 in flight; runs interleaved, medians
// reported. Needs `npm run build` and QEMU 7.2; QEMU 10.0 is measured when present.
//
//   node bench/qmp.mjs [--json] [--runs N] [--count N]

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const json = args.includes("--json");
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = opt("--runs", 5);
const COUNT = opt("--count", 3000);
const WINDOW = 32;
const Q10 = process.env.QEMU10_ROOT ?? join(root, ".cache", "qemu-10.0");
const BUILDS = [
  { version: "7.2", binary: process.env.QEMU_SYSTEM ?? "qemu-system-x86_64", args: [], env: process.env },
  {
    version: "10.0",
    binary: join(Q10, "usr", "bin", "qemu-system-x86_64"),
    args: ["-L", join(Q10, "usr", "share", "qemu")],
    env: { ...process.env, QEMU_MODULE_DIR: join(Q10, "usr", "lib", "x86_64-linux-gnu", "qemu") },
  },
].map((b) => ({ ...b, schema: join(root, "..", "shared", "qemu", b.version, "qapi", "qapi-schema.json") }));
const log = (s) => {
  if (!json) console.log(s);
};

function fail(msg) {
  console.error(`bench/qmp: ${msg}`);
  process.exit(1);
}

if (!existsSync(join(root, "qmp", "dist", "index.js"))) fail("qmp/dist missing: run `npm run build` first");
if (spawnSync(BUILDS[0].binary, ["--version"]).status !== 0) fail(`${BUILDS[0].binary} not found (apt-get install qemu-system-x86)`);
for (const b of BUILDS) b.present = existsSync(b.schema) && spawnSync(b.binary, ["--version"], { env: b.env }).status === 0;
if (!BUILDS[0].present) fail(`${BUILDS[0].schema} not found`);

const { connectQmp } = await import(pathToFileURL(join(root, "qmp", "dist", "index.js")).href);
const { main } = await import(pathToFileURL(join(root, "dist", "generator", "cli", "main.js")).href);
const ts = (await import("typescript")).default;

const work = mkdtempSync(join(tmpdir(), "qapi-gen-bench-"));
let qemu;
const cleanup = () => {
  qemu?.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
};
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

/** Generate a version's client and transpile it to JS (types stripped) for import. */
async function generatedClient(build) {
  const out = join(work, build.version, "gen");
  const code = await main([build.schema, "-o", out], { stdout: () => {}, stderr: () => {}, cwd: root });
  if (code !== 0) fail(`qapi-gen failed on ${build.schema}`);
  const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  for (const f of walk(out).filter((f) => f.endsWith(".ts"))) {
    const js = ts.transpileModule(readFileSync(f, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    const dest = join(work, build.version, "js", relative(out, f)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
  return import(pathToFileURL(join(work, build.version, "js", "client.js")).href);
}

/** The baseline: what a hand-written minimal QMP client does, and nothing more. */
async function rawClient(path) {
  const socket = connect({ path });
  socket.setNoDelay(true);
  socket.setEncoding("utf8");
  const waiting = new Map();
  let nextId = 1;
  let buf = "";
  let greeted;
  const greeting = new Promise((r) => (greeted = r));
  socket.on("data", (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if ("QMP" in msg) greeted();
      else if (msg.id !== undefined) {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if ("error" in msg) w?.reject(new Error(msg.error.desc));
        else w?.resolve(msg.return);
      }
    }
  });
  const execute = (command) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      socket.write(`${JSON.stringify({ execute: command, id })}\n`);
    });
  await greeting;
  await execute("qmp_capabilities");
  return { execute, close: () => socket.destroy() };
}

/** Round trips per second of `count` query-version calls, `window` in flight. */
async function measure(call, count, window) {
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      await call();
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: window }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return count / seconds;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Measures one build: figures of both window sizes. */
async function bench(build) {
  const socks = [join(work, build.version, "raw.qmp"), join(work, build.version, "client.qmp")];
  mkdirSync(join(work, build.version), { recursive: true });
  qemu = spawn(build.binary, [...build.args, "-M", "none", "-nodefaults", "-display", "none", ...socks.flatMap((s) => ["-qmp", `unix:${s},server=on,wait=off`])], {
    stdio: "ignore",
    env: build.env,
  });
  const { QmpClient } = await generatedClient(build);
  const conn = await connectQmp(socks[1], { retryFor: 30_000 });
  const raw = await rawClient(socks[0]);
  const client = new QmpClient(conn);
  const version = conn.versionString;

  // Sanity: both paths really talk to QEMU and get the same answer.
  const a = await client.queryVersion();
  const b = await raw.execute("query-version");
  if (JSON.stringify(a) !== JSON.stringify(b)) fail("client and raw baseline disagree on query-version");

  const calls = { raw: () => raw.execute("query-version"), client: () => client.queryVersion() };
  // Warm-up (JIT, socket buffers), not counted.
  for (const k of ["raw", "client"]) {
    await measure(calls[k], 500, 1);
    await measure(calls[k], 500, WINDOW);
  }

  /**
   * One run: the two sides alternate in blocks of BLOCK calls until each made COUNT,
   * so a change in the machine's load (other processes, 2 cores) hits both alike.
   * Returns round trips per second of each side over its blocks.
   */
  const BLOCK = 250;
  const run = async (window, flip) => {
    const time = { raw: 0, client: 0 };
    const order = flip ? ["client", "raw"] : ["raw", "client"];
    for (let done = 0; done < COUNT; done += BLOCK) {
      for (const k of order) time[k] += BLOCK / (await measure(calls[k], BLOCK, window));
    }
    const calls_ = Math.ceil(COUNT / BLOCK) * BLOCK;
    return { raw: calls_ / time.raw, client: calls_ / time.client };
  };

  const results = { serial: [], inflight32: [] };
  for (let r = 0; r < RUNS; r++) {
    results.serial.push(await run(1, r % 2 === 1));
    results.inflight32.push(await run(WINDOW, r % 2 === 1));
  }
  await conn.close();
  raw.close();
  qemu.kill("SIGKILL");
  qemu = undefined;

  const figures = (rs) => ({
    client: Math.round(median(rs.map((x) => x.client))),
    raw: Math.round(median(rs.map((x) => x.raw))),
    // Median of the per-run ratios: each run's two sides saw the same conditions.
    ratio: +median(rs.map((x) => x.client / x.raw)).toFixed(3),
    runs: rs.map((x) => +(x.client / x.raw).toFixed(3)),
  });
  const s = { qemu: version, serial: figures(results.serial), inflight32: figures(results.inflight32) };
  s.met = s.serial.ratio >= 0.9 && s.inflight32.ratio >= 0.9;
  return s;
}

const summary = { runs: RUNS, count: COUNT, goal: 0.9 };
for (const b of BUILDS) {
  if (b.present) summary[b.version] = await bench(b);
  else summary[b.version] = { skipped: `${b.binary} or ${b.schema} not found (run .ci/fetch-qemu10)` };
}
summary.met = BUILDS.every((b) => !b.present || summary[b.version].met);

if (json) console.log(JSON.stringify(summary));
else {
  for (const b of BUILDS) {
    const f = summary[b.version];
    if (f.skipped !== undefined) {
      log(`QEMU ${b.version}: skipped (${f.skipped})`);
      continue;
    }
    log(`QMP query-version round trips/s against QEMU ${f.qemu} (median of ${RUNS} runs × ${COUNT} calls per side)`);
    log(`  one at a time : client ${f.serial.client}  raw ${f.serial.raw}  ratio ${f.serial.ratio} (runs: ${f.serial.runs.join(" ")})`);
    log(`  32 in flight  : client ${f.inflight32.client}  raw ${f.inflight32.raw}  ratio ${f.inflight32.ratio} (runs: ${f.inflight32.runs.join(" ")})`);
  }
  log(`  goal ≥ 0.9× raw: ${summary.met ? "met" : "NOT met"}`);
}
process.exit(0);
