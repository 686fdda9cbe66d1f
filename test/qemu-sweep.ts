// Test helper: the live sweep. A rich but local-only machine; every command whose
// arguments are all optional and that is harmless, constructed calls of the others,
// and a run that drives events. What QEMU answers is recorded as it came (the
// connection parses in bigint mode, so integers beyond 2^53 stay exact) for the tests
// to validate with each generated client, in each mode.

import { join } from "node:path";
import type { QmpConnection } from "../qmp/connection.js";
import { QmpError } from "../qmp/errors.js";
import { blockdev, qemuImg } from "./qemu-harness.js";

export type Observation =
  | { kind: "return"; command: string; value: unknown }
  | { kind: "error"; command: string; class: string; desc: string }
  | { kind: "event"; event: string; data: unknown };

export const SIZE = 64 * 1024 * 1024;

/** The machine: q35 under TCG, stopped, no network beyond user mode, nothing on a display. */
export function richMachine(dir: string): string[] {
  for (const d of ["d0", "d1"]) qemuImg("create", "-q", "-f", "qcow2", join(dir, `${d}.qcow2`), String(SIZE));
  // Allocated clusters, so that qcow2 reads reach the blkdebug node below it.
  qemuImg("create", "-q", "-f", "qcow2", "-o", "preallocation=metadata", join(dir, "err.qcow2"), "1M");
  const qcow2 = (node: string, file: object): string[] => blockdev({ driver: "qcow2", "node-name": node, file });
  return [
    "-M", "q35", "-accel", "tcg", "-m", "256", "-smp", "2", "-S", "-nodefaults", "-display", "none",
    ...qcow2("disk0", { driver: "file", filename: join(dir, "d0.qcow2") }),
    ...qcow2("disk1", { driver: "file", filename: join(dir, "d1.qcow2") }),
    ...qcow2("errdisk", {
      driver: "blkdebug",
      image: { driver: "file", filename: join(dir, "err.qcow2") },
      "inject-error": [{ event: "read_aio", errno: 5 }],
    }),
    ...blockdev({ driver: "null-co", "node-name": "tgt0", size: SIZE }),
    ...blockdev({ driver: "null-co", "node-name": "tgt1", size: SIZE }),
    ...blockdev({ driver: "null-co", "node-name": "tgt2", size: SIZE }),
    ...blockdev({ driver: "null-co", "node-name": "tgt3", size: 1024 * 1024 }),
    "-device", "virtio-blk-pci,drive=disk0,id=vblk0",
    "-device", "ide-cd,id=cd0,bus=ide.0",
    "-netdev", "user,id=net0,restrict=on", "-device", "virtio-net-pci,netdev=net0,id=nic0",
    "-object", "iothread,id=io0",
    "-object", "memory-backend-ram,id=mem0,size=16M",
    "-chardev", "null,id=ch0",
    "-audiodev", "none,id=au0",
    "-device", "qemu-xhci,id=usb0",
  ];
}

/**
 * All-optional commands not called, and why. Everything else whose arguments are all
 * optional is called without arguments.
 */
export const SKIPPED: Readonly<Record<string, string>> = {
  quit: "ends QEMU",
  "x-exit-preconfig": "leaves the preconfig state (QEMU runs without --preconfig)",
  qmp_capabilities: "negotiation, done by connectQmp",
  "add-fd": "needs a file descriptor passed over the socket (SCM_RIGHTS)",
  migrate: "migration",
  "migrate-incoming": "migration",
  "migrate-pause": "migration",
  "migrate-start-postcopy": "migration",
  migrate_cancel: "migration",
  "x-colo-lost-heartbeat": "COLO migration",
  "xen-colo-do-checkpoint": "COLO migration",
  "inject-nmi": "interrupts the guest",
  "system_wakeup": "changes the guest's power state",
  stop: "driven in the event run (STOP)",
  cont: "driven in the event run (RESUME)",
  system_reset: "driven in the event run (RESET)",
  system_powerdown: "driven in the event run (POWERDOWN)",
  eject: "driven in the event run (tray)",
  "blockdev-open-tray": "driven in the event run (DEVICE_TRAY_MOVED)",
  "blockdev-close-tray": "driven in the event run (DEVICE_TRAY_MOVED)",
};

/** Commands that take arguments, called with constructed ones (harmless, or undone). */
export const CONSTRUCTED: readonly [string, object][] = [
  ["qom-list", { path: "/machine" }],
  ["qom-list", { path: "/machine/peripheral/vblk0" }],
  ["qom-get", { path: "/machine", property: "type" }],
  ["qom-get", { path: "/machine/peripheral/vblk0", property: "realized" }],
  ["qom-list-types", { implements: "device", abstract: true }],
  ["qom-list-properties", { typename: "memory-backend-ram" }],
  ["device-list-properties", { typename: "virtio-blk-pci" }],
  ["query-cpu-model-expansion", { type: "static", model: { name: "qemu64" } }],
  ["query-cpu-model-expansion", { type: "full", model: { name: "max" } }],
  ["query-command-line-options", { option: "drive" }],
  ["human-monitor-command", { "command-line": "info block" }],
  ["query-named-block-nodes", { flat: true }],
  ["query-blockstats", { "query-nodes": true }],
  ["query-stats", { target: "vm" }],
  ["query-stats", { target: "vcpu" }],
  ["query-rx-filter", { name: "nic0" }],
  ["trace-event-get-state", { name: "qmp_*" }],
  ["x-query-virtio-status", { path: "/machine/peripheral/vblk0/virtio-backend" }],
  ["x-query-virtio-queue-status", { path: "/machine/peripheral/vblk0/virtio-backend", queue: 0 }],
  ["x-query-virtio-queue-element", { path: "/machine/peripheral/vblk0/virtio-backend", queue: 0 }],
  ["blockdev-add", { driver: "null-co", "node-name": "tmp0", size: 4096 }],
  ["query-named-block-nodes", {}],
  ["blockdev-del", { "node-name": "tmp0" }],
  ["block-dirty-bitmap-add", { node: "disk0", name: "sweep0", persistent: false }],
  ["x-debug-block-dirty-bitmap-sha256", { node: "disk0", name: "sweep0" }],
  ["query-block", {}],
  ["block-dirty-bitmap-remove", { node: "disk0", name: "sweep0" }],
  ["blockdev-snapshot-internal-sync", { device: "disk1", name: "snap0" }],
  ["query-named-block-nodes", { flat: true }],
  ["blockdev-snapshot-delete-internal-sync", { device: "disk1", name: "snap0" }],
  ["object-add", { "qom-type": "iothread", id: "io1" }],
  ["query-iothreads", {}],
  ["object-del", { id: "io1" }],
  ["chardev-add", { id: "ch1", backend: { type: "ringbuf", data: { size: 4096 } } }],
  ["ringbuf-write", { device: "ch1", data: "hello" }],
  ["ringbuf-read", { device: "ch1", size: 5 }],
  ["query-chardev", {}],
  ["chardev-remove", { id: "ch1" }],
  ["block_set_io_throttle", { id: "vblk0", bps: 0, bps_rd: 0, bps_wr: 0, iops: 0, iops_rd: 0, iops_wr: 0 }],
];

/** Runs commands, recording what QEMU answered and every event it sends meanwhile. */
export class Recorder {
  readonly observations: Observation[] = [];
  private readonly off: () => void;

  constructor(readonly conn: QmpConnection) {
    this.off = conn.onEvents((e) => this.observations.push({ kind: "event", event: e.event, data: e.data }));
  }

  /** The return value; undefined (recorded) when QEMU answers an error. */
  async call(command: string, args?: object): Promise<unknown> {
    try {
      const value = await this.conn.execute(command, args, { timeout: 60_000 });
      this.observations.push({ kind: "return", command, value });
      return value;
    } catch (e) {
      if (!(e instanceof QmpError)) throw e;
      this.observations.push({ kind: "error", command, class: e.class, desc: e.desc });
      return undefined;
    }
  }

  /** Calls `command` and waits for `event` (matching `match`). */
  async until(event: string, match: (data: Record<string, unknown>) => boolean, command: string, args?: object): Promise<void> {
    const seen = this.conn.waitForEvent(event, (d) => match(d as Record<string, unknown>), { timeout: 60_000 });
    await this.call(command, args);
    await seen;
  }

  stop(): void {
    this.off();
  }
}

/** Every all-optional command of `commands` not skipped, without arguments. */
export async function sweepAllOptional(r: Recorder, commands: readonly string[]): Promise<void> {
  for (const c of commands) if (SKIPPED[c] === undefined) await r.call(c);
}

export async function sweepConstructed(r: Recorder): Promise<void> {
  for (const [c, args] of CONSTRUCTED) await r.call(c, args);
}

const job = (id: string) => (d: Record<string, unknown>) => d["id"] === id || d["device"] === id;

/** Drives events: run state, hot-unplug, tray, block jobs of each end, errors, thresholds, exports, dump. */
export async function driveEvents(r: Recorder, dir: string): Promise<void> {
  await r.until("RESUME", () => true, "cont");
  await r.until("STOP", () => true, "stop");
  await r.until("RESET", () => true, "system_reset");
  await r.until("POWERDOWN", () => true, "system_powerdown");
  await r.call("device_add", { driver: "usb-kbd", id: "kbd1", bus: "usb0.0" });
  await r.until("DEVICE_DELETED", (d) => d["device"] === "kbd1", "device_del", { id: "kbd1" });
  await r.until("DEVICE_TRAY_MOVED", (d) => d["tray-open"] === true, "blockdev-open-tray", { id: "cd0" });
  await r.until("DEVICE_TRAY_MOVED", (d) => d["tray-open"] === false, "blockdev-close-tray", { id: "cd0" });

  // A backup finalized by hand: created, running, pending, waiting for job-finalize.
  const backup = { "job-id": "bk0", device: "disk0", target: "tgt0", sync: "full", "auto-finalize": false, "auto-dismiss": false };
  await r.until("BLOCK_JOB_PENDING", job("bk0"), "blockdev-backup", backup);
  await r.call("query-block-jobs");
  await r.call("query-jobs");
  await r.until("BLOCK_JOB_COMPLETED", job("bk0"), "job-finalize", { id: "bk0" });
  await r.call("query-jobs");
  await r.call("job-dismiss", { id: "bk0" });

  // A mirror: ready, listed while running, then completed without pivoting.
  await r.until("BLOCK_JOB_READY", job("mr0"), "blockdev-mirror", { "job-id": "mr0", device: "disk0", target: "tgt1", sync: "full" });
  await r.call("query-block-jobs");
  await r.call("query-jobs");
  await r.until("BLOCK_JOB_COMPLETED", job("mr0"), "block-job-cancel", { device: "mr0" });

  // A cancelled job: too slow to finish first.
  await r.call("blockdev-backup", { "job-id": "bk1", device: "disk1", target: "tgt2", sync: "full", speed: 1 });
  await r.call("query-block-jobs");
  await r.until("BLOCK_JOB_CANCELLED", job("bk1"), "block-job-cancel", { device: "bk1", force: true });

  // Read errors injected by blkdebug below a qcow2 image, reported by the job.
  const errors = { "job-id": "bk2", device: "errdisk", target: "tgt3", sync: "full", "on-source-error": "report" };
  await r.until("BLOCK_JOB_COMPLETED", job("bk2"), "blockdev-backup", errors);

  // A write threshold crossed by a write.
  await r.call("block-set-write-threshold", { "node-name": "disk1", "write-threshold": 65536 });
  await r.until("BLOCK_WRITE_THRESHOLD", () => true, "human-monitor-command", { "command-line": 'qemu-io disk1 "write 1M 64k"' });

  // An NBD export on a Unix socket, removed.
  await r.call("nbd-server-start", { addr: { type: "unix", data: { path: join(dir, "nbd.sock") } } });
  await r.call("block-export-add", { type: "nbd", id: "exp0", "node-name": "disk1" });
  await r.call("query-block-exports");
  await r.until("BLOCK_EXPORT_DELETED", (d) => d["id"] === "exp0", "block-export-del", { id: "exp0" });
  await r.call("nbd-server-stop");

  // A guest memory dump, in the background.
  await r.until("DUMP_COMPLETED", () => true, "dump-guest-memory", { paging: false, protocol: `file:${join(dir, "guest.dump")}`, detach: true });
  await r.call("query-dump");
}
