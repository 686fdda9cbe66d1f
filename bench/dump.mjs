#!/usr/bin/env node
// Benchmark (issue 2, section 8): whole-process wall time and peak memory (max RSS) of
//   node dist/generator/cli/main.js dump ../shared/qemu/10.0/qapi/qapi-schema.json
// Node start-up included. One warm-up run, then the median of RUNS runs, compared with
// QEMU's own Python front end on this machine (0.38 s, 30 MiB). Between the runs it
// measures the floor (measure.mjs, floorRunner): Node's start-up, and start-up plus
// parsing the schema's files with the grammar and nothing else.
//
// Peak RSS comes from /usr/bin/time -v when present; otherwise the child is run with a
// preloaded module that prints process.resourceUsage().maxRSS at exit.
//
//   node bench/dump.mjs [--json] [--runs N]
// Run `npm run build` first (npm run bench does).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchArgs, failer, floorNote, floorRunner, median, processRunner, rssMethod } from "./measure.mjs";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(REPO, "dist/generator/cli/main.js");
const SCHEMA = fileURLToPath(new URL("../../shared/qemu/10.0/qapi/qapi-schema.json", import.meta.url));
const QEMU_SECONDS = 0.38;
const QEMU_MIB = 30;

const { json, runs: RUNS } = benchArgs(process.argv.slice(2), 9);
const fail = failer("dump", json);

if (!existsSync(CLI)) fail(`${CLI} not found: run npm run build first`);
if (!existsSync(SCHEMA)) fail(`${SCHEMA} not found (../shared is absent): nothing to measure`);

const tmp = mkdtempSync(join(tmpdir(), "qapi-bench-"));
const run = processRunner(tmp);
const floor = floorRunner(run, REPO, dirname(SCHEMA));

/** One whole-process run: wall seconds and peak RSS in KiB. */
function runOnce() {
  const r = run([process.execPath, CLI, "dump", SCHEMA]);
  if (r.status !== 0) fail(`dump exited with ${r.status}: ${r.stderr.slice(0, 2000)}`);
  if (!r.stdout.includes("\nobject QMPStatus") && !r.stdout.includes("\ncommand query-status")) {
    fail("dump printed no model of QEMU's schema");
  }
  if (r.rssKiB === undefined) fail("could not read the peak RSS of the run");
  return { seconds: r.seconds, rssKiB: r.rssKiB, lines: r.stdout.split("\n").length - 1 };
}

try {
  runOnce(); // warm-up: file cache, JIT caches
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(runOnce());
    floor.sample();
  }
  const seconds = median(runs.map((r) => r.seconds));
  const mib = median(runs.map((r) => r.rssKiB)) / 1024;
  const result = {
    command: "node dist/generator/cli/main.js dump ../shared/qemu/10.0/qapi/qapi-schema.json",
    runs: RUNS,
    lines: runs[0].lines,
    wallSecondsMedian: Number(seconds.toFixed(4)),
    wallSecondsMin: Number(Math.min(...runs.map((r) => r.seconds)).toFixed(4)),
    wallSecondsMax: Number(Math.max(...runs.map((r) => r.seconds)).toFixed(4)),
    peakRssMiBMedian: Number(mib.toFixed(1)),
    rssMethod,
    qemuPython: { wallSeconds: QEMU_SECONDS, peakRssMiB: QEMU_MIB },
    timeRatioToQemu: Number((seconds / QEMU_SECONDS).toFixed(3)),
    memoryRatioToQemu: Number((mib / QEMU_MIB).toFixed(3)),
    goalMet: seconds < QEMU_SECONDS / 2 && mib < QEMU_MIB / 2,
    floor: floor.summary(),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const pct = (x) => `${(x * 100).toFixed(0)}%`;
    console.log(`qapi-gen dump, QEMU 10 schema (${result.lines} lines), median of ${RUNS} runs after 1 warm-up:`);
    console.log(`  wall time  ${seconds.toFixed(3)} s   (min ${result.wallSecondsMin} s, max ${result.wallSecondsMax} s)`);
    console.log(`  peak RSS   ${mib.toFixed(1)} MiB   (${result.rssMethod})`);
    console.log(`  vs QEMU's Python front end (${QEMU_SECONDS} s, ${QEMU_MIB} MiB): time ${pct(result.timeRatioToQemu)}, memory ${pct(result.memoryRatioToQemu)}`);
    console.log(`  goal (under half of both): ${result.goalMet ? "met" : "not met"}`);
    console.log(floorNote(result.floor));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
