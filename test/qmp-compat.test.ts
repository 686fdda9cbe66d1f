// The compatibility check on hand-made introspection: generated (real names) vs live
// (masked names), matched structurally, each direction judged by what checks it.

import { describe, expect, it } from "vitest";
import { checkCompatibility, formatCompatReport, type CompatIssue, type SchemaInfoEntry } from "../qmp/compat.js";

const builtins: SchemaInfoEntry[] = [
  { name: "str", "meta-type": "builtin", "json-type": "string" },
  { name: "int", "meta-type": "builtin", "json-type": "int" },
  { name: "number", "meta-type": "builtin", "json-type": "number" },
  { name: "bool", "meta-type": "builtin", "json-type": "boolean" },
  { name: "any", "meta-type": "builtin", "json-type": "value" },
];

const generated: SchemaInfoEntry[] = [
  { name: "transaction", "meta-type": "command", "arg-type": "q_obj_transaction-arg", "ret-type": "q_empty" },
  { name: "gone-cmd", "meta-type": "command", "arg-type": "q_empty", "ret-type": "q_empty" },
  { name: "query-jobs", "meta-type": "command", "arg-type": "q_empty", "ret-type": "[JobInfo]" },
  { name: "query-old-jobs", "meta-type": "command", "arg-type": "q_empty", "ret-type": "[OldJobInfo]" },
  { name: "set-mode", "meta-type": "command", "arg-type": "q_obj_set-mode-arg", "ret-type": "q_empty" },
  { name: "JOB_DONE", "meta-type": "event", "arg-type": "q_obj_JOB_DONE-arg" },
  { name: "GONE_EVENT", "meta-type": "event", "arg-type": "q_empty" },
  { name: "q_empty", "meta-type": "object", members: [] },
  {
    name: "q_obj_transaction-arg",
    "meta-type": "object",
    members: [
      { name: "actions", type: "[Action]" },
      { name: "newer-arg", type: "str", default: null },
      { name: "timeout", type: "int", default: null },
    ],
  },
  { name: "[Action]", "meta-type": "array", "element-type": "Action" },
  {
    name: "Action",
    "meta-type": "object",
    members: [{ name: "type", type: "Kind" }],
    tag: "type",
    variants: [
      { case: "abort", type: "q_empty" },
      { case: "drive-backup", type: "DriveBackup" },
      { case: "newer-kind", type: "q_empty" },
    ],
  },
  {
    name: "Kind",
    "meta-type": "enum",
    members: [{ name: "abort" }, { name: "drive-backup", features: ["deprecated"] }, { name: "newer-kind" }],
    values: ["abort", "drive-backup", "newer-kind"],
  },
  {
    name: "DriveBackup",
    "meta-type": "object",
    members: [
      { name: "device", type: "str" },
      { name: "speed", type: "int", default: null },
      { name: "format", type: "str", default: null },
    ],
  },
  // A client generated from a newer schema: a union on `type`, the mirror branch
  // requiring `synced`; the live QEMU has a plain struct whose `type` is a string.
  { name: "[JobInfo]", "meta-type": "array", "element-type": "JobInfo" },
  {
    name: "JobInfo",
    "meta-type": "object",
    members: [
      { name: "type", type: "JobType" },
      { name: "device", type: "str" },
      { name: "len", type: "int" },
      { name: "speed", type: "int" },
      { name: "error", type: "str", default: null },
    ],
    tag: "type",
    variants: [
      { case: "mirror", type: "MirrorInfo" },
      { case: "backup", type: "q_empty" },
    ],
  },
  { name: "JobType", "meta-type": "enum", members: [{ name: "mirror" }, { name: "backup" }], values: ["mirror", "backup"] },
  { name: "MirrorInfo", "meta-type": "object", members: [{ name: "synced", type: "bool" }] },
  // An older client: a plain struct with `type: str`; the live QEMU has a union.
  { name: "[OldJobInfo]", "meta-type": "array", "element-type": "OldJobInfo" },
  {
    name: "OldJobInfo",
    "meta-type": "object",
    members: [
      { name: "type", type: "str" },
      { name: "device", type: "str" },
    ],
  },
  { name: "q_obj_set-mode-arg", "meta-type": "object", members: [{ name: "mode", type: "str" }, { name: "level", type: "Level" }, { name: "value", type: "Alt" }] },
  { name: "Level", "meta-type": "enum", members: [{ name: "low" }, { name: "high" }], values: ["low", "high"] },
  { name: "Alt", "meta-type": "alternate", members: [{ type: "str" }, { type: "int" }] },
  {
    name: "q_obj_JOB_DONE-arg",
    "meta-type": "object",
    members: [
      { name: "id", type: "str" },
      { name: "len", type: "int" },
      { name: "offset", type: "int", default: null },
      { name: "state", type: "str" },
      { name: "result", type: "int" },
    ],
  },
  ...builtins,
];

const live: SchemaInfoEntry[] = [
  { name: "transaction", "meta-type": "command", "arg-type": "1", "ret-type": "0" },
  { name: "query-jobs", "meta-type": "command", "arg-type": "0", "ret-type": "[6]" },
  { name: "query-old-jobs", "meta-type": "command", "arg-type": "0", "ret-type": "[7]" },
  { name: "set-mode", "meta-type": "command", "arg-type": "10", "ret-type": "0" },
  { name: "JOB_DONE", "meta-type": "event", "arg-type": "5" },
  { name: "NEW_EVENT", "meta-type": "event", "arg-type": "0" },
  { name: "0", "meta-type": "object", members: [] },
  {
    name: "1",
    "meta-type": "object",
    members: [
      { name: "actions", type: "[2]" },
      { name: "timeout", type: "int" },
      { name: "newest", type: "bool", default: null },
    ],
  },
  { name: "[2]", "meta-type": "array", "element-type": "2" },
  {
    name: "2",
    "meta-type": "object",
    members: [{ name: "type", type: "3" }],
    tag: "type",
    variants: [
      { case: "abort", type: "0" },
      { case: "drive-backup", type: "4" },
      { case: "live-kind", type: "0" },
    ],
  },
  { name: "3", "meta-type": "enum", members: [{ name: "abort" }, { name: "drive-backup" }, { name: "live-kind" }], values: ["abort", "drive-backup", "live-kind"] },
  // drive-backup: `speed` became a string, `device` is deprecated, `format` an enum.
  {
    name: "4",
    "meta-type": "object",
    members: [
      { name: "device", type: "str", features: ["deprecated"] },
      { name: "speed", type: "str", default: null },
      { name: "format", type: "11", default: null },
    ],
  },
  { name: "11", "meta-type": "enum", members: [{ name: "raw" }], values: ["raw"] },
  // Event data: `len` gone, `id` optional, `offset` gone, `state` an enum, `result` a number.
  {
    name: "5",
    "meta-type": "object",
    members: [
      { name: "id", type: "str", default: null },
      { name: "state", type: "12" },
      { name: "result", type: "number" },
      { name: "extra", type: "str" },
    ],
  },
  { name: "12", "meta-type": "enum", members: [{ name: "done" }], values: ["done"] },
  { name: "[6]", "meta-type": "array", "element-type": "6" },
  {
    name: "6",
    "meta-type": "object",
    members: [
      { name: "type", type: "str" },
      { name: "device", type: "str" },
      { name: "len", type: "int" },
      { name: "speed", type: "int" },
    ],
  },
  { name: "[7]", "meta-type": "array", "element-type": "7" },
  {
    name: "7",
    "meta-type": "object",
    members: [
      { name: "type", type: "8" },
      { name: "device", type: "str" },
    ],
    tag: "type",
    variants: [{ case: "stream", type: "9" }],
  },
  { name: "8", "meta-type": "enum", members: [{ name: "stream" }], values: ["stream"] },
  { name: "9", "meta-type": "object", members: [{ name: "base", type: "str", default: null }] },
  {
    name: "10",
    "meta-type": "object",
    members: [
      { name: "mode", type: "13" },
      { name: "level", type: "str" },
      { name: "value", type: "str" },
    ],
  },
  { name: "13", "meta-type": "enum", members: [{ name: "fast" }], values: ["fast"] },
  ...builtins,
];

const paths = (items: readonly CompatIssue[]): string[] => items.map((i) => `${i.kind} ${i.path}`).sort();

describe("checkCompatibility", () => {
  const r = checkCompatibility(generated, live);

  it("says what breaks this client, in either direction, with paths", () => {
    expect(r.ok).toBe(false);
    expect(paths(r.breaks)).toEqual([
      // received: a required member gone or made optional; a number is no int
      "member JOB_DONE.len",
      // the live struct's mirror jobs lack what the client's mirror branch requires
      "member query-jobs→return[][type=mirror].synced",
      "optional JOB_DONE.id",
      // sent: the live QEMU requires what the client may omit
      "optional transaction.timeout",
      "type JOB_DONE.result",
      // sent: a string where the live QEMU takes an enum; an int where it takes a string
      "type set-mode.mode",
      "type transaction.actions[][type=drive-backup].format",
      "type transaction.actions[][type=drive-backup].speed",
    ]);
    expect(r.breaks.find((i) => i.path === "JOB_DONE.len")?.direction).toBe("received");
    expect(r.breaks.find((i) => i.path === "set-mode.mode")?.direction).toBe("sent");
  });

  it("lists what the client has and the live QEMU lacks as unavailable", () => {
    expect(paths(r.unavailable)).toEqual([
      "alternative set-mode.value", // the client may send an int; QEMU takes strings only
      "command gone-cmd",
      "enum-value transaction.actions[].type",
      "event GONE_EVENT",
      "member JOB_DONE.offset",
      "member query-jobs→return[].error",
      "member transaction.newer-arg",
    ]);
    expect(r.unavailable.find((i) => i.kind === "enum-value")?.message).toMatch(/'newer-kind'/);
  });

  it("lists what changed but stays compatible: str and enum either way in replies, additions", () => {
    expect(paths(r.changed)).toEqual([
      "enum-value transaction.actions[].type", // live-kind, which this client never sends
      "member JOB_DONE.extra",
      "member query-old-jobs→return[][type=stream].base", // the live union's branch
      "member transaction.newest",
      "type JOB_DONE.state", // str received as enum
      "type query-jobs→return[].type", // enum received as str
      "type query-old-jobs→return[].type", // str received as enum
      "type set-mode.level", // an enum sent where QEMU takes any string
    ]);
  });

  it("reports deprecated things used, from either side", () => {
    expect(r.deprecated.map((i) => i.path).sort()).toEqual(["transaction.actions[].type", "transaction.actions[][type=drive-backup].device"]);
  });

  it("prints every issue with its path", () => {
    const text = formatCompatReport(r);
    for (const i of [...r.breaks, ...r.unavailable, ...r.changed, ...r.deprecated]) expect(text).toContain(`  - ${i.path}: ${i.message}`);
    expect(text).toMatch(/^breaks this client \(8\):$/m);
    expect(text).toContain("  - query-jobs→return[][type=mirror].synced: the client requires it; the live QEMU does not have it");
    expect(text).toContain("  - JOB_DONE.result: type differs: the client has int, the live QEMU number");
  });

  it("finds nothing when both sides agree", () => {
    const same = checkCompatibility(live, live);
    expect(same).toMatchObject({ ok: true, breaks: [], unavailable: [], changed: [] });
    expect(formatCompatReport(same)).toMatch(/deprecated and used \(1\)/);
  });
});
