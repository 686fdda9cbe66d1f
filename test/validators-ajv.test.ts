// Property test: the generated validators agree with ajv on the generated JSON Schema
// (schema.json, strict reading), on random valid values built from the schema model
// and on random mutations of them (unknown members, missing members, wrong values).
//
// Known, intended divergence, excluded from comparison: in number mode an integer
// beyond ±2^53 is rejected by the validators (precision lost) while the JSON Schema
// states the full 64-bit range.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutputFile } from "../generator/backend/context.js";
import { DEFAULT_OPTIONS, intRange, is64, makeContext } from "../generator/backend/context.js";
import { AlternateType, ArrayType, BuiltinType, EnumType, ObjectType, type Schema, type Type } from "../generator/frontend/model.js";
import { isNamedType } from "../generator/backend/ts-names.js";
import { HAVE_SHARED, SHARED, emitAll, fileSchema, loadValidators, transpileToDir, type Validator } from "./emit-support.js";

type Arb = fc.Arbitrary<unknown>;

/** Arbitrary valid values of a type, recursion cut off at `depth`. */
function valid(t: Type, depth: number): Arb {
  if (t instanceof BuiltinType) {
    switch (t.name) {
      case "str":
        return fc.string({ maxLength: 8 });
      case "bool":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "number":
        return fc.double({ noNaN: true, noDefaultInfinity: true });
      case "any":
        return fc.jsonValue({ maxDepth: 2 }).filter(safe);
      default: {
        if (is64(t.name)) return intRange(t.name)![0] === "0" ? fc.maxSafeNat() : fc.maxSafeInteger();
        const [min, max] = intRange(t.name)!;
        return fc.integer({ min: Number(min), max: Number(max) });
      }
    }
  }
  if (t instanceof EnumType) {
    const values = t.memberNames();
    return values.length > 0 ? fc.constantFrom(...values) : fc.constant("none");
  }
  if (t instanceof ArrayType) {
    return depth > 3 ? fc.constant([]) : fc.array(valid(t.elementType, depth + 1), { maxLength: 2 });
  }
  if (t instanceof AlternateType) {
    let alts = t.alternatives.variants.map((v) => v.type);
    if (depth > 3) {
      const flat = alts.filter((a) => !(a instanceof ObjectType) && !(a instanceof ArrayType));
      if (flat.length > 0) alts = flat;
    }
    return fc.oneof(...alts.map((a) => valid(a, depth + 1)));
  }
  const o = t as ObjectType;
  if (o.branches === undefined) return members(o, depth);
  const tag = o.branches.tagName;
  return fc.oneof(
    ...o.branches.variants.map((v) =>
      fc
        .tuple(members(o.base!, depth), valid(v.type, depth))
        .map(([b, m]) => ({ ...(b as object), ...(m as object), [tag]: v.name })),
    ),
  );
}

function members(t: ObjectType, depth: number): Arb {
  const model: Record<string, Arb> = {};
  const required: string[] = [];
  for (const m of t.members) {
    if (m.optional && depth > 3) continue;
    model[m.name] = valid(m.type, depth + 1);
    if (!m.optional) required.push(m.name);
  }
  if (t.branches !== undefined) return members(t.base!, depth);
  return fc.record(model, { requiredKeys: required });
}

/** No integers beyond ±2^53 (the intended divergence). */
function safe(v: unknown): boolean {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === "number" && Number.isInteger(x) && !Number.isSafeInteger(x)) return false;
    if (typeof x === "object" && x !== null) stack.push(...Object.values(x));
  }
  return true;
}

/** A random change to a value: at some object, add/remove a member or replace a value. */
const mutation = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom("add", "delete", "replace", "replace-root"),
  junk: fc.jsonValue({ maxDepth: 1 }).filter(safe),
  key: fc.constantFrom("extra", "__proto__", "constructor", "type", "data", "id"),
});

function mutate(value: unknown, m: { pick: number; op: string; junk: unknown; key: string }): unknown {
  if (m.op === "replace-root") return m.junk;
  const v = structuredClone(value);
  const objects: Record<string, unknown>[] = [];
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === "object" && x !== null) {
      if (!Array.isArray(x)) objects.push(x as Record<string, unknown>);
      stack.push(...Object.values(x));
    }
  }
  const o = objects[m.pick % Math.max(objects.length, 1)];
  if (o === undefined) return m.junk;
  const keys = Object.keys(o);
  const key = m.op === "add" || keys.length === 0 ? m.key : (keys[m.pick % keys.length] as string);
  if (m.op === "delete") delete o[key];
  else Object.defineProperty(o, key, { value: m.junk, enumerable: true, writable: true, configurable: true });
  return v;
}

interface Fixture {
  schema: Schema;
  files: OutputFile[];
  dir: string;
  validators: Map<string, Validator>;
  ajv: Ajv2020;
}

async function fixture(schema: Schema): Promise<Fixture> {
  const files = emitAll(schema);
  const dir = transpileToDir(files);
  const validators = await loadValidators(dir, files);
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajv.addSchema(JSON.parse(files.find((f) => f.path === "schema.json")!.content) as object, "s");
  return { schema, files, dir, validators, ajv };
}

function agree(fx: Fixture, types: readonly Type[], numRuns: number): void {
  const ctx = makeContext(fx.schema, DEFAULT_OPTIONS, "x");
  for (const t of types) {
    const name = ctx.names.type(t);
    const validator = fx.validators.get(name)!;
    const check = fx.ajv.getSchema(`s#/$defs/${name}`)!;
    expect(validator, name).toBeDefined();
    expect(check, name).toBeDefined();
    fc.assert(
      fc.property(valid(t, 0), mutation, (value, m) => {
        expect(validator.problems(value), `${name} valid ${JSON.stringify(value)}`).toEqual([]);
        expect(check(value), `ajv ${name} valid ${JSON.stringify(value)}`).toBe(true);
        const bad = mutate(value, m);
        if (!safe(bad)) return;
        const ours = validator.is(bad);
        expect(ours, `${name}: ${JSON.stringify(bad)} ${JSON.stringify(check.errors)}`).toBe(check(bad));
        expect(validator.problems(bad).length === 0).toBe(ours);
      }),
      { numRuns, seed: 42 },
    );
  }
}

function namedTypes(schema: Schema): Type[] {
  return schema.entities.filter((e): e is EnumType | ObjectType | AlternateType => isNamedType(e));
}

describe("validators agree with ajv on schema.json", () => {
  let tx: Fixture;
  beforeAll(async () => {
    tx = await fixture(fileSchema("qapi/transaction.json"));
  });
  afterAll(() => rmSync(tx.dir, { recursive: true, force: true }));

  it("transaction.json: every type", () => {
    agree(tx, namedTypes(tx.schema), 100);
  });

  describe.skipIf(!HAVE_SHARED)("QEMU 10.0 (../shared)", () => {
    let q: Fixture;
    beforeAll(async () => {
      q = await fixture(fileSchema(join(SHARED, "qemu/10.0/qapi/qapi-schema.json")));
    });
    afterAll(() => rmSync(q.dir, { recursive: true, force: true }));

    it("every type", () => {
      agree(q, namedTypes(q.schema), 10);
    });
  });
});
