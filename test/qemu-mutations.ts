// Test helper: mutated argument sets. From a valid call, guided by the schema model,
// one change at a time: a required member removed, an unknown one added, a value of
// the wrong JSON type, an unknown enum value, integers at and past their type's range.
// Each mutation says when our validator deliberately differs from QEMU on it.

import {
  AlternateType,
  ArrayType,
  BuiltinType,
  EnumType,
  ObjectType,
  type ObjectTypeMember,
  type Type,
} from "../generator/frontend/model.js";

export interface Mutation {
  command: string;
  what: string;
  args: unknown;
  /** Why the validator's verdict may deliberately differ from QEMU's here. */
  deliberate?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const BEYOND_2_53 = "integers beyond 2^53 lose precision in number mode: the validator rejects what QEMU reads exactly";
export const ANY = "members typed 'any' take any JSON value in the schema; QEMU's code may check more";

const RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

/** Values of the wrong JSON type for `t`, or out of its range; with deliberate notes. */
function wrongValues(t: Type): { value: Json; what: string; deliberate?: string }[] {
  if (t instanceof ArrayType) return [{ value: {}, what: "object for array" }];
  if (t instanceof EnumType) return [{ value: "no-such-value", what: "unknown enum value" }, { value: 5, what: "number for enum" }];
  if (t instanceof ObjectType) return [{ value: 5, what: "number for object" }, { value: [], what: "array for object" }];
  if (t instanceof AlternateType) {
    const taken = new Set<string>(t.alternatives.variants.map((v) => (v.type.jsonType() === "int" ? "number" : v.type.jsonType())));
    const all: [string, Json][] = [["boolean", true], ["number", 5], ["string", "s"], ["null", null], ["array", []], ["object", {}]];
    return all.filter(([k]) => !taken.has(k)).map(([k, value]) => ({ value, what: `${k} for alternate` }));
  }
  if (!(t instanceof BuiltinType)) return [];
  switch (t.name) {
    case "str":
      return [{ value: 5, what: "number for str" }];
    case "bool":
      return [{ value: "true", what: "string for bool" }];
    case "number":
      return [{ value: "1", what: "string for number" }];
    case "null":
      return [{ value: 0, what: "number for null" }];
    case "any":
      return [{ value: 5, what: "number for any", deliberate: ANY }];
    default:
      return intValues(t.name);
  }
}

function intValues(name: string): { value: Json; what: string; deliberate?: string }[] {
  const range = RANGE[name];
  // A 64-bit integer beyond 2^53 is reported as imprecise in number mode, whatever QEMU says.
  const wide = range === undefined ? { deliberate: BEYOND_2_53 } : {};
  const out: { value: Json; what: string; deliberate?: string }[] = [
    { value: "1", what: `string for ${name}` },
    { value: 1.5, what: `fraction for ${name}` },
    { value: 1e20, what: `${name} beyond 64 bits`, ...wide },
  ];
  if (range !== undefined) {
    out.push({ value: range[0] - 1, what: `${name} below its range` }, { value: range[1] + 1, what: `${name} above its range` });
  } else if (name === "uint64" || name === "size") {
    out.push({ value: -1, what: `negative ${name}` }, { value: 2 ** 60, what: `${name} beyond 2^53`, ...wide });
  } else {
    out.push({ value: 2 ** 63, what: `${name} at 2^63`, ...wide }, { value: -(2 ** 60), what: `${name} beyond -2^53`, ...wide });
  }
  return out;
}

/**
 * Is this QEMU's input visitor speaking (the schema's verdict), rather than the
 * command's own code checking a value the schema allows ("expects a value between 0
 * and 1000", "latency-ns is invalid")?
 */
export const isSchemaVerdict = (desc: string): boolean =>
  /^(?:Parameter '[^']*' (?:is missing|is unexpected|expects (?:uint64|u?int(?:8|16|32)_t)|does not accept value '.*')|Invalid parameter type for '[^']*', expected: \S+)$/.test(desc);

/** The members `value` has as a `t`: its own, and for a union, its branch's. */
function membersOf(t: ObjectType, value: Record<string, Json>, enabled: (m: { ifcond: ObjectTypeMember["ifcond"] }) => boolean): ObjectTypeMember[] {
  const own = t.members.filter(enabled);
  const tag = t.branches?.tagMember.name;
  const branch = t.branches?.variants.find((v) => enabled(v) && tag !== undefined && v.name === value[tag]);
  if (branch === undefined || !(branch.type instanceof ObjectType)) return own;
  return [...own, ...membersOf(branch.type, value, enabled)];
}

/** Every mutation of a valid `args` of `command`, whose arguments are of type `t`. */
export function mutations(command: string, t: ObjectType, args: Json, enabled: (m: { ifcond: ObjectTypeMember["ifcond"] }) => boolean): Mutation[] {
  const out: Mutation[] = [];
  const at = (path: string, name: string): string => (path === "" ? name : `${path}.${name}`);

  /** Mutations of `value` (a `t` at `path`), made on copies through `replace`. */
  const walk = (type: Type, value: Json, path: string, replace: (v: Json | undefined) => Json): void => {
    if (type instanceof AlternateType) {
      for (const w of wrongValues(type)) out.push({ command, what: `${w.what} at ${path}`, args: replace(w.value) });
      const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value === "object" ? "object" : typeof value;
      const alt = type.alternatives.variants.find((v) => (v.type.jsonType() === "int" ? "number" : v.type.jsonType()) === kind);
      if (alt !== undefined && (alt.type instanceof ObjectType || alt.type instanceof ArrayType)) walk(alt.type, value, path, replace);
      return;
    }
    if (type instanceof ArrayType) {
      const list = value as Json[];
      if (list.length === 0) return;
      const el = (v: Json | undefined): Json => replace([v as Json, ...list.slice(1)]);
      for (const w of wrongValues(type.elementType)) out.push({ command, what: `${w.what} at ${path}[0]`, args: el(w.value), ...(w.deliberate === undefined ? {} : { deliberate: w.deliberate }) });
      walk(type.elementType, list[0] as Json, `${path}[0]`, el);
      return;
    }
    if (!(type instanceof ObjectType)) return;
    const obj = value as Record<string, Json>;
    const set = (name: string, v: Json | undefined): Json => {
      const copy: Record<string, Json> = { ...obj };
      if (v === undefined) delete copy[name];
      else copy[name] = v;
      return replace(copy);
    };
    out.push({ command, what: `unknown member at ${path || "(top)"}`, args: set("x-no-such-member", 1) });
    for (const m of membersOf(type, obj, enabled)) {
      if (!(m.name in obj)) continue;
      const p = at(path, m.name);
      if (!m.optional) out.push({ command, what: `${p} removed`, args: set(m.name, undefined) });
      for (const w of wrongValues(m.type)) out.push({ command, what: `${w.what} at ${p}`, args: set(m.name, w.value), ...(w.deliberate === undefined ? {} : { deliberate: w.deliberate }) });
      walk(m.type, obj[m.name] as Json, p, (v) => set(m.name, v));
    }
  };
  walk(t, args, "", (v) => v as Json);
  return out;
}

/** Valid calls to mutate (harmless, or undone by `cleanup` when QEMU takes one). */
export const BASES: readonly { command: string; args: Json; cleanup?: [string, Json] }[] = [
  { command: "block-set-write-threshold", args: { "node-name": "tgt0", "write-threshold": 1048576 } },
  {
    command: "migrate-set-parameters",
    args: { "throttle-trigger-threshold": 50, "x-checkpoint-delay": 200, "max-bandwidth": 1000000, "downtime-limit": 300, "announce-rounds": 5, "tls-creds": "" },
  },
  {
    command: "blockdev-add",
    args: {
      driver: "blkdebug",
      "node-name": "mut0",
      // No null-co size: QEMU 7.2 aborts on a negative one (parse_option_size).
      image: { driver: "null-co", "node-name": "mut0f", "latency-ns": 0, "read-zeroes": true },
      "max-transfer": 65536,
      "inject-error": [{ event: "read_aio", errno: 5, once: true, state: 1 }],
      "set-state": [{ event: "flush_to_disk", state: 1, new_state: 2 }],
      cache: { direct: false, "no-flush": false },
      "detect-zeroes": "off",
      discard: "ignore",
    },
    cleanup: ["blockdev-del", { "node-name": "mut0" }],
  },
  { command: "query-cpu-model-expansion", args: { type: "full", model: { name: "qemu64", props: {} } } },
  { command: "qom-get", args: { path: "/machine", property: "type" } },
  { command: "device-list-properties", args: { typename: "virtio-blk-pci" } },
  { command: "human-monitor-command", args: { "command-line": "info version", "cpu-index": 0 } },
  {
    command: "block-dirty-bitmap-add",
    args: { node: "disk0", name: "mb0", granularity: 65536, persistent: false, disabled: false },
    cleanup: ["block-dirty-bitmap-remove", { node: "disk0", name: "mb0" }],
  },
  {
    command: "object-add",
    args: { "qom-type": "iothread", id: "mutio", "poll-max-ns": 0, "poll-grow": 0, "poll-shrink": 0 },
    cleanup: ["object-del", { id: "mutio" }],
  },
  {
    command: "chardev-add",
    args: { id: "mutch", backend: { type: "ringbuf", data: { size: 1024 } } },
    cleanup: ["chardev-remove", { id: "mutch" }],
  },
  { command: "x-query-virtio-queue-status", args: { path: "/machine/peripheral/vblk0/virtio-backend", queue: 0 } },
];
