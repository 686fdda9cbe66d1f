// The compatibility check on hand-made introspection: generated (real names) vs live
// (masked names), matched structurally.

import { describe, expect, it } from "vitest";
import { checkCompatibility, formatCompatReport, type SchemaInfoEntry } from "../qmp/compat.js";

const generated: SchemaInfoEntry[] = [
  { name: "transaction", "meta-type": "command", "arg-type": "q_obj_transaction-arg", "ret-type": "q_empty" },
  { name: "gone-cmd", "meta-type": "command", "arg-type": "q_empty", "ret-type": "q_empty" },
  { name: "JOB_DONE", "meta-type": "event", "arg-type": "JobInfo" },
  { name: "GONE_EVENT", "meta-type": "event", "arg-type": "q_empty" },
  { name: "q_empty", "meta-type": "object", members: [] },
  {
    name: "q_obj_transaction-arg",
    "meta-type": "object",
    members: [
      { name: "actions", type: "[Action]" },
      { name: "newer-arg", type: "str", default: null },
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
    ],
  },
  {
    name: "Kind",
    "meta-type": "enum",
    members: [{ name: "abort" }, { name: "drive-backup", features: ["deprecated"] }, { name: "newer-kind" }],
    values: ["abort", "drive-backup", "newer-kind"],
  },
  { name: "DriveBackup", "meta-type": "object", members: [{ name: "device", type: "str" }, { name: "speed", type: "int", default: null }] },
  { name: "JobInfo", "meta-type": "object", members: [{ name: "id", type: "str" }, { name: "len", type: "int" }] },
  { name: "str", "meta-type": "builtin", "json-type": "string" },
  { name: "int", "meta-type": "builtin", "json-type": "int" },
];

const live: SchemaInfoEntry[] = [
  { name: "transaction", "meta-type": "command", "arg-type": "1", "ret-type": "0" },
  { name: "JOB_DONE", "meta-type": "event", "arg-type": "5" },
  { name: "0", "meta-type": "object", members: [] },
  { name: "1", "meta-type": "object", members: [{ name: "actions", type: "[2]" }] },
  { name: "[2]", "meta-type": "array", "element-type": "2" },
  {
    name: "2",
    "meta-type": "object",
    members: [{ name: "type", type: "3" }],
    tag: "type",
    variants: [
      { case: "abort", type: "0" },
      { case: "drive-backup", type: "4" },
    ],
  },
  { name: "3", "meta-type": "enum", members: [{ name: "abort" }, { name: "drive-backup" }], values: ["abort", "drive-backup"] },
  // Live QEMU's drive-backup `speed` is a string here: a type mismatch.
  { name: "4", "meta-type": "object", members: [{ name: "device", type: "str", features: ["deprecated"] }, { name: "speed", type: "str", default: null }] },
  // Live event data lacks `len` and makes `id` optional.
  { name: "5", "meta-type": "object", members: [{ name: "id", type: "str", default: null }] },
  { name: "str", "meta-type": "builtin", "json-type": "string" },
  { name: "int", "meta-type": "builtin", "json-type": "int" },
];

describe("checkCompatibility", () => {
  const r = checkCompatibility(generated, live);

  it("reports missing commands, events, members and enum values with paths", () => {
    expect(r.ok).toBe(false);
    expect(r.missing.map((i) => `${i.kind} ${i.path}`).sort()).toEqual([
      "command gone-cmd",
      "enum-value transaction.actions[].type",
      "event GONE_EVENT",
      "member JOB_DONE.len",
      "member transaction.newer-arg",
    ]);
    expect(r.missing.find((i) => i.kind === "enum-value")?.message).toMatch(/'newer-kind'/);
  });

  it("reports incompatible types and optionality", () => {
    expect(r.incompatible.map((i) => i.path).sort()).toEqual([
      "JOB_DONE.id",
      "transaction.actions[][type=drive-backup].speed",
    ]);
  });

  it("reports deprecated things used, from either side", () => {
    expect(r.deprecated.map((i) => i.path).sort()).toEqual([
      "transaction.actions[].type",
      "transaction.actions[][type=drive-backup].device",
    ]);
  });

  it("finds nothing when both sides agree", () => {
    const same = checkCompatibility(live, live);
    expect(same).toMatchObject({ ok: true, missing: [], incompatible: [] });
    expect(formatCompatReport(same)).toMatch(/deprecated and used \(1\)/);
  });
});
