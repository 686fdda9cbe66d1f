// qmp/core/dispatch.ts as real code: QmpDispatcherCore with a hand-made command
// table answers as QEMU's monitor does (every error message and class of
// qapi/qmp-dispatch.c it models), and whatever the request or the handler does,
// dispatch() resolves with one JSON response carrying the id as it arrived.

import { describe, expect, it } from "vitest";
import type { QmpCommandInfo } from "../qmp/core/client.js";
import { type $DispatchEntry, type QmpDispatcherOptions, type QmpHandlerContext, QmpDispatcherCore } from "../qmp/core/dispatch.js";
import { QmpError } from "../qmp/core/errors.js";
import { $big, $isObject, $validator } from "../qmp/core/validate.js";
import { Blob, Item } from "./core-support.js";

function info(name: string, over: Partial<QmpCommandInfo> = {}): QmpCommandInfo {
  return { name, args: Item, returns: Item, boxed: false, successResponse: true, allowOob: false, allowPreconfig: false, gen: true, features: [], ...over };
}

const Counted = $validator<{ n: bigint }>(
  "Counted",
  (v) => $isObject(v) && typeof v["n"] === "bigint",
  (_v, _c, _d, _p, out) => out.push({ path: "n", message: "Invalid parameter type for 'n', expected: integer (bigint)" }),
  (v) => {
    if ($isObject(v)) v["n"] = $big(v["n"]);
    return v;
  },
);

const TABLE: Readonly<Record<string, $DispatchEntry>> = {
  "get-item": { method: "getItem", info: info("get-item") },
  "query-fast": { method: "queryFast", info: info("query-fast", { args: undefined, allowOob: true }) },
  stop: { method: "stop", info: info("stop", { args: undefined, returns: undefined }) },
  quiet: { method: "quiet", info: info("quiet", { returns: undefined, successResponse: false }) },
  "set-blob": { method: "setBlob", info: info("set-blob", { args: Blob, returns: Blob }) },
  count: { method: "count", info: info("count", { args: Counted, returns: undefined }) },
  loose: { method: "loose", info: info("loose", { gen: false, returns: undefined }) },
  unimplemented: { method: "unimplemented", info: info("unimplemented") },
};

type Handler = (args: never, ctx: QmpHandlerContext) => unknown;

function dispatcher(handlers: Record<string, Handler>, options?: QmpDispatcherOptions): QmpDispatcherCore<Record<string, Handler>> {
  return new QmpDispatcherCore(TABLE, handlers, options);
}

const echo = dispatcher({
  getItem: (args: { id: string }) => ({ id: args.id }),
  queryFast: () => ({ id: "fast" }),
  stop: () => "ignored",
  quiet: () => undefined,
  setBlob: (args: { blob: unknown }) => args,
  count: () => undefined,
  loose: () => undefined,
});

/** One response, checked to be JSON that says the same after a round trip. */
async function answer(d: QmpDispatcherCore<object>, request: unknown): Promise<unknown> {
  const r = await d.dispatch(request);
  if (r !== undefined) expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  return r;
}

const error = (cls: string, desc: string, id?: unknown): unknown => (id === undefined ? { error: { class: cls, desc } } : { error: { class: cls, desc }, id });
const generic = (desc: string, id?: unknown): unknown => error("GenericError", desc, id);

describe("QEMU's answers to malformed input", () => {
  it.each([
    ["an array", [1]],
    ["a string", "x"],
    ["null", null],
    ["a number", 1],
  ])("%s: must be a JSON object, no id", async (_what, request) => {
    expect(await answer(echo, request)).toEqual(generic("QMP input must be a JSON object"));
  });

  it.each([
    ["no execute", { id: 1 }, "QMP input lacks member 'execute'"],
    ["only arguments", { arguments: {}, id: 1 }, "QMP input lacks member 'execute'"],
    ["execute not a string", { execute: 1, id: 1 }, "QMP input member 'execute' must be a string"],
    ["exec-oob not a string", { "exec-oob": ["x"], id: 1 }, "QMP input member 'exec-oob' must be a string"],
    ["execute and exec-oob", { execute: "stop", "exec-oob": "stop", id: 1 }, "QMP input member 'exec-oob' is unexpected"],
    ["arguments an array", { execute: "stop", arguments: [], id: 1 }, "QMP input member 'arguments' must be an object"],
    ["arguments null", { execute: "stop", arguments: null, id: 1 }, "QMP input member 'arguments' must be an object"],
    ["an unknown member", { execute: "stop", control: true, id: 1 }, "QMP input member 'control' is unexpected"],
  ])("%s", async (_what, request, desc) => {
    expect(await answer(echo, request)).toEqual(generic(desc, 1));
  });

  it("members whose value is undefined are absent, as JSON.stringify drops them", async () => {
    expect(await answer(echo, { execute: "stop", arguments: undefined, junk: undefined, id: undefined })).toEqual({ return: {} });
  });

  it("exec-oob is an unknown member when the dispatcher does not accept it", async () => {
    const d = dispatcher({ queryFast: () => ({ id: "f" }) }, { oob: false });
    expect(await answer(d, { "exec-oob": "query-fast", id: 2 })).toEqual(generic("QMP input member 'exec-oob' is unexpected", 2));
  });
});

describe("commands", () => {
  it.each(["nope", "unimplemented", "constructor", "__proto__", "toString", "hasOwnProperty"])("%s: CommandNotFound", async (name) => {
    expect(await answer(echo, { execute: name, id: "c" })).toEqual(error("CommandNotFound", `The command ${name} has not been found`, "c"));
  });

  it("exec-oob of a command without allow-oob", async () => {
    expect(await answer(echo, { "exec-oob": "get-item", arguments: { id: "x" }, id: 3 })).toEqual(generic("The command get-item does not support OOB", 3));
    expect(await answer(echo, { "exec-oob": "query-fast", id: 3 })).toEqual({ return: { id: "fast" }, id: 3 });
  });

  it("passes arguments and context, and echoes the id", async () => {
    const seen: unknown[] = [];
    const d = dispatcher({
      getItem: (args: { id: string }, ctx) => {
        seen.push(args, ctx);
        return { id: "r" };
      },
      queryFast: (_a, ctx) => {
        seen.push(ctx);
        return { id: "f" };
      },
    });
    expect(await answer(d, { execute: "get-item", arguments: { id: "a" }, id: { n: 1 } })).toEqual({ return: { id: "r" }, id: { n: 1 } });
    await answer(d, { "exec-oob": "query-fast" });
    expect(seen).toEqual([{ id: "a" }, { command: "get-item", id: { n: 1 }, oob: false }, { command: "query-fast", id: undefined, oob: true }]);
  });

  it("a command without a return answers {}; without arguments the handler gets {}", async () => {
    let got: unknown;
    const d = dispatcher({ stop: (a) => ((got = a), 42) });
    expect(await answer(d, { execute: "stop", id: 9 })).toEqual({ return: {}, id: 9 });
    expect(got).toEqual({});
  });

  it("success-response: false answers nothing on success, but answers errors", async () => {
    expect(await answer(echo, { execute: "quiet", arguments: { id: "x" }, id: 4 })).toBeUndefined();
    expect(await answer(echo, { execute: "quiet", arguments: {}, id: 4 })).toEqual(generic("Parameter 'id' is missing", 4));
    const failing = dispatcher({
      quiet: () => {
        throw new QmpError("DeviceNotFound", "gone");
      },
    });
    expect(await answer(failing, { execute: "quiet", arguments: { id: "x" }, id: 4 })).toEqual(error("DeviceNotFound", "gone", 4));
  });

  it("converts arguments from JSON (64-bit integers) before checking them", async () => {
    let got: unknown;
    const d = dispatcher({ count: (a) => void (got = a) });
    await answer(d, { execute: "count", arguments: { n: 5 } });
    expect(got).toEqual({ n: 5n });
  });
});

describe("arguments: GenericError with QEMU's words for the first problem", () => {
  it.each([
    [{}, "Parameter 'id' is missing"],
    [{ id: 1 }, "Invalid parameter type for 'id', expected: string"],
    [{ id: "x", extra: 1 }, "Parameter 'extra' is unexpected"],
    [{ id: "x", n: 300 }, "Parameter 'n' expects int8_t"],
    [{ id: "x", tags: ["a", 1] }, "Invalid parameter type for 'tags[1]', expected: string"],
  ])("%o", async (args, desc) => {
    expect(await answer(echo, { execute: "get-item", arguments: args, id: 5 })).toEqual(generic(desc, 5));
  });

  it("a command that takes none: any argument is unexpected", async () => {
    expect(await answer(echo, { execute: "stop", arguments: { force: true }, id: 5 })).toEqual(generic("Parameter 'force' is unexpected", 5));
  });

  it("gen: false commands take members beyond the declared ones", async () => {
    expect(await answer(echo, { execute: "loose", arguments: { id: "x", driver: "e1000" }, id: 5 })).toEqual({ return: {}, id: 5 });
  });
});

describe("what a handler throws", () => {
  const throwing = (e: unknown) => dispatcher({ getItem: () => Promise.reject(e) });
  const call = { execute: "get-item", arguments: { id: "x" }, id: "t" };

  it.each([
    ["a QmpError: its class and desc", new QmpError("DeviceNotFound", "Device 'x' not found"), error("DeviceNotFound", "Device 'x' not found", "t")],
    ["an object with string class and desc", { class: "KVMMissingCap", desc: "no" }, error("KVMMissingCap", "no", "t")],
    ["an Error: GenericError with its message", new Error("it broke"), generic("it broke", "t")],
    ["a string", "plain", generic("plain", "t")],
    ["undefined", undefined, generic("undefined", "t")],
    ["an object whose class is no string", { class: 1, desc: "d", toString: (): string => "described" }, generic("described", "t")],
  ])("%s", async (_what, thrown, expected) => {
    expect(await answer(throwing(thrown), call)).toEqual(expected);
  });

  it("an object whose getters throw: answered with what reading it threw", async () => {
    const hostile = {
      get class(): string {
        throw new Error("class getter");
      },
    };
    expect(await answer(throwing(hostile), call)).toEqual(generic("class getter", "t"));
  });

  it("a value nothing can be read from: answered all the same", async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const r = (await answer(throwing(proxy), call)) as { error: { desc: string } };
    expect(r).toMatchObject({ error: { class: "GenericError" }, id: "t" });
    const unprintable = Object.create(null) as object;
    expect(await answer(throwing(unprintable), call)).toEqual(generic("an exception that cannot be described", "t"));
  });

  it("a synchronous throw, and a thenable whose then getter throws", async () => {
    const sync = dispatcher({
      getItem: () => {
        throw new Error("sync");
      },
    });
    expect(await answer(sync, call)).toEqual(generic("sync", "t"));
    const thenable = dispatcher({
      getItem: () => ({
        get then() {
          throw new Error("then");
        },
      }),
    });
    expect(await answer(thenable, call)).toEqual(generic("then", "t"));
  });
});

describe("what a handler returns", () => {
  const returning = (value: unknown, options?: QmpDispatcherOptions) => dispatcher({ getItem: () => value, setBlob: () => value }, options);
  const get = { execute: "get-item", arguments: { id: "x" }, id: "r" };
  const set = { execute: "set-blob", arguments: { blob: 1 }, id: "r" };
  const invalid = (desc: string) => generic(`Invalid return value of command 'get-item': ${desc}`, "r");

  it("checked strictly by default, compatibly or not at all on request", async () => {
    expect(await answer(returning({ id: "x", newer: 1 }), get)).toEqual(invalid("Parameter 'newer' is unexpected"));
    expect(await answer(returning({ id: "x", newer: 1 }, { validateReturns: "compatible" }), get)).toEqual({ return: { id: "x", newer: 1 }, id: "r" });
    expect(await answer(returning({ id: 1 }, { validateReturns: "compatible" }), get)).toEqual(invalid("Invalid parameter type for 'id', expected: string"));
    expect(await answer(returning({ anything: [1] }, { validateReturns: "off" }), get)).toEqual({ return: { anything: [1] }, id: "r" });
  });

  it("what no serialiser can send is an error in every mode", async () => {
    const cyclic: Record<string, unknown> = { id: "x" };
    cyclic["self"] = cyclic;
    const getter = {
      id: "x",
      get boom(): number {
        throw new Error("getter");
      },
    };
    for (const mode of ["strict", "compatible", "off"] as const) {
      for (const value of [cyclic, getter, { id: "x", when: new Date(0) }, { id: "x", f: () => 1 }, undefined]) {
        const r = (await answer(returning(value, { validateReturns: mode }), get)) as { error?: { desc: string }; id: unknown };
        expect(r.error?.desc, `${mode}: ${String(value)}`).toMatch(/^Invalid return value of command 'get-item': /);
        expect(r.id).toBe("r");
      }
    }
  });

  it("off: undefined, a cycle, a toJSON method, too deep (for QEMU's 1,024) are named", async () => {
    const off = { validateReturns: "off" } as const;
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    // The response is one container, so the return may nest 1,023 (QEMU's 1,024 in all).
    let deep: unknown = 1;
    for (let i = 0; i < 1023; i++) deep = [deep];
    expect(await answer(returning(deep, off), get)).toEqual({ return: deep, id: "r" });
    deep = [deep];
    expect(await answer(returning(undefined, off), get)).toEqual(invalid("Invalid type, expected: JSON value"));
    expect(await answer(returning(cyclic, off), get)).toEqual(invalid("'[0]' contains itself (a cycle)"));
    expect(await answer(returning({ t: new Date(0) }, off), get)).toEqual(invalid("'t' is not sent as it is: it has a toJSON method or is a boxed primitive"));
    expect(await answer(returning(deep, off), get)).toMatchObject({ error: { desc: expect.stringMatching(/is nested too deeply$/) } });
    expect(await answer(returning([[[1]]], off), get)).toEqual({ return: [[[1]]], id: "r" });
  });

  it("an any member holding a cycle is refused (a cyclic value passed to qom-set and back)", async () => {
    const blob: Record<string, unknown> = {};
    blob["me"] = blob;
    expect(await answer(returning({ blob }), set)).toEqual(generic("Invalid return value of command 'set-blob': 'blob.me' contains itself (a cycle)", "r"));
    expect(await answer(echo, { execute: "set-blob", arguments: { blob }, id: "q" })).toEqual(generic("'blob.me' contains itself (a cycle)", "q"));
  });
});

describe("the id, as it arrived", () => {
  it("is echoed unchanged whatever the handler does to it", async () => {
    const d = dispatcher({
      getItem: (_a, ctx) => {
        const id = ctx.id as Record<string, unknown>;
        id["self"] = id; // now cyclic
        id["n"] = 2;
        return { id: "x" };
      },
    });
    const request = { execute: "get-item", arguments: { id: "x" }, id: { n: 1, list: [1] } };
    expect(await answer(d, request)).toEqual({ return: { id: "x" }, id: { n: 1, list: [1] } });
  });

  it("is echoed unchanged when the caller changes the request meanwhile", async () => {
    let release = (): void => {};
    const d = dispatcher({ getItem: () => new Promise((resolve) => (release = () => resolve({ id: "x" }))) });
    const request: Record<string, unknown> = { execute: "get-item", arguments: { id: "x" }, id: ["a"] };
    const pending = d.dispatch(request);
    await Promise.resolve();
    (request["id"] as string[]).push("b");
    request["id"] = "replaced";
    release();
    expect(await pending).toEqual({ return: { id: "x" }, id: ["a"] });
  });

  it("nested 1,023 deep (1,024 with the request) is echoed; one deeper is refused without id, as QEMU's parser does", async () => {
    const nest = (n: number): unknown => {
      let v: unknown = 0;
      for (let i = 0; i < n; i++) v = [v];
      return v;
    };
    const ok = nest(1023);
    expect(await answer(echo, { execute: "stop", id: ok })).toEqual({ return: {}, id: ok });
    for (const n of [1024, 20_000]) {
      expect(await answer(echo, { execute: "stop", id: nest(n) })).toEqual(generic("JSON nesting depth limit exceeded"));
    }
  });

  it("an id that is no JSON value is answered without id", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(await answer(echo, { execute: "stop", id: cyclic })).toEqual(generic("QMP input member 'id' is no JSON value: 'id.self' contains itself (a cycle)"));
    expect(await answer(echo, { execute: "stop", id: { f: () => 1 } })).toEqual(generic("QMP input member 'id' is no JSON value: Invalid parameter type for 'id.f', expected: JSON value"));
  });

  it("is echoed on every error too", async () => {
    for (const request of [{ execute: "nope", id: [1] }, { id: [1] }, { execute: "get-item", id: [1] }]) {
      expect(await answer(echo, request)).toMatchObject({ id: [1] });
    }
  });
});

describe("a request or handlers object that cannot be read", () => {
  it("a throwing getter in the request: GenericError with what it threw, the id if read", async () => {
    const request = {
      id: 7,
      get execute(): string {
        throw new Error("no execute");
      },
    };
    expect(await answer(echo, request)).toEqual(generic("no execute", 7));
    const badId = {
      execute: "stop",
      get id(): unknown {
        throw new Error("no id");
      },
    };
    expect(await answer(echo, badId)).toEqual(generic("no id"));
  });

  it("a revoked Proxy as the request, or as its arguments", async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(await answer(echo, proxy)).toMatchObject({ error: { class: "GenericError", desc: expect.stringMatching(/revoked/) } });
    expect(await answer(echo, { execute: "get-item", arguments: proxy, id: 8 })).toMatchObject({ error: { class: "GenericError" }, id: 8 });
  });

  it("a handlers object whose getter throws", async () => {
    const handlers = {
      get getItem(): Handler {
        throw new Error("no handler");
      },
    };
    const d = new QmpDispatcherCore(TABLE, handlers);
    expect(await answer(d, { execute: "get-item", arguments: { id: "x" }, id: 9 })).toEqual(generic("no handler", 9));
  });
});
