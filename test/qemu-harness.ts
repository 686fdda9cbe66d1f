// Test helper: start and stop real QEMU processes with a QMP Unix socket, and make
// disk images with qemu-img. Two builds: Debian's QEMU 7.2 (the system's) and QEMU 10.0
// from bookworm-backports, unpacked beside it by .ci/fetch-qemu10. Every process
// started is killed by killAll() (afterAll), whatever state the test left it in.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const QEMU_IMG = process.env["QEMU_IMG"] ?? "qemu-img";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const SHARED = join(REPO, "..", "shared", "qemu");

/** A QEMU binary the tests run, and what to generate for it. */
export interface QemuBuild {
  /** "7.2" or "10.0": names the schema in ../shared/qemu and every test of this build. */
  readonly version: "7.2" | "10.0";
  readonly binary: string;
  /** Arguments before the machine's (where QEMU 10 finds its firmware). */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** QEMU's schema of this version. */
  readonly schema: string;
  /** Why this build cannot run here, or undefined when it can. */
  readonly missing: string | undefined;
}

function probe(binary: string, env: NodeJS.ProcessEnv, install: string): string | undefined {
  for (const bin of [binary, QEMU_IMG]) {
    const r = spawnSync(bin, ["--version"], { encoding: "utf8", env });
    if (r.error !== undefined || r.status !== 0) return `${bin} not found (${install})`;
  }
  return undefined;
}

function build72(): QemuBuild {
  const binary = process.env["QEMU_SYSTEM"] ?? "qemu-system-x86_64";
  return {
    version: "7.2",
    binary,
    args: [],
    env: process.env,
    schema: join(SHARED, "7.2", "qapi", "qapi-schema.json"),
    missing: probe(binary, process.env, "install Debian's qemu-system-x86 and qemu-utils"),
  };
}

function build100(): QemuBuild {
  const root = process.env["QEMU10_ROOT"] ?? join(REPO, ".cache", "qemu-10.0");
  const binary = join(root, "usr", "bin", "qemu-system-x86_64");
  // Its own modules: QEMU 10 must not load 7.2's from the system (it aborts).
  const env = { ...process.env, QEMU_MODULE_DIR: join(root, "usr", "lib", "x86_64-linux-gnu", "qemu") };
  return {
    version: "10.0",
    binary,
    args: ["-L", join(root, "usr", "share", "qemu")],
    env,
    schema: join(SHARED, "10.0", "qapi", "qapi-schema.json"),
    missing: existsSync(binary) ? probe(binary, env, "run .ci/fetch-qemu10") : `${binary} not found (run .ci/fetch-qemu10)`,
  };
}

/** Both builds, 7.2 first. */
export const QEMU_BUILDS: readonly QemuBuild[] = [build72(), build100()];

/** The system's QEMU 7.2. */
export const QEMU_72 = QEMU_BUILDS[0] as QemuBuild;

/** Why the tests of `build` are skipped, as a test title suffix ("" when they run). */
export function skipNote(build: QemuBuild, needs: { schema?: boolean } = {}): string {
  if (build.missing !== undefined) return ` (skipped: ${build.missing})`;
  if (needs.schema === true && !existsSync(build.schema)) return ` (skipped: ${build.schema} is absent)`;
  return "";
}

/** Why the QEMU 7.2 tests cannot run here, or undefined when they can. */
export function qemuMissing(): string | undefined {
  return QEMU_72.missing;
}

export function qemuImg(...args: string[]): string {
  const r = spawnSync(QEMU_IMG, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`qemu-img ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const running = new Set<ChildProcess>();

/** The machine when none is given: no board, no devices. */
export const BARE_MACHINE: readonly string[] = ["-M", "none", "-nodefaults", "-display", "none"];

export class QemuProcess {
  readonly socket: string;
  readonly proc: ChildProcess;
  private stderr = "";
  /** Resolves with the exit code / signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    dir: string,
    name: string,
    extraArgs: readonly string[],
    readonly build: QemuBuild = QEMU_72,
    machine: readonly string[] = BARE_MACHINE,
  ) {
    this.socket = join(dir, `${name}.qmp`);
    this.proc = spawn(build.binary, [...build.args, ...machine, "-qmp", `unix:${this.socket},server=on,wait=off`, ...extraArgs], {
      stdio: ["ignore", "ignore", "pipe"],
      env: build.env,
    });
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
