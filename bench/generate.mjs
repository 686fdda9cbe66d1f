#!/usr/bin/env node
// Benchmark (issue 3): whole-process wall time and peak memory (max RSS) of generating
// every output for QEMU's full schema:
//   node dist/generator/cli/main.js ../shared/qemu/10.0/qapi/qapi-schema.json -o <tmpdir>
// Node start-up and writing the files included; each run writes into a fresh directory.
// One warm-up run, then the median of RUNS runs, compared with QEMU's own Python
// generator for its C output on this machine (0.685 s, 31 MiB). Goal: under half of both.
// Between the runs it measures the floor (measure.mjs, floorRunner).
//
//   node bench/generate.mjs [--json] [--runs N] [--int64 bigint]
// Run `npm run build` first (npm run bench does).

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchArgs, failer, floorNote, floorRunner, loadNote, machineLoad, processRunner, round, rssMethod, summarize } from "./measure.mjs";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(REPO, "dist/generator/cli/main.js");
const SCHEMA = fileURLToPath(new URL("../../shared/qemu/10.0/qapi/qapi-schema.json", import.meta.url));
const QEMU_SECONDS = 0.685;
const QEMU_MIB = 31;

const argv = process.argv.slice(2);
const { json, runs: RUNS } = benchArgs(argv, 9);
const int64 = argv.includes("--int64") ? argv[argv.indexOf("--int64") + 1] : "number";
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
{
  const run = processRunner(tmp);
  const floor = floorRunner(run, REPO, dirname(SCHEMA));
  let n = 0;
  const runOnce = () => {
    const out = join(tmp, `out-${n++}`);
    const r = run([process.execPath, CLI, SCHEMA, "-o", out, "--int64", int64]);
    if (r.status !== 0) fail(`qapi-gen exited with ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
    if (!existsSync(join(out, "index.ts"))) fail(`qapi-gen wrote no index.ts into ${out}`);
    if (r.rssKiB === undefined) fail("could not read the peak RSS of the run");
    const output = tally(out);
    rmSync(out, { recursive: true, force: true });
    return { ...r, output };
  };

  const loadBefore = machineLoad();
  runOnce(); // warm-up: file cache, compile cache
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(runOnce());
    floor.sample();
  }
  const loadAfter = machineLoad();
  const stats = summarize(runs);
  const seconds = stats.wallSecondsMedian;
  const mib = stats.peakRssMiBMedian;
  const result = {
    command: `node dist/generator/cli/main.js ../shared/qemu/10.0/qapi/qapi-schema.json -o <tmpdir>${int64 === "number" ? "" : ` --int64 ${int64}`}`,
    output: { files: runs[0].output.files, mebibytes: round(runs[0].output.bytes / 2 ** 20, 2) },
    ...stats,
    rssMethod,
    qemuPython: { wallSeconds: QEMU_SECONDS, peakRssMiB: QEMU_MIB },
    timeRatioToQemu: round(seconds / QEMU_SECONDS, 3),
    memoryRatioToQemu: round(mib / QEMU_MIB, 3),
    timeGoalMet: seconds < QEMU_SECONDS / 2,
    memoryGoalMet: mib < QEMU_MIB / 2,
    goalMet: seconds < QEMU_SECONDS / 2 && mib < QEMU_MIB / 2,
    floor: floor.summary(),
    load: { before: loadBefore.loadAverage, after: loadAfter.loadAverage, cpus: loadAfter.cpus, underLoad: loadBefore.underLoad || loadAfter.underLoad },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const pct = (x) => `${(x * 100).toFixed(0)}%`;
    console.log(
      `qapi-gen, QEMU 10 schema to all outputs (${result.output.files} files, ${result.output.mebibytes} MiB), median of ${RUNS} runs after 1 warm-up:`,
    );
    console.log(`  wall time  ${seconds.toFixed(3)} s   (min ${stats.wallSecondsMin} s, max ${stats.wallSecondsMax} s)`);
    console.log(`  peak RSS   ${mib.toFixed(1)} MiB   (${rssMethod})`);
    console.log(
      `  vs QEMU's Python generator (${QEMU_SECONDS} s, ${QEMU_MIB} MiB): time ${pct(result.timeRatioToQemu)}, memory ${pct(result.memoryRatioToQemu)}`,
    );
    console.log(
      `  goal (under half of both): time ${result.timeGoalMet ? "met" : "not met"}, memory ${result.memoryGoalMet ? "met" : "not met"}`,
    );
    console.log(floorNote(result.floor));
    console.log(`  ${loadNote(loadAfter)}${loadBefore.underLoad && !loadAfter.underLoad ? " (under load when it started)" : ""}`);
  }
}
