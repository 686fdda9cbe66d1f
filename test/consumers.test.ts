// Consumer packages built from scratch as users build them (issue 9): `npm init -y`
// (npm's default `"type": "commonjs"`, or `--init-type=module`), TypeScript with the
// settings `tsc --init` of TypeScript 5.9 writes (module nodenext,
// verbatimModuleSyntax, …) plus rootDir src and outDir dist, the generated code in
// src/qmp (`ts` target) or in qmp/ beside the app (`js` target), with the default
// `--module-format auto`; compiled by tsc (5.9 and 7) into dist/ and run with node
// against the mock server: a standalone command function, a QmpClient method and a
// typed event listener. Offline: @qapi-gen/qmp is this repository's workspace package,
// linked, and the compilers are the repository's. Then the trap `auto` avoids: in a
// CommonJS package, `.ts` files that are ES modules by the output folder's
// package.json compile, but tsc does not copy that marker into dist/, and Node loads
// them as CommonJS.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../generator/cli/main.js";
import { ROOT, tscOf } from "./consumer-support.js";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const TSC = { "TypeScript 5.9": tscOf("typescript"), "TypeScript 7": tscOf("typescript-7") };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in `cwd`, bounded in time (a consumer that hangs fails rather than stalls the suite). */
function run(cmd: string, args: readonly string[], cwd: string): Run {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(cmd: string, args: readonly string[], cwd: string): Run {
  const r = run(cmd, args, cwd);
  expect(r, `${cmd} ${args.join(" ")} in ${cwd}`).toMatchObject({ status: 0 });
  return r;
}

const SCHEMA = `{ 'enum': 'Mood', 'data': [ 'calm', 'busy' ] }
{ 'struct': 'DemoStatus', 'data': { 'mood': 'Mood', 'load': 'int' } }
{ 'command': 'query-demo', 'returns': 'DemoStatus' }
{ 'command': 'set-mood', 'data': { 'mood': 'Mood' } }
{ 'event': 'MOOD_CHANGED', 'data': { 'mood': 'Mood' } }
`;

/** The app: the mock serves the generated dispatcher; a method, a standalone function, a typed listener. */
function appBody(q: string, rt: string): string {
  return `  let mood: ${q}Mood = "calm";
  const server = new ${rt}QmpMockServer({
    dispatch: new ${q}QmpDispatcher({
      queryDemo: () => ({ mood, load: 3 }),
      setMood: ({ mood: m }) => {
        mood = m;
        server.emitEvent("MOOD_CHANGED", { mood: m });
      },
    }),
  });
  const address = await server.listen({ port: 0 });
  const conn = await ${rt}connectQmp(address);
  const client = new ${q}QmpClient(conn);
  const changed = new Promise<${q}Mood>((resolve) => {
    client.on("MOOD_CHANGED", (data) => {
      resolve(data.mood);
    });
  });
  const typo = (): void => {
    // @ts-expect-error: events are typed, a misspelt name is an error
    client.on("MOOD_CHANGE", () => {});
  };
  void typo;
  await client.setMood({ mood: "busy" });
  const status = await ${q}queryDemo(conn);
  console.log(JSON.stringify({ status, event: await changed }));
  await conn.close();
  await server.close();
`;
}

/** ESM: imports and top-level await. CommonJS under verbatimModuleSyntax: `import x = require()` (Node >= 20.19 requires ES modules). */
function appSource(kind: "esm" | "cjs", index: string): string {
  if (kind === "esm") {
    return `import { QmpMockServer, connectQmp } from "@qapi-gen/qmp";
import { QmpClient, QmpDispatcher, queryDemo, type Mood } from "${index}";

${appBody("", "").replace(/^ {2}/gm, "")}`;
  }
  return `import qmp = require("${index}");
import runtime = require("@qapi-gen/qmp");

async function main(): Promise<void> {
${appBody("qmp.", "runtime.")}}

void main();
`;
}

/** What `tsc --init` of TypeScript 5.9 writes, with the layout lines users uncomment. */
let tsconfig = "";
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-init-"));
  ok(process.execPath, [TSC["TypeScript 5.9"] as string, "--init"], dir);
  const init = readFileSync(join(dir, "tsconfig.json"), "utf8");
  tsconfig = init.replace('// "rootDir": "./src"', '"rootDir": "./src"').replace('// "outDir": "./dist"', '"outDir": "./dist"');
  expect(tsconfig, "tsc --init has the layout lines").toContain('"rootDir": "./src"');
  expect(tsconfig).toContain('"outDir": "./dist"');
  expect(tsconfig).toContain('"module": "nodenext"');
  expect(tsconfig).toContain('"verbatimModuleSyntax": true');
}, 60_000);

interface Consumer {
  kind: "esm" | "cjs";
  target: "ts" | "js";
  moduleFormat?: "package";
}

/** A fresh package with the schema, the generated code, the app and the runtime linked; returns its folder. */
async function consumer(c: Consumer): Promise<string> {
  const app = mkdtempSync(join(tmpdir(), `qapi-gen-${c.kind}-${c.target}-`));
  ok(NPM, ["init", "-y", "--offline", ...(c.kind === "esm" ? ["--init-type=module"] : [])], app);
  const type = (JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { type?: string }).type;
  expect(type).toBe(c.kind === "esm" ? "module" : "commonjs");
  mkdirSync(join(app, "node_modules/@qapi-gen"), { recursive: true });
  symlinkSync(join(ROOT, "qmp"), join(app, "node_modules/@qapi-gen/qmp"));
  writeFileSync(join(app, "demo.json"), SCHEMA);
  writeFileSync(join(app, "tsconfig.json"), tsconfig);
  const output = c.target === "ts" ? "src/qmp" : "qmp";
  const flags = ["--target", c.target, ...(c.moduleFormat === undefined ? [] : ["--module-format", c.moduleFormat])];
  let stderr = "";
  const code = await main(["demo.json", "-o", output, "-q", ...flags], { stdout: () => {}, stderr: (t) => (stderr += t), cwd: app });
  expect(code, stderr).toBe(0);
  const explicit = c.kind === "cjs" && c.moduleFormat === undefined;
  const ext = explicit ? ".mjs" : ".js";
  expect(existsSync(join(app, output, `index${c.target === "ts" ? ext.replace("j", "t") : ext}`)), "--module-format auto").toBe(true);
  mkdirSync(join(app, "src"), { recursive: true });
  writeFileSync(join(app, "src/app.ts"), appSource(c.kind, `${c.target === "ts" ? "./qmp" : "../qmp"}/index${ext}`));
  return app;
}

const EXPECTED = { status: { mood: "busy", load: 3 }, event: "busy" };

describe.each(Object.entries(TSC))("consumer packages compiled by %s", (version, tsc) => {
  it.skipIf(tsc === undefined).each([
    { kind: "esm", target: "ts" },
    { kind: "cjs", target: "ts" },
    { kind: "esm", target: "js" },
    { kind: "cjs", target: "js" },
  ] as const)("$kind package, $target target: compiles and runs against the mock", async (c) => {
    const app = await consumer(c);
    const build = run(process.execPath, [tsc as string, "-p", ".", "--pretty", "false"], app);
    expect(build, `${version} in ${app}`).toEqual({ status: 0, stdout: "", stderr: "" });
    const started = ok(process.execPath, ["dist/app.js"], app);
    expect(JSON.parse(started.stdout)).toEqual(EXPECTED);
  }, 120_000);
});

describe.skipIf(TSC["TypeScript 7"] === undefined)("the trap --module-format auto avoids", () => {
  it("a CommonJS package with --module-format package: tsc builds, and Node loads the ES modules in dist/ as CommonJS", async () => {
    const app = await consumer({ kind: "cjs", target: "ts", moduleFormat: "package" });
    const src = join(app, "src/app.ts");
    writeFileSync(src, readFileSync(src, "utf8").replace("./qmp/index.mjs", "./qmp/index.js"));
    const build = run(process.execPath, [TSC["TypeScript 7"] as string, "-p", ".", "--pretty", "false"], app);
    expect(build.status, build.stdout).toBe(0);
    expect(existsSync(join(app, "src/qmp/package.json"))).toBe(true);
    expect(existsSync(join(app, "dist/qmp/package.json"))).toBe(false);
    const started = run(process.execPath, ["dist/app.js"], app);
    expect(started.status).not.toBe(0);
    expect(started.stderr).toContain("SyntaxError: Unexpected token 'export'");
  }, 120_000);
});
