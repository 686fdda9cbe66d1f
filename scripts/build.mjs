// The build, run by `npm run build` (and so by `npm install` in a clone): the QMP
// runtime package first (the generator's `qapi-gen/qmp` re-exports it), then the
// grammar, then the generator. Output folders are cleared first so that nothing a
// removed source once produced is packed; declarations no public entry point reaches
// are removed, so the package ships the types of its API and nothing else.
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const tscBin = join(root, "node_modules/typescript/bin/tsc");
const tsc = (project) => execFileSync(process.execPath, [tscBin, "-p", project], { cwd: root, stdio: "inherit" });

/** The .d.ts files reachable from `entries` through relative imports and references. */
function reachableDeclarations(entries) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const ref of [...info.importedFiles, ...info.referencedFiles]) {
      if (!ref.fileName.startsWith(".")) continue;
      visit(resolve(dirname(file), ref.fileName.replace(/\.js$/, ".d.ts")));
    }
  };
  entries.forEach(visit);
  return seen;
}

function pruneDeclarations(dir, entries) {
  const keep = reachableDeclarations(entries.map((e) => join(dir, e)));
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, entry);
    if (file.endsWith(".d.ts") && !keep.has(file)) rmSync(file);
  }
}

rmSync(join(root, "dist"), { recursive: true, force: true });
rmSync(join(root, "qmp/dist"), { recursive: true, force: true });
tsc("qmp/tsconfig.json");
await import("../grammar/build.mjs");
await import("../qmp/core/embed.mjs");
tsc("tsconfig.build.json");
chmodSync(join(root, "dist/generator/cli/main.js"), 0o755);
pruneDeclarations(join(root, "dist/generator"), ["index.d.ts", "qmp.d.ts"]);
