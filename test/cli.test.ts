// The command line of `qapi-gen dump`: usage errors (exit 2 with the usage text),
// schema errors (exit 1), and lenient versus --strict doc comment handling on the seed
// schema qapi/transaction.json, whose doc comments QEMU 10 rejects.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { main } from "../generator/cli/main.js";
import { BROKEN_PIPE_STATUS } from "../generator/cli/process.js";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const CLI = `${REPO}dist/generator/cli/main.js`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], cwd = REPO): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

function expectNoTrace(stderr: string): void {
  expect(stderr).not.toContain("    at ");
  expect(stderr).not.toContain("Error:");
}

function expectUsageError(run: Run, message: string): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.startsWith(`qapi-gen: ${message}\n`)).toBe(true);
  expect(run.stderr).toMatch(/^usage: qapi-gen .*\n +qapi-gen dump \[options\] SCHEMA\n +qapi-gen defines .*\n\(qapi-gen --help lists the options\)\n$/m);
  expectNoTrace(run.stderr);
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

describe("usage errors exit 2 with a usage message", () => {
  test("no command and no schema", async () => {
    expectUsageError(await cli([]), "missing SCHEMA file (and no qapi-gen.config.json here to run)");
  });

  test("dump without a schema", async () => {
    expectUsageError(await cli(["dump"]), "missing SCHEMA file");
  });

  test("dump --strict without a schema", async () => {
    expectUsageError(await cli(["dump", "--strict"]), "missing SCHEMA file");
  });

  test("unknown option", async () => {
    expectUsageError(await cli(["dump", "--frobnicate", "qapi/transaction.json"]), "unknown option '--frobnicate'");
  });

  test("two schema files", async () => {
    expectUsageError(await cli(["dump", "qapi/transaction.json", "qapi/block-core.json"]), "expected exactly one SCHEMA file");
  });

  test("a generate-only option given to dump", async () => {
    expectUsageError(await cli(["dump", "--output", "x", "qapi/transaction.json"]), "option '--output' does not apply to dump");
  });

  test("--help prints the usage to stdout and exits 0", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: qapi-gen /);
    expect(run.stdout).toContain("  --int64 number|bigint ");
    expect(run.stderr).toBe("");
  });
});

describe("schema files", () => {
  test("a schema file that does not exist exits 1, not 2", async () => {
    const run = await cli(["dump", "no-such-schema.json"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("can't read schema file 'no-such-schema.json': No such file or directory\n");
  });

  test("paths are resolved against io.cwd and reported as given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qapi-cli-"));
    tempDirs.push(dir);
    writeFileSync(join(dir, "s.json"), "{ 'struct': 'Foo', 'data': { 'a': 'Bar' } }\n");
    const run = await cli(["dump", "./s.json"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("./s.json: In struct 'Foo':\n./s.json:1: member 'a' uses unknown type 'Bar'\n");
    const ok = await cli(["dump", "s.json"], dir);
    expect(ok.code).toBe(1);
    expect(ok.stderr.split("\n")[0]).toBe("s.json: In struct 'Foo':");
  });
});

describe("--strict versus lenient on the seed schema", () => {
  test("lenient: exit 0, the model, and located warnings", async () => {
    const run = await cli(["dump", "qapi/transaction.json"]);
    expectNoTrace(run.stderr);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("\ncommand transaction q_obj_transaction-arg -> None\n");
    const lines = run.stderr.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(0);
    // The seed's first problem: a member description after a section (line 27).
    expect(lines[0]).toBe("qapi/transaction.json:27:1: warning: description of '@grouped:' follows a section");
    for (const line of lines) {
      expect(line).toMatch(
        /^(qapi\/[a-z-]+\.json(:\d+){1,2}: warning: .+|qapi\/[a-z-]+\.json: In [a-z]+ '[^']+':|qapi-gen: \d+ more doc comment warnings .*)$/,
      );
    }
  });

  test("--all-warnings lists every warning; none of them is lost", async () => {
    const run = await cli(["dump", "--all-warnings", "qapi/transaction.json"]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("more doc comment warnings");
    const short = await cli(["dump", "qapi/transaction.json"]);
    expect(run.stderr.length).toBeGreaterThanOrEqual(short.stderr.length);
    expect(run.stdout).toBe(short.stdout);
  });

  test("--strict: exit 1 at the first doc comment problem, no model", async () => {
    const run = await cli(["dump", "--strict", "qapi/transaction.json"]);
    expectNoTrace(run.stderr);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("qapi/transaction.json:27:1: description of '@grouped:' follows a section\n");
  });

  test("--strict may come after the schema", async () => {
    const run = await cli(["dump", "qapi/transaction.json", "--strict"]);
    expect(run.code).toBe(1);
  });

  test("a doc-clean schema dumps the same with and without --strict", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qapi-cli-"));
    tempDirs.push(dir);
    writeFileSync(join(dir, "s.json"), "##\n# @Foo:\n#\n# A thing.\n#\n# @a: its a\n##\n{ 'struct': 'Foo', 'data': { 'a': 'int' } }\n");
    const lenient = await cli(["dump", "s.json"], dir);
    const strict = await cli(["dump", "--strict", "s.json"], dir);
    expect(lenient.code).toBe(0);
    expect(strict.code).toBe(0);
    expect(lenient.stderr).toBe("");
    expect(strict.stdout).toBe(lenient.stdout);
    expect(strict.stdout).toContain("object Foo\n    member a: int optional=False\n");
  });
});

describe.skipIf(!existsSync(CLI))("the built binary (node dist/generator/cli/main.js)", () => {
  const node = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8" });

  test("usage error: exit status 2", () => {
    const r = node(["dump"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage: qapi-gen");
  });

  test("lenient seed: exit status 0, model on stdout, warnings on stderr", () => {
    const r = node(["dump", "qapi/transaction.json"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("command transaction q_obj_transaction-arg -> None\n");
    expect(r.stderr).toMatch(/^qapi\/transaction\.json:\d+:\d+: warning: /);
  });

  test("strict seed: exit status 1", () => {
    const r = node(["dump", "--strict", "qapi/transaction.json"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expectNoTrace(r.stderr);
  });
});
describe.skipIf(!existsSync(CLI))("the built binary on special files, pipes and names (bounded: a regression fails, not hangs)", () => {
  const dir = mkdtempSync(join(tmpdir(), "qapi-cli-"));
  tempDirs.push(dir);
  /** Runs a shell command line in `dir` with $CLI set; memory and time are capped. */
  const sh = (script: string) =>
    spawnSync("bash", ["-c", `ulimit -v 4000000; ${script}`], {
      cwd: dir,
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, CLI: `${process.execPath} ${CLI}` },
    });

  test("a FIFO and a device are refused, located, without reading them", () => {
    spawnSync("mkfifo", [join(dir, "fifo")]);
    writeFileSync(join(dir, "t.json"), "{ 'include': 'fifo' }\n{ 'include': '/dev/zero' }\n");
    writeFileSync(join(dir, "z.json"), "\n{ 'include': '/dev/zero' }\n");
    const fifo = sh("$CLI dump t.json");
    expect(fifo.stderr).toBe("t.json:1: can't read include file 'fifo': Not a regular file (a FIFO)\n");
    expect(fifo.status).toBe(1);
    const zero = sh("$CLI dump z.json");
    expect(zero.stderr).toBe("z.json:2: can't read include file '/dev/zero': Not a regular file (a character device)\n");
    expect(zero.status).toBe(1);
    expect(sh("$CLI dump fifo").stderr).toBe("can't read schema file 'fifo': Not a regular file (a FIFO)\n");
  });

  test("dump | head -1 ends quietly, with the status of a process killed by SIGPIPE", () => {
    // Well over a pipe's 64 KiB, so the writer meets the closed pipe.
    const enums = Array.from({ length: 3000 }, (_, i) => `{ 'enum': 'Colour${i}', 'data': [ 'red', 'green', 'blue' ] }\n`);
    writeFileSync(join(dir, "big.json"), enums.join(""));
    const r = sh('$CLI dump big.json 2>err.txt | head -1; echo "status ${PIPESTATUS[0]}"; cat err.txt');
    expect(r.stdout).toBe(`module ./builtin\nstatus ${BROKEN_PIPE_STATUS}\n`);
  });

  test("argument and working directory names that are not UTF-8 are used byte for byte", () => {
    const r = sh(
      "mkdir $'d\\xff' && cd $'d\\xff' && echo \"{ 'enum': 'Colour', 'data': [ 'red' ] }\" > $'caf\\xe9.json' && " +
        "$CLI dump $'caf\\xe9.json' | grep '^module' && $CLI $'caf\\xe9.json' -q -o $'out\\xfe' && head -2 $'out\\xfe/index.ts' | tail -1 && " +
        "$CLI dump $'gone\\xe9.json'",
    );
    expect(r.stdout).toBe("module ./builtin\nmodule caf\\xe9.json\n// @generated by qapi-gen from ../caf\\xe9.json. Do not edit.\n");
    expect(r.stderr).toBe("can't read schema file 'gone\\xe9.json': No such file or directory\n");
    expect(r.status).toBe(1);
    const names = readdirSync(Buffer.concat([Buffer.from(`${dir}/d`), Buffer.of(0xff)]), { encoding: "buffer" });
    expect(names.map((b) => b.toString("latin1")).sort()).toEqual(["caf\xe9.json", "out\xfe"]);
  });

  test("output errors are specific, exit 1 (never an internal error)", () => {
    writeFileSync(join(dir, "s.json"), "{ 'enum': 'Colour', 'data': [ 'red' ] }\n");
    writeFileSync(join(dir, "file"), "");
    const sub = sh("$CLI s.json -o file/sub");
    expect(sub.stderr).toBe(`qapi-gen: ${dir}/file/sub: cannot write output: ${dir}/file: Not a directory\n`);
    expect(sub.status).toBe(1);
    const check = sh("$CLI s.json -o file --check");
    expect(check.stderr).toBe(`qapi-gen: ${dir}/file: exists and is not a directory\n`);
    expect(check.status).toBe(1);
  });
});
describe.skipIf(existsSync(CLI))("the built binary", () => {
  test(`skipped: ${CLI} not built (run npm run build)`, () => {});
});

describe("generate: what a run says", () => {
  const SEED = "qapi/transaction.json";
  const outDir = (): string => join(mkdtempSync(join(tmpdir(), "qapi-cli-")), "gen");

  test("one summary line on stdout: written, unchanged, removed, the folder, the time", async () => {
    const out = outDir();
    const first = await cli([SEED, "-o", out, "--warnings", "none"]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe("");
    const m = /^qapi-gen: qapi\/transaction\.json -> (.+): (\d+) written, 0 unchanged, 0 removed \(\d+ ms\)\n$/.exec(first.stdout);
    expect(m?.[1]).toBe(`${out}/`);
    const again = await cli([SEED, "-o", out, "--warnings", "none"]);
    expect(again.stdout).toMatch(new RegExp(`: 0 written, ${m?.[2]} unchanged, 0 removed \\(\\d+ ms\\)\\n$`));
    writeFileSync(join(out, "stale.ts"), "");
    const stale = await cli([SEED, "-o", out, "--warnings", "none"]);
    expect(stale.stdout).toMatch(/: 0 written, \d+ unchanged, 1 removed /);
    expect(existsSync(join(out, "stale.ts"))).toBe(false);
  });

  test("--check: a summary when up to date, the differing files (exit 1) otherwise", async () => {
    const ok = await cli([SEED, "--check", "--warnings", "none"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^qapi-gen: out\/ is up to date with qapi\/transaction\.json \(\d+ files, \d+ ms\)\n$/);
    const missing = await cli([SEED, "--check", "-o", outDir(), "--warnings", "none"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/^\S+\/gen\/: \d+ files differ from what qapi-gen would generate:\n  calls\/transaction\.ts\n/);
  });

  test("--check gives the same answer from any working directory (headers name the schema from the output folder)", async () => {
    const fromQapi = await cli(["transaction.json", "--check", "-o", "../out", "--warnings", "none"], join(REPO, "qapi"));
    expect(fromQapi.code).toBe(0);
    const fromOut = await cli(["../qapi/transaction.json", "--check", "-o", ".", "--warnings", "none"], join(REPO, "out"));
    expect(fromOut.code).toBe(0);
    expect(readFileSync(join(REPO, "out/index.ts"), "utf8")).toContain("// @generated by qapi-gen from ../qapi/transaction.json. Do not edit.");
  });

  test("--quiet prints nothing on success, and still prints errors", async () => {
    const quiet = await cli([SEED, "-o", outDir(), "--quiet"]);
    expect(quiet).toEqual({ code: 0, stdout: "", stderr: "" });
    const failing = await cli(["--quiet", "no-such.json"]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toBe("can't read schema file 'no-such.json': No such file or directory\n");
  });

  test("--warnings: the first 20, all, a count, or none", async () => {
    const run = async (...flags: string[]): Promise<string[]> => (await cli(["dump", SEED, ...flags])).stderr.split("\n").filter((l) => l !== "");
    const all = await run("--warnings", "all");
    const located = all.filter((l) => / warning: /.test(l));
    expect(located.length).toBe(13);
    expect(await run()).toEqual(all);
    expect(await run("--all-warnings")).toEqual(all);
    expect(await run("--warnings", "summary")).toEqual([
      "qapi-gen: qapi/transaction.json: 13 doc comment warnings (--warnings all lists them; --strict makes them errors)",
    ]);
    expect(await run("--warnings", "none")).toEqual([]);
    expectUsageError(await cli(["dump", SEED, "--warnings", "some"]), "option '--warnings' takes 'first' or 'all' or 'summary' or 'none', not 'some'");
  });

  test("--warnings first lists 20 and counts the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qapi-cli-"));
    const name = (i: number): string => `Thing${String.fromCharCode(65 + i)}`;
    const entries = Array.from({ length: 25 }, (_, i) => `##\n# @${name(i)}:\n# @nope: x\n##\n{ 'struct': '${name(i)}', 'data': {} }\n`);
    writeFileSync(join(dir, "many.json"), entries.join(""));
    const lines = (await cli(["dump", "many.json"], dir)).stderr.split("\n").filter((l) => l !== "");
    expect(lines.filter((l) => / warning: /.test(l))).toHaveLength(20);
    expect(lines.at(-1)).toBe("qapi-gen: 5 more doc comment warnings (--warnings all lists them; --strict makes them errors)");
  });
});
