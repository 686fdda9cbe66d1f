// The generate command's output handling: all files or none, stale files removed,
// --check drift detection, and never replacing a directory qapi-gen did not write.

import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../generator/cli/main.js";
import { MARKER, diffOutput, writeOutput } from "../generator/cli/writer.js";

const projectRoot = new URL("..", import.meta.url).pathname;
const CLI = `${projectRoot}dist/generator/cli/main.js`;

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

describe("a symlinked output directory is written through", () => {
  const files = [{ path: "a.ts", content: "export const a = 1;\n" }];
  const isLink = (p: string) => lstatSync(p).isSymbolicLink();

  it("keeps the link and replaces its target, twice", async () => {
    const out = join(tmp, "out");
    mkdirSync(join(tmp, "real"));
    symlinkSync("real", out);
    await writeOutput(out, files);
    await writeOutput(out, [{ path: "b.ts", content: "\n" }]);
    expect(isLink(out)).toBe(true);
    expect(tree(join(tmp, "real"))).toEqual([MARKER, "b.ts"]);
    expect(readdirSync(tmp).sort()).toEqual(["out", "real"]);
  });

  it("creates a link's missing target, through a chain of links, relative to each link", async () => {
    mkdirSync(join(tmp, "a"));
    mkdirSync(join(tmp, "b"));
    symlinkSync("../b/link2", join(tmp, "a", "link1"));
    symlinkSync("../c/target", join(tmp, "b", "link2"));
    await writeOutput(join(tmp, "a", "link1"), files);
    expect(tree(join(tmp, "c", "target"))).toEqual([MARKER, "a.ts"]);
    expect(isLink(join(tmp, "a", "link1")) && isLink(join(tmp, "b", "link2"))).toBe(true);
    expect(readdirSync(join(tmp, "c"))).toEqual(["target"]);
  });

  it("refuses a link to a file, and a loop of links, by name", async () => {
    writeFileSync(join(tmp, "file"), "");
    symlinkSync("file", join(tmp, "tofile"));
    await expect(writeOutput(join(tmp, "tofile"), files)).rejects.toThrow(`${join(tmp, "tofile")}: exists and is not a directory`);
    symlinkSync("loop2", join(tmp, "loop1"));
    symlinkSync("loop1", join(tmp, "loop2"));
    await expect(writeOutput(join(tmp, "loop1"), files)).rejects.toThrow(
      `${join(tmp, "loop1")}: cannot write output: ${join(tmp, "loop1")}: Too many levels of symbolic links`,
    );
    expect(readdirSync(tmp).sort()).toEqual(["file", "loop1", "loop2", "tofile"]);
  });
});

describe("output errors name the path and the reason", () => {
  const files = [{ path: "a.ts", content: "\n" }];

  it("a parent that is a file", async () => {
    writeFileSync(join(tmp, "file"), "");
    const out = join(tmp, "file", "sub", "out");
    await expect(writeOutput(out, files)).rejects.toThrow(`${out}: cannot write output: ${join(tmp, "file")}: Not a directory`);
    expect(() => diffOutput(join(tmp, "file"), files)).toThrow(`${join(tmp, "file")}: exists and is not a directory`);
    expect(readdirSync(tmp)).toEqual(["file"]);
  });

  it("the root directory", async () => {
    await expect(writeOutput("/", files)).rejects.toThrow("/: cannot replace the root directory");
  });

  it("--check reads only regular files: a FIFO or a link there differs, unread", async () => {
    const out = join(tmp, "out");
    await writeOutput(out, [...files, { path: "b.ts", content: "\n" }]);
    rmSync(join(out, "a.ts"));
    spawnSync("mkfifo", [join(out, "a.ts")]);
    rmSync(join(out, "b.ts"));
    symlinkSync("/dev/zero", join(out, "b.ts"));
    expect(diffOutput(out, [...files, { path: "b.ts", content: "\n" }])).toEqual(["a.ts", "b.ts"]);
  });

  it("names that are not UTF-8 are used byte for byte", async () => {
    // "\udcff" stands for the byte 0xff (see generator/frontend/files.ts).
    const out = join(tmp, "o\udcff", "out\udcfe");
    await writeOutput(out, files);
    const raw = (p: Buffer) => readdirSync(p, { encoding: "buffer" }).map((b) => b.toString("hex"));
    expect(raw(Buffer.from(tmp))).toEqual(["6fff"]);
    expect(raw(Buffer.concat([Buffer.from(`${tmp}/o`), Buffer.of(0xff)]))).toEqual(["6f7574fe"]);
    expect(diffOutput(out, files)).toEqual([]);
  });
});

// Mounts need a user and mount namespace (unshare -rm); the test says so when there is none.
const canMount = spawnSync("unshare", ["-rm", "true"]).status === 0;

describe.skipIf(!existsSync(CLI) || !canMount)("read-only and mounted output directories (unshare -rm)", () => {
  /** Runs the CLI with a tmpfs mounted at `mnt` (mounted with `opts`), after `setup` commands. */
  function inNamespace(mnt: string, opts: string, setup: string, out: string): { status: number | null; stderr: string } {
    const schema = join(tmp, "s.json");
    writeFileSync(schema, "{ 'enum': 'Colour', 'data': [ 'red' ] }\n");
    mkdirSync(mnt, { recursive: true });
    const script = `mount -t tmpfs -o ${opts} tmpfs '${mnt}' && ${setup} exec '${process.execPath}' '${CLI}' '${schema}' -o '${out}'`;
    const r = spawnSync("unshare", ["-rm", "sh", "-c", script], { encoding: "utf8" });
    return { status: r.status, stderr: r.stderr };
  }

  it("a read-only file system is named as such", () => {
    const ro = join(tmp, "ro");
    const r = inNamespace(ro, "ro", "", join(ro, "a", "out"));
    expect(r.stderr).toBe(`qapi-gen: ${ro}/a/out: cannot write output: ${ro}/a: Read-only file system\n`);
    expect(r.status).toBe(1);
    const again = inNamespace(ro, "rw", `mkdir '${ro}/out' && mount -o remount,ro '${ro}' &&`, join(ro, "out"));
    expect(again.stderr).toBe(`qapi-gen: ${ro}/out: cannot write output: ${ro}/.out.qapi-gen-lock: Read-only file system\n`);
  });

  it("a mount point cannot be replaced, and says so", () => {
    const out = join(tmp, "mnt");
    const r = inNamespace(out, "rw", "", out);
    expect(r.stderr).toBe(
      `qapi-gen: ${out}: is a mount point, which qapi-gen cannot replace (it renames the directory); write to a directory inside it\n`,
    );
    expect(r.status).toBe(1);
  });
});
describe.skipIf(existsSync(CLI) && canMount)("read-only and mounted output directories", () => {
  it(`skipped: needs ${CLI} built and unshare -rm`, () => {});
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
