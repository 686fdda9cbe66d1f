#!/usr/bin/env node
// Benchmark (issue 9, section 2): module load of QEMU 10's full output in Node,
// unbundled (--target js, in a consumer's src/qmp). Each sample is a cold process that
// times `await import(app)` around one app:
//   empty            a module importing nothing (the baseline)
//   status (index)   queryStatus from the output's index (goal ≤ 20 ms over empty)
//   status (deep)    queryStatus from calls/run-state.js (goal ≤ 20 ms over empty)
//   client           QmpClient from client.js (for the record)
//   whole (index)    everything the index exports
// Rounds run every app once, in turn, so that load on the machine hits all alike; a
// figure over empty is the median of the per-round differences. The whole process
// (`node app.js`, start-up and exit included) is timed the same way, alongside.
// --profile: one more process with --cpu-prof importing the whole index, summarised by
// module (self time) and by function, to show what evaluation spends its time on.
//
//   node bench/load.mjs [--json] [--runs N] [--profile]
// Run `npm run build` first (npm run bench does).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeConsumer, missingInputs } from "./consumer.mjs";
import { benchArgs, failer, loadNote, machineLoad, median, round } from "./measure.mjs";

const argv = process.argv.slice(2);
const { json, runs: RUNS } = benchArgs(argv, 21);
const profile = argv.includes("--profile");
const fail = failer("load", json);
const missing = missingInputs();
if (missing !== undefined) fail(missing);
const GOAL_MS = 20;

const APPS = {
  empty: "export {};\n",
  "status (index)": 'import { queryStatus } from "./qmp/index.js";\nglobalThis.used = queryStatus;\n',
  "status (deep)": 'import { queryStatus } from "./qmp/calls/run-state.js";\nglobalThis.used = queryStatus;\n',
  client: 'import { QmpClient } from "./qmp/client.js";\nglobalThis.used = QmpClient;\n',
  "whole (index)": 'import * as all from "./qmp/index.js";\nglobalThis.used = all;\n',
};
const GOALS = new Set(["status (index)", "status (deep)"]);

const tmp = mkdtempSync(join(tmpdir(), "qapi-bench-load-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true })); // fail() exits too
const root = makeConsumer(join(tmp, "consumer"), "js", {});
const files = {};
for (const [name, source] of Object.entries(APPS)) {
  files[name] = join(root, "src", `${name.replace(/\W+/g, "-").replace(/-$/, "")}.js`);
  writeFileSync(files[name], source);
}
// The timer: a module of its own, so that the first dynamic import is not the app's.
const timer = join(root, "time-import.mjs");
writeFileSync(
  timer,
  [
    "const c0 = process.cpuUsage();",
    "const t0 = performance.now();",
    "await import(process.argv[2]);",
    "const ms = performance.now() - t0;",
    "const c = process.cpuUsage(c0);",
    "process.stdout.write(`${JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000 })}\\n`);",
  ].join("\n"),
);

/** Wall and CPU milliseconds of importing `file` in a fresh process. */
function importMs(file) {
  const r = spawnSync(process.execPath, [timer, pathToFileURL(file).href], { encoding: "utf8" });
  if (r.status !== 0) fail(`importing ${file} failed: ${r.stderr.slice(0, 1000)}`);
  return JSON.parse(r.stdout);
}
function processMs(file) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [file], { encoding: "utf8" });
  if (r.status !== 0) fail(`node ${file} failed: ${r.stderr.slice(0, 1000)}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const loadBefore = machineLoad();
for (const file of Object.values(files)) importMs(file); // warm-up: the file cache
const samples = Object.fromEntries(Object.keys(APPS).map((n) => [n, { import: [], importCpu: [], process: [] }]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, file] of Object.entries(files)) {
    const { ms, cpuMs } = importMs(file);
    samples[name].import.push(ms);
    samples[name].importCpu.push(cpuMs);
    samples[name].process.push(processMs(file));
  }
}
const loadAfter = machineLoad();

const overEmpty = (name, kind) => median(samples[name][kind].map((x, i) => x - samples.empty[kind][i]));
const apps = {};
for (const name of Object.keys(APPS)) {
  apps[name] = {
    importMsMedian: round(median(samples[name].import), 2),
    importCpuMsMedian: round(median(samples[name].importCpu), 2),
    processMsMedian: round(median(samples[name].process), 2),
    ...(name === "empty"
      ? {}
      : {
          importOverEmptyMsMedian: round(overEmpty(name, "import"), 2),
          importCpuOverEmptyMsMedian: round(overEmpty(name, "importCpu"), 2),
          processOverEmptyMsMedian: round(overEmpty(name, "process"), 2),
        }),
    // judged on wall time; CPU time (steadier under load) beside it
    ...(GOALS.has(name) ? { goalMs: GOAL_MS, goalMet: overEmpty(name, "import") <= GOAL_MS, goalMetByCpuTime: overEmpty(name, "importCpu") <= GOAL_MS } : {}),
  };
}

/** Self time of a --cpu-prof profile of importing the whole index, by output module and by function. */
function profileWhole() {
  const dir = join(tmp, "profile");
  const r = spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "100", timer, pathToFileURL(files["whole (index)"]).href], {
    encoding: "utf8",
  });
  if (r.status !== 0) fail(`profiling failed: ${r.stderr.slice(0, 1000)}`);
  const prof = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), "utf8"));
  const dt = prof.timeDeltas;
  const selfMs = new Map(prof.nodes.map((n) => [n.id, 0]));
  prof.samples.forEach((id, i) => selfMs.set(id, selfMs.get(id) + (dt[i] ?? 0) / 1000));
  const qmp = pathToFileURL(join(root, "src/qmp")).href;
  const byModule = new Map();
  const byFunction = new Map();
  for (const n of prof.nodes) {
    const ms = selfMs.get(n.id);
    const url = n.callFrame.url;
    const where = url.startsWith(qmp) ? relative(fileURLToPath(qmp), fileURLToPath(url)) : url === "" ? `(${n.callFrame.functionName || "native"})` : "(node internals)";
    byModule.set(where, (byModule.get(where) ?? 0) + ms);
    const fn = `${n.callFrame.functionName || "(top level)"} ${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([what, ms]) => ({ what, ms: round(ms, 1) }));
  const sum = (pred) => round([...byModule].filter(([what]) => pred(what)).reduce((n, [, ms]) => n + ms, 0), 1);
  return {
    totalMs: round(prof.endTime / 1000 - prof.startTime / 1000, 1),
    // Source text compiled (parsed) by V8 for Node's module loader, against the generated modules' own top-level code run.
    compileMs: round(byFunction.get("compileSourceTextModule (node internals)") ?? 0, 1),
    generatedCodeMs: sum((what) => !what.startsWith("(")),
    garbageCollectorMs: sum((what) => what === "((garbage collector))"),
    byModule: top(byModule, 12),
    byFunction: top(byFunction, 12),
  };
}

const result = {
  target: "js",
  runs: RUNS,
  apps,
  ...(profile ? { profileWholeIndex: profileWhole() } : {}),
  load: { before: loadBefore.loadAverage, after: loadAfter.loadAverage, cpus: loadAfter.cpus, underLoad: loadBefore.underLoad || loadAfter.underLoad },
};

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  console.log(`module load of QEMU 10's full output (--target js, Node ${process.version}), median of ${RUNS} cold processes per app:`);
  const head = ["import", "over empty", "CPU", "over empty", "process", "over empty"];
  console.log(`  ${"app".padEnd(16)} ${head.map((h) => h.padStart(11)).join("")}   goal (import over empty)`);
  for (const [name, a] of Object.entries(apps)) {
    const ms = (x) => (x === undefined ? "" : `${x.toFixed(1)} ms`);
    const goal = a.goalMs === undefined ? "" : `≤ ${a.goalMs} ms: ${a.goalMet ? "met" : "NOT met"}; by CPU time ${a.goalMetByCpuTime ? "met" : "NOT met"}`;
    const cells = [a.importMsMedian, a.importOverEmptyMsMedian, a.importCpuMsMedian, a.importCpuOverEmptyMsMedian, a.processMsMedian, a.processOverEmptyMsMedian];
    console.log(`  ${name.padEnd(16)} ${cells.map((x) => ms(x).padStart(11)).join("")}   ${goal}`);
  }
  if (result.profileWholeIndex !== undefined) {
    const p = result.profileWholeIndex;
    console.log(
      `  profile of importing the whole index (${p.totalMs} ms profiled), self time: compiling module source ${p.compileMs} ms, the generated modules' own code ${p.generatedCodeMs} ms, garbage collector ${p.garbageCollectorMs} ms`,
    );
    console.log(`    by module:   ${p.byModule.map((x) => `${x.what} ${x.ms} ms`).join(", ")}`);
    console.log(`    by function: ${p.byFunction.map((x) => `${x.what} ${x.ms} ms`).join(", ")}`);
  }
  console.log(`  ${loadNote(loadAfter)}${loadBefore.underLoad && !loadAfter.underLoad ? " (under load when it started)" : ""}`);
}
