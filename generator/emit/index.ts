// index.ts of the output: re-exports every generated TypeScript module, so users import
// from one place: runtime, types and validators (per schema module), commands and
// events, union constructors, client, server, introspection.

import { type Emitter, fileHeader } from "./emitter.js";
import { typeModules } from "./types.js";

export const emitIndex: Emitter = (ctx) => {
  const slugs = typeModules(ctx).map((m) => m.slug);
  const modules = [
    "runtime",
    ...slugs.map((s) => `types/${s}`),
    ...slugs.map((s) => `validators/${s}`),
    "commands",
    "unions",
    "client",
    "server",
    "introspection",
  ];
  let out = fileHeader(ctx, "Everything generated, re-exported.");
  out += "\n";
  for (const m of modules) out += `export * from "./${m}.js";\n`;
  return [{ path: "index.ts", content: out }];
};
