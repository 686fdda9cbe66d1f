#!/usr/bin/env node
// Validator throughput: qapi-gen's generated validators against ajv compiling the
// generated schema.json, on the same corpus drawn from the full QEMU 10 schema:
// valid command arguments (strict: unknown members rejected) and valid replies
// (returns and event data), and invalid values (an unknown member, a wrong type or a
// missing member somewhere inside): all of them together, then each kind apart. Our
// side uses the guard (`is`), the fast path; ajv runs with allErrors off. Prints
// medians of 7 rounds and the ratios.
//
//   node bench/validators.mjs [--json] [--schema PATH]
//
// Needs the built generator (npm run build) and ../shared (QEMU's schema).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import ts from "typescript";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = (p) => pathToFileURL(join(root, "dist/generator", p)).href;
const { loadSchema } = await import(dist("frontend/check.js"));
const { nodeFileReader } = await import(dist("frontend/parse.js"));
const { makeDiagnostics } = await import(dist("frontend/errors.js"));
const { generate } = await import(dist("backend/generate.js"));
const { DEFAULT_OPTIONS, intRange, is64, makeContext } = await import(dist("backend/context.js"));
const model = await import(dist("frontend/model.js"));

const args = process.argv.slice(2);
const json = args.includes("--json");
const si = args.indexOf("--schema");
const schemaPath = si >= 0 ? args[si + 1] : join(root, "../shared/qemu/10.0/qapi/qapi-schema.json");
if (!existsSync(schemaPath)) {
  console.error(`bench/validators.mjs: ${schemaPath} not found (QEMU's schema lives in ../shared)`);
  process.exit(2);
}

// ---- generate and load -------------------------------------------------------
const schema = loadSchema(schemaPath, nodeFileReader(process.cwd()), makeDiagnostics(false));
const options = { ...DEFAULT_OPTIONS, emit: new Set(["validators", "jsonschema"]) };
const ctx = makeContext(schema, options, "qapi-schema.json");
const files = generate(schema, options, "qapi-schema.json");
const dir = mkdtempSync(join(tmpdir(), "qapi-gen-bench-"));
writeFileSync(join(dir, "package.json"), '{"type":"module"}');
for (const f of files) {
  const out = join(dir, f.path.replace(/\.ts$/, ".js"));
  mkdirSync(dirname(out), { recursive: true });
  const text = f.path.endsWith(".ts")
    ? ts.transpileModule(f.content, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText
    : f.content;
  writeFileSync(out, text);
}
const validators = new Map();
for (const f of files) {
  if (!f.path.startsWith("validators/")) continue;
  const mod = await import(pathToFileURL(join(dir, f.path.replace(/\.ts$/, ".js"))).href);
  for (const [k, v] of Object.entries(mod)) if (k.endsWith("Validator")) validators.set(k.slice(0, -9), v);
}
const ajv = new Ajv2020({ strict: false, allErrors: false });
ajv.addSchema(JSON.parse(files.find((f) => f.path === "schema.json").content), "s");
rmSync(dir, { recursive: true, force: true });

// ---- corpus ------------------------------------------------------------------
const { AlternateType, ArrayType, BuiltinType, EnumType, ObjectType, Command, Event } = model;

function valid(t, depth) {
  if (t instanceof BuiltinType) {
    switch (t.name) {
      case "str": return fc.string({ maxLength: 12 });
      case "bool": return fc.boolean();
      case "null": return fc.constant(null);
      case "number": return fc.double({ noNaN: true, noDefaultInfinity: true });
      case "any": return fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)));
      default: {
        if (is64(t.name)) return intRange(t.name)[0] === "0" ? fc.nat() : fc.integer();
        const [min, max] = intRange(t.name);
        return fc.integer({ min: Number(min), max: Number(max) });
      }
    }
  }
  if (t instanceof EnumType) return fc.constantFrom(...t.memberNames());
  if (t instanceof ArrayType) return depth > 3 ? fc.constant([]) : fc.array(valid(t.elementType, depth + 1), { minLength: 1, maxLength: 3 });
  if (t instanceof AlternateType) {
    let alts = t.alternatives.variants.map((v) => v.type);
    if (depth > 3) {
      const flat = alts.filter((a) => !(a instanceof ObjectType) && !(a instanceof ArrayType));
      if (flat.length > 0) alts = flat;
    }
    return fc.oneof(...alts.map((a) => valid(a, depth + 1)));
  }
  if (t.branches === undefined) return members(t, depth);
  const tag = t.branches.tagName;
  return fc.oneof(
    ...t.branches.variants.map((v) =>
      fc.tuple(members(t.base, depth), valid(v.type, depth)).map(([b, m]) => ({ ...b, ...m, [tag]: v.name })),
    ),
  );
}

function members(t, depth) {
  if (t.branches !== undefined) return valid(t, depth);
  const m = {};
  const required = [];
  for (const x of t.members) {
    if (x.optional && depth > 3) continue;
    m[x.name] = valid(x.type, depth + 1);
    if (!x.optional) required.push(x.name);
  }
  return fc.record(m, { requiredKeys: required });
}

/** An invalid variant: at the deepest object, an unknown member, a wrong type or a missing member. */
function invalid(value, k) {
  const v = structuredClone(value);
  let deepest;
  let best = -1;
  const stack = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop();
    if (typeof x === "object" && x !== null) {
      if (!Array.isArray(x) && d > best) [deepest, best] = [x, d];
      for (const y of Object.values(x)) stack.push([y, d + 1]);
    }
  }
  if (deepest === undefined) return { "not-a-value": true };
  const keys = Object.keys(deepest);
  if (k % 3 === 0 || keys.length === 0) deepest["x-unknown-member"] = 1;
  else if (k % 3 === 1) deepest[keys[0]] = { wrong: [] };
  else delete deepest[keys[0]];
  return v;
}

const corpus = { args: [], replies: [] };
let seed = 1;
for (const e of schema.entities) {
  if (e instanceof Command) {
    const argName = e.argType !== undefined ? ctx.names.type(e.argType) : undefined;
    if (argName !== undefined) corpus.args.push({ name: argName, type: e.argType });
    if (e.retType !== undefined && (e.retType instanceof ObjectType || e.retType instanceof AlternateType || e.retType instanceof EnumType)) {
      corpus.replies.push({ name: ctx.names.type(e.retType), type: e.retType });
    }
  } else if (e instanceof Event && e.argType !== undefined) {
    corpus.replies.push({ name: ctx.names.type(e.argType), type: e.argType });
  }
}

function sampleSet(entries) {
  const validSet = [];
  const invalidSet = [];
  for (const { name, type } of entries) {
    // Validators check parsed JSON (what comes off the wire), so the corpus is JSON
    // round-tripped: plain objects, as JSON.parse makes them.
    const values = fc.sample(valid(type, 0), { numRuns: 4, seed: seed++ }).map((v) => JSON.parse(JSON.stringify(v)));
    const ours = validators.get(name);
    const theirs = ajv.getSchema(`s#/$defs/${name}`);
    values.forEach((value, k) => {
      if (!ours.is(value) || !theirs(value)) return; // keep only what both accept
      validSet.push({ ours, theirs, value });
      const bad = JSON.parse(JSON.stringify(invalid(value, k)));
      if (!ours.is(bad) && !theirs(bad)) invalidSet.push({ ours, theirs, value: bad });
    });
  }
  return { validSet, invalidSet };
}

const sets = { args: sampleSet(corpus.args), replies: sampleSet(corpus.replies) };

// ---- measure -----------------------------------------------------------------
function opsPerSec(items, fn) {
  const n = items.length;
  let iters = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) for (let j = 0; j < n; j++) fn(items[j]);
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns > 100e6) return (iters * n) / (ns / 1e9);
    iters *= 2;
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

// The goal is stated for valid and for invalid input as a whole; the whole corpus is
// measured as such, and arguments and replies apart (their ratios differ tenfold).
const all = {
  validSet: [...sets.args.validSet, ...sets.replies.validSet],
  invalidSet: [...sets.args.invalidSet, ...sets.replies.invalidSet],
};
const cases = [
  ["valid input (strict)", all.validSet, (x) => x.ours.is(x.value), (x) => x.theirs(x.value)],
  ["invalid input", all.invalidSet, (x) => x.ours.is(x.value), (x) => x.theirs(x.value)],
  ["valid args (strict)", sets.args.validSet, (x) => x.ours.is(x.value), (x) => x.theirs(x.value)],
  ["valid replies (strict)", sets.replies.validSet, (x) => x.ours.is(x.value), (x) => x.theirs(x.value)],
  ["valid replies (compatible)", sets.replies.validSet, (x) => x.ours.is(x.value, "compatible"), (x) => x.theirs(x.value)],
  ["invalid args", sets.args.invalidSet, (x) => x.ours.is(x.value), (x) => x.theirs(x.value)],
  ["invalid replies", sets.replies.invalidSet, (x) => x.ours.is(x.value), (x) => x.theirs(x.value)],
];

const results = {};
for (const [label, items, ours, theirs] of cases) {
  const a = [];
  const b = [];
  for (let r = 0; r < 7; r++) {
    a.push(opsPerSec(items, ours));
    b.push(opsPerSec(items, theirs));
  }
  results[label] = { values: items.length, qapiGen: Math.round(median(a)), ajv: Math.round(median(b)) };
  results[label].ratio = Number((results[label].qapiGen / results[label].ajv).toFixed(2));
}

if (json) {
  console.log(JSON.stringify({ benchmark: "validators", schema: schemaPath, unit: "ops/s (median of 7)", results }));
} else {
  console.log(`validators vs ajv (${schemaPath}); ops/s, median of 7 rounds`);
  for (const [label, r] of Object.entries(results)) {
    console.log(
      `${label.padEnd(28)} ${String(r.values).padStart(5)} values  qapi-gen ${String(r.qapiGen).padStart(10)}  ajv ${String(r.ajv).padStart(10)}  ratio ${r.ratio.toFixed(2)}x`,
    );
  }
}
