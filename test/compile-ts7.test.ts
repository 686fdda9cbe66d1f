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
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HAVE_SHARED, QEMU10, QEMU72, ROOT, committedOut, generateForTsc as generate, tscOf } from "./consumer-support.js";

if (!HAVE_SHARED) {
  console.warn("compile-ts7.test.ts: ../shared has no QEMU schemas: full-schema compiles skipped");
}

const TSC7 = tscOf("typescript-7");
const TSC5 = tscOf("typescript");

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

  // what the README says: target and lib ES2020 suffice; bigint mode's literals need that target
  it.each([["number"], ["bigint"]])("qapi/transaction.json, --int64 %s, target and lib ES2020", async (int64) => {
    const dir = await generate(join(ROOT, "qapi/transaction.json"), ["--int64", int64], { target: "es2020", lib: ["es2020"] });
    await expectCompiles(tsc7, dir);
  }, 120_000);

  it("qapi/transaction.json, --int64 bigint, target ES2019: bigint literals are refused", async () => {
    const dir = await generate(join(ROOT, "qapi/transaction.json"), ["--int64", "bigint"], { target: "es2019", lib: ["es2020"] });
    const { code, diagnostics } = await tsc(tsc7, dir);
    expect(code).not.toBe(0);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.filter((d) => !d.includes("error TS2737: BigInt literals are not available when targeting lower than ES2020"))).toEqual([]);
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
