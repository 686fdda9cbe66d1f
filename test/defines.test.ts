// The --define search and the structural comparison under it, on an inline schema: a
// "live" introspection is made with a known set and its type names masked as QEMU
// masks them; the search must find the set back, say what it cannot tell, and list
// what no set explains.

import { describe, expect, it } from "vitest";
import { introspect } from "../generator/backend/emit/introspection.js";
import { deriveDefines, formatDefines } from "../generator/backend/defines.js";
import { diffSchemaInfo } from "../generator/backend/schema-info-diff.js";
import type { SchemaInfoEntry } from "../qmp/compat.js";
import { contextOf, schemaOf } from "./stubs-helpers.js";

const SCHEMA = `
{ 'enum': 'Kind', 'data': [ 'gtk', { 'name': 'cocoa', 'if': 'CONFIG_COCOA' }, { 'name': 'sdl', 'if': 'CONFIG_SDL' } ] }
{ 'struct': 'Cocoa', 'data': { 'zoom': 'bool' } }
{ 'struct': 'Sdl', 'data': { 'grab': { 'type': 'str', 'if': { 'not': 'CONFIG_OLD_SDL' } } } }
{ 'union': 'Display', 'base': { 'type': 'Kind' }, 'discriminator': 'type',
  'data': { 'cocoa': { 'type': 'Cocoa', 'if': 'CONFIG_COCOA' }, 'sdl': { 'type': 'Sdl', 'if': 'CONFIG_SDL' } } }
{ 'struct': 'DisplayOpts', 'data': { 'd': 'Display', '*gl': { 'type': 'bool', 'if': { 'all': [ 'CONFIG_OPENGL', 'CONFIG_SDL' ] } } } }
{ 'command': 'set-display', 'data': { 'opts': 'DisplayOpts' } }
{ 'command': 'query-skeys', 'returns': 'Cocoa', 'if': { 'all': [ 'TARGET_S390X', 'CONFIG_KVM' ] } }
{ 'event': 'GRABBED', 'data': { 'on': 'bool' }, 'if': 'CONFIG_SDL' }
`;

/** What a QEMU built with `defines` answers to query-qmp-schema: type names masked. */
function liveOf(defines: string[]): SchemaInfoEntry[] {
  const trees = JSON.parse(JSON.stringify(introspect(contextOf(SCHEMA, { defines: new Set(defines) })).trees)) as SchemaInfoEntry[];
  const names = new Map<string, string>();
  const mask = (t: string | undefined): string | undefined => {
    if (t === undefined || ["str", "bool", "int", "number", "null", "any"].includes(t)) return t;
    if (t.startsWith("[")) return `[${mask(t.slice(1, -1))}]`;
    if (!names.has(t)) names.set(t, String(names.size));
    return names.get(t);
  };
  return trees.map((e): SchemaInfoEntry => ({
    ...e,
    name: e["meta-type"] === "command" || e["meta-type"] === "event" ? e.name : (mask(e.name) as string),
    ...(e["arg-type"] === undefined ? {} : { "arg-type": mask(e["arg-type"]) as string }),
    ...(e["ret-type"] === undefined ? {} : { "ret-type": mask(e["ret-type"]) as string }),
    ...(e["element-type"] === undefined ? {} : { "element-type": mask(e["element-type"]) as string }),
    ...(e.members === undefined ? {} : { members: e.members.map((m) => (m.type === undefined ? m : { ...m, type: mask(m.type) as string })) }),
    ...(e.variants === undefined ? {} : { variants: e.variants.map((v) => ({ ...v, type: mask(v.type) as string })) }),
  }));
}

describe("deriveDefines", () => {
  it("finds the set back from masked introspection, and says what it cannot tell", () => {
    const r = deriveDefines(schemaOf(SCHEMA), liveOf(["CONFIG_SDL", "CONFIG_OPENGL", "CONFIG_OLD_SDL"]));
    expect(r.defines).toEqual(["CONFIG_SDL", "CONFIG_OLD_SDL", "CONFIG_OPENGL"]);
    // query-skeys needs both: its absence tells neither.
    expect(r.undetermined).toEqual(["TARGET_S390X", "CONFIG_KVM"]);
    expect(r.unexplained).toEqual([]);
    expect(formatDefines(r)).toBe(
      "--define CONFIG_SDL\n--define CONFIG_OLD_SDL\n--define CONFIG_OPENGL\n" +
        "# undetermined (the introspection does not depend on them): TARGET_S390X CONFIG_KVM\n" +
        "# the introspection of this set equals the live one\n",
    );
  });

  it("decides a symbol only conditions of several symbols use", () => {
    const r = deriveDefines(schemaOf(SCHEMA), liveOf(["TARGET_S390X", "CONFIG_KVM"]));
    expect(r.defines).toEqual(["TARGET_S390X", "CONFIG_KVM"]);
    expect(r.unexplained).toEqual([]);
  });

  it("lists what no set explains", () => {
    const live = liveOf(["CONFIG_COCOA"]);
    // A member the schema does not have, and a command gone although unconditional.
    const cocoa = live.find((e) => e.members?.some((m) => m.name === "zoom")) as SchemaInfoEntry;
    (cocoa.members as unknown[]).push({ name: "retina", type: "bool", default: null });
    const r = deriveDefines(schemaOf(SCHEMA), live.filter((e) => e.name !== "set-display"));
    expect(r.defines).toEqual(["CONFIG_COCOA"]);
    expect(r.unexplained.map((d) => `${d.kind} ${d.key}`)).toEqual(["generated-only set-display", "live-only Cocoa.retina"]);
    expect(formatDefines(r)).toMatch(/^# no define set explains 2 differences:\n# {3}command 'set-display' is not in the live QEMU\n# {3}Cocoa\.retina: the live QEMU has member 'retina'\n$/m);
  });
});

describe("diffSchemaInfo", () => {
  it("pairs types only compiled-out parts use by shape, in order, and checks QEMU's order", () => {
    const live = liveOf([]);
    const gen = JSON.parse(JSON.stringify(introspect(contextOf(SCHEMA, { defines: new Set() })).trees)) as SchemaInfoEntry[];
    expect(diffSchemaInfo(gen, live).differences).toEqual([]);
    // Cocoa is listed (unconditional) though only a disabled branch uses it.
    expect(diffSchemaInfo(gen, live).paired.has("Cocoa")).toBe(true);
    const swapped = [...gen];
    const i = swapped.findIndex((e) => e.name === "Cocoa");
    const j = swapped.findIndex((e) => e.name === "Kind");
    [swapped[i], swapped[j]] = [swapped[j] as SchemaInfoEntry, swapped[i] as SchemaInfoEntry];
    const kinds = diffSchemaInfo(swapped, live).differences.map((d) => d.kind);
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(["order"]));
  });
});
