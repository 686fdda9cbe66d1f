#!/usr/bin/env node
// The writer (generator/cli/writer.ts) on the output of QEMU's full schema (the seed
// schema when ../shared is absent), in process:
//   - writeOutput replacing an existing output: lock, recovery check, new tree, swap,
//     old tree removed (median of RUNS);
//   - the window in which the output directory is absent: the two renames of the swap,
//     run as the writer runs them on trees of the same shape (median and p99 of 200);
//   - recoverOutput with nothing to recover, as every generate run starts (median).
// The window over the whole replacement is the chance that a kill -9 at a random
// instant of a write leaves the directory absent (until the next run restores it).
//
//   node bench/writer.mjs [--json] [--runs N]
// Run `npm run build` first (npm run bench does).

import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { benchArgs, failer, loadNote, machineLoad, median, round } from "./measure.mjs";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const dist = (p) => pathToFileURL(join(REPO, "dist/generator", p)).href;
const { json, runs: RUNS } = benchArgs(process.argv.slice(2), 15);
const fail = failer("writer", json);
if (!existsSync(join(REPO, "dist/generator/cli/writer.js"))) fail("dist/ not found: run npm run build first");

const { loadSchema } = await import(dist("frontend/check.js"));
const { nodeFileReader } = await import(dist("frontend/parse.js"));
const { makeDiagnostics } = await import(dist("frontend/errors.js"));
const { generate } = await import(dist("backend/generate.js"));
const { DEFAULT_OPTIONS } = await import(dist("backend/context.js"));
const { writeOutput, recoverOutput } = await import(dist("cli/writer.js"));

const qemu = join(REPO, "../shared/qemu/10.0/qapi/qapi-schema.json");
const schemaPath = existsSync(qemu) ? qemu : join(REPO, "qapi/transaction.json");
const files = generate(loadSchema(schemaPath, nodeFileReader(REPO), makeDiagnostics(false)), DEFAULT_OPTIONS, "schema.json");
const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const tmp = mkdtempSync(join(tmpdir(), "qapi-bench-writer-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

const loadBefore = machineLoad();
const out = join(tmp, "out");
await writeOutput(out, files); // warm-up: the first write, the file cache
const replace = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  await writeOutput(out, files);
  replace.push(ms(t0));
}

// The swap's two renames, as swapIn makes them, between trees of the output's shape.
const fresh = join(tmp, "fresh");
const old = join(tmp, "old");
await writeOutput(fresh, files);
const windowUs = [];
for (let i = 0; i < 200; i++) {
  const t0 = process.hrtime.bigint();
  renameSync(out, old);
  renameSync(fresh, out);
  windowUs.push(ms(t0) * 1000);
  renameSync(out, fresh);
  renameSync(old, out);
}
windowUs.sort((a, b) => a - b);

const recoverMs = [];
for (let i = 0; i < 200; i++) {
  const t0 = process.hrtime.bigint();
  recoverOutput(out);
  recoverMs.push(ms(t0));
}
const loadAfter = machineLoad();

const replaceMs = median(replace);
const windowMedian = median(windowUs);
const result = {
  schema: schemaPath === qemu ? "../shared/qemu/10.0/qapi/qapi-schema.json" : "qapi/transaction.json",
  output: { files: files.length + 1, mebibytes: round(bytes / 2 ** 20, 2) },
  runs: RUNS,
  replaceMsMedian: round(replaceMs, 2),
  absentWindowMicrosecondsMedian: round(windowMedian, 1),
  absentWindowMicrosecondsP99: round(windowUs[Math.floor(windowUs.length * 0.99)], 1),
  absentShareOfReplace: round(windowMedian / 1000 / replaceMs, 6),
  recoverNothingMsMedian: round(median(recoverMs), 3),
  load: { before: loadBefore.loadAverage, after: loadAfter.loadAverage, cpus: loadAfter.cpus, underLoad: loadBefore.underLoad || loadAfter.underLoad },
};
if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  console.log(`writer, ${result.schema} output (${result.output.files} files, ${result.output.mebibytes} MiB):`);
  console.log(`  replacing an existing output   ${result.replaceMsMedian} ms (median of ${RUNS})`);
  console.log(
    `  output directory absent        ${result.absentWindowMicrosecondsMedian} µs (median of 200, p99 ${result.absentWindowMicrosecondsP99} µs)` +
      ` = ${(result.absentShareOfReplace * 100).toFixed(4)}% of a replacement`,
  );
  console.log(`  recovery check, nothing to do  ${result.recoverNothingMsMedian} ms (median of 200)`);
  console.log(`  ${loadNote(loadAfter)}`);
}
