#!/usr/bin/env node
// Benchmark (issue 3): `tsc --noEmit -p DIR` on the output generated from QEMU's full
// schema, whole process, with TypeScript 5 (devDependency `typescript`) and TypeScript 7,
// the native compiler (devDependency `typescript-7`, an alias of typescript@7). The
// settings are the strict ones the generated code promises to compile under (strict,
// exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax,
// isolatedModules, NodeNext, skipLibCheck false). Each run must report zero errors.
// Generated once; then one warm-up run of each compiler and RUNS runs of each,
// interleaved so that a burst of load hits both alike; medians reported. Goal: under 3 s.
//
//   node bench/tsc.mjs [--json] [--runs N] [--int64 bigint]
// Run `npm run build` first (npm run bench does).

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchArgs, failer, loadNote, machineLoad, processRunner, summarize } from "./measure.mjs";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(REPO, "dist/generator/cli/main.js");
const SCHEMA = fileURLToPath(new URL("../../shared/qemu/10.0/qapi/qapi-schema.json", import.meta.url));
const GOAL_SECONDS = 3;

const argv = process.argv.slice(2);
const { json, runs: RUNS } = benchArgs(argv, 5);
const int64 = argv.includes("--int64") ? argv[argv.indexOf("--int64") + 1] : "number";
const fail = failer("tsc", json);

if (!existsSync(CLI)) fail(`${CLI} not found: run npm run build first`);
if (!existsSync(SCHEMA)) fail(`${SCHEMA} not found (../shared is absent): nothing to measure`);

const require = createRequire(import.meta.url);
/** name, version and tsc entry of an installed TypeScript package. */
function compiler(label, pkg) {
  let pkgJson;
  try {
    pkgJson = require.resolve(`${pkg}/package.json`, { paths: [REPO] });
  } catch {
    fail(`${pkg} is not installed (npm ci installs it as a devDependency)`);
  }
  const { version } = JSON.parse(readFileSync(pkgJson, "utf8"));
  return { label, pkg, version, tsc: join(pkgJson, "../bin/tsc") };
}
const COMPILERS = [compiler("typescript5", "typescript"), compiler("typescript7", "typescript-7")];

// The settings issue 3 names, and no ambient @types (the output is self-contained);
// shared by test/compile-ts7.test.ts and bench/tsc.mjs.
const TSCONFIG = readFileSync(new URL("../test/strict-tsconfig.json", import.meta.url), "utf8");

const tmp = mkdtempSync(join(tmpdir(), "qapi-bench-tsc-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true })); // fail() exits too

const out = join(tmp, "out");
const gen = spawnSync(process.execPath, [CLI, SCHEMA, "-o", out, "--int64", int64], { encoding: "utf8" });
if (gen.status !== 0) fail(`qapi-gen exited with ${gen.status ?? gen.signal}: ${gen.stderr.slice(0, 2000)}`);
writeFileSync(join(out, "tsconfig.json"), TSCONFIG);
if (!existsSync(join(out, "package.json"))) writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');

const run = processRunner(tmp);
function runOnce(c) {
  const r = run([process.execPath, c.tsc, "--noEmit", "-p", out, "--pretty", "false"], { cwd: out });
  if (r.status !== 0) {
    const diagnostics = `${r.stdout}`.split("\n").slice(0, 40).join("\n");
    fail(`${c.pkg} ${c.version}: tsc exited with ${r.status ?? r.signal}:\n${diagnostics}\n${r.stderr.slice(0, 1000)}`);
  }
  return r;
}

const loadBefore = machineLoad();
for (const c of COMPILERS) runOnce(c); // warm-up: file cache, compile cache
const runs = new Map(COMPILERS.map((c) => [c.label, []]));
for (let i = 0; i < RUNS; i++) for (const c of COMPILERS) runs.get(c.label).push(runOnce(c));
const loadAfter = machineLoad();

const result = {
  command: `tsc --noEmit -p <output of qapi-gen ../shared/qemu/10.0/qapi/qapi-schema.json${int64 === "number" ? "" : ` --int64 ${int64}`}>`,
  goalSeconds: GOAL_SECONDS,
};
for (const c of COMPILERS) {
  const stats = summarize(runs.get(c.label));
  result[c.label] = { version: c.version, ...stats, goalMet: stats.wallSecondsMedian < GOAL_SECONDS };
}
result.speedup7over5 = Number((result.typescript5.wallSecondsMedian / result.typescript7.wallSecondsMedian).toFixed(2));
result.load = {
  before: loadBefore.loadAverage,
  after: loadAfter.loadAverage,
  cpus: loadAfter.cpus,
  underLoad: loadBefore.underLoad || loadAfter.underLoad,
};

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  console.log(`tsc --noEmit on QEMU 10's full generated output (zero errors), median of ${RUNS} runs after 1 warm-up:`);
  for (const c of COMPILERS) {
    const s = result[c.label];
    const rss = s.peakRssMiBMedian === undefined ? "" : `, peak RSS ${s.peakRssMiBMedian} MiB`;
    console.log(
      `  TypeScript ${c.version.padEnd(6)} ${s.wallSecondsMedian.toFixed(3)} s   (min ${s.wallSecondsMin} s, max ${s.wallSecondsMax} s${rss})   goal under ${GOAL_SECONDS} s: ${s.goalMet ? "met" : "not met"}`,
    );
  }
  console.log(`  TypeScript 7 is ${result.speedup7over5}x as fast as TypeScript 5`);
  console.log(`  ${loadNote(loadAfter)}${loadBefore.underLoad && !loadAfter.underLoad ? " (under load when it started)" : ""}`);
}
