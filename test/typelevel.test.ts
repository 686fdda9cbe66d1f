// Type-level tests: the generated code compiled with the TypeScript compiler API under
// strict settings (exactOptionalPropertyTypes, noUncheckedIndexedAccess, NodeNext,
// verbatimModuleSyntax, isolatedModules). Valid values compile; wrong ones carry
// an expect-error directive (an unused one is itself an error). Also: the full QEMU schemas
// output compiles, and QEMU 10's documented QMP examples pass the validators.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateFile, importGenerated, typecheck } from "./stubs-helpers.js";

const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
const HAVE_SHARED = existsSync(`${SHARED}qemu/10.0/qapi/qapi-schema.json`);

const USE = `
import {
  QmpClient,
  QmpDispatcher,
  parseEvent,
  transactionAction,
  commandInfo,
  schemaInfo,
  type Commands,
  type QmpHandlers,
  type Abort,
  type TransactionAction,
  type TransactionArguments,
} from "./index.js";

// an empty struct admits no member (not any object, as \`interface Abort {}\` would)
const abortData: Abort = {};
const abortAction: TransactionAction = { type: "abort", data: {} };
// @ts-expect-error: a member of an empty struct
const abortBad: Abort = { device: "x" };
// @ts-expect-error: a member in an empty struct's branch data
const abortActionBad: TransactionAction = { type: "abort", data: { device: "x" } };
void [abortData, abortAction, abortBad, abortActionBad, transactionAction.abort()];

declare const qmp: QmpClient;

// the example of transaction.json's docs, as a plain object literal
const plain: TransactionArguments = {
  actions: [
    { type: "blockdev-snapshot-sync", data: { device: "ide-hd0", "snapshot-file": "/some/place/my-image", format: "qcow2" } },
    {
      type: "blockdev-snapshot-sync",
      data: {
        "node-name": "myfile",
        "snapshot-file": "/some/place/my-image2",
        "snapshot-node-name": "node3432",
        mode: "existing",
        format: "qcow2",
      },
    },
    { type: "blockdev-snapshot-sync", data: { device: "ide-hd1", "snapshot-file": "/some/place/my-image2", mode: "existing", format: "qcow2" } },
    { type: "blockdev-snapshot-internal-sync", data: { device: "ide-hd2", name: "snapshot0" } },
  ],
};

// the same with the union constructors
const built: TransactionArguments = {
  actions: [
    transactionAction.blockdevSnapshotSync({ device: "ide-hd0", "snapshot-file": "/some/place/my-image", format: "qcow2" }),
    transactionAction.blockdevSnapshotSync({
      "node-name": "myfile",
      "snapshot-file": "/some/place/my-image2",
      "snapshot-node-name": "node3432",
      mode: "existing",
      format: "qcow2",
    }),
    transactionAction.blockdevSnapshotSync({ device: "ide-hd1", "snapshot-file": "/some/place/my-image2", mode: "existing", format: "qcow2" }),
    transactionAction.blockdevSnapshotInternalSync({ device: "ide-hd2", name: "snapshot0" }),
    transactionAction.abort(),
  ],
  properties: { "completion-mode": "grouped" },
};

export async function calls(): Promise<void> {
  const r1: void = await qmp.transaction(plain);
  const r2: void = await qmp.execute("transaction", built);
  const a: TransactionAction = transactionAction.driveBackup({ device: "d", target: "t", sync: "full" });
  void [r1, r2, a];

  // @ts-expect-error: unknown member
  await qmp.transaction({ actions: [], extra: 1 });
  // @ts-expect-error: missing required member
  await qmp.transaction({});
  // @ts-expect-error: wrong enum value
  await qmp.transaction({ actions: [], properties: { "completion-mode": "sometimes" } });
  // @ts-expect-error: unknown member in branch data
  await qmp.transaction({ actions: [{ type: "blockdev-snapshot-internal-sync", data: { device: "d", name: "n", x: 1 } }] });
  // @ts-expect-error: branch data of another branch
  await qmp.transaction({ actions: [{ type: "blockdev-snapshot-internal-sync", data: { node: "d", target: "t" } }] });
  // @ts-expect-error: unknown command
  await qmp.execute("no-such-command");
  // @ts-expect-error: arguments are required
  await qmp.execute("transaction");
  // @ts-expect-error: missing data member
  transactionAction.blockdevSnapshotInternalSync({ device: "d" });
  // @ts-expect-error: undefined is not an optional member's value under exactOptionalPropertyTypes
  const bad: TransactionArguments = { actions: [], properties: undefined };
  void bad;
}

const handlers: QmpHandlers = {
  transaction(args, context) {
    const n: number = args.actions.length;
    const id: unknown = context.id;
    void [n, id];
  },
};
const server = new QmpDispatcher(handlers);
void server;

const wrong: QmpHandlers = {
  // @ts-expect-error: a command without a return must not return a value of another type
  transaction: () => 42 as const satisfies string,
};
void wrong;

type A = Commands["transaction"]["args"];
const args: A = plain;
const info = commandInfo["transaction"];
const deprecated: boolean = info.features.includes("deprecated");
const ev = parseEvent({});
void ev;
void [args, deprecated, schemaInfo.length];
`;

describe("types of the transaction.json output", () => {
  it("accept valid values and reject wrong ones", () => {
    const files = generateFile("qapi/transaction.json");
    expect(typecheck(files, { "use.ts": USE })).toEqual([]);
  });
});

describe.skipIf(!HAVE_SHARED)("full QEMU schemas (needs ../shared)", () => {
  it.each(["10.0", "7.2"])("QEMU %s output compiles with zero errors", (version) => {
    const files = generateFile(`../shared/qemu/${version}/qapi/qapi-schema.json`);
    expect(typecheck(files)).toEqual([]);
  }, 120_000);

  // QEMU's docs get these wrong (the example does not match the schema):
  // Keyed by file:line of the example; the value is the problem found.
  const KNOWN: Record<string, string> = {
    // broken JSON in the docs: '}' closes the command before "arguments", so only the
    // first line parses (as a command without its arguments)
    "machine.json:1877": "Parameter 'filename' is missing",
    "migration.json:2263": "Parameter 'dirty-rate' is missing",
    // 'offset' is a size (integer) but the example passes the string "0x1000"
    "migration.json:1716": "Parameter 'channels[0].addr.offset' expects uint64",
    // examples older than members QEMU made mandatory later (docs not updated)
    "block-core.json:1966": "return of query-named-block-nodes: Parameter '[0].active' is missing",
    "block-core.json:781": "return of query-block: Parameter '[0].inserted.active' is missing",
    "migration.json:303": "return of query-migrate: Parameter 'ram.dirty-pages-rate' is missing",
    "migration.json:330": "return of query-migrate: Parameter 'ram.dirty-pages-rate' is missing",
    "migration.json:352": "return of query-migrate: Parameter 'ram.dirty-pages-rate' is missing",
    "misc-target.json:139": "return of query-sev: Parameter 'sev-type' is missing",
    "misc-target.json:411": "return of query-sgx-capabilities: Parameter 'sections' is missing",
    "misc.json:117": "return of query-iothreads: Parameter '[0].poll-max-ns' is missing",
    "misc.json:571": "Invalid data of event 'RTC_CHANGE': Parameter 'qom-path' is missing",
    "pci.json:188": "return of query-pci: Parameter '[0].devices[0].irq_pin' is missing",
    "virtio.json:275": "return of x-query-virtio-status: Parameter 'disable-legacy-check' is missing",
    // a member QEMU removed (TraceEventInfo's 'vcpu'), still in the example
    "trace.json:58": "return of trace-event-get-state: Parameter '[0].vcpu' is unexpected",
    // 64-bit addresses beyond 2^53: valid, but not exact as JS numbers (use --int64 bigint)
    "virtio.json:891":
      "return of x-query-virtio-queue-element: Parameter 'descs[0].addr' exceeds 2^53 in magnitude: precision lost",
    "virtio.json:920":
      "return of x-query-virtio-queue-element: Parameter 'descs[0].addr' exceeds 2^53 in magnitude: precision lost",
  };

  it("every QMP example in QEMU 10's docs passes the validators", async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const mod: any = await importGenerated(generateFile("../shared/qemu/10.0/qapi/qapi-schema.json"));
    const failures: Record<string, string> = {};
    let checked = 0;
    const dir = `${SHARED}qemu/10.0/qapi/`;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      const lines = readFileSync(dir + file, "utf8").split("\n");
      let lastCommand: string | undefined;
      for (let i = 0; i < lines.length; i++) {
        const m = /^#\s*(->|<-)\s*(\{.*)$/.exec(lines[i] as string);
        if (m === null) continue;
        let text = m[2] as string;
        let msg: Record<string, unknown> | undefined;
        for (let j = i + 1; ; j++) {
          try {
            msg = JSON.parse(text) as Record<string, unknown>;
            break;
          } catch {
            const next = lines[j];
            if (next === undefined || !next.startsWith("#") || /^#\s*(->|<-)/.test(next) || j - i > 200) break;
            text += `\n${next.replace(/^#/, "")}`;
          }
        }
        if (msg === undefined) continue;
        const where = `${file}:${i + 1}`;
        if (m[1] === "->") {
          const name = (msg.execute ?? msg["exec-oob"]) as string;
          lastCommand = name;
          const info = mod.commandInfo[name];
          if (info === undefined) {
            failures[where] = `unknown command ${name}`;
            continue;
          }
          checked++;
          const args = msg.arguments ?? {};
          const problems = info.args
            ? info.args.problems(args, info.gen ? "strict" : "compatible")
            : Object.keys(args).map((k) => ({ message: `Parameter '${k}' is unexpected` }));
          if (problems.length > 0) failures[where] = problems[0].message;
        } else if ("return" in msg && lastCommand !== undefined) {
          const info = mod.commandInfo[lastCommand];
          if (info?.returns === undefined) continue;
          checked++;
          const problems = info.returns.problems(msg.return, "strict");
          if (problems.length > 0) failures[where] = `return of ${lastCommand}: ${problems[0].message}`;
        } else if ("event" in msg) {
          checked++;
          try {
            mod.parseEvent({ timestamp: { seconds: 0, microseconds: 0 }, ...msg });
          } catch (e) {
            failures[where] = (e as Error).message;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(failures).toEqual(KNOWN);
  }, 120_000);
});
