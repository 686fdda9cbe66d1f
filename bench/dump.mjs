#!/usr/bin/env node
// Benchmark (issue 2, section 8): whole-process wall time and peak memory (max RSS) of
//   node dist/generator/cli.js dump ../shared/qemu/10.0/qapi/qapi-schema.json
// Node start-up included. One warm-up run, then the median of RUNS runs, compared with
// QEMU's own Python front end on this machine (0.38 s, 30 MiB).
//
// Peak RSS comes from /usr/bin/time -v when present; otherwise the child is run with a
// preloaded module that prints process.resourceUsage().maxRSS at exit.
//
//   node bench/dump.mjs [--json] [--runs N]
// Run `npm run build` first (npm run bench does).

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(REPO, "dist/generator/cli.js");
const SCHEMA = fileURLToPath(new URL("../../shared/qemu/10.0/qapi/qapi-schema.json", import.meta.url));
const QEMU_SECONDS = 0.38;
const QEMU_MIB = 30;

const args = process.argv.slice(2);
const json = args.includes("--json");
const runsAt = args.indexOf("--runs");
const RUNS = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1])) : 9;

function fail(msg) {
  if (json) process.stdout.write(`${JSON.stringify({ skipped: msg })}\n`);
  else process.stderr.write(`bench/dump: ${msg}\n`);
  process.exit(json ? 0 : 1);
}

if (!existsSync(CLI)) fail(`${CLI} not found: run npm run build first`);
if (!existsSync(SCHEMA)) fail(`${SCHEMA} not found (../shared is absent): nothing to measure`);

const useTime = existsSync("/usr/bin/time");
const tmp = mkdtempSync(join(tmpdir(), "qapi-bench-"));
const preload = join(tmp, "maxrss.cjs");
writeFileSync(
  preload,
  "process.on('exit', () => { require('fs').writeSync(2, '\\nQAPI_BENCH_MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'); });\n",
);

/** One whole-process run: wall seconds and peak RSS in KiB. */
function runOnce() {
  const nodeArgs = useTime ? [CLI, "dump", SCHEMA] : ["--require", preload, CLI, "dump", SCHEMA];
  const [cmd, cmdArgs] = useTime ? ["/usr/bin/time", ["-v", process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, cmdArgs, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) fail(`dump exited with ${r.status}: ${r.stderr.slice(0, 2000)}`);
  if (!r.stdout.includes("\nobject QMPStatus") && !r.stdout.includes("\ncommand query-status")) {
    fail("dump printed no model of QEMU's schema");
  }
  const m = useTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr) : /QAPI_BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  if (m === null) fail("could not read the peak RSS of the run");
  return { seconds, rssKiB: Number(m[1]), lines: r.stdout.split("\n").length - 1 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

try {
  runOnce(); // warm-up: file cache, JIT caches
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(runOnce());
  const seconds = median(runs.map((r) => r.seconds));
  const mib = median(runs.map((r) => r.rssKiB)) / 1024;
  const result = {
    command: "node dist/generator/cli.js dump ../shared/qemu/10.0/qapi/qapi-schema.json",
    runs: RUNS,
    lines: runs[0].lines,
    wallSecondsMedian: Number(seconds.toFixed(4)),
    wallSecondsMin: Number(Math.min(...runs.map((r) => r.seconds)).toFixed(4)),
    wallSecondsMax: Number(Math.max(...runs.map((r) => r.seconds)).toFixed(4)),
    peakRssMiBMedian: Number(mib.toFixed(1)),
    rssMethod: useTime ? "/usr/bin/time -v" : "process.resourceUsage().maxRSS",
    qemuPython: { wallSeconds: QEMU_SECONDS, peakRssMiB: QEMU_MIB },
    timeRatioToQemu: Number((seconds / QEMU_SECONDS).toFixed(3)),
    memoryRatioToQemu: Number((mib / QEMU_MIB).toFixed(3)),
    goalMet: seconds < QEMU_SECONDS / 2 && mib < QEMU_MIB / 2,
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
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
