// The build, run by `npm run build` (and so by `npm install` in a clone): the QMP
// runtime package first (the generator's `qapi-gen/qmp` re-exports it), then the
// grammar, then the generator. Output folders are cleared first so that nothing a
// removed source once produced is packed.
import { execFileSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tscBin = `${root}node_modules/typescript/bin/tsc`;
const tsc = (project) => execFileSync(process.execPath, [tscBin, "-p", project], { cwd: root, stdio: "inherit" });

rmSync(`${root}dist`, { recursive: true, force: true });
rmSync(`${root}qmp/dist`, { recursive: true, force: true });
tsc("qmp/tsconfig.json");
await import("../grammar/build.mjs");
tsc("tsconfig.build.json");
chmodSync(`${root}dist/generator/cli/main.js`, 0o755);
