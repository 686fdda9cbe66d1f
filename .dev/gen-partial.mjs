import { loadSchema } from "/work/main/dist/generator/frontend/check.js";
import { makeDiagnostics } from "/work/main/dist/generator/frontend/errors.js";
import { nodeFileReader } from "/work/main/dist/generator/frontend/parse.js";
import { makeContext, DEFAULT_OPTIONS } from "/work/main/dist/generator/backend/context.js";
import { emitTypes } from "/work/main/dist/generator/backend/emit/types.js";
import { emitValidators } from "/work/main/dist/generator/backend/emit/validators.js";
import { emitRuntime } from "/work/main/dist/generator/backend/emit/runtime.js";
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
const [schemaPath, outDir, int64 = "number", target = "ts"] = process.argv.slice(2);
const schema = loadSchema(schemaPath, nodeFileReader(process.cwd()), makeDiagnostics(false));
const ctx = makeContext(schema, { ...DEFAULT_OPTIONS, int64: int64, target: target }, "x.json");
const t0 = performance.now();
const files = [...emitRuntime(ctx), ...emitTypes(ctx), ...emitValidators(ctx)];
console.error("emit ms", (performance.now() - t0).toFixed(0), files.length);
rmSync(outDir, { recursive: true, force: true });
for (const f of files) { mkdirSync(dirname(join(outDir, f.path)), { recursive: true }); writeFileSync(join(outDir, f.path), f.content); }
