// Shared by the whole-process benches (dump.mjs, generate.mjs, tsc.mjs, ...); not a
// bench itself (run.mjs skips it). Wall time is measured around the child process, Node
// start-up included; peak memory (max RSS, of the child and the children it waited
// for) and CPU time (user + system) come from /usr/bin/time -v when present, otherwise,
// for Node children only, from a preloaded module that prints process.resourceUsage()
// at exit. CPU time is the steadier figure on a shared machine: waiting for a core
// under load adds to wall time, not to it.

import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** `--json` and `--runs N` from argv. */
export function benchArgs(argv, defaultRuns) {
  const json = argv.includes("--json");
  const at = argv.indexOf("--runs");
  const runs = at >= 0 ? Math.max(1, Number(argv[at + 1]) || defaultRuns) : defaultRuns;
  return { json, runs };
}

/**
 * fail(msg) for a bench: with --json, prints { skipped: msg } and exits 0 so that
 * run.mjs records why; otherwise prints to stderr and exits 1.
 */
export function failer(name, json) {
  return (msg) => {
    if (json) process.stdout.write(`${JSON.stringify({ skipped: msg })}\n`);
    else process.stderr.write(`bench/${name}: ${msg}\n`);
    process.exit(json ? 0 : 1);
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export const round = (x, digits = 4) => Number(x.toFixed(digits));

const USE_TIME = existsSync("/usr/bin/time");
export const rssMethod = USE_TIME ? "/usr/bin/time -v" : "process.resourceUsage().maxRSS (Node children only)";

/**
 * A runner of whole processes. `tmp` is a scratch directory the caller owns (and
 * removes); the preload module for the fallback RSS method is written there.
 * run(argv, options) runs argv[0] with argv[1..] (argv[0] === process.execPath for a
 * Node script) and returns { seconds, rssKiB (undefined if unknown), status, stdout, stderr }.
 */
export function processRunner(tmp) {
  const preload = join(tmp, "maxrss.cjs");
  if (!USE_TIME) {
    writeFileSync(
      preload,
      "process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeSync(2, '\\nQAPI_BENCH_MAXRSS_KB=' + u.maxRSS + ' QAPI_BENCH_CPU_US=' + (u.userCPUTime + u.systemCPUTime) + '\\n'); });\n",
    );
  }
  return (argv, options = {}) => {
    const [cmd, ...cmdArgs] = argv;
    let spawnArgs;
    if (USE_TIME) spawnArgs = ["/usr/bin/time", ["-v", cmd, ...cmdArgs]];
    else if (cmd === process.execPath) spawnArgs = [cmd, ["--require", preload, ...cmdArgs]];
    else spawnArgs = [cmd, cmdArgs];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(spawnArgs[0], spawnArgs[1], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const err = r.stderr ?? "";
    const m = USE_TIME ? /Maximum resident set size \(kbytes\): (\d+)/.exec(err) : /QAPI_BENCH_MAXRSS_KB=(\d+)/.exec(err);
    const cpuSeconds = USE_TIME ? timeCpuSeconds(err) : Number(/QAPI_BENCH_CPU_US=(\d+)/.exec(err)?.[1]) / 1e6;
    return {
      seconds,
      rssKiB: m === null ? undefined : Number(m[1]),
      cpuSeconds: Number.isFinite(cpuSeconds) ? cpuSeconds : undefined,
      status: r.status,
      signal: r.signal,
      stdout: r.stdout ?? "",
      stderr: err,
    };
  };
}

/** User + system seconds from /usr/bin/time -v's report. */
function timeCpuSeconds(report) {
  const user = /User time \(seconds\): ([\d.]+)/.exec(report);
  const system = /System time \(seconds\): ([\d.]+)/.exec(report);
  return user === null || system === null ? Number.NaN : Number(user[1]) + Number(system[1]);
}

/** Median, min and max wall seconds, median CPU seconds and median peak RSS (MiB) of a list of runs. */
export function summarize(runs) {
  const secs = runs.map((r) => r.seconds);
  const rss = runs.map((r) => r.rssKiB).filter((x) => x !== undefined);
  const cpu = runs.map((r) => r.cpuSeconds).filter((x) => x !== undefined);
  return {
    runs: runs.length,
    wallSecondsMedian: round(median(secs)),
    wallSecondsMin: round(Math.min(...secs)),
    wallSecondsMax: round(Math.max(...secs)),
    ...(cpu.length > 0 ? { cpuSecondsMedian: round(median(cpu)) } : {}),
    ...(rss.length > 0 ? { peakRssMiBMedian: round(median(rss) / 1024, 1) } : {}),
  };
}

/** The machine's load: figures taken with a 1-minute load average above 1 are under load. */
export function machineLoad() {
  const [m1, m5, m15] = loadavg();
  return { loadAverage: [round(m1, 2), round(m5, 2), round(m15, 2)], cpus: cpus().length, underLoad: m1 > 1 };
}

/** "(load average 1.23 on 2 CPUs: taken under load)" for the human-readable report. */
export function loadNote(load) {
  return `load average ${load.loadAverage.join(", ")} on ${load.cpus} CPUs${load.underLoad ? ": figures taken under load" : ""}`;
}

/**
 * Reference processes, run between a bench's own runs so that they share its noise:
 * Node's start-up alone (`node -e 0`), and the least that any front end built on
 * qapi-gen's grammar must do: start Node, read every .json file in the schema's folder
 * and parse it (no checking, no output). Returns `sample()`, which runs both once, and
 * `summary()`, the medians in seconds.
 */
export function floorRunner(run, repo, schemaDir) {
  const grammar = pathToFileURL(join(repo, "dist/generator/frontend/grammar.generated.js")).href;
  // The same V8 setting as the CLI (see generator/cli/main.ts), set before any parsing.
  const script = [
    'import { setFlagsFromString } from "node:v8";',
    'setFlagsFromString("--no-opt");',
    'const { readFileSync, readdirSync } = await import("node:fs");',
    `const { parse } = await import(${JSON.stringify(grammar)});`,
    `const dir = ${JSON.stringify(schemaDir)};`,
    "let items = 0;",
    'for (const f of readdirSync(dir)) if (f.endsWith(".json")) items += parse(readFileSync(`${dir}/${f}`, "utf8"), { startRule: "File", maxNesting: 256, peg$silentFails: 1 }).length;',
    "if (items === 0) process.exit(3);",
  ].join("\n");
  const nodeStart = [];
  const nodeStartRss = [];
  const parseOnly = [];
  const once = (argv, into) => {
    const r = run(argv);
    if (r.status !== 0) throw new Error(`${argv.slice(0, 3).join(" ")} exited with ${r.status ?? r.signal}: ${r.stderr.slice(0, 500)}`);
    into.push(r.seconds);
    return r;
  };
  return {
    sample() {
      const r = once([process.execPath, "-e", "0"], nodeStart);
      if (r.rssKiB !== undefined) nodeStartRss.push(r.rssKiB);
      once([process.execPath, "--input-type=module", "-e", script], parseOnly);
    },
    summary() {
      return {
        nodeStartSecondsMedian: round(median(nodeStart)),
        ...(nodeStartRss.length > 0 ? { nodeStartPeakRssMiBMedian: round(median(nodeStartRss) / 1024, 1) } : {}),
        parseOnlySecondsMedian: round(median(parseOnly)),
      };
    },
  };
}

/** The floor lines of a human-readable report. */
export function floorNote(floor) {
  return (
    `  floor here: Node start-up alone ${floor.nodeStartSecondsMedian.toFixed(3)} s` +
    `${floor.nodeStartPeakRssMiBMedian === undefined ? "" : ` (${floor.nodeStartPeakRssMiBMedian} MiB)`}; start-up, reading and parsing\n` +
    `    the schema's files with the grammar, nothing else, ${floor.parseOnlySecondsMedian.toFixed(3)} s (medians, runs interleaved)`
  );
}
