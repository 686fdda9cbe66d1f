// Property test (issue 2, section 7): mutated real schema text never crashes the front
// end. Every run of `dump` ends with exit 0 and a model, or exit 1 and a located QAPI
// error: never an internal error (exit 70), another exception, a stack trace or a hang.
//
// Sources: this package's qapi/*.json (always present), plus QEMU 10's schema test
// cases and a few of its schema files when ../shared is present. Each source folder is
// copied once to a temp dir so that the mutated file's includes still resolve.
//
// FUZZ_RUNS and FUZZ_SEED override the number of runs and the seed (fixed by default,
// so that CI is reproducible; fast-check prints the seed and path of any failure).

import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { main } from "../generator/cli/main.js";

const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
const OWN_QAPI = fileURLToPath(new URL("../qapi/", import.meta.url));
const Q10_CASES = `${SHARED}qemu/10.0/tests/qapi-schema/`;
const Q10_QAPI = `${SHARED}qemu/10.0/qapi/`;
const Q10_FILES = ["common.json", "sockets.json", "job.json", "introspect.json", "qom.json", "authz.json"];

const NUM_RUNS = Number(process.env["FUZZ_RUNS"] ?? 1000);
const SEED = Number(process.env["FUZZ_SEED"] ?? 20240611);
const MAX_MS_PER_RUN = 5_000;

interface Source {
  /** Temp copy of the source folder; the mutant is written into it. */
  dir: string;
  name: string;
  text: string;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

function copyFolder(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), "qapi-fuzz-"));
  tempDirs.push(dir);
  cpSync(from, dir, { recursive: true });
  return dir;
}

function loadSources(): Source[] {
  const sources: Source[] = [];
  const own = copyFolder(OWN_QAPI);
  for (const f of readdirSync(OWN_QAPI).filter((f) => f.endsWith(".json")).sort()) {
    sources.push({ dir: own, name: f, text: readFileSync(join(OWN_QAPI, f), "utf8") });
  }
  if (existsSync(`${Q10_CASES}TESTS`)) {
    const cases = copyFolder(Q10_CASES);
    for (const l of readFileSync(`${Q10_CASES}TESTS`, "utf8").split("\n")) {
      const f = l.trim();
      if (f.endsWith(".json")) sources.push({ dir: cases, name: f, text: readFileSync(join(Q10_CASES, f), "utf8") });
    }
  }
  if (existsSync(Q10_QAPI)) {
    const qapi = copyFolder(Q10_QAPI);
    for (const f of Q10_FILES) {
      if (existsSync(join(Q10_QAPI, f))) sources.push({ dir: qapi, name: f, text: readFileSync(join(Q10_QAPI, f), "utf8") });
    }
  }
  return sources;
}

/** Tokens: strings, comments, punctuation, words, whitespace runs. Concatenation is the text. */
function tokenize(text: string): string[] {
  return text.match(/'(?:[^'\\\n]|\\.)*'?|#[^\n]*|[{}[\]:,]|\s+|[^\s{}[\]:,'#]+/gu) ?? [];
}

const INSERTS = [
  "'", "{", "}", "[", "]", ",", ":", "#", "##", "\n##\n", "\n# @x:\n", "\\", "\\\\", "\n", "\r\n", "\t", " ",
  "true", "false", "null", "1", "é", "\u2028", "\u00a0", "\ufeff", "\u0000", "\u0007", "😀", "'*x'", "'if'",
  "'data'", "'base'", "{ 'not': 'X' }", "{ 'all': [] }", "'include'", "'int'", "'any'", "'QType'", "'q_empty'",
];

type Mutation =
  | { op: "delChar" | "dupChar" | "delTok" | "dupTok"; at: number; len: number }
  | { op: "swapChar" | "swapTok"; at: number; other: number }
  | { op: "insert"; at: number; what: string }
  | { op: "replaceString"; at: number; other: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom("delChar", "dupChar", "delTok", "dupTok"), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constantFrom("swapChar", "swapTok"), at: fc.nat(), other: fc.nat() }),
  fc.record({
    op: fc.constant("insert"),
    at: fc.nat(),
    what: fc.oneof(fc.constantFrom(...INSERTS), fc.string({ unit: "binary", minLength: 1, maxLength: 3 })),
  }),
  fc.record({ op: fc.constant("replaceString"), at: fc.nat(), other: fc.nat() }),
) as fc.Arbitrary<Mutation>;

function mutate(text: string, m: Mutation): string {
  const chars = Array.from(text);
  const n = chars.length;
  if (m.op === "insert") {
    const at = n === 0 ? 0 : m.at % (n + 1);
    return chars.slice(0, at).join("") + m.what + chars.slice(at).join("");
  }
  if (n === 0) return text;
  switch (m.op) {
    case "delChar": {
      const at = m.at % n;
      return chars.slice(0, at).join("") + chars.slice(at + m.len).join("");
    }
    case "dupChar": {
      const at = m.at % n;
      return chars.slice(0, at + m.len).join("") + chars.slice(at).join("");
    }
    case "swapChar": {
      const a = m.at % n;
      const b = m.other % n;
      [chars[a], chars[b]] = [chars[b]!, chars[a]!];
      return chars.join("");
    }
    default:
      break;
  }
  const toks = tokenize(text);
  const t = toks.length;
  if (t === 0) return text;
  switch (m.op) {
    case "delTok":
      toks.splice(m.at % t, Math.min(m.len, 2));
      break;
    case "dupTok": {
      const at = m.at % t;
      toks.splice(at, 0, ...toks.slice(at, at + Math.min(m.len, 3)));
      break;
    }
    case "swapTok": {
      const a = m.at % t;
      const b = m.other % t;
      [toks[a], toks[b]] = [toks[b]!, toks[a]!];
      break;
    }
    case "replaceString": {
      const strs = toks.map((s, i) => (s.startsWith("'") ? i : -1)).filter((i) => i >= 0);
      if (strs.length === 0) break;
      toks[strs[m.at % strs.length]!] = toks[strs[m.other % strs.length]!]!;
      break;
    }
  }
  return toks.join("");
}

const LOCATED = /^[^:\n]+(:\d+)+: /;
const CONTEXT = /^(In file included from [^\n]*:\d+:|[^:\n]+: In [a-z]+ '[^'\n]*':)$/;

/** Checks stderr of a run with the given exit status; returns a complaint or null. */
function checkStderr(code: number, stderr: string): string | null {
  // Messages may quote schema text (for example '@BlockdevOnError:'), so look for the
  // shape of a JavaScript exception rather than the bare words.
  if (/^\s+at .*(:\d+:\d+\)?|<anonymous>\)?)$/m.test(stderr) || /^[A-Za-z]*Error: /m.test(stderr)) {
    return "stack trace or exception text in stderr";
  }
  // "qapi-gen: N more doc comment warnings ..." summarises the warnings not shown.
  const lines = stderr.split("\n").filter((l) => !/^qapi-gen: \d+ more doc comment warnings /.test(l));
  if (lines.at(-1) === "") lines.pop();
  if (code === 1 && lines.length === 0) return "exit 1 with empty stderr";
  // Group lines into diagnostics: context lines, then one located line, then continuation
  // lines (QEMU's "Valid keys are ..." hints) that are neither context nor located.
  let i = 0;
  let sawError = false;
  while (i < lines.length) {
    while (i < lines.length && CONTEXT.test(lines[i]!)) i++;
    if (i >= lines.length) return "context line not followed by a located line";
    const line = lines[i]!;
    if (!LOCATED.test(line)) return `unlocated line: ${JSON.stringify(line)}`;
    const isWarning = / warning: /.test(line);
    if (!isWarning) sawError = true;
    if (code === 0 && !isWarning) return `exit 0 with an error line: ${JSON.stringify(line)}`;
    i++;
    while (i < lines.length && !CONTEXT.test(lines[i]!) && !LOCATED.test(lines[i]!)) {
      if (isWarning || code === 0) return `unexpected continuation line: ${JSON.stringify(lines[i])}`;
      i++;
    }
  }
  if (code === 1 && !sawError) return "exit 1 without an error line";
  return null;
}

const FUZZ_NAME = "fuzz-target.json";

/** The mutant's bytes: UTF-8, with raw bytes (possibly invalid UTF-8) spliced in. */
function toBytes(text: string, rawBytes: ReadonlyArray<readonly [at: number, byte: number]>): Buffer {
  let bytes = Buffer.from(text, "utf8");
  for (const [at, byte] of rawBytes) {
    const i = at % (bytes.length + 1);
    bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
  }
  return bytes;
}

async function runMutant(src: Source, bytes: Buffer, strict: boolean): Promise<string | null> {
  writeFileSync(join(src.dir, FUZZ_NAME), bytes);
  let stdout = "";
  let stderr = "";
  let code: number;
  const t0 = performance.now();
  try {
    code = await main(["dump", ...(strict ? ["--strict"] : []), FUZZ_NAME], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      cwd: src.dir,
    });
  } catch (e) {
    return `main threw: ${String(e)}`;
  }
  const ms = performance.now() - t0;
  if (ms > MAX_MS_PER_RUN) return `run took ${Math.round(ms)} ms`;
  if (code !== 0 && code !== 1) return `exit ${code}: ${stderr}`;
  if (code === 0 && !stdout.startsWith("module ./builtin\n")) return "exit 0 without a model on stdout";
  if (code === 1 && stdout !== "") return "exit 1 with output on stdout";
  const bad = checkStderr(code, stderr);
  return bad === null ? null : `${bad}\n--- stderr:\n${stderr}`;
}

describe("fuzz: mutated schemas end in a model or a located error", () => {
  const sources = loadSources();

  test("the checker of this test rejects what it should", () => {
    expect(checkStderr(1, "t.json:3:1: stray 'x'\n")).toBeNull();
    expect(checkStderr(1, "t.json: In struct 'Foo':\nt.json:2: struct has unknown key 'x'\nValid keys are 'a'.\n")).toBeNull();
    expect(checkStderr(0, "t.json:2:1: warning: junk\n")).toBeNull();
    expect(checkStderr(1, "t.json:2:1: warning: junk\nqapi-gen: 3 more doc comment warnings (x)\nt.json:5: bad\n")).toBeNull();
    expect(checkStderr(1, "t.json: internal error in qapi-gen: boom\n")).not.toBeNull();
    expect(checkStderr(1, "TypeError: x is undefined\n    at foo (bar.js:1:2)\n")).not.toBeNull();
    expect(checkStderr(1, "t.json: In struct 'Foo':\n")).not.toBeNull();
    expect(checkStderr(0, "t.json:5:1: warning: description of '@OnError:' follows a section\n")).toBeNull();
    expect(checkStderr(1, "t.json:1: oops\nRangeError: Maximum call stack size exceeded\n")).not.toBeNull();
    expect(checkStderr(1, "")).not.toBeNull();
    expect(checkStderr(0, "t.json:1: error\n")).not.toBeNull();
    expect(mutate("{ 'a': 'b' }", { op: "swapTok", at: 2, other: 5 })).toBe("{ 'b': 'a' }");
    expect(sources.length).toBeGreaterThanOrEqual(2);
  });

  test(`${NUM_RUNS} mutants (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: sources.length - 1 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
        fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 2 }) }),
        fc.boolean(),
        async (which, mutations, rawBytes, strict) => {
          const src = sources[which]!;
          const text = mutations.reduce(mutate, src.text);
          const complaint = await runMutant(src, toBytes(text, rawBytes), strict);
          if (complaint !== null) {
            throw new Error(`${src.name}${strict ? " --strict" : ""}: ${complaint}\n--- mutant:\n${text}`);
          }
        },
      ),
      { numRuns: NUM_RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
