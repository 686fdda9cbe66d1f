// The generate command's output handling: all files or none, stale files removed,
// --check drift detection, and never replacing a directory qapi-gen did not write.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../generator/cli/main.js";
import { MARKER, diffOutput, writeOutput } from "../generator/cli/writer.js";

const projectRoot = new URL("..", import.meta.url).pathname;

async function run(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

function tree(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tree(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "qapi-gen-writer-"));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("writeOutput", () => {
  const files = [
    { path: "a.ts", content: "export const a = 1;\n" },
    { path: "sub/b.ts", content: "export const b = 2;\n" },
  ];

  it("writes every file and the marker", async () => {
    const out = join(tmp, "out");
    await writeOutput(out, files);
    expect(tree(out)).toEqual([MARKER, "a.ts", "sub/b.ts"]);
    expect(readFileSync(join(out, "sub/b.ts"), "utf8")).toBe("export const b = 2;\n");
  });

  it("removes files an earlier run wrote that are no longer generated", async () => {
    const out = join(tmp, "out");
    await writeOutput(out, [...files, { path: "old/stale.ts", content: "x\n" }]);
    await writeOutput(out, files);
    expect(tree(out)).toEqual([MARKER, "a.ts", "sub/b.ts"]);
  });

  it("refuses to replace a directory it did not write, and leaves it alone", async () => {
    const out = join(tmp, "mine");
    mkdirSync(out);
    writeFileSync(join(out, "precious.txt"), "keep me");
    await expect(writeOutput(out, files)).rejects.toThrow(/not written by qapi-gen/);
    expect(tree(out)).toEqual(["precious.txt"]);
    expect(readdirSync(tmp)).toEqual(["mine"]);
  });

  it("reports where a directory differs: changed, missing and extra files", async () => {
    const out = join(tmp, "out");
    expect(diffOutput(out, files)).toEqual([MARKER, "a.ts", "sub/b.ts"]);
    await writeOutput(out, files);
    expect(diffOutput(out, files)).toEqual([]);
    writeFileSync(join(out, "a.ts"), "changed\n");
    writeFileSync(join(out, "extra.ts"), "\n");
    rmSync(join(out, "sub/b.ts"));
    expect(diffOutput(out, files)).toEqual(["a.ts", "extra.ts", "sub/b.ts"]);
  });
});

describe("qapi-gen generate", () => {
  function schemaDir(): string {
    const dir = join(tmp, "schema");
    mkdirSync(dir);
    writeFileSync(join(dir, "good.json"), "{ 'enum': 'Colour', 'data': [ 'red', 'green' ] }\n");
    writeFileSync(join(dir, "bad.json"), "{ 'enum': 'Colour', 'data': [ 'red', 'green' ] }\n{ 'struct': 'x' }\n");
    return dir;
  }

  it("writes nothing when the schema has an error", async () => {
    const dir = schemaDir();
    const r = await run(["bad.json", "-o", "gen"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad.json:2:");
    expect(existsSync(join(dir, "gen"))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["bad.json", "good.json"]);
  });

  it("leaves an earlier output untouched when the schema has an error", async () => {
    const dir = schemaDir();
    expect((await run(["good.json", "-o", "gen"], dir)).code).toBe(0);
    const before = tree(join(dir, "gen")).map((p) => [p, readFileSync(join(dir, "gen", p), "utf8")]);
    expect((await run(["bad.json", "-o", "gen"], dir)).code).toBe(1);
    const after = tree(join(dir, "gen")).map((p) => [p, readFileSync(join(dir, "gen", p), "utf8")]);
    expect(after).toEqual(before);
  });

  it("--check passes on fresh output and lists drift", async () => {
    const dir = schemaDir();
    expect((await run(["good.json", "-o", "gen"], dir)).code).toBe(0);
    expect(await run(["good.json", "-o", "gen", "--check"], dir)).toMatchObject({ code: 0, stderr: "" });
    writeFileSync(join(dir, "gen", "stray.ts"), "\n");
    const r = await run(["good.json", "-o", "gen", "--check"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("stray.ts");
  });

  it("is deterministic: two runs give the same bytes", async () => {
    const dir = schemaDir();
    await run(["good.json", "-o", "one"], dir);
    await run(["good.json", "-o", "two"], dir);
    const one = tree(join(dir, "one")).map((p) => [p, readFileSync(join(dir, "one", p), "utf8")]);
    const two = tree(join(dir, "two")).map((p) => [p, readFileSync(join(dir, "two", p), "utf8")]);
    expect(two).toEqual(one);
  });

  it("rejects bad option values with usage and status 2", async () => {
    for (const argv of [["--int64", "float", "x.json"], ["--define", "not a symbol", "x.json"], ["dump", "--check", "x.json"]]) {
      const r = await run(argv, tmp);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^qapi-gen: .*\nusage:/);
    }
  });

  it("the committed out/ is what qapi/transaction.json generates", async () => {
    const r = await run(["qapi/transaction.json", "--check"], projectRoot);
    expect(r.stderr).not.toContain("differ");
    expect(r.code).toBe(0);
  });
});
