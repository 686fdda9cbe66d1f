// Output targets and choices (issue 9): `--target js` (JavaScript with declarations
// beside it), module formats and import extensions, `--emit`, `--commands`/`--events`,
// the standalone command functions, typed call options and typed events.

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import * as prettier from "prettier";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import type { OutputFile } from "../generator/backend/context.js";
import { generateOf, importGenerated, typecheck } from "./stubs-helpers.js";

const SCHEMA = `
{ 'enum': 'RunState', 'data': [ 'running', 'paused' ] }
{ 'struct': 'StatusInfo', 'data': { 'running': 'bool', 'status': 'RunState' } }
{ 'command': 'query-status', 'returns': 'StatusInfo', 'allow-preconfig': true }
{ 'struct': 'Ping', 'data': { 'n': 'int' } }
{ 'command': 'ping', 'data': 'Ping', 'returns': 'Ping', 'allow-oob': true }
{ 'command': 'stop' }
{ 'event': 'STOP' }
{ 'event': 'PINGED', 'data': { 'n': 'int', 'state': 'RunState' } }
{ 'struct': 'Unused', 'data': { 'x': 'str' } }
`;

const paths = (files: readonly OutputFile[]): string[] => files.map((f) => f.path).sort();

/** Writes files into a fresh folder (with the output's package.json), for node to import. */
function writeOut(files: readonly OutputFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-targets-"));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return dir;
}

/** Every specifier a file imports or re-exports from. */
function specifiers(text: string): string[] {
  return [...text.matchAll(/ from "([^"]+)";/g)].map((m) => m[1] as string);
}

/** A transport answering from a table, recording what it was sent. */
function fakeTransport(answers: Record<string, unknown>) {
  const sent: { command: string; args: unknown; options: unknown }[] = [];
  return {
    sent,
    execute(command: string, args?: object, options?: object): Promise<unknown> {
      sent.push({ command, args, options });
      return Promise.resolve(answers[command]);
    },
  };
}

describe("--target js: JavaScript with declarations beside it", () => {
  const files = generateOf(SCHEMA, { target: "js" });

  it("writes .js and .d.ts for every module, and no .ts", () => {
    const ps = paths(files);
    expect(ps.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([]);
    for (const p of ps.filter((x) => x.endsWith(".js"))) expect(ps).toContain(p.replace(/\.js$/, ".d.ts"));
    expect(ps).toContain("runtime/validate.js");
    expect(ps).toContain("calls/s.js");
  });

  it("prints JavaScript without types, prettier-clean, that runs", async () => {
    for (const f of files.filter((x) => x.path.endsWith(".js"))) {
      // Type syntax in a .js file is a syntax error for a JavaScript parser.
      const diags = ts.transpileModule(f.content, { fileName: "x.js", reportDiagnostics: true, compilerOptions: { allowJs: true, checkJs: false } }).diagnostics ?? [];
      expect(diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")), f.path).toEqual([]);
      expect(await prettier.format(f.content, { parser: "babel" }), f.path).toBe(f.content);
    }
    for (const f of files.filter((x) => x.path.endsWith(".d.ts"))) {
      expect(await prettier.format(f.content, { parser: "typescript" }), f.path).toBe(f.content);
    }
    const dir = writeOut(files);
    const out = (await import(pathToFileURL(join(dir, "index.js")).href)) as Record<string, unknown>;
    const t = fakeTransport({ "query-status": { running: true, status: "running" } });
    await expect((out["queryStatus"] as (t: unknown) => Promise<unknown>)(t)).resolves.toEqual({ running: true, status: "running" });
  });

  it("declares what the .js exports, and a consumer type-checks against the .d.ts", () => {
    const app = `
import { queryStatus, isStatusInfo, QmpClient, type StatusInfo } from "./index.js";
declare const t: { execute(c: string, a?: object, o?: object): Promise<unknown> };
export const s: Promise<StatusInfo> = queryStatus(t);
export const ok: boolean = isStatusInfo({ running: true, status: "paused" });
export const c: QmpClient = new QmpClient(t);
`;
    expect(typecheck(files, { "app.ts": app })).toEqual([]);
    const dts = files.find((f) => f.path === "validators/s.d.ts")?.content ?? "";
    expect(dts).toContain("export declare const StatusInfoValidator: Validator<StatusInfo>;");
    expect(dts).not.toContain("$g_");
  });
});

describe("module formats and import extensions", () => {
  it("extension: .mts files importing .mjs; .mjs and .d.mts with --target js", () => {
    const files = generateOf(SCHEMA, { moduleFormat: "extension" });
    expect(paths(files).filter((p) => p !== "package.json" && p !== "schema.json").every((p) => p.endsWith(".mts"))).toBe(true);
    const index = files.find((f) => f.path === "index.mts")?.content ?? "";
    expect(specifiers(index).every((s) => s.endsWith(".mjs"))).toBe(true);
    const js = paths(generateOf(SCHEMA, { moduleFormat: "extension", target: "js" }));
    expect(js).toContain("index.mjs");
    expect(js).toContain("index.d.mts");
  });

  it("import extensions: .ts for Node's type stripping, none for bundlers", () => {
    const withTs = generateOf(SCHEMA, { importExtension: "ts" });
    const index = withTs.find((f) => f.path === "index.ts")?.content ?? "";
    expect(specifiers(index).every((s) => s.endsWith(".ts"))).toBe(true);
    const none = generateOf(SCHEMA, { importExtension: "none" });
    const validators = none.find((f) => f.path === "validators/s.ts")?.content ?? "";
    expect(specifiers(validators).every((s) => !/\.\w+$/.test(s))).toBe(true);
    // The runtime's own imports follow too.
    const client = none.find((f) => f.path === "runtime/client.ts")?.content ?? "";
    expect(specifiers(client)).toEqual(["./errors", "./validate"]);
  });

  it("refuses extensionless imports of .mts files", () => {
    expect(() => generateOf(SCHEMA, { moduleFormat: "extension", importExtension: "none" })).toThrow(/extensionless imports/);
  });
});

describe("--emit: only the outputs chosen, and what they need", () => {
  const cases: [string[], string[], string[]][] = [
    [["types"], ["index.ts", "types/s.ts"], ["validators/s.ts", "runtime/validate.ts", "client.ts"]],
    [["validators"], ["types/s.ts", "validators/s.ts", "runtime/validate.ts"], ["client.ts", "server.ts", "schema.json"]],
    [["client"], ["client.ts", "calls/s.ts", "events.ts", "runtime/client.ts"], ["server.ts", "runtime/dispatch.ts"]],
    [["server"], ["server.ts", "commands.ts", "runtime/dispatch.ts"], ["client.ts", "events.ts", "unions.ts"]],
    [["introspection", "jsonschema"], ["introspection.ts", "schema.json", "runtime/wire.ts"], ["types/s.ts", "validators/s.ts"]],
  ];
  it.each(cases)("%j", (emit, present, absent) => {
    const files = generateOf(SCHEMA, { emit: new Set(emit as never) });
    for (const p of present) expect(paths(files)).toContain(p);
    for (const p of absent) expect(paths(files)).not.toContain(p);
    expect(typecheck(files)).toEqual([]);
  });
});

describe("--commands and --events: a subset, with every type it reaches", () => {
  it("keeps the chosen commands and events and the types they use", () => {
    const files = generateOf(SCHEMA, { commands: ["query-status"], events: ["PINGED"] });
    const commands = files.find((f) => f.path === "commands.ts")?.content ?? "";
    expect(commands).toContain('"query-status"');
    expect(commands).not.toContain("ping");
    const types = files.find((f) => f.path === "types/s.ts")?.content ?? "";
    expect(types).toContain("export interface StatusInfo");
    expect(types).toContain("export type RunState");
    expect(types).toContain("export interface PingedEvent");
    expect(types).not.toContain("Unused");
    expect(types).not.toContain("export interface Ping {");
    expect(typecheck(files)).toEqual([]);
  });

  it("names an unknown command", () => {
    expect(() => generateOf(SCHEMA, { commands: ["query-statsu"] })).toThrow(/no command 'query-statsu'/);
  });
});

describe("standalone calls, typed options and typed events", () => {
  it("each command is a function of the transport, checking arguments and returns", async () => {
    const out = await importGenerated<Record<string, (...a: unknown[]) => Promise<unknown>>>(generateOf(SCHEMA));
    const t = fakeTransport({ ping: { n: 3 }, stop: {} });
    await expect(out["ping"]?.(t, { n: 1 }, { timeout: 50 })).resolves.toEqual({ n: 3 });
    expect(t.sent[0]).toEqual({ command: "ping", args: { n: 1 }, options: { timeout: 50 } });
    await expect(out["ping"]?.(t, { n: "x" })).rejects.toThrow(/Invalid parameter type for 'n', expected: integer/);
    expect(t.sent).toHaveLength(1);
    await expect(out["stop"]?.(t)).resolves.toBeUndefined();
    expect(t.sent[1]).toEqual({ command: "stop", args: undefined, options: undefined });
  });

  it("types call options per command and events by name", () => {
    const app = `
import { ping, queryStatus, QmpClient } from "./index.js";
declare const t: { execute(c: string, a?: object, o?: object): Promise<unknown>; onEvents(l: (e: { event: string; data?: unknown; timestamp: { seconds: number; microseconds: number } }) => void): () => void };
void ping(t, { n: 1 }, { oob: true, timeout: 5 });
// @ts-expect-error a misspelt option
void ping(t, { n: 1 }, { timeot: 5000 });
// @ts-expect-error query-status cannot run out-of-band
void queryStatus(t, { oob: true });
const qmp = new QmpClient(t);
qmp.on("PINGED", (data) => {
  const n: number = data.n;
  const s: "running" | "paused" = data.state;
  void n;
  void s;
});
// @ts-expect-error a misspelt event name
qmp.on("PINGD", () => {});
export const e: Promise<{ readonly event: "STOP" }> = qmp.waitForEvent("STOP", { timeout: 10 });
`;
    expect(typecheck(generateOf(SCHEMA), { "app.ts": app })).toEqual([]);
  });

  it("delivers typed, validated events from a transport that has them", async () => {
    const out = await importGenerated<{ QmpClient: new (t: unknown, o?: unknown) => { on(n: string, l: (d: unknown) => void): () => void } }>(
      generateOf(SCHEMA),
    );
    let listener: ((e: unknown) => void) | undefined;
    const t = { execute: () => Promise.resolve(undefined), onEvents: (l: (e: unknown) => void) => ((listener = l), () => (listener = undefined)) };
    const invalid: unknown[] = [];
    const qmp = new out.QmpClient(t, { onInvalidEvent: (e: unknown) => invalid.push(e) });
    const got: unknown[] = [];
    const off = qmp.on("PINGED", (d) => got.push(d));
    const ts0 = { seconds: 1, microseconds: 2 };
    listener?.({ event: "PINGED", data: { n: 1, state: "paused" }, timestamp: ts0 });
    listener?.({ event: "STOP", timestamp: ts0 });
    listener?.({ event: "PINGED", data: { n: "x", state: "paused" }, timestamp: ts0 });
    off();
    listener?.({ event: "PINGED", data: { n: 2, state: "paused" }, timestamp: ts0 });
    expect(got).toEqual([{ n: 1, state: "paused" }]);
    expect(invalid).toHaveLength(1);
  });
});

describe("headers", () => {
  it("say @generated and name the schema as given (relative to the output folder)", () => {
    for (const f of generateOf(SCHEMA)) {
      if (f.path.endsWith(".ts") && !f.path.startsWith("runtime/")) {
        expect(f.content.split("\n")[1], f.path).toBe("// @generated by qapi-gen from s.json. Do not edit.");
      }
    }
  });
});
