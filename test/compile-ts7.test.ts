// The generated code compiles with zero errors on TypeScript 5.x and on the current
// major (issues 3 and 9), checked the way a user's build would: `tsc -p DIR` run as a
// process on a directory of generated output, under the settings of
// test/consumer-tsconfig.json: strict, exactOptionalPropertyTypes,
// noUncheckedIndexedAccess, verbatimModuleSyntax, isolatedModules, NodeNext, noEmit,
// skipLibCheck false, no ambient types, lib es2022 only (no DOM or Node globals), and
// what consumers turn on: erasableSyntaxOnly (Node's type stripping),
// isolatedDeclarations (with declaration), noUnusedLocals, noUnusedParameters,
// noPropertyAccessFromIndexSignature. TypeScript 7 (the native compiler,
// devDependency `typescript-7`) checks every output: transaction.json and QEMU 10's
// and 7.2's full schemas, each in number and bigint mode, QEMU 10 with --define, the
// committed out/, the `js` target's declarations and the other import extensions;
// TypeScript 5 (`typescript`) checks QEMU 10's full output in both modes, out/, and the
// `js` target's declarations (typelevel.test.ts covers QEMU 7.2 through the compiler
// API, under the same settings).

import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../generator/cli/main.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
const QEMU10 = `${SHARED}qemu/10.0/qapi/qapi-schema.json`;
const QEMU72 = `${SHARED}qemu/7.2/qapi/qapi-schema.json`;
const HAVE_SHARED = existsSync(QEMU10) && existsSync(QEMU72);
if (!HAVE_SHARED) {
  console.warn(`compile-ts7.test.ts: ${SHARED} has no QEMU schemas (../shared is absent): full-schema compiles skipped`);
}

const require = createRequire(import.meta.url);
/** The `tsc` entry of an installed TypeScript package, or undefined when not installed. */
function tscOf(pkg: string): string | undefined {
  try {
    return join(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }), "../bin/tsc");
  } catch {
    return undefined;
  }
}
const TSC7 = tscOf("typescript-7");
const TSC5 = tscOf("typescript");

const CONSUMER_TSCONFIG = fileURLToPath(new URL("./consumer-tsconfig.json", import.meta.url));

/** A tsconfig.json for DIR: the consumer settings, with `extra` options (for the other import extensions). */
function writeTsconfig(dir: string, extra: Record<string, unknown> = {}): void {
  const config = { extends: CONSUMER_TSCONFIG, compilerOptions: extra, include: ["**/*.ts", "**/*.mts"] };
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(config, null, 2)}\n`);
}

/** What the import extensions other than js need: .ts specifiers under noEmit, none under bundler resolution. */
const IMPORT_EXTENSION_SETTINGS: Record<string, Record<string, unknown>> = {
  js: {},
  ts: { allowImportingTsExtensions: true },
  none: { module: "preserve", moduleResolution: "bundler" },
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Generates SCHEMA with the CLI (in-process) into a fresh directory set up for tsc. */
async function generate(schema: string, flags: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-tsc-"));
  dirs.push(dir);
  const out = join(dir, "out");
  let stderr = "";
  const code = await main([schema, "-o", out, ...flags], {
    stdout: () => {},
    stderr: (t) => (stderr += t),
    cwd: ROOT,
  });
  expect(code, `qapi-gen ${[schema, ...flags].join(" ")} failed:\n${stderr}`).toBe(0);
  const ext = flags.includes("--import-extension") ? (flags[flags.indexOf("--import-extension") + 1] as string) : "js";
  writeTsconfig(out, IMPORT_EXTENSION_SETTINGS[ext]);
  if (!existsSync(join(out, "package.json"))) writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  return out;
}

/** The committed out/, copied into a fresh directory set up for tsc. */
function committedOut(): string {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-tsc-"));
  dirs.push(dir);
  const out = join(dir, "out");
  cpSync(join(ROOT, "out"), out, { recursive: true });
  writeTsconfig(out);
  return out;
}

/** `node TSC -p DIR`: exit status and everything tsc printed (its diagnostics). */
function tsc(bin: string, dir: string): Promise<{ code: number; diagnostics: string[] }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, "-p", dir, "--pretty", "false"],
      { cwd: dir, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        const lines = `${stdout}${stderr}`.split("\n").filter((l) => l.trim() !== "");
        // keep the failure message readable: the first 200 diagnostics and a count
        const diagnostics = lines.length > 200 ? [...lines.slice(0, 200), `… and ${lines.length - 200} more lines`] : lines;
        resolve({ code, diagnostics });
      },
    );
  });
}

async function expectCompiles(bin: string, dir: string): Promise<void> {
  const result = await tsc(bin, dir);
  expect(result).toEqual({ code: 0, diagnostics: [] });
}

describe("the tsc entries", () => {
  it("TypeScript 7 is installed as typescript-7 and TypeScript 5 as typescript", async () => {
    expect(TSC7, "devDependency typescript-7 (npm:typescript@7) missing: run npm ci").toBeDefined();
    expect(TSC5).toBeDefined();
    const version = (bin: string) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [bin, "--version"], { encoding: "utf8" }, (err, out) => (err ? reject(err) : resolve(out.trim()))),
      );
    expect(await version(TSC7 as string)).toMatch(/^Version 7\./);
    expect(await version(TSC5 as string)).toMatch(/^Version 5\./);
  }, 60_000);
});

describe.skipIf(TSC7 === undefined)("TypeScript 7: tsc -p on the generated output", () => {
  const tsc7 = TSC7 as string;

  it.each([["number"], ["bigint"]])("qapi/transaction.json, --int64 %s", async (int64) => {
    await expectCompiles(tsc7, await generate(join(ROOT, "qapi/transaction.json"), ["--int64", int64]));
  }, 120_000);

  it("the committed out/", async () => {
    await expectCompiles(tsc7, committedOut());
  }, 120_000);

  // the declarations of the js target, checked (skipLibCheck false); .d.mts with explicit module format
  it.each([
    [["--target", "js"]],
    [["--target", "js", "--int64", "bigint"]],
    [["--target", "js", "--module-format", "extension"]],
    [["--module-format", "extension"]],
    [["--import-extension", "ts"]],
    [["--import-extension", "none"]],
    [["--target", "js", "--import-extension", "none"]],
  ])("qapi/transaction.json, %j", async (flags) => {
    await expectCompiles(tsc7, await generate(join(ROOT, "qapi/transaction.json"), flags));
  }, 120_000);

  describe.skipIf(!HAVE_SHARED)("QEMU's full schemas (needs ../shared)", () => {
    it.each([
      ["10.0", "number"],
      ["10.0", "bigint"],
      ["7.2", "number"],
      ["7.2", "bigint"],
    ])("QEMU %s, --int64 %s", async (version, int64) => {
      await expectCompiles(tsc7, await generate(version === "10.0" ? QEMU10 : QEMU72, ["--int64", int64]));
    }, 180_000);

    it.each([["number"], ["bigint"]])("QEMU 10.0, --target js, --int64 %s: the declarations", async (int64) => {
      await expectCompiles(tsc7, await generate(QEMU10, ["--target", "js", "--int64", int64]));
    }, 180_000);

    // with --define, disabled members, branches, enum values and whole entities are left
    // out: what remains must still be consistent
    it.each([
      [["CONFIG_LINUX", "CONFIG_POSIX", "CONFIG_KVM", "CONFIG_VNC", "TARGET_X86_64", "TARGET_I386"]],
      [["CONFIG_WIN32"]],
    ])("QEMU 10.0, --define %j", async (defines) => {
      const flags = defines.flatMap((d) => ["--define", d]);
      await expectCompiles(tsc7, await generate(QEMU10, flags));
    }, 180_000);
  });
});

describe.skipIf(TSC5 === undefined)("TypeScript 5: tsc -p on the generated output", () => {
  const tsc5 = TSC5 as string;

  it("the committed out/", async () => {
    await expectCompiles(tsc5, committedOut());
  }, 120_000);

  it.each([[["--target", "js"]], [["--import-extension", "ts"]], [["--import-extension", "none"]]])(
    "qapi/transaction.json, %j",
    async (flags) => {
      await expectCompiles(tsc5, await generate(join(ROOT, "qapi/transaction.json"), flags));
    },
    120_000,
  );

  describe.skipIf(!HAVE_SHARED)("QEMU 10's full output (needs ../shared)", () => {
    it.each([["number"], ["bigint"]])("QEMU 10.0, --int64 %s", async (int64) => {
      await expectCompiles(tsc5, await generate(QEMU10, ["--int64", int64]));
    }, 300_000);

    it("QEMU 10.0, --target js: the declarations", async () => {
      await expectCompiles(tsc5, await generate(QEMU10, ["--target", "js"]));
    }, 300_000);
  });
});
