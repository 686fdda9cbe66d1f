#!/usr/bin/env node
// Benchmark (issue 9, section 2): bundle sizes of apps over QEMU 10's full generated
// output, as a browser app would ship them: esbuild, platform browser, ESM, minified,
// bundled; raw bytes and gzip (level 9). For each target (ts, js), the output goes into
// a consumer's src/qmp and these apps import it:
//   status           queryStatus only (goal ≤ 25 KB = 25,000 bytes)
//   three            queryStatus, blockdevAdd, transaction (goal ≤ 1.2× validators)
//   validators       just the validators those three commands use (their `$c_` info
//                    objects' args and returns), imported directly from validators/
//   client           QmpClient, the same three commands through it (for the record)
//   whole            the whole output (its index as the entry point)
// `status` and `three` import from the output's index, as users would, and again by
// deep imports (calls/<module>.js). Sizes do not vary between runs: no medians. The
// esbuild metafile gives what each bundle holds by module: the largest are reported.
//
//   node bench/bundle.mjs [--json]
// Run `npm run build` first (npm run bench does).

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { TARGETS, makeConsumer, missingInputs } from "./consumer.mjs";
import { benchArgs, failer, round } from "./measure.mjs";

const { json } = benchArgs(process.argv.slice(2), 1);
const fail = failer("bundle", json);
const missing = missingInputs();
if (missing !== undefined) fail(missing);

const STATUS_GOAL_BYTES = 25_000;
const THREE_GOAL_RATIO = 1.2;
const COMMANDS = ["queryStatus", "blockdevAdd", "transaction"];
const TOP_MODULES = 8;

const tmp = mkdtempSync(join(tmpdir(), "qapi-bench-bundle-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true })); // fail() exits too

/**
 * Where each command's function lives (calls/<module>.js) and the validators its info
 * object holds, found by loading the JavaScript output (calls/ and validators/) and
 * comparing objects: nothing here names a validator by hand.
 */
async function locate(qmpJs) {
  const exportsOf = async (dir) => {
    const mods = [];
    for (const f of readdirSync(join(qmpJs, dir)).filter((f) => f.endsWith(".js")).sort()) {
      mods.push({ module: `${dir}/${f}`, exports: await import(pathToFileURL(join(qmpJs, dir, f)).href) });
    }
    return mods;
  };
  const calls = await exportsOf("calls");
  const validators = await exportsOf("validators");
  const nameOf = (v) => {
    for (const m of validators) for (const [name, x] of Object.entries(m.exports)) if (x === v && name.endsWith("Validator")) return { module: m.module, name };
    throw new Error("a command's validator is not exported by any validators/ module");
  };
  return COMMANDS.map((fn) => {
    const home = calls.find((m) => typeof m.exports[fn] === "function");
    if (home === undefined) throw new Error(`no calls/ module exports ${fn}`);
    const info = home.exports[`$c_${fn}`];
    const used = [info.args, info.returns].filter((v) => v !== undefined).map(nameOf);
    return { fn, module: home.module, validators: used };
  });
}

/** import { a, b } from "spec" lines for [name, spec] pairs, one line per spec. */
function importLines(pairs) {
  const bySpec = new Map();
  for (const [name, spec] of pairs) bySpec.set(spec, [...(bySpec.get(spec) ?? []), name]);
  return [...bySpec].map(([spec, names]) => `import { ${names.join(", ")} } from "${spec}";`).join("\n");
}

/** The apps (name → source), each exporting what it uses so that nothing is dropped as unused. */
function apps(located) {
  const index = "./qmp/index.js";
  const calls = (fns) => `export async function main(t) {\n${fns.map((fn) => `  await ${fn}(t${fn === "queryStatus" ? "" : ", {}"});`).join("\n")}\n}\n`;
  const deep = (entries) => importLines(entries.map((c) => [c.fn, `./qmp/${c.module}`]));
  const refs = located.flatMap((c) => c.validators);
  return {
    "status (index)": `${importLines([["queryStatus", index]])}\n${calls(["queryStatus"])}`,
    "status (deep)": `${deep(located.slice(0, 1))}\n${calls(["queryStatus"])}`,
    "three (index)": `${importLines(COMMANDS.map((fn) => [fn, index]))}\n${calls(COMMANDS)}`,
    "three (deep)": `${deep(located)}\n${calls(COMMANDS)}`,
    validators: `${importLines([...new Set(refs.map((v) => `${v.name}\0./qmp/${v.module}`))].map((k) => k.split("\0")))}\nexport const validators = [${[...new Set(refs.map((v) => v.name))].join(", ")}];\n`,
    client: `${importLines([["QmpClient", index]])}\nexport async function main(t) {\n  const qmp = new QmpClient(t);\n  await qmp.queryStatus();\n  await qmp.blockdevAdd({});\n  await qmp.transaction({ actions: [] });\n}\n`,
    whole: `export * from "${index}";\n`,
  };
}

/** Bundles `entry`: bytes, gzip bytes, and the largest contributors by output module. */
async function bundle(entry, qmpDir) {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = r.outputFiles[0].contents;
  const inputs = Object.values(r.metafile.outputs)[0].inputs;
  const byModule = Object.entries(inputs)
    .map(([path, { bytesInOutput }]) => ({ module: relative(qmpDir, path).split("\\").join("/"), bytes: bytesInOutput }))
    .filter((m) => m.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    modules: byModule.length,
    largest: byModule.slice(0, TOP_MODULES),
  };
}

const results = {};
let located;
for (const target of TARGETS) {
  const root = makeConsumer(join(tmp, target), target, {});
  const qmpDir = join(root, "src/qmp");
  if (target === "js") located = await locate(qmpDir);
}
// The apps are the same for both targets: the commands' homes come from the js output.
const sources = apps(located);
for (const target of TARGETS) {
  const root = join(tmp, target);
  const byApp = {};
  for (const [name, source] of Object.entries(sources)) {
    const entry = join(root, "src", `${name.replace(/\W+/g, "-").replace(/-$/, "")}.js`);
    writeFileSync(entry, source);
    byApp[name] = await bundle(entry, join(root, "src/qmp"));
  }
  const three = (kind) => round(byApp[`three (${kind})`].bytes / byApp.validators.bytes, 3);
  results[target] = {
    apps: byApp,
    statusGoalMet: byApp["status (index)"].bytes <= STATUS_GOAL_BYTES,
    threeOverValidators: { index: three("index"), deep: three("deep") },
    threeGoalMet: three("index") <= THREE_GOAL_RATIO,
  };
}

const result = {
  esbuild: { platform: "browser", format: "esm", minify: true, bundle: true, gzipLevel: 9 },
  commands: located,
  goals: { statusMaxBytes: STATUS_GOAL_BYTES, threeMaxRatioToValidators: THREE_GOAL_RATIO },
  ...results,
};

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`.padStart(10);
  console.log("bundles of apps over QEMU 10's full output (esbuild, browser, ESM, minified; gzip -9):");
  console.log(`  ${"app".padEnd(16)} ${TARGETS.map((t) => `--target ${t}: raw, gzip`.padStart(24)).join("  ")}   goal`);
  for (const name of Object.keys(sources)) {
    const goal =
      name === "status (index)" ? `≤ ${kb(STATUS_GOAL_BYTES).trim()}` : name === "three (index)" ? `≤ ${THREE_GOAL_RATIO}× validators` : "";
    const cells = TARGETS.map((t) => `${kb(results[t].apps[name].bytes)} ${kb(results[t].apps[name].gzipBytes)}`.padStart(24));
    console.log(`  ${name.padEnd(16)} ${cells.join("  ")}   ${goal}`);
  }
  for (const t of TARGETS) {
    const r = results[t];
    console.log(
      `  --target ${t}: status ${r.statusGoalMet ? "met" : "NOT met"}; three / validators = ${r.threeOverValidators.index} (deep imports ${r.threeOverValidators.deep}) ${r.threeGoalMet ? "met" : "NOT met"}`,
    );
  }
  console.log(`  validators of ${COMMANDS.join(", ")}: ${located.flatMap((c) => c.validators.map((v) => v.name)).join(", ")}`);
  for (const name of ["status (index)", "three (index)", "validators", "client"]) {
    const a = results.js.apps[name];
    console.log(`  largest modules in "${name}" (--target js, ${a.modules} modules): ${a.largest.map((m) => `${m.module} ${kb(m.bytes).trim()}`).join(", ")}`);
  }
}
