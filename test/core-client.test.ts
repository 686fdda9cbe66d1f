// qmp/core/client.ts as real code: $call, the one function every generated command
// function and QmpClient method calls, against a transport that records what it is
// given; and $argumentProblems, shared with the dispatcher.

import { describe, expect, it } from "vitest";
import { type QmpCallOptions, type QmpCommandInfo, type QmpExecuteOptions, type QmpTransport, $argumentProblems, $call } from "../qmp/core/client.js";
import { QmpError, QmpValidationError } from "../qmp/core/errors.js";
import { $big, $isObject, $validator } from "../qmp/core/validate.js";
import { Item } from "./core-support.js";

/** A transport that records each call and answers with `reply` (or throws it, an Error). */
function transport(reply: unknown = {}): QmpTransport & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    execute(...args: [string, object?, QmpExecuteOptions?]) {
      calls.push(args);
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
  };
}

function info(over: Partial<QmpCommandInfo> = {}): QmpCommandInfo {
  return {
    name: "do-it",
    args: Item,
    returns: Item,
    boxed: false,
    successResponse: true,
    allowOob: false,
    allowPreconfig: false,
    gen: true,
    features: [],
    ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`resolved with ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
}

describe("$call: arguments", () => {
  it("are validated strictly before anything is sent", async () => {
    const t = transport();
    const e = await rejection($call(t, info(), { id: "x", extra: 1 }, undefined));
    expect(e).toBeInstanceOf(QmpValidationError);
    expect(e).toMatchObject({ kind: "arguments", target: "do-it", problems: [{ path: "extra", message: "Parameter 'extra' is unexpected" }] });
    expect(t.calls).toEqual([]);
  });

  it("of a gen: false command are checked compatibly (QEMU takes what it is given)", async () => {
    const t = transport();
    await $call(t, info({ gen: false, returns: undefined }), { id: "x", extra: 1 }, undefined);
    expect(t.calls).toEqual([["do-it", { id: "x", extra: 1 }]]);
    await expect($call(t, info({ gen: false }), { extra: 1 }, undefined)).rejects.toThrow("Parameter 'id' is missing");
  });

  it("of a command that takes none: any member is unexpected, undefined ones are absent", async () => {
    const t = transport();
    const none = info({ args: undefined, returns: undefined });
    await expect($call(t, none, { x: 1 }, undefined)).rejects.toThrow("Invalid arguments of command 'do-it': Parameter 'x' is unexpected");
    await $call(t, none, { x: undefined }, undefined);
    await $call(t, none, undefined, undefined);
    expect(t.calls).toEqual([["do-it", { x: undefined }], ["do-it"]]);
  });

  it("are sent unchecked when validateArguments is false, per call or by default", async () => {
    const t = transport();
    const noReturn = info({ returns: undefined });
    await $call(t, noReturn, { bad: 1 }, { validateArguments: false });
    await $call(t, noReturn, { bad: 2 }, undefined, { validateArguments: false });
    await expect($call(t, noReturn, { bad: 3 }, { validateArguments: true }, { validateArguments: false })).rejects.toBeInstanceOf(QmpValidationError);
    expect(t.calls.map((c) => c[1])).toEqual([{ bad: 1 }, { bad: 2 }]);
  });

  it("that a Proxy trap makes unreadable are a problem, not an exception", async () => {
    const t = transport();
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys");
        },
      },
    );
    const e = await rejection($call(t, info({ args: undefined }), hostile, undefined));
    expect(e).toMatchObject({ kind: "arguments", problems: [{ path: "", message: "the value cannot be read: no keys" }] });
  });
});

describe("$call: options reach the transport only when set", () => {
  it.each<[string, QmpCallOptions & { oob?: boolean }, QmpCallOptions | undefined, unknown[]]>([
    ["none", {}, undefined, ["do-it", { id: "x" }]],
    ["timeout", { timeout: 50 }, undefined, ["do-it", { id: "x" }, { timeout: 50 }]],
    ["the client's default timeout", {}, { timeout: 70 }, ["do-it", { id: "x" }, { timeout: 70 }]],
    ["the call's timeout over the default", { timeout: 5 }, { timeout: 70 }, ["do-it", { id: "x" }, { timeout: 5 }]],
    ["oob", { oob: true }, undefined, ["do-it", { id: "x" }, { oob: true }]],
    ["oob false, said", { oob: false }, undefined, ["do-it", { id: "x" }, { oob: false }]],
    ["validation options are not the transport's", { validateReturns: false, validateArguments: true }, undefined, ["do-it", { id: "x" }]],
  ])("%s", async (_what, options, defaults, expected) => {
    const t = transport({ id: "r" });
    await $call(t, info(), { id: "x" }, options, defaults);
    expect(t.calls).toEqual([expected]);
  });

  it("a signal, the call's or the client's", async () => {
    const t = transport({ id: "r" });
    const mine = new AbortController().signal;
    const theirs = new AbortController().signal;
    await $call(t, info(), { id: "x" }, { signal: mine }, { signal: theirs });
    await $call(t, info(), { id: "x" }, undefined, { signal: theirs });
    expect(t.calls.map((c) => (c[2] as QmpExecuteOptions).signal)).toEqual([mine, theirs]);
  });

  it("no arguments: execute(name) alone", async () => {
    const t = transport();
    await $call(t, info({ args: undefined, returns: undefined }), undefined, undefined);
    expect(t.calls).toEqual([["do-it"]]);
  });

  it("success-response: false is said to the transport, and nothing is returned", async () => {
    const t = transport({ id: "ignored" });
    await expect($call(t, info({ successResponse: false }), { id: "x" }, undefined)).resolves.toBeUndefined();
    expect(t.calls).toEqual([["do-it", { id: "x" }, { expectResponse: false }]]);
  });
});

describe("$call: returns", () => {
  it("are validated compatibly: members a newer QEMU adds pass", async () => {
    await expect($call(transport({ id: "r", added: true }), info(), { id: "x" }, undefined)).resolves.toEqual({ id: "r", added: true });
  });

  it("an invalid one rejects with its problems, unless validateReturns is false", async () => {
    const e = await rejection($call(transport({ id: 1 }), info(), { id: "x" }, undefined));
    expect(e).toMatchObject({ kind: "return", target: "do-it", problems: [{ path: "id", message: "Invalid parameter type for 'id', expected: string" }] });
    await expect($call(transport({ id: 1 }), info(), { id: "x" }, { validateReturns: false })).resolves.toEqual({ id: 1 });
    await expect($call(transport({ id: 1 }), info(), { id: "x" }, undefined, { validateReturns: false })).resolves.toEqual({ id: 1 });
  });

  it("are converted from JSON before they are validated (--int64 bigint)", async () => {
    const Big = $validator<{ n: bigint }>(
      "Big",
      (v) => $isObject(v) && typeof v["n"] === "bigint",
      (_v, _c, _d, p, out) => out.push({ path: p, message: "not Big" }),
      (v) => {
        if ($isObject(v)) v["n"] = $big(v["n"]);
        return v;
      },
    );
    await expect($call(transport({ n: 7 }), info({ returns: Big }), { id: "x" }, undefined)).resolves.toEqual({ n: 7n });
  });

  it("of a command that returns nothing: undefined, whatever was sent", async () => {
    await expect($call(transport({ junk: 1 }), info({ returns: undefined }), { id: "x" }, undefined)).resolves.toBeUndefined();
  });

  it("an error response rejects as the transport rejected", async () => {
    const e = new QmpError("DeviceNotFound", "no", "do-it");
    await expect($call(transport(e), info(), { id: "x" }, undefined)).rejects.toBe(e);
  });
});

describe("$argumentProblems", () => {
  it("checks with the command's validator, strictly unless gen: false; {} for no arguments", () => {
    expect($argumentProblems(info(), { id: "x", more: 1 })).toEqual([{ path: "more", message: "Parameter 'more' is unexpected" }]);
    expect($argumentProblems(info({ gen: false }), { id: "x", more: 1 })).toEqual([]);
    expect($argumentProblems(info(), undefined)).toEqual([{ path: "id", message: "Parameter 'id' is missing" }]);
    expect($argumentProblems(info({ args: undefined }), undefined)).toEqual([]);
  });
});
