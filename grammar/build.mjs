// Compiles grammar/qapi.peggy into generator/frontend/grammar.generated.ts at build time
// (run by `npm run build`, which `npm install`/`npm ci` run through `prepare`).
// The generated parser is plain JavaScript wrapped as TypeScript without checking;
// generator/frontend/parse.ts gives it types.
import { readFileSync, writeFileSync } from "node:fs";
import peggy from "peggy";

const grammarUrl = new URL("./qapi.peggy", import.meta.url);
const outUrl = new URL("../generator/frontend/grammar.generated.ts", import.meta.url);

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
