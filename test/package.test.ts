// The packages as a consumer gets them: `npm pack` in a copy of this repository (as a
// fresh clone: the pack builds it), the tarballs installed into a new project without
// network, the installed bin run on the project's own schema, the API and both runtime
// entry points imported, a tiny app compiled and run; then a production install, which
// carries the runtime alone.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const TSC = join(REPO, "node_modules/typescript/bin/tsc");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function run(cmd: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** The files a fresh clone has (tracked or new, not ignored), with this repository's node_modules. */
function cloneLike(): string {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-clone-"));
  const files = run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], REPO).stdout.split("\0");
  for (const f of files.filter((f) => f !== "" && existsSync(join(REPO, f)))) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(REPO, f), join(dir, f));
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  return dir;
}

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

function pack(dir: string, dest: string, ...args: string[]): Packed {
  const [info] = JSON.parse(run(NPM, ["pack", "--json", "--pack-destination", dest, ...args], dir).stdout) as Packed[];
  return info as Packed;
}

/** A lockfile entry per package of fast-glob's closure, as this repository's lockfile has them (cached by `npm ci`). */
function lockedClosure(name: string): Record<string, unknown> {
  const packages = (JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, { dependencies?: object }> }).packages;
  const out: Record<string, unknown> = {};
  const visit = (dep: string, from: string): void => {
    for (let at = from; ; at = at.slice(0, Math.max(at.lastIndexOf("/node_modules/"), 0))) {
      const key = `${at === "" ? "" : `${at}/`}node_modules/${dep}`;
      if (packages[key] !== undefined) {
        if (key in out) return;
        out[key] = packages[key];
        for (const d of Object.keys(packages[key].dependencies ?? {})) visit(d, key);
        return;
      }
      if (at === "") throw new Error(`${dep} is not in package-lock.json`);
    }
  };
  visit(name, "");
  return out;
}

const SCHEMA = `{ 'enum': 'Mood', 'data': [ 'calm', 'busy' ] }
{ 'struct': 'DemoStatus', 'data': { 'mood': 'Mood', 'load': 'int' } }
{ 'command': 'query-demo', 'returns': 'DemoStatus' }
`;

const APP = `import { QmpMockServer, connectQmp } from "@qapi-gen/qmp";
import { QmpClient, QmpDispatcher } from "./qmp/index.js";

const server = new QmpMockServer({ dispatch: new QmpDispatcher({ queryDemo: async () => ({ mood: "calm", load: 3 }) }) });
const address = await server.listen({ port: 0 });
const conn = await connectQmp(address);
const status = await new QmpClient(conn).queryDemo();
console.log(JSON.stringify(status));
await conn.close();
await server.close();
`;

const BUILD = `import { checkSchema, generate, type GenerateResult } from "qapi-gen";
import * as viaGenerator from "qapi-gen/qmp";
import * as runtime from "@qapi-gen/qmp";

const result: GenerateResult = await generate({ schema: "schema/demo.json", output: "src/qmp", check: true });
const checked = await checkSchema({ schema: "schema/demo.json" });
console.log(JSON.stringify({
  ok: result.ok,
  upToDate: result.output?.changed.length === 0 && result.output.removed.length === 0,
  command: checked.schema?.lookupEntity("query-demo")?.name,
  sameRuntime: viaGenerator.QmpError === runtime.QmpError,
}));
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    types: ["node"],
    typeRoots: [join(REPO, "node_modules/@types")],
    rootDir: "src",
    outDir: "build",
  },
  include: ["src"],
};

describe("packages installed from their tarballs", () => {
  let dest: string;
  let app: string;
  let generator: Packed;
  let runtime: Packed;
  let install: { stdout: string; stderr: string };

  beforeAll(() => {
    const clone = cloneLike();
    const manifest = readFileSync(join(clone, "package.json"), "utf8");
    dest = mkdtempSync(join(tmpdir(), "qapi-gen-packed-"));
    generator = pack(clone, dest);
    runtime = pack(clone, dest, "--workspace", "qmp");
    expect(readFileSync(join(clone, "package.json"), "utf8"), "package.json restored after packing").toBe(manifest);

    app = join(dest, "app");
    const pkg = {
      name: "app",
      version: "1.0.0",
      private: true,
      type: "module",
      dependencies: { "@qapi-gen/qmp": `file:../${runtime.filename}` },
      devDependencies: { "qapi-gen": `file:../${generator.filename}` },
    };
    const lock = {
      name: "app",
      version: "1.0.0",
      lockfileVersion: 3,
      requires: true,
      packages: { "": { name: "app", version: "1.0.0", dependencies: pkg.dependencies, devDependencies: pkg.devDependencies }, ...lockedClosure("fast-glob") },
    };
    mkdirSync(join(app, "schema"), { recursive: true });
    mkdirSync(join(app, "src"));
    writeFileSync(join(app, "package.json"), JSON.stringify(pkg, null, 2));
    writeFileSync(join(app, "package-lock.json"), JSON.stringify(lock, null, 2));
    writeFileSync(join(app, "schema/demo.json"), SCHEMA);
    writeFileSync(join(app, "qapi-gen.config.json"), JSON.stringify({ targets: [{ schema: "schema/demo.json", output: "src/qmp" }] }));
    writeFileSync(join(app, "src/app.ts"), APP);
    writeFileSync(join(app, "src/build.ts"), BUILD);
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    install = run(NPM, ["install", "--offline", "--no-audit", "--no-fund"], app);
  });

  it("the generator's tarball: what runs and the API's types, no install script", () => {
    const paths = generator.files.map((f) => f.path);
    expect(paths).toContain("LICENSE");
    expect(paths).toContain("dist/generator/cli/main.js");
    expect(paths).toContain("dist/generator/index.d.ts");
    expect(paths.filter((p) => !p.startsWith("dist/generator/") && !["LICENSE", "README.md", "package.json"].includes(p))).toEqual([]);
    expect(paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([]);
    // Emitter declarations are not part of the API.
    expect(paths.filter((p) => p.startsWith("dist/generator/backend/") && p.endsWith(".d.ts"))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(app, "node_modules/qapi-gen/package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(Object.keys(manifest.scripts).filter((s) => /^(pre|post)?(install|prepare)$/.test(s))).toEqual([]);
    expect(install.stderr).not.toContain("install-scripts");
  });

  it("the runtime's tarball: its dist and LICENSE only", () => {
    const paths = runtime.files.map((f) => f.path).sort();
    expect(paths.filter((p) => !p.startsWith("dist/"))).toEqual(["LICENSE", "README.md", "package.json"]);
    expect(paths).toContain("dist/index.d.ts");
  });

  it("the installed bin runs the project's config; the API and both runtime names import; a tiny app compiles and runs", () => {
    const bin = run(join(app, "node_modules/.bin/qapi-gen"), [], app);
    expect(bin.stdout).toMatch(/^qapi-gen: schema\/demo\.json -> src\/qmp\/: \d+ written, 0 unchanged, 0 removed \(\d+ ms\)\n$/);
    run(process.execPath, [TSC, "-p", "."], app);
    expect(JSON.parse(run(process.execPath, ["build/build.js"], app).stdout)).toEqual({
      ok: true,
      upToDate: true,
      command: "query-demo",
      sameRuntime: true,
    });
    expect(JSON.parse(run(process.execPath, ["build/app.js"], app).stdout)).toEqual({ mood: "calm", load: 3 });
  });

  it("a production install carries the runtime alone, and the app still runs", () => {
    run(NPM, ["install", "--offline", "--omit=dev", "--no-audit", "--no-fund"], app);
    const installed = readdirSync(join(app, "node_modules"), { recursive: true, encoding: "utf8" }).filter((p) => p.endsWith("package.json") && p.split("/").length <= 3);
    expect(installed).toEqual(["@qapi-gen/qmp/package.json"]);
    expect(JSON.parse(run(process.execPath, ["build/app.js"], app).stdout)).toEqual({ mood: "calm", load: 3 });
  });
});
