// qapi/block-core.json is qapi-gen's own subset of QEMU's block-core
// schema, holding exactly what qapi/transaction.json needs, and the event
// through which the jobs its actions start report their progress.  These tests
// check that every entity in it has the same model as QEMU 10.0's (as
// printed by the dump), that it covers what transaction.json uses, and
// that it holds nothing transaction.json does not reach.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../generator/cli/main.js";

const projectRoot = fileURLToPath(new URL("../", import.meta.url));
const sharedDir = fileURLToPath(new URL("../../shared/", import.meta.url));
const qemuSchema = `${sharedDir}qemu/10.0/qapi/qapi-schema.json`;
const haveShared = existsSync(qemuSchema);
if (!haveShared) {
  console.warn(
    `block-core.test: ${qemuSchema} not found; ` +
      "skipping the comparison with QEMU 10.0's schema",
  );
}

// The entities transaction.json refers to directly.
const EXPECTED = [
  "BlockDirtyBitmapAdd",
  "BlockDirtyBitmap",
  "BlockDirtyBitmapMerge",
  "BlockdevBackup",
  "BlockdevSnapshot",
  "BlockdevSnapshotInternal",
  "BlockdevSnapshotSync",
  "DriveBackup",
];

// The events of the jobs transaction actions start (drive-backup, blockdev-backup).
const EVENTS = ["JOB_STATUS_CHANGE"];

const DUMP_TIMEOUT = 120_000;

interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[]): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd: projectRoot,
  });
  return { status, stdout, stderr };
}

// Each dump is computed once and shared by the tests that need it.
const cache = new Map<string, Promise<RunResult>>();
function dump(...argv: string[]): Promise<RunResult> {
  const key = argv.join("\0");
  let result = cache.get(key);
  if (result === undefined) {
    result = run(["dump", ...argv]);
    cache.set(key, result);
  }
  return result;
}

const ENTITY_KINDS = new Set([
  "object",
  "enum",
  "alternate",
  "array",
  "command",
  "event",
]);

interface Entity {
  name: string;
  module: string;
  lines: string[];
}

// Split a dump into entity blocks: a header line (no indentation,
// starting with an entity kind) plus the indented lines below it.
// Reading stops at the first `doc ` line; doc comments are not compared.
function entities(text: string): Map<string, Entity> {
  const result = new Map<string, Entity>();
  let module = "";
  let current: Entity | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("doc ")) break;
    if (line.startsWith(" ")) {
      current?.lines.push(line);
      continue;
    }
    current = undefined;
    const words = line.split(" ");
    if (words[0] === "module") {
      module = words.slice(1).join(" ");
    } else if (ENTITY_KINDS.has(words[0]!) && words.length >= 2) {
      const name = words[1]!;
      if (result.has(name)) throw new Error(`entity ${name} printed twice`);
      current = { name, module, lines: [line] };
      result.set(name, current);
    }
  }
  return result;
}

function inModule(all: Map<string, Entity>, module: string): Entity[] {
  return [...all.values()].filter((e) => e.module === module);
}

// The names of the types an entity refers to.  A `tag` line names a
// member (or, for alternates, the implicit QType tag), not a type, so it
// adds nothing beyond the member that declares it.
function references(entity: Entity): string[] {
  const refs: string[] = [];
  const [header, ...body] = entity.lines;
  const words = header!.split(" ");
  switch (words[0]) {
    case "array":
      refs.push(words[2]!);
      break;
    case "command":
      // command NAME ARG -> RET
      refs.push(words[2]!, words[4]!);
      break;
    case "event":
      refs.push(words[2]!);
      break;
  }
  for (const line of body) {
    let m: RegExpMatchArray | null;
    if ((m = /^ {4}base (\S+)$/.exec(line))) {
      refs.push(m[1]!);
    } else if ((m = /^ {4}member [^:\s]+: (\S+) optional=/.exec(line))) {
      refs.push(m[1]!);
    } else if ((m = /^ {4}case [^:\s]+: (\S+)$/.exec(line))) {
      refs.push(m[1]!);
    }
  }
  return refs.filter((r) => r !== "None");
}

describe("qapi/block-core.json", () => {
  it(
    "dumps alone under --strict without any diagnostic",
    async () => {
      const { status, stderr } = await dump("--strict", "qapi/block-core.json");
      expect(stderr).toBe("");
      expect(status).toBe(0);
    },
    DUMP_TIMEOUT,
  );

  it(
    "is included by qapi/transaction.json, which dumps successfully",
    async () => {
      const { status, stdout } = await dump("qapi/transaction.json");
      expect(status).toBe(0);
      const lines = stdout.split("\n");
      expect(lines).toContain("module transaction.json");
      expect(lines).toContain("include block-core.json");
      expect(lines).toContain("module block-core.json");
    },
    DUMP_TIMEOUT,
  );

  it(
    "defines every type transaction.json names",
    async () => {
      const all = entities((await dump("qapi/transaction.json")).stdout);
      const names = inModule(all, "block-core.json").map((e) => e.name);
      for (const name of EXPECTED) expect(names).toContain(name);
    },
    DUMP_TIMEOUT,
  );

  it(
    "defines nothing that transaction.json and its jobs' events do not reach",
    async () => {
      const all = entities((await dump("qapi/transaction.json")).stdout);
      const reached = new Set<string>();
      const queue = [...inModule(all, "transaction.json").map((e) => e.name), ...EVENTS];
      while (queue.length > 0) {
        const name = queue.pop()!;
        if (reached.has(name)) continue;
        reached.add(name);
        const entity = all.get(name);
        if (entity !== undefined) queue.push(...references(entity));
      }
      const unreached = inModule(all, "block-core.json")
        .map((e) => e.name)
        .filter((name) => !reached.has(name));
      expect(unreached).toEqual([]);
    },
    DUMP_TIMEOUT,
  );

  it(
    "has the same entities whether dumped alone or via transaction.json",
    async () => {
      const alone = inModule(
        entities((await dump("qapi/block-core.json")).stdout),
        "block-core.json",
      );
      const included = inModule(
        entities((await dump("qapi/transaction.json")).stdout),
        "block-core.json",
      );
      expect(alone.map((e) => e.lines)).toEqual(included.map((e) => e.lines));
    },
    DUMP_TIMEOUT,
  );

  describe.skipIf(!haveShared)(
    haveShared
      ? "matches QEMU 10.0's schema"
      : "matches QEMU 10.0's schema (skipped: ../shared not present)",
    () => {
      it(
        "gives every entity the same model as QEMU 10.0",
        async () => {
          const [ours, qemu] = await Promise.all([
            dump("qapi/transaction.json"),
            dump(qemuSchema),
          ]);
          expect(qemu.status).toBe(0);
          const qemuEntities = entities(qemu.stdout);
          const mine = inModule(entities(ours.stdout), "block-core.json");
          expect(mine.length).toBeGreaterThan(0);
          for (const entity of mine) {
            const theirs = qemuEntities.get(entity.name);
            expect(theirs, `QEMU 10.0 has no ${entity.name}`).toBeDefined();
            expect(entity.lines, `entity ${entity.name}`).toEqual(
              theirs!.lines,
            );
          }
        },
        DUMP_TIMEOUT,
      );

      it(
        "gives every entity the same model as QEMU 10.0's own dump",
        async () => {
          const expected = entities(
            readFileSync(`${sharedDir}qemu/10.0/qapi-schema.out`, "utf8"),
          );
          const ours = await dump("qapi/transaction.json");
          const mine = inModule(entities(ours.stdout), "block-core.json");
          expect(mine.length).toBeGreaterThan(0);
          for (const entity of mine) {
            const theirs = expected.get(entity.name);
            expect(theirs, `QEMU 10.0 has no ${entity.name}`).toBeDefined();
            expect(entity.lines, `entity ${entity.name}`).toEqual(
              theirs!.lines,
            );
          }
        },
        DUMP_TIMEOUT,
      );
    },
  );
});
