// Live tests against each QEMU build (7.2 and 10.0), with code generated from the
// matching schema and --define set: introspection equal to the live query-qmp-schema;
// the --define set derived from the live QEMU; a sweep of commands and events whose
// returns and data validate strictly, in number and bigint mode; argument verdicts
// equal to QEMU's on mutated arguments; and the cross-version oracle: the other
// version's client against this QEMU, whose compatible-mode failures the
// compatibility report must predict.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSchema } from "../generator/frontend/check.js";
import { deriveDefines } from "../generator/backend/defines.js";
import { makeDiagnostics } from "../generator/frontend/errors.js";
import { Command, type Schema } from "../generator/frontend/model.js";
import { nodeFileReader } from "../generator/frontend/parse.js";
import { diffSchemaInfo } from "../generator/backend/schema-info-diff.js";
import { main } from "../generator/cli/main.js";
import { checkCompatibility, type CompatIssue, type CompatReport, type SchemaInfoEntry } from "../qmp/compat.js";
import { connectQmp } from "../qmp/connect.js";
import type { QmpConnection } from "../qmp/connection.js";
import { QmpError } from "../qmp/errors.js";
import { parseJson, stringifyJson } from "../qmp/json.js";
import { QEMU_BUILDS, QemuProcess, killAll, skipNote, type QemuBuild } from "./qemu-harness.js";
import { BASES, isSchemaVerdict, mutations } from "./qemu-mutations.js";
import { BUILD_DEFINES, KNOWN_SKEW, defineArgs, generateInto, type Generated } from "./qmp-gen.js";
import { Recorder, SKIPPED, driveEvents, richMachine, sweepAllOptional, sweepConstructed, type Observation } from "./qemu-sweep.js";

interface Problem {
  path: string;
  message: string;
}
interface Validator {
  problems(v: unknown, mode?: "strict" | "compatible"): Problem[];
  fromJson?(v: unknown): unknown;
}
interface Client {
  commandInfo: Record<string, { args?: Validator; returns?: Validator; gen: boolean }>;
  eventInfo: Record<string, { data?: Validator }>;
  schemaInfo: SchemaInfoEntry[];
}
type Version = QemuBuild["version"];

const other = (v: Version): Version => (v === "7.2" ? "10.0" : "7.2");

let work: string;
const generated: Generated[] = [];
const clients = new Map<string, Promise<Client>>();
const models = new Map<Version, Schema>();

/** The client generated from `version`'s schema and --define set (cached: each is generated once). */
function client(version: Version, int64: "number" | "bigint"): Promise<Client> {
  const key = `${version}/${int64}`;
  let c = clients.get(key);
  if (c === undefined) {
    const build = QEMU_BUILDS.find((b) => b.version === version) as QemuBuild;
    c = generateInto(build.schema, [...defineArgs(BUILD_DEFINES[version]), "--int64", int64]).then((g) => {
      generated.push(g);
      return g.load<Client>("index.ts");
    });
    clients.set(key, c);
  }
  return c;
}

function model(build: QemuBuild): Schema {
  let m = models.get(build.version);
  if (m === undefined) models.set(build.version, (m = loadSchema(build.schema, nodeFileReader("/"), makeDiagnostics(false))));
  return m;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "qapi-gen-live-"));
});

afterAll(async () => {
  await killAll();
  for (const g of generated) g.remove();
  rmSync(work, { recursive: true, force: true });
});

/** A value as number mode sees it (JSON.parse rounds what is beyond 2^53). */
const asNumbers = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(stringifyJson(v)));

/** Problems of an observation for `c` in `mode`; undefined when `c` does not know it. */
function check(c: Client, o: Observation, mode: "strict" | "compatible", bigint: boolean): Problem[] | undefined {
  let v: Validator | undefined;
  let value: unknown;
  if (o.kind === "return") {
    const info = c.commandInfo[o.command];
    if (info === undefined) return undefined;
    v = info.returns;
    value = o.value;
  } else if (o.kind === "event") {
    const info = c.eventInfo[o.event];
    if (info === undefined) return undefined;
    v = info.data;
    value = o.data ?? {};
  } else {
    return undefined;
  }
  if (v === undefined) return [];
  const input = bigint ? (v.fromJson?.(structuredClone(value)) ?? value) : asNumbers(value);
  return v.problems(input, mode);
}

/** `name: path: message` lines of what fails. */
function failures(c: Client, obs: readonly Observation[], mode: "strict" | "compatible", bigint: boolean): string[] {
  return obs.flatMap((o) => {
    const problems = check(c, o, mode, bigint) ?? [];
    const name = o.kind === "event" ? `event ${o.event}` : `command ${o.command}`;
    return problems.map((p) => `${name}: ${p.path === "" ? "(value)" : p.path}: ${p.message}`);
  });
}

/** A problem's place in the report's path syntax: `cmd→return[].a`, `EVENT.a`. */
function problemPath(o: Observation, p: Problem): string {
  const at = p.path.replace(/\[\d+\]/g, "[]");
  if (o.kind === "event") return at === "" ? o.event : `${o.event}${at.startsWith("[") ? "" : "."}${at}`;
  const head = `${o.kind === "return" ? o.command : ""}→return`;
  return at === "" ? head : `${head}${at.startsWith("[") ? "" : "."}${at}`;
}

/** A report path without union cases, as problems spell it. */
const plainPath = (path: string): string => path.replace(/\[[^\]=]+=[^\]]*\]/g, "");

/** Does a breaking issue name this path (or a place that contains it)? */
const predicts = (issue: CompatIssue, path: string): boolean => {
  const p = plainPath(issue.path);
  return path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
};

const TOKENS = /\[\d*\]|\[[^\]=]+=[^\]]*\]|\.?[^.[\]]+/g;

/**
 * Where in the client's schema a path leads: `OWNER.member` (the object type whose
 * members, or whose branch's, hold the last member), or `type T`. The report names a
 * type once, at the first path that reaches it; replies meet it at others (recursive
 * types, types shared by commands), so predictions are matched by this place. Union
 * cases come from `[tag=case]` tokens or, along a reply, from the value's tag.
 */
function locate(types: ReadonlyMap<string, SchemaInfoEntry>, root: string, path: string, value: unknown): string {
  let t = root;
  let v = value;
  let place = `type ${root}`;
  let forced: string | undefined;
  for (const tok of path.match(TOKENS) ?? []) {
    let e = types.get(t);
    if (e?.["meta-type"] === "alternate") {
      const obj = (e.members ?? []).find((m) => types.get(m.type ?? "")?.["meta-type"] === "object");
      if (obj?.type !== undefined) e = types.get((t = obj.type));
    }
    if (tok.startsWith("[") && !tok.includes("=")) {
      t = e?.["element-type"] ?? t;
      v = Array.isArray(v) && tok !== "[]" ? v[Number(tok.slice(1, -1))] : undefined;
      place = `type ${t}`;
      continue;
    }
    if (tok.startsWith("[")) {
      forced = tok.slice(tok.indexOf("=") + 1, -1);
      continue;
    }
    const name = tok.replace(/^\./, "");
    const tag = e?.tag;
    const kase = forced ?? (tag !== undefined && typeof v === "object" && v !== null ? (v as Record<string, unknown>)[tag] : undefined);
    const branch = types.get(e?.variants?.find((x) => x.case === kase)?.type ?? "");
    const holder = (e?.members ?? []).some((m) => m.name === name) ? e : branch;
    const m = holder?.members?.find((x) => x.name === name);
    place = `${holder?.name ?? t}.${name}`;
    forced = undefined;
    t = m?.type ?? t;
    v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[name] : undefined;
  }
  return place;
}

/** The root type and the rest of a report path or of an observation. */
function rootOf(c: Client, name: string, ret: boolean): string | undefined {
  const e = c.schemaInfo.find((x) => x.name === name);
  return ret ? e?.["ret-type"] : e?.["arg-type"];
}

/**
 * The values a report path reaches in `value` (`[]` each element, `[tag=case]` the
 * objects of that case, `.m` a member), as parent object and member name at the end.
 */
function reach(value: unknown, rest: string): { parent: Record<string, unknown>; member: string }[] {
  const tokens = rest.match(/\[\]|\[[^\]=]+=[^\]]*\]|\.?[^.[]+/g) ?? [];
  let at: unknown[] = [value];
  const last = tokens.pop();
  for (const t of tokens) {
    if (t === "[]") at = at.flatMap((x) => (Array.isArray(x) ? x : []));
    else if (t.startsWith("[")) {
      const [k, v] = t.slice(1, -1).split("=") as [string, string];
      at = at.filter((x) => typeof x === "object" && x !== null && (x as Record<string, unknown>)[k] === v);
    } else at = at.flatMap((x) => (typeof x === "object" && x !== null && t.replace(/^\./, "") in x ? [(x as Record<string, unknown>)[t.replace(/^\./, "")]] : []));
  }
  if (last === undefined || last === "[]" || last.startsWith("[")) return [];
  const member = last.replace(/^\./, "");
  return at.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x)).map((parent) => ({ parent, member }));
}

/** A breaking issue about replies that a passing observation contradicts, if any. */
function contradiction(issue: CompatIssue, obs: readonly Observation[], c: Client): Observation | undefined {
  if (issue.direction !== "received" || (issue.kind !== "member" && issue.kind !== "type")) return undefined;
  const head = issue.path.match(/^([^.[→]+)(→return)?/);
  if (head === null) return undefined;
  const name = head[1] as string;
  const rest = issue.path.slice((head[0] as string).length);
  return obs.find((o) => {
    const value = o.kind === "return" && o.command === name && head[2] !== undefined ? o.value : o.kind === "event" && o.event === name ? o.data : undefined;
    if (value === undefined) return false;
    const places = reach(value, rest);
    // A required member absent live: any place reached should fail. A type change:
    // a place where the member is present should.
    const exercised = places.some((p) => issue.kind === "member" || p.member in p.parent);
    return exercised && (check(c, o, "compatible", false) ?? []).length === 0;
  });
}

for (const build of QEMU_BUILDS) {
  const v = `QEMU ${build.version}`;
  const note = skipNote(build, { schema: true });
  const otherBuild = QEMU_BUILDS.find((b) => b.version === other(build.version)) as QemuBuild;
  const otherNote = skipNote(otherBuild, { schema: true }).replace(/^ \(skipped: /, " (skipped: the other schema: ");

  describe.skipIf(note !== "")(`${v} live${note}`, () => {
    const dir = (): string => join(work, build.version);
    let qemu: QemuProcess;
    let conn: QmpConnection;
    let live: SchemaInfoEntry[];
    let rec: Recorder;

    beforeAll(async () => {
      mkdirSync(dir());
      // A second QMP socket for the CLI: a QMP socket serves one client at a time.
      qemu = new QemuProcess(dir(), "live", [...richMachine(dir()), "-qmp", `unix:${join(dir(), "cli.qmp")},server=on,wait=off`], build, []);
      conn = await connectQmp(qemu.socket, { retryFor: 30_000, timeout: 30_000, int64: "bigint" }).catch((e: unknown) => {
        throw new Error(`${v} did not start: ${String(e)}\n${qemu.log}`);
      });
      live = (await conn.execute("query-qmp-schema")) as SchemaInfoEntry[];
      rec = new Recorder(conn);
    });

    afterAll(async () => {
      rec?.stop();
      await conn?.close();
      await qemu?.kill();
    });

    it(`${v}: the generated schemaInfo equals the live query-qmp-schema structurally, in QEMU's order, but for the listed skew`, async () => {
      const { schemaInfo } = await client(build.version, "number");
      const { differences } = diffSchemaInfo(schemaInfo, live);
      const skew = KNOWN_SKEW[build.version];
      expect(differences.map((d) => `${d.kind} ${d.key}`)).toEqual(skew.map((s) => `generated-only ${s.key}`));
      console.info(`qemu-live: ${v} introspection: ${schemaInfo.length} entries, ${differences.length} differences (${skew.map((s) => `${s.key}: ${s.reason}`).join("; ") || "none"})`);
    });

    it(`${v}: qapi-gen defines finds the --define set of this build from its socket and from a saved reply`, async () => {
      const r = deriveDefines(model(build), live);
      expect(r.unexplained.map((d) => `${d.kind} ${d.key}`)).toEqual(KNOWN_SKEW[build.version].map((s) => `generated-only ${s.key}`));
      // Every symbol found is in the hand-made set; what the hand-made set has beyond
      // it is no condition of the schema or one introspection cannot tell.
      const hand = new Set(BUILD_DEFINES[build.version]);
      expect(r.defines.filter((s) => !hand.has(s))).toEqual([]);
      const found = new Set([...r.defines, ...r.undetermined]);
      const unused = [...hand].filter((s) => !found.has(s));
      const symbols = new Set(JSON.stringify(model(build).entities.map((e) => (e as { ifcond?: { expr?: unknown } }).ifcond?.expr)).match(/[A-Z][A-Z0-9_]+/g));
      for (const s of unused) expect(symbols.has(s) && !r.undetermined.includes(s), `${s} is a condition the introspection decides against`).toBe(false);
      const saved = join(dir(), "schema.json");
      writeFileSync(saved, JSON.stringify({ return: live }));
      for (const from of [join(dir(), "cli.qmp"), saved]) {
        const out: string[] = [];
        const code = await main(["defines", build.schema, "--from", from], { stdout: (t) => out.push(t), stderr: () => {}, cwd: process.cwd() });
        expect(code).toBe(0);
        const lines = out.join("").split("\n");
        expect(lines.filter((l) => l.startsWith("--define ")).map((l) => l.slice(9))).toEqual(r.defines);
      }
      console.info(`qemu-live: ${v} derived --define set (${r.defines.length}): ${r.defines.join(" ")}; undetermined: ${r.undetermined.join(" ") || "none"}`);
    });

    it(`${v}: sweep: every harmless all-optional command, constructed calls, driven events`, async () => {
      const own = await client(build.version, "number");
      const allOptional = (b: QemuBuild): string[] => {
        const defines = new Set(BUILD_DEFINES[b.version]);
        return model(b)
          .entities.filter((e): e is Command => e instanceof Command && e.ifcond.evaluate(defines))
          .filter((e) => e.argType === undefined || (e.argType.branches === undefined && e.argType.members.every((m) => m.optional)))
          .map((e) => e.name);
      };
      // The other version's all-optional commands too: the oracle needs their answers.
      const names = [...new Set([...allOptional(build), ...(otherNote === "" ? allOptional(otherBuild) : [])])].filter((n) => !(n in SKIPPED));
      await sweepAllOptional(rec, names);
      await sweepConstructed(rec);
      await driveEvents(rec, dir());
      const obs = rec.observations;
      const returns = obs.filter((o) => o.kind === "return" && own.commandInfo[o.command] !== undefined);
      const events = obs.filter((o) => o.kind === "event");
      const swept = new Set(returns.map((o) => (o as { command: string }).command));
      expect(swept.size).toBeGreaterThan(100);
      expect(new Set(events.map((e) => (e as { event: string }).event)).size).toBeGreaterThanOrEqual(14);
      console.info(
        `qemu-live: ${v} sweep: ${swept.size} commands returned (${returns.length} returns), ${obs.filter((o) => o.kind === "error").length} errors, ` +
          `${events.length} events of ${new Set(events.map((e) => (e as { event: string }).event)).size} kinds; skipped: ${Object.keys(SKIPPED).join(", ")}`,
      );
    });

    for (const int64 of ["number", "bigint"] as const) {
      it(`${v}: every return and event of the sweep validates strictly (${int64} mode)`, async () => {
        const c = await client(build.version, int64);
        expect(failures(c, rec.observations, "strict", int64 === "bigint")).toEqual([]);
      });
    }

    it(`${v}: argument verdicts equal QEMU's on mutated arguments, but for the documented deliberate differences`, async () => {
      const c = await client(build.version, "number");
      const big = await client(build.version, "bigint");
      const defines = new Set(BUILD_DEFINES[build.version]);
      const enabled = (m: { ifcond: { evaluate(d: ReadonlySet<string>): boolean } }): boolean => m.ifcond.evaluate(defines);
      const disagree: string[] = [];
      const deliberate: string[] = [];
      // Values the schema allows that the command's own code then refuses: no verdict of the schema.
      const beyondSchema: string[] = [];
      let agreed = 0;
      let bothReject = 0;
      for (const base of BASES) {
        const cmd = model(build).lookupEntity(base.command);
        if (!(cmd instanceof Command) || cmd.argType === undefined) throw new Error(`${v} has no command ${base.command} with arguments`);
        await expect(conn.execute(base.command, base.args as object), `${base.command} with its base arguments`).resolves.toBeDefined();
        if (base.cleanup !== undefined) await conn.execute(base.cleanup[0], base.cleanup[1] as object);
        for (const m of mutations(base.command, cmd.argType, base.args, enabled)) {
          const text = stringifyJson(m.args);
          const qemuSays = await conn.execute(m.command, m.args as object).then(
            () => undefined,
            (e: unknown) => {
              if (e instanceof QmpError) return e.desc;
              throw e;
            },
          );
          if (qemuSays === undefined && base.cleanup !== undefined) await conn.execute(base.cleanup[0], base.cleanup[1] as object);
          for (const [mode, validator, value] of [
            ["number", c.commandInfo[m.command]?.args, JSON.parse(text) as unknown],
            ["bigint", big.commandInfo[m.command]?.args, big.commandInfo[m.command]?.args?.fromJson?.(parseJson(text, "bigint"))],
          ] as const) {
            const ours = validator?.problems(value, "strict")[0]?.message;
            const line = `${m.command} ${m.what} (${mode}): QEMU ${qemuSays === undefined ? "accepts" : `says "${qemuSays}"`}, the validator ${ours === undefined ? "accepts" : `says "${ours}"`}`;
            if (ours === qemuSays) {
              agreed++;
              if (ours !== undefined) bothReject++;
            } else if (ours === undefined && qemuSays !== undefined && !isSchemaVerdict(qemuSays)) {
              beyondSchema.push(line);
            } else if (m.deliberate !== undefined && !(mode === "bigint" && m.deliberate.startsWith("integers beyond 2^53"))) {
              deliberate.push(`${line} — ${m.deliberate}`);
            } else {
              disagree.push(line);
            }
          }
        }
      }
      expect(disagree).toEqual([]);
      expect(agreed).toBeGreaterThan(300);
      const byReason = new Map<string, number>();
      for (const d of deliberate) byReason.set(d.slice(d.lastIndexOf(" — ") + 3), (byReason.get(d.slice(d.lastIndexOf(" — ") + 3)) ?? 0) + 1);
      console.info(
        `qemu-live: ${v} argument verdicts (number and bigint mode): ${agreed} agree (${bothReject} both reject, same message); ` +
          `deliberate differences: ${[...byReason].map(([r, n]) => `${n} × ${r}`).join("; ") || "none"}; ` +
          `${beyondSchema.length} values the schema allows refused by QEMU's own code (${[...new Set(beyondSchema.map((l) => l.split(" ")[0]))].join(", ")})`,
      );
    });

    it.skipIf(otherNote !== "")(`${v}: the ${other(build.version)} client against it: every compatible-mode failure is predicted, nothing breaking contradicted${otherNote}`, async () => {
      const c = await client(other(build.version), "number");
      const report: CompatReport = checkCompatibility(c.schemaInfo, live);
      const obs = rec.observations;
      const unpredicted: string[] = [];
      let observedFailures = 0;
      const types = new Map(c.schemaInfo.map((e) => [e.name, e]));
      const issuePlaces = new Set(
        report.breaks
          .filter((i) => i.direction === "received")
          .flatMap((i) => {
            const head = /^([^.[→]+)(→return)?/.exec(i.path) as RegExpExecArray;
            const root = rootOf(c, head[1] as string, head[2] !== undefined);
            return root === undefined ? [] : [locate(types, root, i.path.slice(head[0].length), undefined)];
          }),
      );
      for (const o of obs) {
        for (const p of check(c, o, "compatible", false) ?? []) {
          observedFailures++;
          const path = problemPath(o, p);
          const root = o.kind === "event" ? rootOf(c, o.event, false) : rootOf(c, (o as { command: string }).command, true);
          const place = root === undefined ? "" : locate(types, root, p.path, o.kind === "event" ? o.data : (o as { value: unknown }).value);
          if (!issuePlaces.has(place) && !report.breaks.some((i) => i.direction === "received" && predicts(i, path))) unpredicted.push(`${path} (${place}): ${p.message}`);
        }
        if (o.kind === "error" && o.class === "CommandNotFound" && c.commandInfo[o.command] !== undefined) {
          observedFailures++;
          if (!report.unavailable.some((i) => i.kind === "command" && i.path === o.command)) unpredicted.push(`${o.command}: ${o.desc}`);
        }
      }
      expect(unpredicted).toEqual([]);
      const contradicted = report.breaks.flatMap((i) => {
        const o = contradiction(i, obs, c);
        return o === undefined ? [] : [`${i.path} (${i.message}) passed in ${o.kind === "event" ? o.event : o.command}`];
      });
      expect(contradicted).toEqual([]);
      const observed = [...new Set(obs.flatMap((o) => (check(c, o, "compatible", false) ?? []).map((p) => problemPath(o, p))))];
      console.info(
        `qemu-live: ${other(build.version)} client against ${v}: report ${report.breaks.length} breaking, ${report.unavailable.length} unavailable, ${report.changed.length} changed; ` +
          `${observedFailures} failures observed, all predicted, at: ${observed.join(", ") || "none"}`,
      );
    });
  });
}
