// --watch, as a user runs it: the built binary spawned on a config with two targets,
// files edited under it. Each step waits for what the watcher prints (no timing
// assertions: a step that never comes fails by the test's timeout).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { folderWith } from "./cli-run.js";

const CLI = fileURLToPath(new URL("../dist/generator/cli/main.js", import.meta.url));

/** The lines a child prints, and a way to wait for the next one that matches. */
class Output {
  readonly lines: string[] = [];
  private seen = 0;
  private waiting: (() => void) | undefined;

  constructor(child: ChildProcess) {
    for (const [stream, tag] of [
      [child.stdout, "out"],
      [child.stderr, "err"],
    ] as const) {
      let partial = "";
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop() ?? "";
        for (const p of parts) this.lines.push(`${tag}: ${p}`);
        this.waiting?.();
      });
    }
  }

  /** The next line (after those already waited for) matching `pattern`. */
  async next(pattern: RegExp): Promise<string> {
    for (;;) {
      const i = this.lines.findIndex((l, k) => k >= this.seen && pattern.test(l));
      if (i >= 0) {
        this.seen = i + 1;
        return this.lines[i] as string;
      }
      await new Promise<void>((wake) => (this.waiting = wake));
    }
  }
}

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
});

function exited(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done) => p.on("exit", (code, signal) => done({ code, signal })));
}

describe.skipIf(!existsSync(CLI))("qapi-gen --watch", () => {
  it("regenerates on edits, keeps the last good output on errors, watches new includes, stops on Ctrl-C", async () => {
    const dir = folderWith({
      "qapi-gen.config.json": JSON.stringify({ targets: [{ schema: "qmp.json", output: "gen/qmp" }, { schema: "qga.json", output: "gen/qga" }] }),
      "qmp.json": "{ 'include': 'common.json' }\n{ 'struct': 'Machine', 'data': { 'color': 'Color' } }\n",
      "common.json": "{ 'enum': 'Color', 'data': [ 'red' ] }\n",
      "qga.json": "{ 'struct': 'Guest', 'data': { 'name': 'str' } }\n",
    });
    const types = (target: string, module: string): string => readFileSync(join(dir, `gen/${target}/types/${module}.ts`), "utf8");
    child = spawn(process.execPath, [CLI, "--watch"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const out = new Output(child);
    const summary = (schema: string): RegExp => new RegExp(`^out: qapi-gen: ${schema} -> gen/\\w+/: \\d+ written`);

    await out.next(/^err: qapi-gen: watching 4 files for changes \(Ctrl-C stops\)$/);
    expect(out.lines.filter((l) => l.startsWith("out: "))).toHaveLength(2);
    expect(types("qmp", "common")).toContain('"red"');

    // An included file changes: its target is regenerated.
    writeFileSync(join(dir, "common.json"), "{ 'enum': 'Color', 'data': [ 'red', 'green' ] }\n");
    await out.next(summary("qmp\\.json"));
    expect(types("qmp", "common")).toContain('"green"');

    // An error: located, the last good output stays, watching goes on.
    const good = types("qmp", "common");
    writeFileSync(join(dir, "common.json"), "{ 'enum': 'Color', 'data': [ 'red', 'green' }\n");
    expect(await out.next(/^err: common\.json:/)).toBe("err: common.json:1:45: expected ',' or ']'");
    expect(types("qmp", "common")).toBe(good);

    // Fixed, saved the way editors save (a new file renamed over the old).
    writeFileSync(join(dir, "common.json.tmp"), "{ 'enum': 'Color', 'data': [ 'red', 'blue' ] }\n");
    renameSync(join(dir, "common.json.tmp"), join(dir, "common.json"));
    await out.next(summary("qmp\\.json"));
    expect(types("qmp", "common")).toContain('"blue"');

    // A new include that does not exist yet, then appears, then changes.
    writeFileSync(join(dir, "qga.json"), "{ 'include': 'more/extra.json' }\n{ 'struct': 'Guest', 'data': { 'name': 'str' } }\n");
    expect(await out.next(/^err: qga\.json:1: /)).toBe("err: qga.json:1: can't read include file 'more/extra.json': No such file or directory");
    writeFileSync(join(dir, "extra.tmp"), "{ 'struct': 'Extra', 'data': { 'n': 'int' } }\n");
    mkdirSync(join(dir, "more"));
    renameSync(join(dir, "extra.tmp"), join(dir, "more/extra.json"));
    await out.next(summary("qga\\.json"));
    expect(types("qga", "more.extra")).toContain("n: number;");
    writeFileSync(join(dir, "more/extra.json"), "{ 'struct': 'Extra', 'data': { 'n': 'str' } }\n");
    await out.next(summary("qga\\.json"));
    expect(types("qga", "more.extra")).toContain("n: string;");

    // The config changes: reloaded, every target run.
    writeFileSync(
      join(dir, "qapi-gen.config.json"),
      JSON.stringify({ int64: "bigint", targets: [{ schema: "qmp.json", output: "gen/qmp" }, { schema: "qga.json", output: "gen/qga" }] }),
    );
    await out.next(summary("qmp\\.json"));
    await out.next(summary("qga\\.json"));
    expect(types("qga", "more.extra")).toContain("n: string;");

    // Ctrl-C: exit 0, nothing half-written.
    const exit = exited(child);
    child.kill("SIGINT");
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(out.lines.filter((l) => / at |Error:/.test(l))).toEqual([]);
    expect(readdirSync(join(dir, "gen")).sort()).toEqual(["qga", "qmp"]);
    // Each edit ran only its own target: 2 first runs, 2 of qmp, 2 of qga, 2 after the config change.
    expect(out.lines.filter((l) => l.startsWith("out: ")).map((l) => /: (\w+)\.json ->/.exec(l)?.[1])).toEqual([
      "qmp",
      "qga",
      "qmp",
      "qmp",
      "qga",
      "qga",
      "qmp",
      "qga",
    ]);
  });
});
describe.skipIf(existsSync(CLI))("qapi-gen --watch", () => {
  it(`skipped: ${CLI} not built (run npm run build)`, () => {});
});
