// Compiles grammar/qapi.peggy into generator/frontend/grammar.generated.ts at build time
// (run by `npm run build`, which `npm install`/`npm ci` run through `prepare`).
// The generated parser is plain JavaScript wrapped as TypeScript without checking;
// generator/frontend/parse.ts gives it types.
import { readFileSync, writeFileSync } from "node:fs";
import peggy from "peggy";

const grammarUrl = new URL("./qapi.peggy", import.meta.url);
const outUrl = new URL("../generator/frontend/grammar.generated.ts", import.meta.url);

// The grammar's actions and generator/frontend/parse.ts use peggy's internals
// (peg$currPos, peg$silentFails), which no peggy release promises to keep: package.json
// pins the exact version they were written against, and another one does not build.
const pinned = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).devDependencies.peggy;
if (peggy.VERSION !== pinned) {
  console.error(
    `grammar/build.mjs: peggy ${peggy.VERSION} is installed, but the grammar is written against peggy ${pinned} (package.json); run npm ci`,
  );
  process.exit(1);
}

const source = peggy.generate(readFileSync(grammarUrl, "utf8"), {
  output: "source",
  format: "es",
  allowedStartRules: ["File", "Prefix"],
  grammarSource: "grammar/qapi.peggy",
});

const text = `// @ts-nocheck
// Generated from grammar/qapi.peggy by grammar/build.mjs. Do not edit.
${source}`;

let previous = "";
try {
  previous = readFileSync(outUrl, "utf8");
} catch {
  // first build
}
if (previous !== text) writeFileSync(outUrl, text);
