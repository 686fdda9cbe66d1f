// Shared by the consumer benches (bundle.mjs, load.mjs, consumer-tsc.mjs,
// language-service.mjs); not a bench itself (run.mjs skips it). A consumer is a fresh
// ES module package with QEMU 10's full schema generated into src/qmp, as a user sets
// it up, and small apps that import the output as users would.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../", import.meta.url));
export const CLI = join(REPO, "dist/generator/cli/main.js");
export const SCHEMA = fileURLToPath(new URL("../../shared/qemu/10.0/qapi/qapi-schema.json", import.meta.url));
export const TARGETS = ["ts", "js"];

/** Why the consumer benches cannot run here, or undefined. */
export function missingInputs() {
  if (!existsSync(CLI)) return `${CLI} not found: run npm run build first`;
  if (!existsSync(SCHEMA)) return `${SCHEMA} not found (../shared is absent): nothing to measure`;
  return undefined;
}

/** Generates the full schema into `dir` with `--target target`; throws with qapi-gen's message on failure. */
export function generateInto(dir, target) {
  const r = spawnSync(process.execPath, [CLI, SCHEMA, "-o", dir, "--target", target, "-q"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`qapi-gen --target ${target} exited with ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
}

/**
 * A consumer package at `root`: package.json ("type": "module"), tsconfig.json
 * (CONSUMER_OPTIONS), the output of `target` in src/qmp (none when
 * target is undefined) and `files` (path under root → text).
 */
export function makeConsumer(root, target, files) {
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(root, "package.json"), `${JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)}\n`);
  writeFileSync(join(root, "tsconfig.json"), `${JSON.stringify({ compilerOptions: CONSUMER_OPTIONS, include: ["src/app.ts"] }, null, 2)}\n`);
  if (target !== undefined) generateInto(join(root, "src/qmp"), target);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A fresh project's settings: what TypeScript 5.9's `tsc --init` writes (skipLibCheck included), less its emit options. */
export const CONSUMER_OPTIONS = {
  module: "nodenext",
  target: "esnext",
  types: [],
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: "force",
  skipLibCheck: true,
  noEmit: true,
};

/**
 * The small app of the type-check and language-service benches: a client, three
 * commands through it and one standalone, an event listener. `from` is the module it
 * imports the generated API from. The language service completes after `qmp.` at
 * APP_COMPLETION_MARK.
 */
export function appSource(from) {
  return `import { QmpClient, queryStatus, type QmpTransport } from "${from}";

export async function main(transport: QmpTransport): Promise<string> {
  const qmp = new QmpClient(transport, { timeout: 5000 });
  const status = await qmp.queryStatus();
  await qmp.blockdevAdd({ driver: "null-co", "node-name": "disk0", size: 1 << 20 });
  await qmp.transaction({
    actions: [{ type: "block-dirty-bitmap-add", data: { node: "disk0", name: "bm0" } }],
  });
  let shutdowns = 0;
  const stop = qmp.on("SHUTDOWN", (data) => {
    if (data.guest) shutdowns++;
  });
  const again = await queryStatus(transport, { timeout: 1000 });
  stop();
  return \`\${status.status} \${again.running} \${shutdowns}\`;
}
`;
}
export const APP_COMPLETION_MARK = "const status = await qmp.";

/**
 * What the app needs from the generated code, declared by hand and loosely: the
 * baseline app "without generated code" imports this instead.
 */
export const STUB_SOURCE = `export interface QmpTransport {
  execute(command: string, args?: object, options?: object): Promise<unknown>;
}
export interface Status {
  status: string;
  running: boolean;
}
export declare class QmpClient {
  constructor(transport: QmpTransport, options?: { timeout?: number });
  queryStatus(): Promise<Status>;
  blockdevAdd(args: object): Promise<void>;
  transaction(args: { actions: object[] }): Promise<void>;
  on(name: string, listener: (data: { guest: boolean }) => void): () => void;
  execute(command: string, args?: object): Promise<unknown>;
}
export declare function queryStatus(transport: QmpTransport, options?: { timeout?: number }): Promise<Status>;
`;

/** The app over the generated code (src/qmp), or over the stub (baseline). */
export function appFiles(withGenerated) {
  return withGenerated ? { "src/app.ts": appSource("./qmp/index.js") } : { "src/app.ts": appSource("./stub.js"), "src/stub.d.ts": STUB_SOURCE };
}

/**
 * The three consumers of the type-check and language-service benches, in a scratch
 * folder removed at exit: the app over the stub (base), over --target js and over
 * --target ts.
 */
export function appConsumers(name) {
  const tmp = mkdtempSync(join(tmpdir(), `qapi-bench-${name}-`));
  process.on("exit", () => rmSync(tmp, { recursive: true, force: true })); // a bench's fail() exits too
  return {
    base: makeConsumer(join(tmp, "base"), undefined, appFiles(false)),
    js: makeConsumer(join(tmp, "js"), "js", appFiles(true)),
    ts: makeConsumer(join(tmp, "ts"), "ts", appFiles(true)),
  };
}
