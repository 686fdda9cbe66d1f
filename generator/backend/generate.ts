// Generation: run every emitter over the checked model. Output order is fixed and
// paths are unique, so the same schema and options always give the same files.

import type { EmitContext, Emitter, GenerateOptions, OutputFile } from "./context.js";
import type { Schema } from "../frontend/model.js";
import { NameTable } from "./ts-names.js";
import { emitRuntime } from "./emit/runtime.js";
import { emitTypes } from "./emit/types.js";
import { emitValidators } from "./emit/validators.js";
import { emitJsonSchema } from "./emit/jsonschema.js";
import { emitCommands } from "./emit/commands.js";
import { emitClient } from "./emit/client.js";
import { emitServer } from "./emit/server.js";
import { emitIntrospection } from "./emit/introspection.js";
import { emitIndex } from "./emit/index.js";

/** The emitters, in output order. Each adds its own files. */
const EMITTERS: Emitter[] = [
  emitRuntime,
  emitTypes,
  emitValidators,
  emitJsonSchema,
  emitCommands,
  emitClient,
  emitServer,
  emitIntrospection,
  emitIndex,
];

export function makeContext(schema: Schema, options: GenerateOptions, schemaPath: string): EmitContext {
  const defines = options.defines;
  return {
    schema,
    options,
    names: new NameTable(schema),
    schemaPath,
    enabled: (ifcond) => defines === undefined || ifcond.evaluate(defines),
  };
}

export function generate(schema: Schema, options: GenerateOptions, schemaPath: string): OutputFile[] {
  const ctx = makeContext(schema, options, schemaPath);
  const files = EMITTERS.flatMap((emit) => emit(ctx));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two emitters wrote ${f.path}`);
    seen.add(f.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
