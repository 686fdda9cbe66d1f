// The grammar uses peggy's internals, so package.json pins peggy exactly and the
// grammar build refuses any other installed version (grammar/build.mjs).

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const INSTALLED = (JSON.parse(readFileSync(join(ROOT, "node_modules/peggy/package.json"), "utf8")) as { version: string }).version;

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** grammar/build.mjs in a copy of the project whose package.json pins peggy `pinned`. */
function buildWithPin(pinned: string): { status: number | null; stderr: string; built: boolean } {
  dir = mkdtempSync(join(tmpdir(), "qapi-gen-pin-"));
  cpSync(join(ROOT, "grammar"), join(dir, "grammar"), { recursive: true });
  mkdirSync(join(dir, "generator/frontend"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", devDependencies: { peggy: pinned } }));
  const r = spawnSync(process.execPath, [join(dir, "grammar/build.mjs")], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr, built: existsSync(join(dir, "generator/frontend/grammar.generated.ts")) };
}

it("builds with the pinned version", () => {
  expect(buildWithPin(INSTALLED)).toEqual({ status: 0, stderr: "", built: true });
});

it("refuses another installed version, saying which, and writes nothing", () => {
  expect(buildWithPin("5.0.6")).toEqual({
    status: 1,
    stderr: `grammar/build.mjs: peggy ${INSTALLED} is installed, but the grammar is written against peggy 5.0.6 (package.json); run npm ci\n`,
    built: false,
  });
});

it("package.json pins the installed version exactly (no range)", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  expect(pkg.devDependencies["peggy"]).toBe(INSTALLED);
});
