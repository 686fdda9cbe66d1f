// Output as a consumer's tools see it, shared by the compile, lint and consumer tests:
// generated with the CLI into a fresh folder, with a tsconfig.json of the consumer
// settings (test/consumer-tsconfig.json), and the installed compilers.

import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { main } from "../generator/cli/main.js";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
export const QEMU10 = `${SHARED}qemu/10.0/qapi/qapi-schema.json`;
export const QEMU72 = `${SHARED}qemu/7.2/qapi/qapi-schema.json`;
export const HAVE_SHARED = existsSync(QEMU10) && existsSync(QEMU72);
export const CONSUMER_TSCONFIG = fileURLToPath(new URL("./consumer-tsconfig.json", import.meta.url));

const require = createRequire(import.meta.url);

/** The root of an installed package (`typescript`, `typescript-7`), or undefined when not installed. */
export function packageDir(pkg: string): string | undefined {
  try {
    return join(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }), "..");
  } catch {
    return undefined;
  }
}

/** The `tsc` entry of an installed TypeScript package, or undefined when not installed. */
export function tscOf(pkg: string): string | undefined {
  const dir = packageDir(pkg);
  return dir === undefined ? undefined : join(dir, "bin/tsc");
}

/** A tsconfig.json for DIR: the consumer settings, with `extra` options (for the other import extensions). */
export function writeTsconfig(dir: string, extra: Record<string, unknown> = {}): void {
  const config = { extends: CONSUMER_TSCONFIG, compilerOptions: extra, include: ["**/*.ts", "**/*.mts"] };
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(config, null, 2)}\n`);
}

/** What the import extensions other than js need: .ts specifiers under noEmit, none under bundler resolution. */
const IMPORT_EXTENSION_SETTINGS: Record<string, Record<string, unknown>> = {
  js: {},
  ts: { allowImportingTsExtensions: true },
  none: { module: "preserve", moduleResolution: "bundler" },
};

/** Generates SCHEMA with the CLI (in-process) into `out` of a fresh directory, set up for tsc (with `extra` options). */
export async function generateForTsc(schema: string, flags: readonly string[] = [], extra: Record<string, unknown> = {}): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), "qapi-gen-tsc-")), "out");
  let stderr = "";
  const code = await main([schema, "-o", out, ...flags], {
    stdout: () => {},
    stderr: (t) => (stderr += t),
    cwd: ROOT,
  });
  expect(code, `qapi-gen ${[schema, ...flags].join(" ")} failed:\n${stderr}`).toBe(0);
  const ext = flags.includes("--import-extension") ? (flags[flags.indexOf("--import-extension") + 1] as string) : "js";
  writeTsconfig(out, { ...IMPORT_EXTENSION_SETTINGS[ext], ...extra });
  if (!existsSync(join(out, "package.json"))) writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  return out;
}

/** The committed out/, copied into a fresh directory set up for tsc. */
export function committedOut(): string {
  const out = join(mkdtempSync(join(tmpdir(), "qapi-gen-tsc-")), "out");
  cpSync(join(ROOT, "out"), out, { recursive: true });
  writeTsconfig(out);
  return out;
}
