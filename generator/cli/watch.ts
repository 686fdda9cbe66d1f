// --watch: run every target, then rerun a target when a file it read changes (its
// schema and the files included as of its last run, so a new include is watched from
// the run that first reads it); a change to the config file reloads it and reruns all.
// Changes are debounced. A failed run prints its errors and leaves that target's last
// good output alone. SIGINT (Ctrl-C) or SIGTERM stops after the run in progress.

import { watch as fsWatch, existsSync, statSync, type FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ConfigTarget } from "../api/config.js";
import { UsageError, type CommandLine } from "./args.js";
import { generateTarget, recoverTarget, resolveTargets, writeTargets, type Targets } from "./generate.js";
import { printErrors, type CliIO } from "./report.js";

/** Quiet time after the last change before a run: editors save in several steps. */
const DEBOUNCE_MS = 100;

/** The folder to watch for `file`, and the entry in it whose change matters: the nearest existing ancestor for a missing file. */
function watchPoint(file: string): [dir: string, name: string] {
  let name = basename(file);
  let dir = dirname(file);
  while (!existsSync(dir) && dirname(dir) !== dir) {
    name = basename(dir);
    dir = dirname(dir);
  }
  return [dir, name];
}

/**
 * File times come from the kernel's coarse clock, which lags the time Node reads by
 * up to a tick: an entry made just after a run started can carry an earlier time.
 * Less than the debounce, so the change that started a run never counts again.
 */
const CLOCK_SLACK_MS = 50;

function changedSince(path: string, time: number): boolean {
  try {
    return statSync(path).mtimeMs >= time - CLOCK_SLACK_MS;
  } catch {
    return false;
  }
}

class Watcher {
  private targets: readonly ConfigTarget[] = [];
  /** The files each target read in its last run. */
  private readonly inputs = new Map<ConfigTarget, readonly string[]>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** Per watched folder, the entries that matter, and what to rerun when one changes ("config": everything). */
  private interest = new Map<string, Map<string, Set<ConfigTarget | "config">>>();
  private readonly dirty = new Set<ConfigTarget | "config">();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** When the last run started (ms since the epoch, as file times are). */
  private runStart = 0;

  constructor(
    private readonly line: CommandLine,
    private readonly io: CliIO,
    private config: string | undefined,
  ) {}

  private get quiet(): boolean {
    return this.line.given.quiet ?? false;
  }

  /** Take the targets found (or print why there are none). */
  adopt(found: Targets): void {
    printErrors(this.io, found.errors);
    this.config = found.config ?? this.config;
    this.targets = found.targets;
    this.inputs.clear();
  }

  async reload(): Promise<void> {
    try {
      this.adopt(await resolveTargets(this.line, this.io.cwd));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      this.io.stderr(`qapi-gen: ${err.message}\n`);
      this.targets = [];
    }
  }

  /** Run targets one by one: an error in one leaves the others' output to be written. */
  async run(targets: readonly ConfigTarget[]): Promise<void> {
    this.runStart = Date.now();
    for (const target of targets) {
      await recoverTarget(target, this.io);
      const run = await generateTarget(target, this.io, this.quiet);
      this.inputs.set(target, run.result.inputs);
      if (run.result.ok) await writeTargets([run], false, this.io, this.quiet);
    }
  }

  /**
   * Watch the folders of every input (and of the config), and only those. An entry
   * watched for the first time may have changed after the run read it (or found it
   * missing) and before this: then it is as if a change was seen.
   */
  rewatch(): void {
    const before = this.interest;
    this.interest = new Map();
    const add = (file: string, what: ConfigTarget | "config"): void => {
      const [dir, name] = watchPoint(file);
      const names = this.interest.get(dir) ?? new Map<string, Set<ConfigTarget | "config">>();
      this.interest.set(dir, names);
      names.set(name, (names.get(name) ?? new Set()).add(what));
      if (before.get(dir)?.has(name) !== true && changedSince(join(dir, name), this.runStart)) this.dirty.add(what);
    };
    if (this.config !== undefined) add(this.config, "config");
    for (const [target, files] of this.inputs) for (const f of files) add(f, target);
    for (const [dir, w] of this.watchers) {
      if (this.interest.has(dir)) continue;
      w.close();
      this.watchers.delete(dir);
    }
    if (this.dirty.size > 0) this.schedule();
    for (const dir of this.interest.keys()) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = fsWatch(dir, (_event, name) => this.changed(dir, name));
        w.on("error", () => this.lost(dir));
        this.watchers.set(dir, w);
      } catch (err) {
        this.io.stderr(`qapi-gen: cannot watch ${dir}: ${(err as Error).message}\n`);
      }
    }
  }

  /** A watched folder went away (or cannot be watched): rerun what depended on it, which watches anew. */
  private lost(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
    for (const whats of this.interest.get(dir)?.values() ?? []) for (const w of whats) this.dirty.add(w);
    this.schedule();
  }

  private changed(dir: string, name: string | null): void {
    const names = this.interest.get(dir);
    if (names === undefined) return;
    // Without a name (some file systems) any entry may have changed.
    const hit = name === null ? [...names.values()] : [names.get(name)].filter((s) => s !== undefined);
    if (hit.length === 0) return;
    for (const whats of hit) for (const w of whats) this.dirty.add(w);
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), DEBOUNCE_MS);
  }

  /** Rerun what changed; changes arriving meanwhile make another round. */
  private async flush(): Promise<void> {
    if (this.running !== undefined) return;
    this.running = (async () => {
      while (this.dirty.size > 0) {
        const all = this.dirty.has("config");
        const targets = this.targets.filter((t) => this.dirty.has(t));
        this.dirty.clear();
        if (all) await this.reload();
        await this.run(all ? this.targets : targets);
        this.rewatch();
      }
    })();
    await this.running;
    this.running = undefined;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.running;
  }

  watchedFiles(): number {
    return [...this.interest.values()].reduce((n, names) => n + names.size, 0);
  }
}

/** Watch until SIGINT or SIGTERM; returns the exit status (0). */
export async function watchTargets(line: CommandLine, found: Targets, io: CliIO): Promise<number> {
  const watcher = new Watcher(line, io, found.config);
  watcher.adopt(found);
  await watcher.run(found.targets);
  watcher.rewatch();
  if (!(line.given.quiet ?? false)) io.stderr(`qapi-gen: watching ${watcher.watchedFiles()} files for changes (Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await watcher.stop();
  return 0;
}
