#!/usr/bin/env node
// Benchmark (issue 9, section 3): what an editor waits for. In a fresh process, a
// fresh TypeScript 5.9 language service (the LanguageService API, as tsserver holds
// one) over the consumer of consumer.mjs (the small app over QEMU 10's full output)
// is asked for completions after `qmp.` (a QmpClient): the time from creating the
// service to the completion list, which must hold the client's methods. Split into
// building the program (reading, parsing and binding every file the app reaches) and
// the completion itself (checking what it needs). Consumers: js and ts targets (goal
// ≤ 0.7 s each) and, for reference, the app over a hand-written stub (base). RUNS
// rounds of the three in turn, each sample a cold process; medians.
//
//   node bench/language-service.mjs [--json] [--runs N]
// Run `npm run build` first (npm run bench does).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_COMPLETION_MARK, REPO, appConsumers, missingInputs } from "./consumer.mjs";
import { benchArgs, failer, loadNote, machineLoad, median, round } from "./measure.mjs";

const SELF = fileURLToPath(import.meta.url);
const require = createRequire(join(REPO, "package.json"));
const EXPECTED = ["queryStatus", "blockdevAdd", "transaction", "on", "execute"];

/** One sample, in this (fresh) process: milliseconds to the program and to the completions. */
function sample(root) {
  const ts = require("typescript");
  const configPath = join(root, "tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const app = join(root, "src/app.ts");
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const host = {
    getScriptFileNames: () => config.fileNames,
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => (ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)) : undefined),
    getCurrentDirectory: () => root,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  service.getProgram();
  const t1 = process.hrtime.bigint();
  const position = readFileSync(app, "utf8").indexOf(APP_COMPLETION_MARK) + APP_COMPLETION_MARK.length;
  const completions = service.getCompletionsAtPosition(app, position, {});
  const t2 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const names = new Set(completions?.entries.map((e) => e.name) ?? []);
  const lacking = EXPECTED.filter((n) => !names.has(n));
  return { programMs: Number(t1 - t0) / 1e6, completionMs: Number(t2 - t1) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000, entries: names.size, lacking };
}

if (process.argv[2] === "--sample") {
  process.stdout.write(`${JSON.stringify(sample(process.argv[3]))}\n`);
  process.exit(0);
}

const { json, runs: RUNS } = benchArgs(process.argv.slice(2), 7);
const fail = failer("language-service", json);
const missing = missingInputs();
if (missing !== undefined) fail(missing);
const GOAL_MS = 700;
const TS_VERSION = JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")).version;

const consumers = appConsumers("language-service");

function coldSample(name) {
  const r = spawnSync(process.execPath, [SELF, "--sample", consumers[name]], { encoding: "utf8" });
  if (r.status !== 0) fail(`the ${name} sample failed: ${r.stderr.slice(0, 1000)}`);
  const s = JSON.parse(r.stdout);
  if (s.lacking.length > 0) fail(`completions after qmp. (${name}) lack ${s.lacking.join(", ")}`);
  return s;
}

const loadBefore = machineLoad();
for (const name of Object.keys(consumers)) coldSample(name); // warm-up: the file cache
const samples = Object.fromEntries(Object.keys(consumers).map((n) => [n, []]));
for (let i = 0; i < RUNS; i++) for (const name of Object.keys(consumers)) samples[name].push(coldSample(name));
const loadAfter = machineLoad();

const result = { typescript: TS_VERSION, runs: RUNS, goalMs: GOAL_MS };
for (const [name, xs] of Object.entries(samples)) {
  const totalMs = median(xs.map((s) => s.programMs + s.completionMs));
  result[name] = {
    totalMsMedian: round(totalMs, 1),
    programMsMedian: round(median(xs.map((s) => s.programMs)), 1),
    completionMsMedian: round(median(xs.map((s) => s.completionMs)), 1),
    cpuMsMedian: round(median(xs.map((s) => s.cpuMs)), 1),
    entries: xs[0].entries,
    ...(name === "base"
      ? {}
      : {
          overBaseMsMedian: round(median(xs.map((s, i) => s.programMs + s.completionMs - samples.base[i].programMs - samples.base[i].completionMs)), 1),
          ratioToBaseMedian: round(median(xs.map((s, i) => (s.programMs + s.completionMs) / (samples.base[i].programMs + samples.base[i].completionMs))), 3),
          // judged on wall time; CPU time (steadier under load) beside it
          goalMet: totalMs <= GOAL_MS,
          goalMetByCpuTime: median(xs.map((s) => s.cpuMs)) <= GOAL_MS,
        }),
  };
}
result.load = { before: loadBefore.loadAverage, after: loadAfter.loadAverage, cpus: loadAfter.cpus, underLoad: loadBefore.underLoad || loadAfter.underLoad };

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  console.log(`completion after \`qmp.\`, fresh TypeScript ${TS_VERSION} language service, QEMU 10's full output, median of ${RUNS} cold processes:`);
  for (const name of Object.keys(consumers)) {
    const r = result[name];
    const goal = r.goalMet === undefined ? "" : `   goal ≤ ${GOAL_MS} ms: ${r.goalMet ? "met" : "NOT met"}; by CPU time ${r.goalMetByCpuTime ? "met" : "NOT met"}`;
    const over = r.overBaseMsMedian === undefined ? "" : `, base + ${r.overBaseMsMedian} ms = ${r.ratioToBaseMedian}× base`;
    console.log(
      `  ${name.padEnd(5)} ${r.totalMsMedian.toFixed(0).padStart(6)} ms (program ${r.programMsMedian.toFixed(0)} ms, completion ${r.completionMsMedian.toFixed(0)} ms; CPU ${r.cpuMsMedian.toFixed(0)} ms; ${r.entries} entries${over})${goal}`,
    );
  }
  console.log(`  ${loadNote(loadAfter)}${loadBefore.underLoad && !loadAfter.underLoad ? " (under load when it started)" : ""}`);
}
