// qapi-gen.config.json: targets run by `qapi-gen` without arguments, options from the
// config's top level and its targets, command-line overrides, schema patterns, and bad
// configs reported at FILE:LINE:COL with exit 1 and nothing written.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../generator/index.js";
import { filesBelow, folderWith, runCli } from "./cli-run.js";

const FOO = "{ 'struct': 'Foo', 'data': { 'a': 'int' } }\n";
const BAR = "{ 'struct': 'Bar', 'data': { 'b': 'size' } }\n";

function config(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

describe("running a config", () => {
  it("runs every target: one summary line each, options from the top level and the target", async () => {
    const dir = folderWith({
      "qapi-gen.config.json": config({
        int64: "bigint",
        targets: [
          { schema: "schemas/foo.json", output: "gen/foo" },
          { schema: "schemas/bar.json", output: "gen/bar", int64: "number" },
        ],
      }),
      "schemas/foo.json": FOO,
      "schemas/bar.json": BAR,
    });
    const run = await runCli([], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^qapi-gen: schemas\/foo\.json -> gen\/foo\/: \d+ written, 0 unchanged, 0 removed \(\d+ ms\)$/);
    expect(lines[1]).toMatch(/^qapi-gen: schemas\/bar\.json -> gen\/bar\/: \d+ written, 0 unchanged, 0 removed \(\d+ ms\)$/);
    expect(readFileSync(join(dir, "gen/foo/types/foo.ts"), "utf8")).toContain("a: bigint;");
    expect(readFileSync(join(dir, "gen/bar/types/bar.ts"), "utf8")).toContain("b: number;");
  });

  it("paths are relative to the config file, wherever qapi-gen runs", async () => {
    const dir = folderWith({
      "proj/qmp.config.json": config({ targets: [{ schema: "foo.json", output: "gen" }] }),
      "proj/foo.json": FOO,
    });
    const run = await runCli(["--config", "proj/qmp.config.json"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^qapi-gen: proj\/foo\.json -> proj\/gen\/: /);
    expect(existsSync(join(dir, "proj/gen/types/foo.ts"))).toBe(true);
  });

  it("a schema pattern makes a target per match, named by [name]", async () => {
    const dir = folderWith({
      "qapi-gen.config.json": config({ targets: [{ schema: "schemas/*.json", output: "gen/[name]" }] }),
      "schemas/foo.json": FOO,
      "schemas/bar.json": BAR,
    });
    const run = await runCli([], dir);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/ -> gen\/(\w+)\//g)).toEqual([" -> gen/bar/", " -> gen/foo/"]);
    expect(existsSync(join(dir, "gen/bar/types/bar.ts"))).toBe(true);
    expect(existsSync(join(dir, "gen/foo/types/foo.ts"))).toBe(true);
  });

  it("[dir] names each match by its folder", async () => {
    const dir = folderWith({
      "qapi-gen.config.json": config({ targets: [{ schema: "*/qapi-schema.json", output: "gen/[dir]" }] }),
      "qmp/qapi-schema.json": FOO,
      "qga/qapi-schema.json": BAR,
    });
    const result = await loadConfig({ cwd: dir });
    expect(result.errors).toEqual([]);
    expect(result.targets.map((t) => [t.options.schema, t.options.output])).toEqual([
      ["qga/qapi-schema.json", "gen/qga"],
      ["qmp/qapi-schema.json", "gen/qmp"],
    ]);
  });

  it("command-line options override a one-target config", async () => {
    const dir = folderWith({ "qapi-gen.config.json": config({ targets: [{ schema: "foo.json", output: "gen" }] }), "foo.json": FOO });
    const run = await runCli(["--int64", "bigint", "-o", "elsewhere"], dir);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, "elsewhere/types/foo.ts"), "utf8")).toContain("a: bigint;");
    expect(existsSync(join(dir, "gen"))).toBe(false);
  });

  it("a target option given to a config of several targets is a usage error", async () => {
    const dir = folderWith({
      "qapi-gen.config.json": config({ targets: [{ schema: "foo.json", output: "a" }, { schema: "foo.json", output: "b" }] }),
      "foo.json": FOO,
    });
    const run = await runCli(["-o", "x"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^qapi-gen: option '--output' would apply to all 2 targets of qapi-gen\.config\.json: set it there\n/);
    const check = await runCli(["--check", "--quiet"], dir);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/^a\/: \d+ files differ from what qapi-gen would generate:\n/);
    expect(check.stderr).toMatch(/^b\/: \d+ files differ from what qapi-gen would generate:\n/m);
  });

  it("a schema error in one target writes no target", async () => {
    const dir = folderWith({
      "qapi-gen.config.json": config({ targets: [{ schema: "foo.json", output: "a" }, { schema: "bad.json", output: "b" }] }),
      "foo.json": FOO,
      "bad.json": "{ 'struct': 'Bad', 'data': { 'x': 'Nope' } }\n",
    });
    const run = await runCli([], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("bad.json: In struct 'Bad':\nbad.json:1: member 'x' uses unknown type 'Nope'\n");
    expect(filesBelow(dir)).toEqual(["bad.json", "foo.json", "qapi-gen.config.json"]);
  });
});

describe("bad configs: located errors, exit 1, nothing written", () => {
  async function errorsOf(text: string, files: Record<string, string> = {}): Promise<string> {
    const dir = folderWith({ "qapi-gen.config.json": text, "foo.json": FOO, ...files });
    const run = await runCli([], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(filesBelow(dir)).toEqual(["foo.json", ...Object.keys(files), "qapi-gen.config.json"].sort());
    return run.stderr;
  }

  it("unknown keys, at the top and in a target", async () => {
    const text = '{\n  "int46": "bigint",\n  "targets": [\n    { "schema": "foo.json", "outptu": "gen" }\n  ]\n}\n';
    expect(await errorsOf(text)).toBe(
      "qapi-gen.config.json:2:3: unknown key 'int46' in the config (known: targets, output, int64, defines, target, moduleFormat, importExtension, emit, commands, events, strict, warnings)\n" +
        "qapi-gen.config.json:4:29: unknown key 'outptu' in target 1 (known: schema, output, int64, defines, target, moduleFormat, importExtension, emit, commands, events, strict, warnings)\n",
    );
  });

  it("wrong types, each at its value", async () => {
    const text = '{ "targets": [ { "schema": "foo.json", "strict": "yes", "int64": "big", "defines": ["A", "no way"], "output": 3 } ] }\n';
    expect(await errorsOf(text)).toBe(
      "qapi-gen.config.json:1:50: 'strict' takes true or false, not 'yes'\n" +
        "qapi-gen.config.json:1:66: 'int64' takes 'number' or 'bigint', not 'big'\n" +
        "qapi-gen.config.json:1:84: 'defines' takes a symbol name, not 'no way'\n" +
        "qapi-gen.config.json:1:111: 'output' takes a non-empty string, not 3\n",
    );
  });

  it("a target without a schema, a schema that does not exist, a pattern matching nothing", async () => {
    const text = config({ targets: [{ output: "a" }, { schema: "gone.json", output: "b" }, { schema: "*.qapi", output: "c/[name]" }] });
    expect(await errorsOf(text)).toBe(
      "qapi-gen.config.json:3:5: target 1 has no 'schema'\n" +
        "qapi-gen.config.json:7:17: schema 'gone.json' does not exist\n" +
        "qapi-gen.config.json:11:17: schema pattern '*.qapi' matches no file\n",
    );
  });

  it("targets that would write one folder, or one inside another", async () => {
    const text = config({ targets: [{ schema: "foo.json", output: "gen" }, { schema: "foo.json", output: "gen/" }, { schema: "foo.json", output: "gen/sub" }] });
    expect(await errorsOf(text)).toBe(
      "qapi-gen.config.json:9:17: output 'gen' is also the output of the target at qapi-gen.config.json:3:5\n" +
        "qapi-gen.config.json:13:17: output 'gen/sub' is inside the output of the target at qapi-gen.config.json:3:5\n",
    );
  });

  it("a pattern's output must tell its matches apart", async () => {
    const text = config({ targets: [{ schema: "*.json", output: "gen" }] });
    expect(await errorsOf(text, { "bar.json": BAR })).toBe(
      "qapi-gen.config.json:5:17: output 'gen' must name each match of the schema pattern with [name] or [dir]\n",
    );
  });

  it("no targets, or not an object", async () => {
    expect(await errorsOf('{ "targets": [] }')).toBe(
      `qapi-gen.config.json:1:14: 'targets' must be a non-empty array of targets ({ "schema": …, "output": … })\n`,
    );
    expect(await errorsOf("[]")).toBe("qapi-gen.config.json:1:1: the config must be an object\n");
    expect(await errorsOf('{ "targets": [ "foo.json" ] }')).toBe("qapi-gen.config.json:1:16: target 1 must be an object\n");
  });

  it("JSON syntax: where it breaks, and duplicate keys", async () => {
    expect(await errorsOf('{\n  "targets": [ { "schema": "foo.json", } ]\n}')).toBe("qapi-gen.config.json:2:40: expected a key in double quotes, found '}'\n");
    expect(await errorsOf('{ "targets": [], "targets": [] }')).toBe("qapi-gen.config.json:1:18: duplicate key 'targets'\n");
    expect(await errorsOf('{ "targets": [ { "schema": "foo.json\n" } ] }')).toBe(
      "qapi-gen.config.json:1:28: expected a value, found an unterminated or invalid string\n",
    );
    expect(await errorsOf("")).toBe("qapi-gen.config.json:1:1: expected a value, found end of file\n");
  });

  it("--config naming a file that does not exist", async () => {
    const run = await runCli(["--config", "nope.json"], folderWith({}));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("nope.json: can't read config file: no such file\n");
  });

  it("a SCHEMA and --config together are a usage error", async () => {
    const run = await runCli(["--config", "c.json", "foo.json"], folderWith({}));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^qapi-gen: give a SCHEMA or --config, not both\n/);
  });
});
