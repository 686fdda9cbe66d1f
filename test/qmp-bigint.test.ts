// --int64 bigint end to end, and success-response: false commands: generated
// QmpClient → QmpConnection → real socket → QmpMockServer → generated QmpDispatcher,
// and back. 64-bit integers below and beyond 2^53 must arrive exact in both
// directions; in number mode a value beyond 2^53 is reported, not accepted.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectQmp } from "../qmp/connect.js";
import type { QmpProtocolError } from "../qmp/errors.js";
import { QmpMockServer } from "../qmp/server.js";
import { generateInto, type Generated } from "./qmp-gen.js";

const SCHEMA = `
{ 'pragma': { 'command-returns-exceptions': [ 'query-counts' ] } }
{ 'struct': 'Sizes', 'data': { 'size': 'size', 'u64': 'uint64', 'i64': 'int64', 'n': 'int',
                                'small': 'int32', '*list': [ 'uint64' ] } }
{ 'alternate': 'SizeOrSizes', 'data': { 'one': 'size', 'all': 'Sizes' } }
{ 'enum': 'Kind', 'data': [ 'sizes', 'name' ] }
{ 'struct': 'Name', 'data': { 'name': 'str' } }
{ 'union': 'Item', 'base': { 'kind': 'Kind', 'id': 'int64' }, 'discriminator': 'kind',
  'data': { 'sizes': 'Sizes', 'name': 'Name' } }
{ 'struct': 'Echo', 'data': { 'sizes': 'Sizes', 'items': [ 'Item' ], '*either': 'SizeOrSizes' } }
{ 'command': 'echo', 'data': 'Echo', 'boxed': true, 'returns': 'Echo' }
{ 'command': 'query-counts', 'returns': [ 'size' ] }
{ 'command': 'quiet', 'data': { 'fail': 'bool' }, 'success-response': false }
{ 'event': 'RESIZED', 'data': { 'sizes': 'Sizes' } }
`;

const MAX_U64 = 2n ** 64n - 1n;
const MAX_I64 = 2n ** 63n - 1n;
const MIN_I64 = -(2n ** 63n);

const big = { size: MAX_U64, u64: MAX_I64, i64: MIN_I64, n: MAX_I64, small: 7, list: [0n, 1n, MAX_U64] };
const smallSizes = { size: 1n, u64: 0n, i64: -5n, n: 42n, small: -7 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mod = any;

let dir: string;
let schemaPath: string;
const generated: Generated[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "qmp-bigint-"));
  schemaPath = join(dir, "s.json");
  writeFileSync(schemaPath, SCHEMA);
});
afterAll(() => {
  for (const g of generated) g.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function load(args: string[]): Promise<Mod> {
  const g = await generateInto(schemaPath, args);
  generated.push(g);
  return g.load<Mod>("index.ts");
}

/** A mock server over the generated dispatcher, and a connected client. */
async function serve(mod: Mod, handlers: object, int64: "number" | "bigint", options: object = {}) {
  const server = new QmpMockServer({ dispatch: new mod.QmpDispatcher(handlers, options), int64 });
  const path = (await server.listen(join(dir, `m${Math.random().toString(36).slice(2)}.qmp`))) as string;
  const conn = await connectQmp(path, { int64 });
  const client = new mod.QmpClient(conn);
  return {
    server,
    conn,
    client,
    close: async () => {
      await conn.close();
      await server.close();
    },
  };
}

describe("--int64 bigint end to end", () => {
  let mod: Mod;
  beforeAll(async () => {
    mod = await load(["--int64", "bigint"]);
  });

  it("arguments and returns keep 64-bit integers exact, below and beyond 2^53", async () => {
    const seen: unknown[] = [];
    const s = await serve(
      mod,
      {
        echo(args: unknown) {
          seen.push(structuredClone(args));
          return args;
        },
        queryCounts: () => [0n, 3n, MAX_U64],
      },
      "bigint",
    );
    try {
      const args = {
        sizes: big,
        items: [
          { kind: "sizes", id: MIN_I64, ...smallSizes },
          { kind: "name", id: 1n, name: "x" },
        ],
        either: 12n,
      };
      const back = await s.client.echo(args);
      // the handler got exactly what was sent (small values arrived as JSON numbers)
      expect(seen).toEqual([args]);
      expect(back).toEqual(args);
      expect(typeof back.sizes.small).toBe("number");
      expect(typeof back.items[0].size).toBe("bigint");
      // an alternate's object branch, and a list of sizes as a return
      const again = await s.client.echo({ sizes: smallSizes, items: [], either: big });
      expect(again.either).toEqual(big);
      expect(await s.client.queryCounts()).toEqual([0n, 3n, MAX_U64]);
    } finally {
      await s.close();
    }
  });

  it("parseEvent converts event data exactly", async () => {
    const s = await serve(mod, {}, "bigint");
    try {
      const ev = s.conn.waitForEvent("RESIZED");
      s.server.emitEvent("RESIZED", { sizes: big });
      const parsed = mod.parseEvent(await ev);
      expect(parsed.data.sizes).toEqual(big);
      const ev2 = s.conn.waitForEvent("RESIZED");
      s.server.emitEvent("RESIZED", { sizes: smallSizes });
      expect(mod.parseEvent(await ev2).data.sizes).toEqual(smallSizes);
    } finally {
      await s.close();
    }
  });

  it("fromJson converts schema-directed, in place, and leaves imprecise numbers to the validator", () => {
    const v = mod.EchoValidator;
    const value = JSON.parse('{"sizes": {"size": 1, "u64": 2, "i64": -3, "n": 4, "small": 5}, "items": [], "either": 6}');
    expect(v.fromJson(value)).toBe(value);
    expect(value).toEqual({ sizes: { size: 1n, u64: 2n, i64: -3n, n: 4n, small: 5 }, items: [], either: 6n });
    expect(v.is(value)).toBe(true);
    const lossy = JSON.parse('{"size": 18446744073709551615, "u64": 0, "i64": 0, "n": 0, "small": 0}');
    mod.SizesValidator.fromJson(lossy);
    expect(typeof lossy.size).toBe("number");
    expect(mod.SizesValidator.problems(lossy)).toEqual([
      { path: "size", message: "Parameter 'size' exceeds 2^53 in magnitude: precision lost (parse with bigints)" },
    ]);
    // a type without 64-bit integers has nothing to convert
    expect(mod.NameValidator.fromJson({ name: "x" })).toEqual({ name: "x" });
  });
});

describe("--int64 number", () => {
  it("reports values beyond 2^53 in a reply as a problem", async () => {
    const mod = await load([]);
    const s = await serve(mod, { echo: () => ({ sizes: big, items: [] }) }, "number", { validateReturns: "off" });
    try {
      await expect(s.client.echo({ sizes: { size: 1, u64: 2, i64: 3, n: 4, small: 5 }, items: [] })).rejects.toMatchObject({
        name: "QmpValidationError",
        kind: "return",
        problems: expect.arrayContaining([
          { path: "sizes.size", message: "Parameter 'sizes.size' exceeds 2^53 in magnitude: precision lost" },
        ]),
      });
    } finally {
      await s.close();
    }
  });
});

describe("success-response: false", () => {
  it("resolves once sent; a later error response is reported, not matched", async () => {
    const mod = await load([]);
    const calls: boolean[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = await serve(
      mod,
      {
        async quiet(args: { fail: boolean }) {
          calls.push(args.fail);
          await gate; // never answers before the client has resolved
          if (args.fail) throw new Error("it failed");
        },
      },
      "number",
    );
    try {
      const errors: QmpProtocolError[] = [];
      s.conn.onProtocolError((e) => errors.push(e));
      await expect(s.client.quiet({ fail: false })).resolves.toBeUndefined();
      await expect(s.client.quiet({ fail: true })).resolves.toBeUndefined();
      expect(s.conn.inFlight).toBe(0);
      release();
      // the error response to the second call arrives later and is reported
      await expect.poll(() => errors.length).toBe(1);
      expect(errors[0]?.message).toMatch(/error response to quiet, sent without expecting a response: GenericError: it failed/);
      expect(calls).toEqual([false, true]);
      // the connection carries on
      await expect(s.conn.execute("quiet", { fail: false }, { expectResponse: false })).resolves.toBeUndefined();
    } finally {
      await s.close();
    }
  });
});
