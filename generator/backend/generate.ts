// Generation: the context, computed once, then every emitter over it. Output order
// is fixed and paths are unique, so the same schema and options always give the
// same files.

import type { Schema } from "../frontend/model.js";
import { type Emitter, type GenerateOptions, type OutputFile, makeContext } from "./context.js";
import { emitClient } from "./emit/client.js";
import { emitCommands } from "./emit/commands.js";
import { emitEvents } from "./emit/events.js";
import { emitIndex } from "./emit/index.js";
import { emitIntrospection } from "./emit/introspection.js";
import { emitJsonSchema } from "./emit/jsonschema.js";
import { emitRuntime } from "./emit/runtime.js";
import { emitServer } from "./emit/server.js";
import { emitTypes } from "./emit/types.js";
import { emitValidators } from "./emit/validators.js";

/** The emitters. Each adds its own files, and none when its output is not chosen. */
const EMITTERS: readonly Emitter[] = [
  emitRuntime,
  emitTypes,
  emitValidators,
  emitJsonSchema,
  emitCommands,
  emitEvents,
  emitClient,
  emitServer,
  emitIntrospection,
  emitIndex,
];

/** The files generated for `schema`; `schemaPath` names it in headers (relative to the output folder). */
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
