// The generated commands/client/server/unions modules, run: the dispatcher on raw QMP
// commands (exact responses), the client against a fake transport, parseEvent, union
// constructors; and the output is prettier-clean.

import * as prettier from "prettier";
import { beforeAll, describe, expect, it } from "vitest";
import { generateFile, generateOf, importGenerated } from "./stubs-helpers.js";

const SCHEMA = `
{ 'pragma': { 'command-returns-exceptions': [ 'query-name' ] } }
{ 'enum': 'Mode', 'data': [ 'existing', 'absolute-paths' ] }
{ 'struct': 'Snap', 'data': { 'device': 'str', '*mode': 'Mode', '*size': 'uint8' } }
{ 'struct': 'SnapWrapper', 'data': { 'data': 'Snap' } }
{ 'struct': 'Empty', 'data': {} }
{ 'struct': 'EmptyWrapper', 'data': { 'data': 'Empty' } }
{ 'enum': 'ActionKind', 'data': [ 'snap', { 'name': 'nothing', 'features': [ 'deprecated' ] } ] }
{ 'union': 'Action', 'base': { 'type': 'ActionKind' }, 'discriminator': 'type',
  'data': { 'snap': 'SnapWrapper', 'nothing': 'EmptyWrapper' } }
{ 'command': 'transaction', 'data': { 'actions': [ 'Action' ], '*count': 'int' } }
{ 'struct': 'Info', 'data': { 'name': 'str', 'mode': 'Mode' } }
{ 'command': 'query-info', 'returns': 'Info', 'allow-oob': true }
{ 'command': 'query-list', 'returns': [ 'Info' ] }
{ 'command': 'query-name', 'returns': 'str' }
{ 'command': 'stop' }
{ 'command': 'quiet', 'success-response': false }
{ 'command': 'boxed-cmd', 'data': 'Snap', 'boxed': true }
{ 'command': 'old-cmd', 'features': [ 'deprecated' ] }
{ 'command': 'loose', 'data': { 'driver': 'str' }, 'gen': false }
{ 'event': 'SNAPPED', 'data': { 'device': 'str', 'mode': 'Mode' } }
{ 'event': 'PING' }
`;

type Json = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mod = any;

let mod: Mod;
const calls: { name: string; args: unknown; ctx: unknown }[] = [];

const handlers = {
  transaction(args: unknown, ctx: unknown) {
    calls.push({ name: "transaction", args, ctx });
  },
  queryInfo() {
    return { name: "x", mode: "existing" };
  },
  queryList() {
    return [{ name: "x", mode: "existing", extra: 1 }];
  },
  queryName() {
    return 42;
  },
  stop() {
    throw new Error("it broke");
  },
  quiet() {},
  boxedCmd(args: unknown) {
    calls.push({ name: "boxed-cmd", args, ctx: undefined });
  },
  loose(args: unknown) {
    calls.push({ name: "loose", args, ctx: undefined });
  },
};

beforeAll(async () => {
  mod = await importGenerated(generateOf(SCHEMA));
});

describe("dispatcher", () => {
  const cases: [string, unknown, unknown][] = [
    ["not an object", [1], { error: { class: "GenericError", desc: "QMP input must be a JSON object" } }],
    ["no execute", { id: 1 }, { error: { class: "GenericError", desc: "QMP input lacks member 'execute'" }, id: 1 }],
    [
      "execute not a string",
      { execute: 1, id: "a" },
      { error: { class: "GenericError", desc: "QMP input member 'execute' must be a string" }, id: "a" },
    ],
    [
      "unexpected member",
      { execute: "stop", foo: 1 },
      { error: { class: "GenericError", desc: "QMP input member 'foo' is unexpected" } },
    ],
    [
      "arguments not an object",
      { execute: "stop", arguments: [] },
      { error: { class: "GenericError", desc: "QMP input member 'arguments' must be an object" } },
    ],
    [
      "unknown command",
      { execute: "nope", id: 7 },
      { error: { class: "CommandNotFound", desc: "The command nope has not been found" }, id: 7 },
    ],
    [
      "command without handler",
      { execute: "old-cmd" },
      { error: { class: "CommandNotFound", desc: "The command old-cmd has not been found" } },
    ],
    [
      "inherited name is no command",
      { execute: "toString" },
      { error: { class: "CommandNotFound", desc: "The command toString has not been found" } },
    ],
    [
      "missing parameter",
      { execute: "transaction", arguments: {}, id: 2 },
      { error: { class: "GenericError", desc: "Parameter 'actions' is missing" }, id: 2 },
    ],
    [
      "unexpected nested parameter",
      { execute: "transaction", arguments: { actions: [{ type: "snap", data: { device: "d", extra: 1 } }] } },
      { error: { class: "GenericError", desc: "Parameter 'actions[0].data.extra' is unexpected" } },
    ],
    [
      "missing nested parameter",
      { execute: "transaction", arguments: { actions: [{ type: "snap", data: {} }] } },
      { error: { class: "GenericError", desc: "Parameter 'actions[0].data.device' is missing" } },
    ],
    [
      "wrong type",
      { execute: "transaction", arguments: { actions: [], count: "x" } },
      { error: { class: "GenericError", desc: "Invalid parameter type for 'count', expected: integer" } },
    ],
    [
      "bad enum value",
      { execute: "transaction", arguments: { actions: [{ type: "snap", data: { device: "d", mode: "zz" } }] } },
      { error: { class: "GenericError", desc: "Parameter 'mode' does not accept value 'zz'" } },
    ],
    [
      "arguments to a command without",
      { execute: "query-info", arguments: { x: 1 } },
      { error: { class: "GenericError", desc: "Parameter 'x' is unexpected" } },
    ],
    ["success, id echoed", { execute: "transaction", arguments: { actions: [] }, id: { a: [1] } }, { return: {}, id: { a: [1] } }],
    ["null id echoed", { execute: "query-info", id: null }, { return: { name: "x", mode: "existing" }, id: null }],
    ["exec-oob allowed", { "exec-oob": "query-info", id: 3 }, { return: { name: "x", mode: "existing" }, id: 3 }],
    [
      "exec-oob not allowed",
      { "exec-oob": "transaction", arguments: { actions: [] } },
      { error: { class: "GenericError", desc: "The command transaction does not support OOB" } },
    ],
    [
      "execute and exec-oob",
      { execute: "stop", "exec-oob": "stop" },
      { error: { class: "GenericError", desc: "QMP input member 'exec-oob' is unexpected" } },
    ],
    ["thrown Error", { execute: "stop", id: 4 }, { error: { class: "GenericError", desc: "it broke" }, id: 4 }],
    ["success-response false", { execute: "quiet", id: 5 }, undefined],
    [
      "invalid return (strict)",
      { execute: "query-list" },
      {
        error: {
          class: "GenericError",
          desc: "Invalid return value of command 'query-list': Parameter '[0].extra' is unexpected",
        },
      },
    ],
    [
      "invalid return type",
      { execute: "query-name" },
      {
        error: {
          class: "GenericError",
          desc: "Invalid return value of command 'query-name': Invalid type, expected: string",
        },
      },
    ],
    ["gen: false takes any members", { execute: "loose", arguments: { driver: "d", x: 1 } }, { return: {} }],
    ["boxed", { execute: "boxed-cmd", arguments: { device: "d", size: 3 } }, { return: {} }],
    [
      "integer range",
      { execute: "boxed-cmd", arguments: { device: "d", size: 300 } },
      { error: { class: "GenericError", desc: expect.stringContaining("'size'") } },
    ],
  ];
  it.each(cases)("%s", async (_name, request, response) => {
    const d = new mod.QmpDispatcher(handlers);
    expect(await d.dispatch(request)).toEqual(response);
  });

  it("passes arguments and context; boxed commands get the whole object", async () => {
    calls.length = 0;
    const d = new mod.QmpDispatcher(handlers);
    await d.dispatch({ execute: "transaction", arguments: { actions: [] }, id: 9 });
    await d.dispatch({ execute: "boxed-cmd", arguments: { device: "d" } });
    await d.dispatch({ execute: "loose", arguments: { driver: "d", bus: "b" } });
    expect(calls).toEqual([
      { name: "transaction", args: { actions: [] }, ctx: { command: "transaction", id: 9, oob: false } },
      { name: "boxed-cmd", args: { device: "d" }, ctx: undefined },
      { name: "loose", args: { driver: "d", bus: "b" }, ctx: undefined },
    ]);
  });

  it("maps a typed error to its class", async () => {
    const d = new mod.QmpDispatcher({
      stop() {
        throw new mod.QmpError("DeviceNotFound", "Device 'x' not found");
      },
      queryInfo: async () => {
        throw { class: "KVMMissingCap", desc: "no" };
      },
    });
    expect(await d.dispatch({ execute: "stop", id: 1 })).toEqual({
      error: { class: "DeviceNotFound", desc: "Device 'x' not found" },
      id: 1,
    });
    expect(await d.dispatch({ execute: "query-info" })).toEqual({ error: { class: "KVMMissingCap", desc: "no" } });
  });

  it("options: exec-oob refused without oob, compatible returns", async () => {
    const d = new mod.QmpDispatcher(handlers, { oob: false, validateReturns: "compatible" });
    expect(await d.dispatch({ "exec-oob": "query-info" })).toEqual({
      error: { class: "GenericError", desc: "QMP input member 'exec-oob' is unexpected" },
    });
    expect(await d.dispatch({ execute: "query-list" })).toEqual({
      return: [{ name: "x", mode: "existing", extra: 1 }],
    });
  });
});

describe("client", () => {
  function fake(reply: (command: string, args?: object) => unknown) {
    const sent: unknown[][] = [];
    return {
      sent,
      transport: {
        async execute(command: string, ...rest: unknown[]) {
          sent.push([command, ...rest]);
          return reply(command, rest[0] as object | undefined);
        },
      },
    };
  }

  it("sends typed calls by method and by wire name", async () => {
    const t = fake((c) => (c === "query-info" ? { name: "n", mode: "new-mode", more: true } : {}));
    const qmp = new mod.QmpClient(t.transport);
    const action = mod.action.snap({ device: "d" });
    expect(action).toEqual({ type: "snap", data: { device: "d" } });
    expect(mod.action.nothing()).toEqual({ type: "nothing", data: {} });
    expect(await qmp.transaction({ actions: [action] })).toBeUndefined();
    expect(await qmp.execute("transaction", { actions: [] })).toBeUndefined();
    // compatible: unknown members and enum values of a newer QEMU are accepted
    expect(await qmp.queryInfo()).toEqual({ name: "n", mode: "new-mode", more: true });
    await qmp.stop({ timeout: 5 });
    expect(t.sent).toEqual([
      ["transaction", { actions: [{ type: "snap", data: { device: "d" } }] }],
      ["transaction", { actions: [] }],
      ["query-info"],
      ["stop", undefined, { timeout: 5 }],
    ]);
  });

  it("validates arguments strictly before sending", async () => {
    const t = fake(() => ({}));
    const qmp = new mod.QmpClient(t.transport);
    const err = await qmp.transaction({ actions: [{ type: "snap", data: { device: "d", extra: 1 } }] }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(mod.QmpValidationError);
    expect(err.kind).toBe("arguments");
    expect(err.problems[0].message).toBe("Parameter 'actions[0].data.extra' is unexpected");
    expect(err.message).toBe(
      "Invalid arguments of command 'transaction': Parameter 'actions[0].data.extra' is unexpected",
    );
    await expect(qmp.execute("stop", { x: 1 })).rejects.toThrow("Parameter 'x' is unexpected");
    expect(t.sent).toEqual([]);
    // gen: false commands take extra members
    await qmp.loose({ driver: "d", bus: "b" });
    expect(t.sent).toEqual([["loose", { driver: "d", bus: "b" }]]);
  });

  it("rejects an invalid reply with its problems; can be turned off", async () => {
    const t = fake(() => ({ name: 1 }));
    const qmp = new mod.QmpClient(t.transport);
    const err = await qmp.queryInfo().catch((e: Error) => e);
    expect(err).toBeInstanceOf(mod.QmpValidationError);
    expect(err.kind).toBe("return");
    expect(err.problems.map((p: { path: string }) => p.path)).toEqual(["name", "mode"]);
    const lax = new mod.QmpClient(t.transport, { validateReturns: false });
    expect(await lax.queryInfo()).toEqual({ name: 1 });
    const list = new mod.QmpClient(fake(() => [{ name: "a", mode: "existing" }, 3]).transport);
    await expect(list.queryList()).rejects.toThrow("Invalid return of command 'query-list'");
  });
});

describe("events", () => {
  const ts = { seconds: 1, microseconds: 2 };
  it("parses and validates (compatible)", () => {
    expect(mod.parseEvent({ event: "SNAPPED", data: { device: "d", mode: "future", x: 1 }, timestamp: ts })).toEqual({
      event: "SNAPPED",
      data: { device: "d", mode: "future", x: 1 },
      timestamp: ts,
    });
    expect(mod.parseEvent({ event: "PING", timestamp: ts })).toEqual({ event: "PING", data: {}, timestamp: ts });
    expect(mod.parseEvent({ event: "NEWER_QEMU_EVENT", timestamp: ts })).toBeUndefined();
    expect(() => mod.parseEvent({ event: "SNAPPED", data: { mode: "existing" }, timestamp: ts })).toThrow(
      "Invalid data of event 'SNAPPED': Parameter 'device' is missing",
    );
    expect(() => mod.parseEvent({ event: "PING" })).toThrow(mod.QmpValidationError);
    expect(() => mod.parseEvent("x")).toThrow(mod.QmpValidationError);
  });

  it("has run-time tables", () => {
    expect(mod.commandInfo["old-cmd"].features).toEqual(["deprecated"]);
    expect(mod.commandInfo["quiet"].successResponse).toBe(false);
    expect(mod.commandInfo["query-info"].allowOob).toBe(true);
    expect(mod.commandInfo["boxed-cmd"].boxed).toBe(true);
    expect(mod.commandInfo["loose"].gen).toBe(false);
    expect(mod.eventInfo["PING"].data).toBeUndefined();
  });
});

describe("output", () => {
  it("declares the output folder an ES module without side effects (package.json)", () => {
    const files = generateOf(SCHEMA);
    const pkg = files.find((f) => f.path === "package.json");
    expect(JSON.parse(pkg?.content ?? "null")).toEqual({
      "//": "Generated by qapi-gen. Do not edit.",
      type: "module",
      sideEffects: false,
    });
    expect(pkg?.content.endsWith("}\n")).toBe(true);
    expect(files.map((f) => f.path)).toEqual([...files.map((f) => f.path)].sort());
  });

  // an empty interface admits any value (and lint says so): an empty struct admits no
  // member, a base included, and what extends it does not extend it
  it("types an empty struct as admitting no member, and a struct adding no member as its base", () => {
    const files = generateOf(`
{ 'struct': 'Empty', 'data': {} }
{ 'struct': 'EmptyBase', 'data': {} }
{ 'struct': 'Derived', 'base': 'EmptyBase', 'data': { 'a': 'int' } }
{ 'struct': 'Same', 'base': 'Derived', 'data': {} }
{ 'enum': 'Kind', 'data': [ 'e', 'd' ] }
{ 'union': 'Un', 'base': { 'k': 'Kind' }, 'discriminator': 'k', 'data': { 'e': 'Empty', 'd': 'Derived' } }
`);
    const types = files.find((f) => f.path === "types/s.ts")?.content ?? "";
    expect(types).toContain("export type Empty = { [key: string]: never };");
    expect(types).toContain("export type EmptyBase = { [key: string]: never };");
    expect(types).toContain("export interface Derived {");
    expect(types).toContain("export type Same = Derived;");
    expect(types).toContain('export type Un = (UnBase & { k: "e" }) | (UnBase & { k: "d" } & Derived);');
  });

  it("is deterministic and prettier-clean", async () => {
    const outputs = [generateOf(SCHEMA), generateFile("qapi/transaction.json")];
    expect(generateOf(SCHEMA)).toEqual(outputs[0]);
    for (const files of outputs) {
      for (const f of files) {
        if (!["commands.ts", "client.ts", "server.ts", "unions.ts", "introspection.ts", "index.ts"].includes(f.path))
          continue;
        const formatted = await prettier.format(f.content, { parser: "typescript" });
        expect(formatted, f.path).toBe(f.content);
      }
    }
  });
});
