#!/usr/bin/env node
// Benchmark (issues 3 and 9): whole-process wall time, CPU time and peak memory (max
// RSS) of generating every output for QEMU's full schema, in both targets:
//   node dist/generator/cli/main.js ../shared/qemu/10.0/qapi/qapi-schema.json -o <tmpdir> --target ts|js
// Node start-up and writing the files included; each run writes into a fresh directory.
// Compared with QEMU's own Python generator for its C output on this machine (0.685 s,
// 31 MiB). Goal: under half of both, in either target.
//
// Issue 9 also asks for the other way to the js target, measured: transpiling the
// generated TypeScript at generation time (ts.transpileModule for the .js,
// ts.transpileDeclaration for the .d.ts) instead of printing both from the model.
// Two more whole processes, through the programmatic API with the CLI's V8 setting,
// that differ only there:
//   printed      generate({ target: "js" }), then write the files
//   transpiled   generate({ target: "ts" }), transpile every .ts file, then write
// (each also reports its time in generation and in transpiling, in process).
// One warm-up of each, then RUNS rounds of the CLI in both targets, the first
// TRANSPILE_RUNS of them with the two API ways too (transpiling takes tens of
// seconds), in turn so that load hits them alike; medians; between rounds the floor
// (measure.mjs, floorRunner).
//
//   node bench/generate.mjs [--json] [--runs N] [--transpile-runs N] [--int64 bigint]
// Run `npm run build` first (npm run bench does).

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { benchArgs, failer, floorNote, floorRunner, loadNote, machineLoad, median, processRunner, round, rssMethod, summarize } from "./measure.mjs";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const CLI = join(REPO, "dist/generator/cli/main.js");
const SCHEMA = fileURLToPath(new URL("../../shared/qemu/10.0/qapi/qapi-schema.json", import.meta.url));
const QEMU_SECONDS = 0.685;
const QEMU_MIB = 31;

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const int64 = opt("--int64", "number");

/**
 * One API process (`--part printed|transpiled --out DIR`): generates, transpiles for
 * `transpiled`, writes DIR; prints the in-process milliseconds of each step as JSON.
 */
async function part(kind, out) {
  setFlagsFromString("--no-opt"); // as the CLI does for one run (generator/cli/main.ts)
  const dist = (p) => pathToFileURL(join(REPO, "dist/generator", p)).href;
  const { generate, updateOutput } = await import(dist("api/generate.js"));
  const t0 = performance.now();
  const result = await generate({ schema: SCHEMA, output: out, int64, target: kind === "printed" ? "js" : "ts" });
  if (!result.ok) throw new Error(result.errors.map((e) => e.text).join("\n"));
  const t1 = performance.now();
  let files = result.files;
  let declarationProblems = 0;
  if (kind === "transpiled") {
    setFlagsFromString("--opt"); // TypeScript's compiler is long-running code: give it V8's optimizer back
    const ts = createRequire(join(REPO, "package.json"))("typescript");
    const compilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, declaration: true };
    files = files.flatMap((f) => {
      if (!f.path.endsWith(".ts")) return [f];
      const base = f.path.slice(0, -".ts".length);
      const js = ts.transpileModule(f.content, { compilerOptions, fileName: f.path }).outputText;
      const dts = ts.transpileDeclaration(f.content, { compilerOptions, fileName: f.path });
      declarationProblems += dts.diagnostics?.length ?? 0;
      return [
        { path: `${base}.js`, content: js },
        { path: `${base}.d.ts`, content: dts.outputText },
      ];
    });
  }
  const t2 = performance.now();
  await updateOutput(out, files, false);
  const t3 = performance.now();
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  return { generateMs: t1 - t0, transpileMs: t2 - t1, writeMs: t3 - t2, files: files.length, bytes, declarationProblems };
}

if (opt("--part") !== undefined) {
  process.stdout.write(`${JSON.stringify(await part(opt("--part"), opt("--out")))}\n`);
  process.exit(0);
}

const { json, runs: RUNS } = benchArgs(argv, 9);
const TRANSPILE_RUNS = Math.min(RUNS, Math.max(1, Number(opt("--transpile-runs", 3)) || 3));
const fail = failer("generate", json);
if (!existsSync(CLI)) fail(`${CLI} not found: run npm run build first`);
if (!existsSync(SCHEMA)) fail(`${SCHEMA} not found (../shared is absent): nothing to measure`);

/** Files and bytes under dir. */
function tally(dir) {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += statSync(join(e.parentPath ?? e.path, e.name)).size;
  }
  return { files, bytes };
}

const tmp = mkdtempSync(join(tmpdir(), "qapi-bench-generate-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true })); // fail() exits too
const run = processRunner(tmp);
const floor = floorRunner(run, REPO, dirname(SCHEMA));

/** The four whole processes: the CLI in each target, and the two API ways to the js target. */
const WAYS = {
  ts: (out) => [process.execPath, CLI, SCHEMA, "-o", out, "--int64", int64, "--target", "ts", "-q"],
  js: (out) => [process.execPath, CLI, SCHEMA, "-o", out, "--int64", int64, "--target", "js", "-q"],
  printed: (out) => [process.execPath, SELF, "--part", "printed", "--out", out, "--int64", int64],
  transpiled: (out) => [process.execPath, SELF, "--part", "transpiled", "--out", out, "--int64", int64],
};
let n = 0;
function runOnce(way) {
  const out = join(tmp, `out-${n++}`);
  const r = run(WAYS[way](out));
  if (r.status !== 0) fail(`${way} exited with ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
  if (!existsSync(join(out, way === "ts" ? "index.ts" : "index.js"))) fail(`${way} wrote no index into ${out}`);
  if (r.rssKiB === undefined) fail("could not read the peak RSS of the run");
  const output = tally(out);
  rmSync(out, { recursive: true, force: true });
  const inProcess = way === "printed" || way === "transpiled" ? JSON.parse(r.stdout.trim().split("\n").pop()) : undefined;
  return { ...r, output, inProcess };
}

const loadBefore = machineLoad();
for (const way of Object.keys(WAYS)) runOnce(way); // warm-up: file cache
const runs = Object.fromEntries(Object.keys(WAYS).map((w) => [w, []]));
for (let i = 0; i < RUNS; i++) {
  for (const way of Object.keys(WAYS)) if (i < TRANSPILE_RUNS || way === "ts" || way === "js") runs[way].push(runOnce(way));
  floor.sample();
}
const loadAfter = machineLoad();

const targets = {};
for (const way of ["ts", "js"]) {
  const stats = summarize(runs[way]);
  targets[way] = {
    output: { files: runs[way][0].output.files, mebibytes: round(runs[way][0].output.bytes / 2 ** 20, 2) },
    ...stats,
    timeRatioToQemu: round(stats.wallSecondsMedian / QEMU_SECONDS, 3),
    ...(stats.cpuSecondsMedian === undefined ? {} : { cpuTimeRatioToQemu: round(stats.cpuSecondsMedian / QEMU_SECONDS, 3) }),
    memoryRatioToQemu: round(stats.peakRssMiBMedian / QEMU_MIB, 3),
    timeGoalMet: stats.wallSecondsMedian < QEMU_SECONDS / 2,
    memoryGoalMet: stats.peakRssMiBMedian < QEMU_MIB / 2,
  };
}
const inProcess = (way, key) => round(median(runs[way].map((r) => r.inProcess[key])), 1);
const jsWays = {};
for (const way of ["printed", "transpiled"]) {
  jsWays[way] = {
    ...summarize(runs[way]),
    output: { files: runs[way][0].inProcess.files, mebibytes: round(runs[way][0].inProcess.bytes / 2 ** 20, 2) },
    generateMsMedian: inProcess(way, "generateMs"),
    ...(way === "transpiled" ? { transpileMsMedian: inProcess(way, "transpileMs"), declarationProblems: runs[way][0].inProcess.declarationProblems } : {}),
    writeMsMedian: inProcess(way, "writeMs"),
  };
}
const paired = (a, b, key) => round(median(runs[a].map((r, i) => r[key] / runs[b][i][key])), 3);
jsWays.transpiledOverPrinted = { wall: paired("transpiled", "printed", "seconds"), ...(runs.printed[0].cpuSeconds === undefined ? {} : { cpu: paired("transpiled", "printed", "cpuSeconds") }) };

const result = {
  command: `node dist/generator/cli/main.js ../shared/qemu/10.0/qapi/qapi-schema.json -o <tmpdir> --target ts|js${int64 === "number" ? "" : ` --int64 ${int64}`}`,
  runs: RUNS,
  transpileRuns: TRANSPILE_RUNS,
  rssMethod,
  qemuPython: { wallSeconds: QEMU_SECONDS, peakRssMiB: QEMU_MIB },
  ...targets,
  goalMet: ["ts", "js"].every((t) => targets[t].timeGoalMet && targets[t].memoryGoalMet),
  jsTargetWays: jsWays,
  floor: floor.summary(),
  load: { before: loadBefore.loadAverage, after: loadAfter.loadAverage, cpus: loadAfter.cpus, underLoad: loadBefore.underLoad || loadAfter.underLoad },
};

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const pct = (x) => `${(x * 100).toFixed(0)}%`;
  console.log(`qapi-gen, QEMU 10 schema to all outputs, median of ${RUNS} rounds after 1 warm-up (QEMU's Python generator: ${QEMU_SECONDS} s, ${QEMU_MIB} MiB):`);
  for (const t of ["ts", "js"]) {
    const r = targets[t];
    const cpu = r.cpuSecondsMedian === undefined ? "" : `, CPU ${r.cpuSecondsMedian.toFixed(3)} s (${pct(r.cpuTimeRatioToQemu)})`;
    console.log(
      `  --target ${t}  ${r.wallSecondsMedian.toFixed(3)} s (${pct(r.timeRatioToQemu)} of QEMU; min ${r.wallSecondsMin} s, max ${r.wallSecondsMax} s${cpu}), peak RSS ${r.peakRssMiBMedian.toFixed(1)} MiB (${pct(r.memoryRatioToQemu)});` +
        ` ${r.output.files} files, ${r.output.mebibytes} MiB; goal (under half of both): time ${r.timeGoalMet ? "met" : "NOT met"}, memory ${r.memoryGoalMet ? "met" : "NOT met"}`,
    );
  }
  console.log(`  the js target two ways, through the API, median of ${TRANSPILE_RUNS} (whole process; in process: generate, transpile, write):`);
  for (const way of ["printed", "transpiled"]) {
    const r = jsWays[way];
    const cpu = r.cpuSecondsMedian === undefined ? "" : `, CPU ${r.cpuSecondsMedian.toFixed(3)} s`;
    const transpile = r.transpileMsMedian === undefined ? "" : `, transpile ${r.transpileMsMedian.toFixed(0)} ms (${r.declarationProblems} declaration diagnostics)`;
    console.log(
      `    ${way.padEnd(10)} ${r.wallSecondsMedian.toFixed(3)} s${cpu}, peak RSS ${r.peakRssMiBMedian.toFixed(1)} MiB; generate ${r.generateMsMedian.toFixed(0)} ms${transpile}, write ${r.writeMsMedian.toFixed(0)} ms; ${r.output.mebibytes} MiB`,
    );
  }
  const ratio = jsWays.transpiledOverPrinted;
  console.log(`    transpiled / printed (median of per-round ratios): wall ${ratio.wall}×${ratio.cpu === undefined ? "" : `, CPU ${ratio.cpu}×`}`);
  console.log(`  ${rssMethod}`);
  console.log(floorNote(result.floor));
  console.log(`  ${loadNote(loadAfter)}${loadBefore.underLoad && !loadAfter.underLoad ? " (under load when it started)" : ""}`);
}
