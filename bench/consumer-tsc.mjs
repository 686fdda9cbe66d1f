#!/usr/bin/env node
// Benchmark (issue 9, section 3): what the generated code costs a consumer's type-check.
// Cold `tsc --noEmit -p .` (TypeScript 5.9, the devDependency `typescript`; whole
// process) of a small app (consumer.mjs: a client, three commands, one standalone call,
// an event listener) in a fresh ES module package (tsc --init's settings, skipLibCheck):
//   base   the same app over a hand-written stub instead of generated code
//   js     over QEMU 10's full output, --target js (goal ≤ base + 0.6 s)
//   ts     over the same output, --target ts (reported)
// Each run must report zero errors. One warm-up run of each, then RUNS rounds of all
// three in turn; a figure over base is the median of the per-round differences (and
// ratios), wall and CPU time.
// --profile: one more run of each with --extendedDiagnostics (parse, bind, check
// time), and for --target ts the generated files that cost the most to check (the
// TypeScript API, file by file).
//
//   node bench/consumer-tsc.mjs [--json] [--runs N] [--profile]
// Run `npm run build` first (npm run bench does).

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { REPO, appConsumers, missingInputs } from "./consumer.mjs";
import { benchArgs, failer, loadNote, machineLoad, median, processRunner, round, summarize } from "./measure.mjs";

const argv = process.argv.slice(2);
const { json, runs: RUNS } = benchArgs(argv, 5);
const profile = argv.includes("--profile");
const fail = failer("consumer-tsc", json);
const missing = missingInputs();
if (missing !== undefined) fail(missing);
const GOAL_OVER_BASE_SECONDS = 0.6;

const require = createRequire(join(REPO, "package.json"));
const TS_PACKAGE = require.resolve("typescript/package.json");
const TS_VERSION = JSON.parse(readFileSync(TS_PACKAGE, "utf8")).version;
const TSC = join(TS_PACKAGE, "../bin/tsc");

const consumers = appConsumers("consumer-tsc");
const tmp = mkdtempSync(join(tmpdir(), "qapi-bench-consumer-tsc-run-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true })); // fail() exits too

const run = processRunner(tmp);
function tsc(name, extra = []) {
  const r = run([process.execPath, TSC, "--noEmit", "-p", ".", "--pretty", "false", ...extra], { cwd: consumers[name] });
  if (r.status !== 0) fail(`tsc over the ${name} consumer exited with ${r.status ?? r.signal}:\n${r.stdout.split("\n").slice(0, 30).join("\n")}${r.stderr.slice(0, 1000)}`);
  return r;
}

/** Parse, bind and check seconds of one --extendedDiagnostics run. */
function phases(name) {
  const out = tsc(name, ["--extendedDiagnostics"]).stdout;
  const get = (label) => Number(new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(out)?.[1]);
  return { files: get("Files"), parseSeconds: get("Parse time"), bindSeconds: get("Bind time"), checkSeconds: get("Check time"), totalSeconds: get("Total time") };
}

/** The generated files of --target ts that cost the most to check, in one program, file by file. */
function costliestFiles(root, k) {
  const ts = require("typescript");
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const program = ts.createProgram(config.fileNames, config.options);
  const files = [];
  for (const f of program.getSourceFiles()) {
    if (f.isDeclarationFile) continue; // skipLibCheck
    const t0 = process.hrtime.bigint();
    program.getSemanticDiagnostics(f);
    files.push({ file: relative(join(root, "src"), f.fileName), seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
  }
  const total = files.reduce((n, f) => n + f.seconds, 0);
  return {
    checkSeconds: round(total, 3),
    costliest: files
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, k)
      .map((f) => ({ file: f.file, seconds: round(f.seconds, 3) })),
  };
}

const loadBefore = machineLoad();
for (const name of Object.keys(consumers)) tsc(name); // warm-up: file cache
const runs = Object.fromEntries(Object.keys(consumers).map((n) => [n, []]));
for (let i = 0; i < RUNS; i++) for (const name of Object.keys(consumers)) runs[name].push(tsc(name));
const loadAfter = machineLoad();

const overBase = (name, key) => median(runs[name].map((r, i) => r[key] - runs.base[i][key]));
const result = { typescript: TS_VERSION, command: "tsc --noEmit -p <consumer>", runs: RUNS, goalOverBaseSeconds: GOAL_OVER_BASE_SECONDS };
for (const name of Object.keys(consumers)) {
  const ratio = median(runs[name].map((r, i) => r.seconds / runs.base[i].seconds));
  const over = name === "base" ? {} : { overBaseSecondsMedian: round(overBase(name, "seconds"), 3), ratioToBaseMedian: round(ratio, 3) };
  const overCpu = name === "base" || result.base.cpuSecondsMedian === undefined ? {} : { overBaseCpuSecondsMedian: round(overBase(name, "cpuSeconds"), 3) };
  result[name] = { ...summarize(runs[name]), ...over, ...overCpu };
}
// The goal is judged on wall time; CPU time (steadier under load) beside it.
result.js.goalMet = result.js.overBaseSecondsMedian <= GOAL_OVER_BASE_SECONDS;
if (result.js.overBaseCpuSecondsMedian !== undefined) result.js.goalMetByCpuTime = result.js.overBaseCpuSecondsMedian <= GOAL_OVER_BASE_SECONDS;
if (profile) {
  result.profile = { phases: Object.fromEntries(Object.keys(consumers).map((n) => [n, phases(n)])), tsTargetFiles: costliestFiles(consumers.ts, 10) };
}
result.load = { before: loadBefore.loadAverage, after: loadAfter.loadAverage, cpus: loadAfter.cpus, underLoad: loadBefore.underLoad || loadAfter.underLoad };

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  console.log(`consumer type-check, tsc --noEmit (TypeScript ${TS_VERSION}, skipLibCheck), QEMU 10's full output, median of ${RUNS} rounds after 1 warm-up:`);
  for (const name of Object.keys(consumers)) {
    const r = result[name];
    const cpu = r.cpuSecondsMedian === undefined ? "" : `, CPU ${r.cpuSecondsMedian.toFixed(2)} s`;
    const over = r.overBaseSecondsMedian === undefined ? "" : `   base + ${r.overBaseSecondsMedian.toFixed(3)} s (${r.ratioToBaseMedian}× base)`;
    const overCpu = r.overBaseCpuSecondsMedian === undefined ? "" : ` (CPU base + ${r.overBaseCpuSecondsMedian.toFixed(2)} s)`;
    const byCpu = r.goalMetByCpuTime === undefined ? "" : `; by CPU time ${r.goalMetByCpuTime ? "met" : "NOT met"}`;
    const goal = name === "js" ? `   goal ≤ base + ${GOAL_OVER_BASE_SECONDS} s: ${r.goalMet ? "met" : "NOT met"}${byCpu}` : "";
    console.log(
      `  ${name.padEnd(5)} ${r.wallSecondsMedian.toFixed(3)} s (min ${r.wallSecondsMin}, max ${r.wallSecondsMax}${cpu}; peak RSS ${r.peakRssMiBMedian} MiB)${over}${overCpu}${goal}`,
    );
  }
  if (result.profile !== undefined) {
    for (const [name, p] of Object.entries(result.profile.phases)) {
      console.log(`  ${name}: ${p.files} files; parse ${p.parseSeconds} s, bind ${p.bindSeconds} s, check ${p.checkSeconds} s (--extendedDiagnostics)`);
    }
    const f = result.profile.tsTargetFiles;
    console.log(`  --target ts, checking file by file (${f.checkSeconds} s): ${f.costliest.map((x) => `${x.file} ${x.seconds} s`).join(", ")}`);
  }
  console.log(`  ${loadNote(loadAfter)}${loadBefore.underLoad && !loadAfter.underLoad ? " (under load when it started)" : ""}`);
}
