// End to end: schema → generated code → QMP client → a real QEMU process (and the
// same client scenario against the mock server). The QEMU part runs against each build
// of test/qemu-harness.ts (Debian's 7.2, and 10.0 when .ci/fetch-qemu10 brought it); a
// build that is not there is reported as skipped, with the reason, in every title.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectQmp } from "../qmp/connect.js";
import type { QmpConnection } from "../qmp/connection.js";
import { checkLiveCompatibility, formatCompatReport, type SchemaInfoEntry } from "../qmp/compat.js";
import { QmpConnectionClosedError, QmpError } from "../qmp/errors.js";
import type { QmpEvent } from "../qmp/events.js";
import { QmpMockServer } from "../qmp/server.js";
import { QEMU_BUILDS, QemuProcess, blockdev, killAll, qemuImg, skipNote } from "./qemu-harness.js";
import { BUILD_DEFINES, KNOWN_SKEW, defineArgs, generateInto, type Generated } from "./qmp-gen.js";
import { ACTION_KINDS, SCENARIO, rejectsDesc, type ActionBuilders, type Step } from "./transaction-scenario.js";
import { runChild, transpileQmp } from "./qmp-child.js";

/** What the tests use of the code generated from qapi/transaction.json. */
interface TxModule {
  QmpClient: new (
    transport: { execute(c: string, a?: object, o?: object): Promise<unknown> },
    options?: object,
  ) => { transaction(args: object): Promise<undefined> };
  QmpDispatcher: new (handlers: object) => { dispatch(request: unknown): Promise<unknown> };
  QmpValidationError: new (...a: never[]) => Error;
  transactionAction: ActionBuilders;
}

for (const b of QEMU_BUILDS) {
  if (b.missing !== undefined) console.warn(`\n*** e2e-qemu: QEMU ${b.version} tests SKIPPED: ${b.missing} ***\n`);
}

const SIZE = 64 * 1024 * 1024;
let work: string;
let gen: Generated;
let tx: TxModule;
const file = (name: string): string => join(work, name);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "qapi-gen-qemu-"));
  gen = await generateInto("qapi/transaction.json");
  tx = await gen.load<TxModule>("index.ts");
});

afterAll(async () => {
  await killAll();
  gen?.remove();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

it("the scenario covers all 12 transaction action kinds and both completion modes", () => {
  const kinds = new Set(SCENARIO.flatMap((s) => s.actions(tx.transactionAction, file).map((a) => a.type)));
  expect([...kinds].sort()).toEqual([...ACTION_KINDS].sort());
  const modes = new Set(SCENARIO.filter((s) => s.rejects === undefined).map((s) => s.properties?.["completion-mode"] ?? "individual"));
  expect([...modes].sort()).toEqual(["grouped", "individual"]);
});

interface JobEnd {
  device: string;
  len: number;
  offset: number;
  error?: string;
}

/** Run one step through the generated client; returns the completion events of its jobs. */
async function runStep(
  client: InstanceType<TxModule["QmpClient"]>,
  conn: QmpConnection,
  step: Step,
  inDir: (name: string) => string,
  version: "7.2" | "10.0",
): Promise<Map<string, QmpEvent>> {
  const done = new Map<string, QmpEvent>();
  const events = step.jobs === undefined ? undefined : conn.events(["BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"]);
  const args = {
    actions: step.actions(tx.transactionAction, inDir),
    ...(step.properties === undefined ? {} : { properties: step.properties }),
  };
  if (step.rejects !== undefined) {
    const err = await client.transaction(args).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QmpError);
    expect((err as QmpError).class).toBe(step.rejects.class);
    expect((err as QmpError).desc).toMatch(rejectsDesc(step, version) as RegExp);
    return done;
  }
  await expect(client.transaction(args)).resolves.toBeUndefined();
  if (events !== undefined) {
    for await (const e of events) {
      done.set((e.data as JobEnd).device, e);
      if (step.jobs?.every((j) => done.has(j)) === true) break;
    }
  }
  return done;
}

for (const build of QEMU_BUILDS) describe.skipIf(build.missing !== undefined)(`against QEMU ${build.version}${skipNote(build)}`, () => {
  const v = `QEMU ${build.version}`;
  const haveSchema = existsSync(build.schema);
  const schemaNote = skipNote(build, { schema: true });
  const dir = (): string => join(work, build.version);
  const file = (name: string): string => join(dir(), name);
  let qemu: QemuProcess;
  let conn: QmpConnection;
  let client: InstanceType<TxModule["QmpClient"]>;

  interface Bitmap {
    name: string;
    recording: boolean;
    count: number;
    granularity: number;
  }
  interface NodeInfo {
    "node-name": string;
    "dirty-bitmaps"?: Bitmap[];
    backing_file?: string;
    image: { snapshots?: { name: string }[]; "backing-filename"?: string };
  }

  const node = async (name: string): Promise<NodeInfo | undefined> => {
    const nodes = (await conn.execute("query-named-block-nodes", { flat: true })) as NodeInfo[];
    return nodes.find((n) => n["node-name"] === name);
  };
  const bitmaps = async (): Promise<Record<string, Bitmap>> =>
    Object.fromEntries(((await node("disk0"))?.["dirty-bitmaps"] ?? []).map((b) => [b.name, b]));
  /** Write guest data to a node with HMP's qemu-io (no guest here to do it). */
  const write = async (nodeName: string, offset: string, len: string): Promise<void> => {
    // qemu-io prints to QEMU's stdout, not to the monitor: success is an empty reply.
    const out = await conn.execute("human-monitor-command", { "command-line": `qemu-io ${nodeName} "write ${offset} ${len}"` });
    expect(out).toBe("");
  };
  const imageInfo = (name: string): { "virtual-size": number; "backing-filename"?: string; format: string } =>
    JSON.parse(qemuImg("info", "-U", "--output=json", file(name))) as never;

  beforeAll(async () => {
    mkdirSync(dir());
    for (const d of ["d0", "d1", "d2", "ov1"]) qemuImg("create", "-q", "-f", "qcow2", file(`${d}.qcow2`), String(SIZE));
    const qcow2 = (nodeName: string, image: string, extra: object = {}): string[] =>
      blockdev({ driver: "qcow2", "node-name": nodeName, file: { driver: "file", filename: file(image) }, ...extra });
    qemu = new QemuProcess(dir(), "main", [
      ...qcow2("disk0", "d0.qcow2"),
      ...qcow2("disk1", "d1.qcow2"),
      ...qcow2("disk2", "d2.qcow2"),
      // The overlay of blockdev-snapshot must be opened without a backing file.
      ...qcow2("ov1", "ov1.qcow2", { backing: null }),
      ...blockdev({ driver: "null-co", "node-name": "null0", size: SIZE }),
      ...blockdev({ driver: "null-co", "node-name": "null1", size: SIZE }),
    ], build);
    conn = await connectQmp(qemu.socket, { retryFor: 30_000, timeout: 30_000 });
    client = new tx.QmpClient(conn);
  });

  afterAll(async () => {
    await conn?.close();
    await qemu?.kill();
  });

  it(`${v}: connects, negotiates and reports QEMU's version`, () => {
    expect(`${conn.version.qemu.major}.${conn.version.qemu.minor}`).toBe(build.version);
    expect(conn.capabilities).toContain("oob");
    console.info(`e2e-qemu: connected to QEMU ${conn.versionString} (${conn.version.package})`);
  });

  const verify: Record<string, (jobs: Map<string, QmpEvent>) => Promise<void>> = {
    "block-dirty-bitmap-add": async () => {
      const b = await bitmaps();
      expect(Object.keys(b).sort()).toEqual(["b0", "b1", "b2"]);
      expect([b["b0"]?.recording, b["b1"]?.recording, b["b2"]?.granularity]).toEqual([true, false, 65536]);
      await write("disk0", "0", "64k");
      const after = await bitmaps();
      expect([after["b0"]?.count, after["b1"]?.count]).toEqual([65536, 0]);
    },
    "block-dirty-bitmap-enable/-disable": async () => {
      const b = await bitmaps();
      expect([b["b0"]?.recording, b["b1"]?.recording]).toEqual([false, true]);
      await write("disk0", "1M", "64k");
      const after = await bitmaps();
      expect([after["b0"]?.count, after["b1"]?.count]).toEqual([65536, 65536]);
    },
    "block-dirty-bitmap-merge": async () => {
      expect((await bitmaps())["b2"]?.count).toBe(131072);
    },
    "block-dirty-bitmap-clear": async () => {
      expect((await bitmaps())["b0"]?.count).toBe(0);
    },
    "block-dirty-bitmap-remove": async () => {
      expect(Object.keys(await bitmaps()).sort()).toEqual(["b0", "b2"]);
    },
    "snapshots (internal, blockdev, sync)": async () => {
      expect((await node("disk0"))?.image.snapshots?.map((s) => s.name)).toEqual(["snap0"]);
      expect(qemuImg("snapshot", "-U", "-l", file("d0.qcow2"))).toMatch(/snap0/);
      // blockdev-snapshot: the overlay node now has disk1's image as its backing file.
      expect((await node("ov1"))?.backing_file).toBe(file("d1.qcow2"));
      // blockdev-snapshot-sync: the new image is on disk with disk2's image as backing.
      // (Without a device above disk2 nothing holds the new node, so QEMU drops it
      // from the graph again; the file is the lasting effect.)
      expect(existsSync(file("snap2.qcow2"))).toBe(true);
      expect(imageInfo("snap2.qcow2")["backing-filename"]).toBe(file("d2.qcow2"));
    },
    "backups, individual completion": async (jobs) => {
      for (const id of ["bk0", "db0"]) {
        const d = jobs.get(id)?.data as JobEnd;
        expect(jobs.get(id)?.event).toBe("BLOCK_JOB_COMPLETED");
        expect([d.len, d.offset, d.error]).toEqual([SIZE, SIZE, undefined]);
      }
      expect(imageInfo("db0.qcow2")).toMatchObject({ format: "qcow2", "virtual-size": SIZE });
    },
    "backups, grouped completion": async (jobs) => {
      for (const id of ["gb1", "gb2"]) {
        expect(jobs.get(id)?.event).toBe("BLOCK_JOB_COMPLETED");
        expect((jobs.get(id)?.data as JobEnd).error).toBeUndefined();
      }
      expect(imageInfo("gb2.qcow2")).toMatchObject({ format: "qcow2", "virtual-size": SIZE });
    },
    "abort rolls the transaction back": async () => {
      expect(Object.keys(await bitmaps()).sort()).toEqual(["b0", "b2"]);
    },
    "grouped completion refused for bitmap actions": async () => {
      expect(Object.keys(await bitmaps()).sort()).toEqual(["b0", "b2"]);
    },
    "unknown node": async () => {},
  };

  for (const step of SCENARIO) {
    it(`${v}: transaction: ${step.name}`, async () => {
      const jobs = await runStep(client, conn, step, file, build.version);
      const check = verify[step.name];
      if (check === undefined) throw new Error(`no QEMU check for step ${step.name}`);
      await check(jobs);
    });
  }

  it(`${v}: rejects an invalid action in the generated validator, sending nothing`, async () => {
    const sent: string[] = [];
    const counting = {
      execute: (c: string, a?: object, o?: object) => {
        sent.push(c);
        return conn.execute(c, a, o);
      },
    };
    const checked = new tx.QmpClient(counting);
    const bad = { actions: [{ type: "block-dirty-bitmap-add", data: { node: "disk0" } }] };
    const err = await checked.transaction(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tx.QmpValidationError);
    expect((err as Error).message).toMatch(/name/);
    expect(sent).toEqual([]);
    // The same value through the raw connection: QEMU rejects it too, as validated.
    await expect(conn.execute("transaction", bad)).rejects.toMatchObject({ class: "GenericError", desc: "Parameter 'actions[0].data.name' is missing" });
  });

  it(`${v}: keeps many commands in flight on one connection`, async () => {
    const replies = await Promise.all(Array.from({ length: 64 }, () => conn.execute("query-version")));
    expect(new Set(replies.map((r) => JSON.stringify(r))).size).toBe(1);
  });

  it.skipIf(!haveSchema)(`${v}: nothing breaks or is unavailable for the ${build.version} schema generated for its x86_64 Linux build${schemaNote}`, async () => {
    const g = await generateInto(build.schema, defineArgs(BUILD_DEFINES[build.version]));
    try {
      const { schemaInfo } = await g.load<{ schemaInfo: SchemaInfoEntry[] }>("introspection.ts");
      const report = await checkLiveCompatibility(conn, schemaInfo);
      expect(report.breaks).toEqual([]);
      // Only the listed skew between the schema's and the binary's patch release.
      const skew = new Set(KNOWN_SKEW[build.version].map((k) => k.member));
      expect(report.unavailable.filter((i) => !skew.has(i.path.slice(i.path.lastIndexOf(".") + 1)))).toEqual([]);
      expect(report.changed).toEqual([]);
      // drive-backup is deprecated in both; the report must say so.
      expect(report.deprecated.map((d) => d.path)).toContain("drive-backup");
      console.info(`e2e-qemu: ${v} compatibility: ${report.unavailable.length} unavailable (skew), ${report.deprecated.length} deprecated used`);
    } finally {
      g.remove();
    }
  });

  it.skipIf(!haveSchema)(`${v}: reports what a live QEMU lacks when the schema asks for more${schemaNote}`, async () => {
    // The schema without --define keeps every target's commands; x86 QEMU lacks s390x's.
    const all = await generateInto(build.schema);
    try {
      const { schemaInfo } = await all.load<{ schemaInfo: SchemaInfoEntry[] }>("introspection.ts");
      const report = await checkLiveCompatibility(conn, schemaInfo);
      expect(report.unavailable).toContainEqual(expect.objectContaining({ kind: "command", path: "dump-skeys" }));
      expect(report.unavailable).toContainEqual(expect.objectContaining({ kind: "enum-value" }));
      expect(formatCompatReport(report)).toMatch(/^ {2}- dump-skeys: the live QEMU does not provide this command$/m);
    } finally {
      all.remove();
    }
  });

  it(`${v}: rejects a command in flight promptly when QEMU is killed`, async () => {
    const victim = new QemuProcess(dir(), "victim", [], build);
    const vconn = await connectQmp(victim.socket, { retryFor: 30_000 });
    // Stopped, QEMU cannot answer: the command is certainly in flight when it dies.
    victim.signal("SIGSTOP");
    const pending = vconn.execute("query-status");
    expect(vconn.inFlight).toBe(1);
    victim.signal("SIGKILL");
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpConnectionClosedError);
    expect((err as Error).message).toMatch(/^query-status: connection closed by peer \(QEMU exited or closed the socket\)/);
    expect((await vconn.closed).byClient).toBe(false);
    expect((await victim.exited).signal).toBe("SIGKILL");
  });

  it(`${v}: lets a client process exit cleanly when QEMU dies under it`, async () => {
    const lib = transpileQmp(join(dir(), "qmp-js"));
    const victim = new QemuProcess(dir(), "victim2", [], build);
    const script = join(dir(), "victim-client.mjs");
    writeFileSync(
      script,
      `import { connectQmp } from ${JSON.stringify(join(lib, "index.js"))};
const conn = await connectQmp(process.argv[2], { retryFor: 30000 });
conn.execute("query-status").then(
  () => console.log("resolved?!"),
  (e) => console.log("rejected:", e.name, e.message),
);
process.kill(Number(process.argv[3]), "SIGSTOP");
setImmediate(() => process.kill(Number(process.argv[3]), "SIGKILL"));
`,
    );
    const r = await runChild(script, [victim.socket, String(victim.pid)]);
    expect(r).toMatchObject({ code: 0, signal: null, stderr: "" });
    expect(r.stdout).toMatch(/^rejected: QmpConnectionClosedError query-status: connection closed by peer \(QEMU exited or closed the socket\)(: read ECONNRESET)?\n$/);
  });
});

describe("against the mock server", () => {
  interface MockBitmap {
    recording: boolean;
    granularity: number;
  }
  let server: QmpMockServer;
  let conn: QmpConnection;
  let client: InstanceType<TxModule["QmpClient"]>;
  let bitmaps = new Map<string, MockBitmap>();
  const nodes = new Set(["disk0", "disk1", "disk2", "ov1", "null0", "null1"]);
  const snapshots: string[] = [];
  const commands: unknown[] = [];

  const fail = (desc: string): never => {
    throw { class: "GenericError", desc };
  };
  const needNode = (n: string): void => {
    if (!nodes.has(n)) fail(`Cannot find device='' nor node-name='${n}'`);
  };

  /** A small model of QEMU's transaction: all actions or none. */
  const handlers = {
    transaction(args: { actions: { type: string; data: Record<string, unknown> }[]; properties?: { "completion-mode"?: string } }): void {
      const next = new Map([...bitmaps].map(([k, v]) => [k, { ...v }]));
      const grouped = args.properties?.["completion-mode"] === "grouped";
      const jobs: string[] = [];
      for (const { type, data } of args.actions) {
        if (grouped && !type.endsWith("backup")) {
          fail(`Action '${type}' does not support Transaction property completion-mode = grouped`);
        }
        const name = data["name"] as string;
        if (type !== "abort") needNode((data["node"] ?? data["device"] ?? data["node-name"]) as string);
        switch (type) {
          case "abort":
            fail("Transaction aborted using Abort action");
            break;
          case "block-dirty-bitmap-add":
            next.set(name, { recording: data["disabled"] !== true, granularity: (data["granularity"] as number) ?? 65536 });
            break;
          case "block-dirty-bitmap-remove":
            next.delete(name);
            break;
          case "block-dirty-bitmap-enable":
          case "block-dirty-bitmap-disable": {
            const b = next.get(name) ?? fail(`Dirty bitmap '${name}' not found`);
            b.recording = type.endsWith("enable");
            break;
          }
          case "block-dirty-bitmap-clear":
          case "block-dirty-bitmap-merge":
            break;
          case "blockdev-snapshot-internal-sync":
          case "blockdev-snapshot":
          case "blockdev-snapshot-sync":
            snapshots.push(type);
            break;
          case "blockdev-backup":
          case "drive-backup":
            jobs.push(data["job-id"] as string);
            break;
        }
      }
      bitmaps = next;
      // Jobs finish after the transaction returns, as in QEMU.
      setImmediate(() => {
        for (const device of jobs) server.emitEvent("BLOCK_JOB_COMPLETED", { type: "backup", device, len: SIZE, offset: SIZE, speed: 0 });
      });
    },
  };

  beforeAll(async () => {
    const dispatcher = new tx.QmpDispatcher(handlers);
    server = new QmpMockServer({
      dispatch: (req) => {
        commands.push(req);
        return dispatcher.dispatch(req);
      },
    });
    const address = await server.listen(join(work, "mock.qmp"));
    conn = await connectQmp(address);
    client = new tx.QmpClient(conn);
  });

  afterAll(async () => {
    await conn?.close();
    await server?.close();
  });

  const verify: Record<string, (jobs: Map<string, QmpEvent>) => void> = {
    "block-dirty-bitmap-add": () => expect([...bitmaps.keys()]).toEqual(["b0", "b1", "b2"]),
    "block-dirty-bitmap-enable/-disable": () =>
      expect([bitmaps.get("b0")?.recording, bitmaps.get("b1")?.recording]).toEqual([false, true]),
    "block-dirty-bitmap-merge": () => expect(bitmaps.size).toBe(3),
    "block-dirty-bitmap-clear": () => expect(bitmaps.size).toBe(3),
    "block-dirty-bitmap-remove": () => expect([...bitmaps.keys()]).toEqual(["b0", "b2"]),
    "snapshots (internal, blockdev, sync)": () =>
      expect(snapshots).toEqual(["blockdev-snapshot-internal-sync", "blockdev-snapshot", "blockdev-snapshot-sync"]),
    "backups, individual completion": (jobs) => expect([...jobs.keys()].sort()).toEqual(["bk0", "db0"]),
    "backups, grouped completion": (jobs) => expect([...jobs.keys()].sort()).toEqual(["gb1", "gb2"]),
    "abort rolls the transaction back": () => expect([...bitmaps.keys()]).toEqual(["b0", "b2"]),
    "grouped completion refused for bitmap actions": () => expect([...bitmaps.keys()]).toEqual(["b0", "b2"]),
    "unknown node": () => {},
  };

  it("greets like QEMU", () => {
    expect(conn.versionString).toBe("7.2.0");
    expect(conn.capabilities).toEqual(["oob"]);
  });

  for (const step of SCENARIO) {
    it(`transaction: ${step.name}`, async () => {
      const jobs = await runStep(client, conn, step, file, "7.2"); // the mock answers as QEMU 7.2
      verify[step.name]?.(jobs);
    });
  }

  it("rejects an invalid action in the generated validator, sending nothing", async () => {
    const before = commands.length;
    const bad = { actions: [{ type: "block-dirty-bitmap-add", data: { node: "disk0" } }] };
    await expect(client.transaction(bad)).rejects.toBeInstanceOf(tx.QmpValidationError);
    expect(commands.length).toBe(before);
    // Sent raw, the mock's dispatcher answers as QEMU does.
    await expect(conn.execute("transaction", bad)).rejects.toMatchObject({ class: "GenericError", desc: "Parameter 'actions[0].data.name' is missing" });
    await expect(conn.execute("query-status")).rejects.toMatchObject({ class: "CommandNotFound" });
  });

  it("rejects pending commands when the server goes away", async () => {
    const second = await connectQmp(join(work, "mock.qmp"));
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const slowServer = new QmpMockServer({ dispatch: async () => (await blocked, { return: {} }) });
    const addr = await slowServer.listen(join(work, "slow.qmp"));
    const c = await connectQmp(addr);
    const pending = c.execute("anything");
    slowServer.dropConnections();
    await expect(pending).rejects.toBeInstanceOf(QmpConnectionClosedError);
    release();
    await slowServer.close();
    await second.close();
  });
});
