// introspection.ts: the SchemaInfo list query-qmp-schema would return, computed as
// QEMU does (reachable types only, int types folded, q_empty, [T] arrays, flattened
// members, enum members and values, features), with real type names.

import { describe, expect, it } from "vitest";
import { introspect } from "../generator/backend/emit/introspection.js";
import { contextOf, generateOf, importGenerated } from "./stubs-helpers.js";

const cases: { name: string; schema: string; defines?: string[]; expected: unknown[]; conditions?: Record<string, string> }[] = [
  {
    name: "command without arguments or return",
    schema: `{ 'command': 'stop' }`,
    expected: [
      { name: "stop", "meta-type": "command", "arg-type": "q_empty", "ret-type": "q_empty" },
      { name: "q_empty", "meta-type": "object", members: [] },
    ],
  },
  {
    name: "implicit arguments, int types folded, arrays, optional members, features, oob",
    schema: `
{ 'struct': 'Info', 'data': { 'a': 'uint8', '*b': ['int16'], 'c': { 'type': 'str', 'features': ['deprecated'] } } }
{ 'command': 'query-x', 'data': { 'n': 'size' }, 'returns': ['Info'], 'allow-oob': true, 'features': ['unstable'] }`,
    expected: [
      {
        name: "query-x",
        "meta-type": "command",
        features: ["unstable"],
        "arg-type": "q_obj_query-x-arg",
        "ret-type": "[Info]",
        "allow-oob": true,
      },
      { name: "q_obj_query-x-arg", "meta-type": "object", members: [{ name: "n", type: "int" }] },
      { name: "[Info]", "meta-type": "array", "element-type": "Info" },
      {
        name: "Info",
        "meta-type": "object",
        members: [
          { name: "a", type: "int" },
          { name: "b", type: "[int]", default: null },
          { name: "c", type: "str", features: ["deprecated"] },
        ],
      },
      { name: "int", "meta-type": "builtin", "json-type": "int" },
      { name: "[int]", "meta-type": "array", "element-type": "int" },
      { name: "str", "meta-type": "builtin", "json-type": "string" },
    ],
  },
  {
    name: "event, union with flattened base, enum, alternate; unreachable types omitted",
    schema: `
{ 'enum': 'Kind', 'data': [ 'a', { 'name': 'b', 'features': ['deprecated'] } ] }
{ 'struct': 'Bee', 'data': { 'x': 'bool' } }
{ 'union': 'Uni', 'base': { 'kind': 'Kind', '*n': 'number' }, 'discriminator': 'kind', 'data': { 'b': 'Bee' } }
{ 'alternate': 'Alt', 'data': { 'u': 'Uni', 's': 'str' } }
{ 'struct': 'Unused', 'data': { 'y': 'int' } }
{ 'event': 'EV', 'data': { 'alt': 'Alt' } }`,
    expected: [
      { name: "EV", "meta-type": "event", "arg-type": "q_obj_EV-arg" },
      { name: "q_obj_EV-arg", "meta-type": "object", members: [{ name: "alt", type: "Alt" }] },
      { name: "Alt", "meta-type": "alternate", members: [{ type: "Uni" }, { type: "str" }] },
      {
        name: "Uni",
        "meta-type": "object",
        members: [
          { name: "kind", type: "Kind" },
          { name: "n", type: "number", default: null },
        ],
        tag: "kind",
        variants: [
          { case: "b", type: "Bee" },
          { case: "a", type: "q_empty" },
        ],
      },
      { name: "str", "meta-type": "builtin", "json-type": "string" },
      {
        name: "Kind",
        "meta-type": "enum",
        members: [{ name: "a" }, { name: "b", features: ["deprecated"] }],
        values: ["a", "b"],
      },
      { name: "number", "meta-type": "builtin", "json-type": "number" },
      { name: "Bee", "meta-type": "object", members: [{ name: "x", type: "bool" }] },
      { name: "q_empty", "meta-type": "object", members: [] },
      { name: "bool", "meta-type": "builtin", "json-type": "boolean" },
    ],
  },
  {
    name: "conditions without --define",
    schema: `
{ 'struct': 'Ess', 'data': { 'a': 'str', 'b': { 'type': 'str', 'if': 'CONFIG_B' } } }
{ 'command': 'c1', 'data': { 's': 'Ess' }, 'if': 'CONFIG_C' }`,
    expected: [
      { name: "c1", "meta-type": "command", "arg-type": "q_obj_c1-arg", "ret-type": "q_empty" },
      { name: "q_obj_c1-arg", "meta-type": "object", members: [{ name: "s", type: "Ess" }] },
      { name: "q_empty", "meta-type": "object", members: [] },
      {
        name: "Ess",
        "meta-type": "object",
        members: [
          { name: "a", type: "str" },
          { name: "b", type: "str" },
        ],
      },
      { name: "str", "meta-type": "builtin", "json-type": "string" },
    ],
    conditions: { c1: "CONFIG_C", "q_obj_c1-arg": "CONFIG_C", "Ess.b": "CONFIG_B" },
  },
  {
    name: "--define leaves disabled parts out",
    schema: `
{ 'struct': 'Ess', 'data': { 'a': 'str', 'b': { 'type': 'int', 'if': 'CONFIG_B' } } }
{ 'command': 'c1', 'data': { 's': 'Ess' } }
{ 'command': 'c2', 'if': 'CONFIG_C' }`,
    defines: ["CONFIG_X"],
    expected: [
      { name: "c1", "meta-type": "command", "arg-type": "q_obj_c1-arg", "ret-type": "q_empty" },
      { name: "q_obj_c1-arg", "meta-type": "object", members: [{ name: "s", type: "Ess" }] },
      { name: "q_empty", "meta-type": "object", members: [] },
      { name: "Ess", "meta-type": "object", members: [{ name: "a", type: "str" }] },
      { name: "str", "meta-type": "builtin", "json-type": "string" },
      // Only the disabled member uses int; QEMU lists it all the same.
      { name: "int", "meta-type": "builtin", "json-type": "int" },
    ],
    conditions: {},
  },
  {
    // QEMU's generator queues the types of every part, compiled out or not, and the C
    // preprocessor drops only the entries whose own condition is false.
    name: "--define keeps the types only compiled-out parts use, in QEMU's order",
    schema: `
{ 'struct': 'Cocoa', 'data': { 'zoom': 'bool' } }
{ 'struct': 'Gated', 'data': { 'g': 'number' }, 'if': 'CONFIG_G' }
{ 'enum': 'Result', 'data': [ 'same' ] }
{ 'struct': 'CmpInfo', 'data': { 'r': 'Result' } }
{ 'enum': 'Kind', 'data': [ 'gtk', { 'name': 'cocoa', 'if': 'CONFIG_COCOA' } ] }
{ 'union': 'Display', 'base': { 'type': 'Kind' }, 'discriminator': 'type',
  'data': { 'cocoa': { 'type': 'Cocoa', 'if': 'CONFIG_COCOA' } } }
{ 'command': 'set-display', 'data': { 'd': 'Display' } }
{ 'command': 'gated', 'data': { 'x': 'Gated' }, 'if': 'CONFIG_G' }
{ 'command': 'compare', 'returns': 'CmpInfo', 'if': 'CONFIG_S390X' }`,
    defines: ["CONFIG_X"],
    expected: [
      { name: "set-display", "meta-type": "command", "arg-type": "q_obj_set-display-arg", "ret-type": "q_empty" },
      { name: "q_obj_set-display-arg", "meta-type": "object", members: [{ name: "d", type: "Display" }] },
      { name: "q_empty", "meta-type": "object", members: [] },
      // q_obj_gated-arg is queued here, but its condition is false.
      { name: "CmpInfo", "meta-type": "object", members: [{ name: "r", type: "Result" }] },
      {
        name: "Display",
        "meta-type": "object",
        members: [{ name: "type", type: "Kind" }],
        tag: "type",
        variants: [{ case: "gtk", type: "q_empty" }],
      },
      // Gated is queued here, its condition false.
      { name: "Result", "meta-type": "enum", members: [{ name: "same" }], values: ["same"] },
      { name: "Kind", "meta-type": "enum", members: [{ name: "gtk" }], values: ["gtk"] },
      { name: "Cocoa", "meta-type": "object", members: [{ name: "zoom", type: "bool" }] },
      { name: "number", "meta-type": "builtin", "json-type": "number" },
      { name: "bool", "meta-type": "builtin", "json-type": "boolean" },
    ],
    conditions: {},
  },
];

describe("introspection", () => {
  it.each(cases)("$name", ({ schema, defines, expected, conditions }) => {
    const ctx = contextOf(schema, { defines: defines === undefined ? undefined : new Set(defines) });
    const { trees, conditions: conds } = introspect(ctx);
    expect(JSON.parse(JSON.stringify(trees))).toEqual(expected);
    if (conditions !== undefined) expect(Object.fromEntries(conds)).toEqual(conditions);
  });

  it("is exported as schemaInfo and schemaConditions", async () => {
    const schema = cases[3]!.schema;
    const mod = await importGenerated<{ schemaInfo: unknown; schemaConditions: unknown }>(generateOf(schema));
    expect(mod.schemaInfo).toEqual(cases[3]!.expected);
    expect(mod.schemaConditions).toEqual(cases[3]!.conditions);
  });

  it("SchemaInfo of the real schema is self-consistent: every referenced type is listed", () => {
    const ctx = contextOf(`
{ 'struct': 'Ayy', 'data': { 'b': ['Bee'], '*c': 'any', 'n': 'null' } }
{ 'struct': 'Bee', 'data': { 'a': { 'type': 'Ayy', 'features': ['unstable'] } } }
{ 'command': 'q', 'returns': 'Ayy' }`);
    const { trees } = introspect(ctx);
    const names = new Set(trees.map((t) => t.name));
    expect(names.size).toBe(trees.length);
    for (const t of trees) {
      const refs = JSON.stringify(t).match(/"(?:type|element-type|arg-type|ret-type)":"([^"]+)"/g) ?? [];
      for (const r of refs) expect(names).toContain(r.split(":")[1]!.slice(1, -1));
    }
  });
});
