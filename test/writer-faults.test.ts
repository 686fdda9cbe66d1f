// The writer under faults, in child processes: kill -9 at random instants, kill -9
// before every file system call that changes a name (strace), overlapping writers and
// 50 at once. After any kill the output folder holds one complete version, or (killed
// between the two renames) is absent with both complete trees beside it; the next
// writer restores it, and nothing else of the dead writer's is left.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { OutputFile } from "../generator/backend/context.js";
import { main } from "../generator/cli/main.js";
import { MARKER, diffOutput, recoverOutput, writeOutput } from "../generator/cli/writer.js";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const WRITER = `${REPO}dist/generator/cli/writer.js`;
const built = existsSync(WRITER);
const hasStrace = spawnSync("strace", ["-V"]).status === 0;

// Writes the versions in the spec file in turn ("loop": forever), after saying "ready";
// says "wrote" after each write, and prints a refusal instead of throwing it.
const CHILD = `
const [writer, out, spec, mode] = process.argv.slice(1);
const { readFileSync } = await import("node:fs");
const { writeOutput } = await import(writer);
const versions = JSON.parse(readFileSync(spec, "utf8"));
process.stdout.write("ready\\n");
try {
  for (let i = 0; mode === "loop" || i < versions.length; i++) {
    await writeOutput(out, versions[i % versions.length]);
    process.stdout.write("wrote\\n");
  }
} catch (err) {
  process.stderr.write(err.message + "\\n");
  process.exitCode = 1;
}`;

function childArgs(out: string, versions: OutputFile[][], mode: "loop" | "once"): string[] {
  const spec = join(tmp, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(spec, JSON.stringify(versions));
  return ["--input-type=module", "-e", CHILD, WRITER, out, spec, mode];
}

/** A version of the output: each has a file the others lack, so stale files must go. */
function version(tag: string, n = 40): OutputFile[] {
  return Array.from({ length: n }, (_, i) => ({
    path: i === n - 1 ? `only-${tag}.ts` : `${i % 4 === 0 ? "" : `d${i % 4}/`}f${i}.ts`,
    content: `// ${tag} ${i}\n${"x".repeat((i * 397) % 8000)}\n`,
  }));
}

/** Which version `dir` holds exactly, "absent", or "partial". */
function state(dir: string, versions: Record<string, OutputFile[]>): string {
  if (!existsSync(dir)) return "absent";
  for (const [tag, files] of Object.entries(versions)) if (diffOutput(dir, files).length === 0) return tag;
  return "partial";
}

/** What a writer keeps beside `dir`: its lock and its trees. */
function leftovers(dir: string): string[] {
  return readdirSync(dirname(dir))
    .filter((n) => n.startsWith(`.${basename(dir)}.qapi-gen-`))
    .sort();
}

/** The state after a kill, checked: a complete version, or absent with both trees complete beside it. */
function afterKill(out: string, versions: Record<string, OutputFile[]>, what: string): string {
  const s = state(out, versions);
  expect(s, what).not.toBe("partial");
  if (s === "absent") {
    const trees = leftovers(out).filter((n) => !n.endsWith("-lock"));
    const held = trees.map((n) => state(join(dirname(out), n), versions));
    expect(held.filter((h) => h !== "partial").length, `${what}: ${trees.join(" ")}`).toBeGreaterThan(0);
  }
  return s;
}

/** Recovery, as the next run does it: a complete version, and nothing beside it. */
function expectRecovered(out: string, versions: Record<string, OutputFile[]>, what: string): string {
  recoverOutput(out);
  const s = state(out, versions);
  expect(Object.keys(versions), what).toContain(s);
  expect(leftovers(out), what).toEqual([]);
  return s;
}

function lines(child: ChildProcess): { next(line: string): Promise<void>; count(line: string): number } {
  let text = "";
  const waiting: Array<() => void> = [];
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    text += d;
    for (const w of waiting.splice(0)) w();
  });
  const count = (line: string) => text.split("\n").filter((l) => l === line).length;
  return {
    count,
    next: (line) =>
      new Promise((resolve, reject) => {
        const have = count(line);
        const check = () => (count(line) > have ? resolve() : waiting.push(check));
        child.once("exit", () => reject(new Error(`child exited before '${line}'`)));
        waiting.push(check);
      }),
  };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let tmp: string;
let children: ChildProcess[] = [];
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "qapi-gen-faults-"));
});
afterEach(() => {
  for (const c of children) c.kill("SIGKILL");
  children = [];
  rmSync(tmp, { recursive: true, force: true });
});

function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return child;
}

describe.skipIf(!built)("kill -9 at random instants", () => {
  test("30 kills while writing two versions in turn: never partial, always recovered", async () => {
    const out = join(tmp, "out");
    const versions = { A: version("A"), B: version("B") };
    await writeOutput(out, versions.A);
    const args = childArgs(out, [versions.B, versions.A], "loop");

    // How long one write takes here, so that the kills spread over a few writes.
    const probe = start(args);
    const probeLines = lines(probe);
    await probeLines.next("ready");
    const t0 = Date.now();
    await probeLines.next("wrote");
    await probeLines.next("wrote");
    const perWrite = (Date.now() - t0) / 2;
    probe.kill("SIGKILL");
    await exited(probe);
    expectRecovered(out, versions, "after the probe");

    const seed = Date.now() % 2147483647 || 1;
    let r = seed;
    const random = () => (r = (r * 48271) % 2147483647) / 2147483647;
    const seen = new Map<string, number>();
    let midWrite = 0;
    for (let i = 0; i < 30; i++) {
      const what = `kill ${i} (seed ${seed})`;
      const child = start(args);
      await lines(child).next("ready");
      await sleep(random() * 2.5 * perWrite);
      child.kill("SIGKILL");
      await exited(child);
      const s = afterKill(out, versions, what);
      seen.set(s, (seen.get(s) ?? 0) + 1);
      if (leftovers(out).length > 0) midWrite++;
      expectRecovered(out, versions, what);
    }
    // The kills did land inside writes, and before and after swaps.
    expect(midWrite).toBeGreaterThan(0);
    expect(seen.get("A") ?? 0).toBeGreaterThan(0);
    expect(seen.get("B") ?? 0).toBeGreaterThan(0);
  });
});

// strace kills the writer as it enters the K-th call of one kind (the call is not made).
// Counted per call and per thread; all of these are made by the main thread.
const NAME_CALLS = ["mkdir", "rename", "unlink", "rmdir"];

function traced(args: string[], inject?: { call: string; k: number }): { status: number | null; signal: string | null; trace: string } {
  const traceFile = join(tmp, "trace.txt");
  // Only a traced call can be injected into.
  const opts = inject
    ? ["-o", "/dev/null", "-e", `trace=${inject.call}`, "-e", `inject=${inject.call}:signal=KILL:when=${inject.k}`]
    : ["-o", traceFile, "-e", `trace=${NAME_CALLS.join(",")}`];
  const r = spawnSync("strace", ["-f", "-qq", ...opts, process.execPath, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, signal: r.signal, trace: inject ? "" : readFileSync(traceFile, "utf8") };
}

/** How many calls of each kind the main thread makes: the kill points. */
function killPoints(args: string[]): Array<{ call: string; k: number }> {
  const calls = traced(args)
    .trace.split("\n")
    .map((l) => /^(\d+) +(\w+)\(/.exec(l))
    .filter((m) => m !== null);
  const main = calls[0]?.[1];
  const points: Array<{ call: string; k: number }> = [];
  for (const call of NAME_CALLS) {
    const n = calls.filter((m) => m[1] === main && m[2] === call).length;
    for (let k = 1; k <= n; k++) points.push({ call, k });
  }
  return points;
}

function killedAt(args: string[], point: { call: string; k: number }): void {
  const r = traced(args, point);
  // strace ends as its tracee did: killed, or exit status 128 + 9
  expect(r.signal === "SIGKILL" || r.status === 137, `${point.call} #${point.k}: ${r.status} ${r.signal}`).toBe(true);
}

describe.skipIf(!built || !hasStrace)("kill -9 before each mkdir, rename, unlink and rmdir (strace)", () => {
  const versions = { A: version("A", 6), B: version("B", 6), C: version("C", 6) };

  test("replacing an output: absent only when killed at the second rename", async () => {
    const out = join(tmp, "out");
    await writeOutput(out, versions.A);
    const args = childArgs(out, [versions.B], "once");
    const points = killPoints(args);
    expectRecovered(out, { B: versions.B }, "the dry run");
    expect(points.length).toBeGreaterThan(10);
    const absentAt: string[] = [];
    for (const p of points) {
      rmSync(out, { recursive: true, force: true });
      await writeOutput(out, versions.A);
      killedAt(args, p);
      const what = `${p.call} #${p.k}`;
      if (afterKill(out, versions, what) === "absent") absentAt.push(what);
      expectRecovered(out, versions, what);
    }
    expect(absentAt).toEqual(["rename #2"]);
  });

  test("a first output: absent or complete", () => {
    const out = join(tmp, "out");
    const args = childArgs(out, [versions.B], "once");
    const points = killPoints(args);
    for (const p of points) {
      rmSync(out, { recursive: true, force: true });
      killedAt(args, p);
      const what = `${p.call} #${p.k}`;
      expect(["absent", "B"], what).toContain(state(out, versions));
      recoverOutput(out);
      expect(["absent", "B"], what).toContain(state(out, versions));
      expect(leftovers(out), what).toEqual([]);
    }
  });

  test("recovering from the window, then writing: killed anywhere, recovered", async () => {
    const work = join(tmp, "work");
    const window = join(tmp, "window");
    mkdirSync(work);
    const out = join(work, "out");
    await writeOutput(out, versions.A);
    killedAt(childArgs(out, [versions.B], "once"), { call: "rename", k: 2 });
    // Between the two renames: the old tree renamed away, the new one complete beside it.
    expect(state(out, versions)).toBe("absent");
    const [lock, ...trees] = leftovers(out);
    expect(lock).toBe(".out.qapi-gen-lock");
    expect(trees.map((n) => [n.replace(/-\d+-[0-9a-f]+$/, ""), state(join(work, n), versions)])).toEqual([
      [".out.qapi-gen-new", "B"],
      [".out.qapi-gen-old", "A"],
    ]);
    renameSync(work, window);
    const makeWindow = () => {
      rmSync(work, { recursive: true, force: true });
      cpSync(window, work, { recursive: true, verbatimSymlinks: true });
    };
    const args = childArgs(out, [versions.C], "once");
    makeWindow();
    const points = killPoints(args);
    expect(state(out, versions)).toBe("C");
    for (const p of points) {
      makeWindow();
      killedAt(args, p);
      const what = `${p.call} #${p.k}`;
      expect(["absent", "B", "C"], what).toContain(afterKill(out, versions, what));
      expect(["B", "C"], what).toContain(expectRecovered(out, versions, what));
    }
  });

  test("the next qapi-gen run recovers the window even when its schema has an error", async () => {
    const out = join(tmp, "out");
    await writeOutput(out, versions.A);
    killedAt(childArgs(out, [versions.B], "once"), { call: "rename", k: 2 });
    expect(state(out, versions)).toBe("absent");
    const schema = join(tmp, "bad.json");
    writeFileSync(schema, "{ 'struct': 'S', 'data': { 'a': 'int' } };\n");
    let stderr = "";
    const code = await main([schema, "-o", out], { stdout: () => {}, stderr: (t) => (stderr += t), cwd: tmp });
    expect([code, stderr]).toEqual([1, `${schema}:1:42: stray ';'\n`]);
    expect(state(out, versions)).toBe("B");
    expect(leftovers(out)).toEqual([]);
  });
});

describe("overlapping writers", () => {
  test("in one process: the second is refused and leaves nothing", async () => {
    const out = join(tmp, "out");
    const [first, second] = await Promise.allSettled([writeOutput(out, version("A")), writeOutput(out, version("B"))]);
    expect(first.status).toBe("fulfilled");
    expect(second.status).toBe("rejected");
    expect((second as PromiseRejectedResult).reason.message).toBe(`another qapi-gen (pid ${process.pid}) is writing ${out}`);
    expect(state(out, { A: version("A") })).toBe("A");
    expect(leftovers(out)).toEqual([]);
  });

  test.skipIf(!built)("a writer stopped while it holds the lock, then killed", async () => {
    const out = join(tmp, "out");
    const child = start(childArgs(out, [version("A", 3000)], "once"));
    const lock = join(tmp, ".out.qapi-gen-lock");
    await lines(child).next("ready");
    while (!readdirSync(tmp).includes(basename(lock))) await sleep(1);
    child.kill("SIGSTOP");
    const theirs = leftovers(out);
    await expect(writeOutput(out, version("B"))).rejects.toThrow(`another qapi-gen (pid ${child.pid}) is writing ${out}`);
    expect(leftovers(out)).toEqual(theirs);
    child.kill("SIGKILL");
    await exited(child);
    await writeOutput(out, version("B"));
    expect(state(out, { B: version("B") })).toBe("B");
    expect(leftovers(out)).toEqual([]);
  });

  test.skipIf(!built)("50 writers at once: each writes or is refused, one complete version stays", async () => {
    const out = join(tmp, "out");
    const versions = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`V${i}`, version(`V${i}`, 20)]));
    const all = Object.values(versions).map((v) => start(childArgs(out, [v], "once")));
    const results = await Promise.all(
      all.map(
        (c) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            let stderr = "";
            c.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
            c.on("close", (code) => resolve({ code, stderr }));
          }),
      ),
    );
    for (const r of results) {
      if (r.code !== 0) expect(r.stderr).toMatch(new RegExp(`^another qapi-gen \\(pid \\d+\\) is writing ${out}\\n$`));
    }
    expect(results.filter((r) => r.code === 0).length).toBeGreaterThan(0);
    expect(Object.keys(versions)).toContain(state(out, versions));
    expect(leftovers(out)).toEqual([]);
    expect(readdirSync(out)).toContain(MARKER);
  });
});
