// Generated validators, a standalone call and the dispatcher against hostile values
// (issue 11): cycles, sparse arrays of length 1e9, nesting 1e6 deep, values shared
// 2^60 times, Proxies that lie. They run in a child process under a heap limit and a
// deadline (test/children/validators-hostile.mjs), so a regression that hangs or
// grows without bound is killed and fails here rather than stalling the suite.

import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transpileToDir } from "./emit-support.js";
import { generateOf } from "./stubs-helpers.js";

const SCHEMA = `
{ 'struct': 'Pair', 'data': { '*left': 'Pair', '*right': 'Pair', '*n': 'int' } }
{ 'struct': 'Tree', 'data': { '*children': [ 'Tree' ], '*label': 'str', '*size': 'size' } }
{ 'command': 'qom-set', 'data': { 'path': 'str', 'property': 'str', 'value': 'any' } }
{ 'command': 'take-pair', 'data': { 'pair': 'Pair' }, 'returns': 'Pair' }
{ 'command': 'take-tree', 'data': { 'tree': 'Tree', '*names': [ 'str' ] } }
`;

/** What the child reports of one case. */
interface Result {
  case: string;
  threw: string[];
  is?: [boolean, boolean];
  first?: string | null;
  sent?: number;
  error?: string | null;
  response?: { error?: { class: string; desc: string }; hasId: boolean; id: unknown } | null;
}

const DEADLINE_MS = 90_000;
const dirs: string[] = [];
const results = new Map<string, Result>();
let output = "";

/** Runs the child to its end, or kills it at the deadline. */
function runChild(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const script = join(import.meta.dirname, "children", "validators-hostile.mjs");
    const child = spawn(process.execPath, ["--max-old-space-size=512", script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dirs.push(transpileToDir(generateOf(SCHEMA)), transpileToDir(generateOf(SCHEMA, { int64: "bigint" })));
  const r = await runChild(dirs);
  output = `${r.stdout}\n${r.stderr}\n(exit ${r.code}, signal ${r.signal})`;
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith('{"case"')) continue;
    const result = JSON.parse(line) as Result;
    results.set(result.case, result);
  }
}, DEADLINE_MS + 30_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function result(name: string): Result {
  const r = results.get(name);
  // The last case started and not finished is the one that hung or ran out of memory.
  if (r === undefined) throw new Error(`no result for "${name}"; the child said:\n${output.slice(-3000)}`);
  expect(r.threw, name).toEqual([]);
  return r;
}

const invalid = (name: string, first: RegExp | string): void => {
  const r = result(name);
  expect(r.is, name).toEqual([false, false]);
  if (typeof first === "string") expect(r.first).toBe(first);
  else expect(r.first).toMatch(first);
};

describe("validators against hostile values: refused with a problem, promptly, nothing thrown", () => {
  it.each([
    ["qom-set: a cyclic value", "value.self: 'value.self' contains itself (a cycle)"],
    ["qom-set: a cyclic value with ten ways back", "value.a: 'value.a' contains itself (a cycle)"],
    ["qom-set: a cyclic array", "value[0]: 'value[0]' contains itself (a cycle)"],
    ["qom-set: a sparse array of length 1e9", "value: 'value' is too large: more than 2097152 values"],
    ["qom-set: nested 1e6 deep", /^value(\[0\]){20}.* … .*\[0\]' is nested too deeply$/],
    ["qom-set: 2^40 values shared (a DAG)", /is too large: more than 2097152 values$/],
    ["a cyclic struct with two recursive members", /^pair(\.left){19}.* … .*\.left' is nested too deeply$/],
    ["a struct shared 2^60 times (a DAG)", /is too large: more than 2097152 values$/],
    ["a cyclic tree of arrays", /^tree(\.children\[0\]){5}.* … .*(\.children\[0\]){3}' is nested too deeply$/],
    ["a typed array of length 1e9", "names: 'names' is too large: more than 2097152 values"],
    ["a Proxy array that claims 1e9 elements", "names: 'names' is too large: more than 2097152 values"],
  ] as const)("%s", (name, first) => invalid(name, first));

  it("a standalone call refuses a cyclic qom-set value before anything is sent", () => {
    const r = result("qomSet(): a cyclic value is refused before anything is sent");
    expect(r.sent).toBe(0);
    expect(r.error).toBe("QmpValidationError: Invalid arguments of command 'qom-set': 'value.self' contains itself (a cycle)");
  });

  it("bigint mode: fromJson stops at the limits and never throws", () => {
    invalid("bigint: fromJson of a cyclic struct", /nested too deeply$/);
    invalid("bigint: fromJson of a struct shared 2^60 times", /is too large: more than 2097152 values$/);
    invalid("bigint: fromJson of a cyclic tree", /nested too deeply$/);
    // a frozen value cannot be converted: its 1 stays a number, which bigint mode refuses
    invalid("bigint: fromJson of a frozen value", "pair.n: Invalid parameter type for 'pair.n', expected: integer (bigint)");
  });
});

describe("the dispatcher against hostile values: one JSON answer each", () => {
  it.each([
    ["dispatcher: arguments nested 1e6 deep", "GenericError", /is nested too deeply$/, true],
    ["dispatcher: a cyclic return", "GenericError", /^Invalid return value of command 'take-pair': .*nested too deeply$/, true],
    ["dispatcher: a return shared 2^60 times", "GenericError", /^Invalid return value of command 'take-pair': .*too large/, true],
    ["dispatcher: an id nested 20,000 deep", "GenericError", /^JSON nesting depth limit exceeded$/, false],
    ["dispatcher: a cyclic id", "GenericError", /^QMP input member 'id' is no JSON value: 'id.self' contains itself \(a cycle\)$/, false],
    ["dispatcher: an id shared 2^40 times", "GenericError", /^QMP input member 'id' is no JSON value: .*too large/, false],
    ["dispatcher (bigint): a cyclic argument converted", "GenericError", /nested too deeply$/, true],
  ] as const)("%s", (name, cls, desc, hasId) => {
    const r = result(name);
    expect(r.response?.error?.class).toBe(cls);
    expect(r.response?.error?.desc).toMatch(desc);
    expect(r.response?.hasId).toBe(hasId);
  });
});
