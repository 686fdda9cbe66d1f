// The lock that lets one qapi-gen at a time write an output directory: a name beside
// it that only one process can create. It records its owner (host, boot, pid and the
// pid's start time), so a writer killed with it held is told apart from one that runs,
// even when its pid has been reused, and its lock is broken by the next writer.
//
// The lock is a symbolic link whose target is the owner: created with its content in
// one step. Where there are no symbolic links (FAT, Windows without the privilege) it
// is an exclusive file, filled just after; one found empty names no owner.

import { closeSync, lstatSync, openSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { FsFailure, codeOf, fsCall, fsName } from "../frontend/files.js";

/** The lock is held by a writer that runs (or may: one on another machine). */
export class LockHeld extends Error {}

/** Who holds a lock: enough to tell, on this machine, whether that process still runs. */
interface Owner {
  host: string;
  boot: string | undefined;
  pid: number;
  start: string | undefined;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // not Linux, or no such process
  }
}

const bootId = (): string | undefined => readProc("/proc/sys/kernel/random/boot_id")?.trim();

/**
 * A process's state (field 3 of /proc/PID/stat, Linux) and when it started, in clock
 * ticks since boot (field 22), which tells a reused pid apart.
 */
function processStat(pid: number): { state: string; start: string } | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  // The fields after the command name, which may hold spaces, start at 3.
  const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields === undefined ? undefined : { state: fields[0] ?? "", start: fields[19] ?? "" };
}

function me(): Owner {
  return { host: hostname(), boot: bootId(), pid: process.pid, start: processStat(process.pid)?.start };
}

/** Whether the lock's owner may still be writing; on another machine, it is assumed so. */
function isRunning(owner: Owner): boolean {
  if (owner.host !== hostname()) return true;
  const boot = bootId();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if (codeOf(err) === "ESRCH") return false; // EPERM: it runs, as another user
  }
  const stat = processStat(owner.pid);
  // Without /proc the pid is all there is to go by; with it, a process without one is gone.
  if (stat === undefined) return boot === undefined;
  // A zombie is dead (killed, not yet reaped); another start time is another process.
  return stat.state !== "Z" && stat.state !== "X" && (owner.start === undefined || owner.start === stat.start);
}

/** Creates the lock holding `text`; false if it exists. */
function createLock(lock: string, text: string): boolean {
  try {
    symlinkSync(text, fsName(lock));
    return true;
  } catch (err) {
    if (codeOf(err) === "EEXIST") return false;
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(codeOf(err) as string)) throw new FsFailure(lock, err);
  }
  let fd: number;
  try {
    fd = openSync(fsName(lock), "wx");
  } catch (err) {
    if (codeOf(err) === "EEXIST") return false;
    throw new FsFailure(lock, err);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** A lock file its writer has had time to fill but has not: the writer died at once. */
const UNFILLED_LOCK_MS = 10_000;

function readOwner(lock: string): Owner | "vanished" | "unreadable" {
  let text: string;
  try {
    text = readlinkSync(fsName(lock), "utf8");
  } catch (err) {
    if (codeOf(err) === "ENOENT") return "vanished";
    if (codeOf(err) !== "EINVAL") throw new FsFailure(lock, err);
    try {
      text = readFileSync(fsName(lock), "utf8"); // a lock file, not a link
    } catch (err2) {
      if (codeOf(err2) === "ENOENT") return "vanished";
      throw new FsFailure(lock, err2);
    }
  }
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    if (typeof o.host === "string" && typeof o.pid === "number") {
      return { host: o.host, pid: o.pid, boot: o.boot ?? undefined, start: o.start ?? undefined };
    }
  } catch {
    // empty or cut short
  }
  return "unreadable";
}

function heldMessage(lock: string, dir: string, owner: Owner | "unreadable"): string {
  if (owner !== "unreadable" && owner.host === hostname()) return `another qapi-gen (pid ${owner.pid}) is writing ${dir}`;
  const who = owner === "unreadable" ? "" : ` (pid ${owner.pid} on ${owner.host})`;
  return `another qapi-gen${who} is writing ${dir}; if none is, remove ${lock}`;
}

/**
 * Takes the lock at `lock` for writing `dir`, breaking it if its owner is dead; throws
 * LockHeld if it runs. Two processes that find the same dead owner at the same instant
 * could both break it, one the other's new lock: a race of microseconds after a crash.
 */
export function takeLock(lock: string, dir: string): void {
  const text = JSON.stringify(me());
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createLock(lock, text)) return;
    const owner = readOwner(lock);
    if (owner === "vanished") continue;
    const stale =
      owner === "unreadable"
        ? Date.now() - fsCall(lock, (p) => lstatSync(p)).mtimeMs > UNFILLED_LOCK_MS
        : !isRunning(owner);
    if (!stale) throw new LockHeld(heldMessage(lock, dir, owner));
    fsCall(lock, (p) => rmSync(p, { force: true }));
  }
  throw new LockHeld(heldMessage(lock, dir, "unreadable"));
}

/** Whether there is a lock at `lock`, held or left by a dead writer. */
export function lockExists(lock: string): boolean {
  try {
    lstatSync(fsName(lock));
    return true;
  } catch {
    return false;
  }
}
