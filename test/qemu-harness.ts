// Test helper: start and stop real QEMU processes with a QMP Unix socket, and make
// disk images with qemu-img. Every process started is killed by killAll() (afterAll),
// whatever state the test left it in.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export const QEMU = process.env["QEMU_SYSTEM"] ?? "qemu-system-x86_64";
export const QEMU_IMG = process.env["QEMU_IMG"] ?? "qemu-img";

/** Why the QEMU tests cannot run here, or undefined when they can. */
export function qemuMissing(): string | undefined {
  for (const bin of [QEMU, QEMU_IMG]) {
    const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
    if (r.error !== undefined || r.status !== 0) {
      return `${bin} not found (install Debian's qemu-system-x86 and qemu-utils)`;
    }
  }
  return undefined;
}

export function qemuImg(...args: string[]): string {
  const r = spawnSync(QEMU_IMG, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`qemu-img ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const running = new Set<ChildProcess>();

export class QemuProcess {
  readonly socket: string;
  readonly proc: ChildProcess;
  private stderr = "";
  /** Resolves with the exit code / signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(dir: string, name: string, extraArgs: readonly string[]) {
    this.socket = join(dir, `${name}.qmp`);
    this.proc = spawn(
      QEMU,
      ["-M", "none", "-nodefaults", "-display", "none", "-qmp", `unix:${this.socket},server=on,wait=off`, ...extraArgs],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    running.add(this.proc);
    this.proc.stderr?.setEncoding("utf8");
    this.proc.stderr?.on("data", (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => {
      this.proc.once("exit", (code, signal) => {
        running.delete(this.proc);
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error(`QEMU did not start: ${this.stderr}`);
    return this.proc.pid;
  }

  /** What QEMU printed on stderr (for failure messages). */
  get log(): string {
    return this.stderr;
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGCONT"); // a stopped process still dies of SIGKILL, but be plain
      this.proc.kill("SIGKILL");
    }
    await this.exited;
  }
}

/** Kill every QEMU this helper started (for afterAll). */
export async function killAll(): Promise<void> {
  for (const p of running) {
    p.kill("SIGKILL");
  }
  await Promise.all(
    [...running].map((p) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once("exit", () => r())))),
  );
}

/** A -blockdev argument in QEMU's JSON syntax. */
export const blockdev = (options: object): string[] => ["-blockdev", JSON.stringify(options)];
