// Conformance with QEMU's own front end (issue 2, section 6). Runs the CLI in-process
// on QEMU 10's schema test cases and full schemas in ../shared, and once through the
// built binary. Skipped, with the reason in the test name, where ../shared is absent.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { main } from "../generator/cli/main.js";

const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
const REPO = fileURLToPath(new URL("../", import.meta.url));
const TESTS_DIR = `${SHARED}qemu/10.0/tests/qapi-schema/`;
const Q10 = `${SHARED}qemu/10.0/`;
const Q72 = `${SHARED}qemu/7.2/`;
const CLI = `${REPO}dist/generator/cli/main.js`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function dump(args: string[], cwd: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(["dump", ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
  });
  return { code, stdout, stderr };
}

/** `FILE:LINE[:COL]` of the first located line (`FILE:LINE[:COL]: ...`), or undefined. */
function firstLocation(text: string): { file: string; line: string; col?: string } | undefined {
  for (const l of text.split("\n")) {
    const m = /^([^:\n]+):(\d+)(?::(\d+))?: /.exec(l);
    if (m) return m[3] === undefined ? { file: m[1]!, line: m[2]! } : { file: m[1]!, line: m[2]!, col: m[3]! };
  }
  return undefined;
}

function noStackTrace(stderr: string): void {
  expect(stderr).not.toContain("    at ");
  expect(stderr).not.toContain("Error:");
}

const haveCases = existsSync(`${TESTS_DIR}TESTS`);
const cases = haveCases
  ? readFileSync(`${TESTS_DIR}TESTS`, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.endsWith(".json"))
      .map((l) => l.slice(0, -".json".length))
  : [];

describe.skipIf(!haveCases)("6a: QEMU 10 schema test cases (dump --strict)", () => {
  test("the case list is complete (150 cases)", () => {
    expect(cases.length).toBe(150);
  });

  test.each(cases)("%s", async (name) => {
    const err = readFileSync(`${TESTS_DIR}${name}.err`, "utf8");
    const out = readFileSync(`${TESTS_DIR}${name}.out`, "utf8");
    const run = await dump(["--strict", `${name}.json`], TESTS_DIR);
    noStackTrace(run.stderr);
    if (err === "") {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(out);
    } else {
      expect(run.code, run.stderr).toBe(1);
      const want = firstLocation(err);
      expect(want, `${name}.err has a located line`).toBeDefined();
      expect(firstLocation(run.stderr), run.stderr).toEqual(want);
    }
  });
});
describe.skipIf(haveCases)("6a: QEMU 10 schema test cases", () => {
  test(`skipped: ${TESTS_DIR}TESTS not found (../shared is absent)`, () => {});
});

const haveQ10 = existsSync(`${Q10}qapi/qapi-schema.json`) && existsSync(`${Q10}qapi-schema.out`);
describe.skipIf(!haveQ10)("6b: full QEMU 10 schema", () => {
  test("dump --strict equals qapi-schema.out byte for byte", async () => {
    const run = await dump(["--strict", "qapi/qapi-schema.json"], Q10);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const want = readFileSync(`${Q10}qapi-schema.out`, "utf8");
    expect(run.stdout.split("\n").length).toBe(want.split("\n").length);
    expect(run.stdout === want).toBe(true);
  });
});
describe.skipIf(haveQ10)("6b: full QEMU 10 schema", () => {
  test(`skipped: ${Q10}qapi/qapi-schema.json not found (../shared is absent)`, () => {});
});

const haveQ72 = existsSync(`${Q72}qapi/qapi-schema.json`) && existsSync(`${Q72}qapi-schema.entities.out`);
describe.skipIf(!haveQ72)("6c: QEMU 7.2 schema, lenient", () => {
  test("entities before the first doc line equal qapi-schema.entities.out", async () => {
    const run = await dump(["qapi/qapi-schema.json"], Q72);
    noStackTrace(run.stderr);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    const firstDoc = lines.findIndex((l) => l.startsWith("doc "));
    expect(firstDoc).toBeGreaterThan(0);
    const got = lines.slice(0, firstDoc).join("\n") + "\n";
    const want = readFileSync(`${Q72}qapi-schema.entities.out`, "utf8");
    expect(got === want).toBe(true);
  });

  test("strict dump rejects QEMU 7.2's doc comments with a located error", async () => {
    const run = await dump(["--strict", "qapi/qapi-schema.json"], Q72);
    noStackTrace(run.stderr);
    expect(run.code).toBe(1);
    expect(firstLocation(run.stderr)).toBeDefined();
  });
});
describe.skipIf(haveQ72)("6c: QEMU 7.2 schema", () => {
  test(`skipped: ${Q72}qapi/qapi-schema.json not found (../shared is absent)`, () => {});
});

describe("6d: the seed schema", () => {
  test("dump qapi/transaction.json succeeds and shows the transaction command", async () => {
    const run = await dump(["qapi/transaction.json"], REPO);
    noStackTrace(run.stderr);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")).toContain("command transaction q_obj_transaction-arg -> None");
    expect(run.stdout.startsWith("module ./builtin\n")).toBe(true);
  });
});

describe.skipIf(!existsSync(CLI))("the built binary", () => {
  test("node dist/generator/cli/main.js dump: real process, stdout and exit status", () => {
    const ok = spawnSync(process.execPath, [CLI, "dump", "qapi/transaction.json"], { cwd: REPO, encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("command transaction q_obj_transaction-arg -> None\n");
    noStackTrace(ok.stderr);
  });

  test.skipIf(!haveCases)("a rejected QEMU test case exits 1 with the located error", () => {
    const bad = spawnSync(process.execPath, [CLI, "dump", "--strict", "bad-type-int.json"], {
      cwd: TESTS_DIR,
      encoding: "utf8",
    });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe("");
    expect(firstLocation(bad.stderr)).toEqual(firstLocation(readFileSync(`${TESTS_DIR}bad-type-int.err`, "utf8")));
    noStackTrace(bad.stderr);
  });

  test.skipIf(!haveCases)("an accepted QEMU test case prints the .out byte for byte", () => {
    const run = spawnSync(process.execPath, [CLI, "dump", "--strict", "qapi-schema-test.json"], {
      cwd: TESTS_DIR,
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    expect(run.stdout === readFileSync(`${TESTS_DIR}qapi-schema-test.out`, "utf8")).toBe(true);
  });
});
describe.skipIf(existsSync(CLI))("the built binary", () => {
  test(`skipped: ${CLI} not built (run npm run build)`, () => {});
});
