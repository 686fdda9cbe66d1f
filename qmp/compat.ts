// Compatibility check: will a client generated from one schema work with the QEMU at
// the other end? Compares the generated introspection (`schemaInfo`, real type names)
// with the live `query-qmp-schema` (type names masked as numbers), matching commands and
// events by name and types structurally, by walking both graphs in step.
//
// Each direction is judged by what checks it (qmp-spec, "Compatibility
// considerations"): arguments the client sends must be accepted by the live QEMU;
// returns and event data the QEMU sends must pass the client's compatible-mode
// validation, which ignores unknown members and accepts unknown enum values. Union
// branches are compared member by member, each case of either side, whether the other
// side is a union or a plain struct.

/** One entry of query-qmp-schema (only what the check reads is typed). */
export interface SchemaInfoEntry {
  name: string;
  "meta-type": string;
  features?: readonly string[];
  "json-type"?: string;
  members?: readonly { name?: string; type?: string; default?: unknown; features?: readonly string[] }[];
  values?: readonly string[];
  "element-type"?: string;
  tag?: string;
  variants?: readonly { case: string; type: string }[];
  "arg-type"?: string;
  "ret-type"?: string;
  "allow-oob"?: boolean;
}

/**
 * What an issue is about: a command or event; a member the other side lacks; a member
 * required on one side and optional on the other; an enum value; an alternative of an
 * alternate; a type that differs.
 */
export type CompatKind = "command" | "event" | "member" | "optional" | "enum-value" | "alternative" | "type";

/**
 * - `breaks`: a call or a reply this client makes will fail (QEMU rejects arguments the
 *   client's validation lets through, or a reply fails the client's compatible-mode
 *   validation).
 * - `unavailable`: something the client has that the live QEMU lacks: a command, event,
 *   member, enum value or alternative (using it fails, or QEMU never sends it).
 * - `changed`: different, but neither direction fails (QEMU added an optional argument,
 *   a reply member, an enum value; a string became an enum in a reply, …).
 */
export type CompatClass = "breaks" | "unavailable" | "changed";

export interface CompatIssue {
  class: CompatClass;
  kind: CompatKind;
  /** What travels there: arguments the client sends, or what QEMU sends. */
  direction: "sent" | "received";
  /**
   * Where: members joined by `.`, array elements as `[]`, a union branch as
   * `[tag=case]`, a command's return after `→return`, e.g.
   * `query-block-jobs→return[][type=mirror].actively-synced`, `transaction.actions[].type`.
   */
  path: string;
  message: string;
}

export interface CompatReport {
  breaks: CompatIssue[];
  unavailable: CompatIssue[];
  changed: CompatIssue[];
  /** Deprecated things (per either side) the generated code uses. */
  deprecated: CompatIssue[];
  /** Nothing breaks. */
  ok: boolean;
}

type Entry = SchemaInfoEntry;
type Member = NonNullable<Entry["members"]>[number];
type Direction = "in" | "out";

const DEPRECATED = "deprecated";

const isDeprecated = (...fs: (readonly string[] | undefined)[]): boolean => fs.some((f) => f?.includes(DEPRECATED) === true);

const optional = (m: Member): boolean => "default" in m && m.default !== undefined;

/** The values of an enum entry (`members` since QEMU 6.2, `values` before). */
const enumValues = (e: Entry): { name: string; features?: readonly string[] | undefined }[] =>
  e.members !== undefined
    ? e.members.flatMap((m) => (m.name === undefined ? [] : [{ name: m.name, features: m.features }]))
    : (e.values ?? []).map((name) => ({ name }));

/** The JSON kind of a value of a type, as an alternate tells its alternatives apart. */
function jsonKind(e: Entry | undefined): string {
  if (e === undefined) return "?";
  switch (e["meta-type"]) {
    case "builtin":
      return e["json-type"] === "int" ? "number" : (e["json-type"] ?? "?");
    case "enum":
      return "string";
    default:
      return e["meta-type"];
  }
}

/** A type's kind for messages: `string`, `enum`, `int`, `object`, … */
const describe = (e: Entry): string => (e["meta-type"] === "builtin" ? (e["json-type"] ?? "?") : e["meta-type"]);

/** The members of `e` when its tag is `c`: common members, then the branch's. */
function flatten(e: Entry, c: string, types: ReadonlyMap<string, Entry>): Entry {
  const branch = types.get(e.variants?.find((v) => v.case === c)?.type ?? "");
  return {
    name: e.name,
    "meta-type": "object",
    members: [...(e.members ?? []), ...(branch?.members ?? [])],
    ...(branch?.tag === undefined ? {} : { tag: branch.tag, variants: branch.variants ?? [] }),
  };
}

export function checkCompatibility(generated: readonly Entry[], live: readonly Entry[]): CompatReport {
  const check = new CompatCheck(generated, live);
  check.run();
  return check.report;
}

/** One comparison: the report so far, and what was already compared or reported. */
class CompatCheck {
  readonly report: CompatReport = { breaks: [], unavailable: [], changed: [], deprecated: [], ok: true };
  private readonly reported = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly gen: ReadonlyMap<string, Entry>;
  private readonly liv: ReadonlyMap<string, Entry>;

  constructor(
    private readonly generated: readonly Entry[],
    live: readonly Entry[],
  ) {
    this.gen = new Map(generated.map((e) => [e.name, e]));
    this.liv = new Map(live.map((e) => [e.name, e]));
  }

  /** Every command's arguments and return and every event's data, from the client's side. */
  run(): void {
    for (const g of this.generated) {
      const kind = g["meta-type"];
      if (kind !== "command" && kind !== "event") continue;
      const l = this.liv.get(g.name);
      if (l === undefined || l["meta-type"] !== kind) {
        this.issue("unavailable", kind, kind === "command" ? "in" : "out", g.name, `the live QEMU does not provide this ${kind}`);
        continue;
      }
      if (isDeprecated(g.features, l.features)) this.deprecated(kind, kind === "command" ? "in" : "out", g.name, `${kind} '${g.name}'`);
      this.compare(g["arg-type"], l["arg-type"], g.name, kind === "command" ? "in" : "out");
      if (kind === "command") this.compare(g["ret-type"], l["ret-type"], `${g.name}→return`, "out");
    }
    this.report.ok = this.report.breaks.length === 0;
  }

  private issue(cls: CompatClass, kind: CompatKind, dir: Direction, path: string, message: string): void {
    const key = `${cls}\u0000${path}\u0000${message}`;
    if (this.reported.has(key)) return; // a common member is met once per union case
    this.reported.add(key);
    const list = cls === "breaks" ? this.report.breaks : cls === "unavailable" ? this.report.unavailable : this.report.changed;
    list.push({ class: cls, kind, direction: dir === "in" ? "sent" : "received", path, message });
  }

  private deprecated(kind: CompatKind, dir: Direction, path: string, what: string): void {
    const key = `deprecated\u0000${path}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.report.deprecated.push({ class: "changed", kind, direction: dir === "in" ? "sent" : "received", path, message: `${what} is deprecated` });
  }

  /** Compare generated type `g` with live type `l`, reached at `path`. */
  private compare(g: string | undefined, l: string | undefined, path: string, dir: Direction): void {
    const ge = this.gen.get(g ?? "");
    const le = this.liv.get(l ?? "");
    if (ge === undefined || le === undefined) return;
    const key = `${ge.name}\u0000${le.name}\u0000${dir}`;
    if (this.seen.has(key)) return; // each pair once: schemas are recursive and share types
    this.seen.add(key);
    if (isDeprecated(le.features, ge.features)) this.deprecated("type", dir, path, "the type");
    if (ge["meta-type"] === "alternate" || le["meta-type"] === "alternate") return this.compareAlternate(ge, le, path, dir);
    const gk = describe(ge);
    const lk = describe(le);
    if (gk === "value" || (lk === "value" && dir === "in")) return; // 'any' takes anything
    if (lk === "value") return this.issue("changed", "type", dir, path, `the live QEMU declares it 'any'; the client has ${gk}`);
    if (gk !== lk) return this.compareKinds(ge, le, path, dir);
    switch (ge["meta-type"]) {
      case "enum":
        return this.compareEnum(ge, le, path, dir);
      case "array":
        return this.compare(ge["element-type"], le["element-type"], `${path}[]`, dir);
      case "object":
        return this.compareObject(ge, le, path, dir);
      default:
        return;
    }
  }

  /** Types of different kinds: only widening in the checked direction is compatible. */
  private compareKinds(ge: Entry, le: Entry, path: string, dir: Direction): void {
    const [from, to] = dir === "in" ? [describe(ge), describe(le)] : [describe(le), describe(ge)];
    const what = `the client has ${describe(ge)}, the live QEMU ${describe(le)}`;
    // Compatible: a sent string QEMU checks as enum would not be; a received string or
    // enum value is a string either way; an int is a number.
    const widens =
      (from === "enum" && to === "string") ||
      (dir === "out" && from === "string" && to === "enum") ||
      (from === "int" && to === "number");
    this.issue(widens ? "changed" : "breaks", "type", dir, path, `type ${widens ? "changed" : "differs"}: ${what}`);
  }

  private compareEnum(ge: Entry, le: Entry, path: string, dir: Direction): void {
    const liveValues = new Map(enumValues(le).map((v) => [v.name, v]));
    const genValues = new Set(enumValues(ge).map((v) => v.name));
    for (const v of enumValues(ge)) {
      const lv = liveValues.get(v.name);
      if (lv === undefined) this.issue("unavailable", "enum-value", dir, path, `enum value '${v.name}' is not known to the live QEMU`);
      else if (isDeprecated(v.features, lv.features)) this.deprecated("enum-value", dir, path, `enum value '${v.name}'`);
    }
    for (const name of liveValues.keys()) {
      if (genValues.has(name)) continue;
      // Compatible mode accepts unknown values received; strict mode never sends them.
      this.issue("changed", "enum-value", dir, path, `the live QEMU has enum value '${name}' the client does not know`);
    }
  }

  /** Alternates (either side; a plain type is an alternate of one), alternatives by JSON kind. */
  private compareAlternate(ge: Entry, le: Entry, path: string, dir: Direction): void {
    const alternatives = (e: Entry, types: ReadonlyMap<string, Entry>): Map<string, string> =>
      new Map(
        e["meta-type"] === "alternate"
          ? (e.members ?? []).map((m) => [jsonKind(types.get(m.type ?? "")), m.type ?? ""])
          : [[jsonKind(e), e.name]],
      );
    const ga = alternatives(ge, this.gen);
    const la = alternatives(le, this.liv);
    for (const [kind, t] of ga) {
      const lt = la.get(kind);
      if (lt === undefined) this.issue("unavailable", "alternative", dir, path, `the live QEMU does not take a ${kind} here`);
      else this.compare(t, lt, path, dir);
    }
    for (const kind of la.keys()) {
      if (ga.has(kind)) continue;
      if (dir === "out") this.issue("breaks", "alternative", dir, path, `the live QEMU may send a ${kind} here, which the client rejects`);
      else this.issue("changed", "alternative", dir, path, `the live QEMU also takes a ${kind} here`);
    }
  }

  /**
   * Objects, struct or union either side. The common members (those no branch of the
   * other side has) first; then, for each case of either side that can travel, the
   * rest of that case's members.
   */
  private compareObject(ge: Entry, le: Entry, path: string, dir: Direction): void {
    const tag = ge.tag ?? le.tag;
    if (tag === undefined) return this.compareMembers(ge.members ?? [], le.members ?? [], path, dir);
    const inBranches = (e: Entry, types: ReadonlyMap<string, Entry>): Set<string> =>
      new Set((e.variants ?? []).flatMap((v) => (types.get(v.type)?.members ?? []).map((m) => m.name ?? "")));
    const gBranch = inBranches(ge, this.gen);
    const lBranch = inBranches(le, this.liv);
    const gCommon = (ge.members ?? []).filter((m) => !lBranch.has(m.name ?? ""));
    const lCommon = (le.members ?? []).filter((m) => !gBranch.has(m.name ?? ""));
    this.compareMembers(gCommon, lCommon, path, dir);
    const done = new Set([...gCommon, ...lCommon].map((m) => m.name));
    const rest = (e: Entry): Entry => ({ ...e, members: (e.members ?? []).filter((m) => !done.has(m.name)) });
    for (const c of new Set([...(ge.variants ?? []), ...(le.variants ?? [])].map((v) => v.case))) {
      if (this.caseTravels(ge, le, tag, c, dir)) this.compareObject(rest(flatten(ge, c, this.gen)), rest(flatten(le, c, this.liv)), `${path}[${tag}=${c}]`, dir);
    }
  }

  /**
   * Can a value with tag `c` travel in this direction? Sent: the client's strict
   * validation lets it through (an unknown tag value it does not). Received: the live
   * QEMU can send it (its tag enum has the value, or the tag is a plain string).
   */
  private caseTravels(ge: Entry, le: Entry, tag: string, c: string, dir: Direction): boolean {
    const [from, types] = dir === "in" ? [ge, this.gen] : [le, this.liv];
    const tagType = types.get(from.members?.find((m) => m.name === tag)?.type ?? "");
    if (tagType === undefined || tagType["meta-type"] !== "enum") return tagType !== undefined;
    return enumValues(tagType).some((v) => v.name === c);
  }

  private compareMembers(gs: readonly Member[], ls: readonly Member[], path: string, dir: Direction): void {
    const at = (name: string): string => (path === "" ? name : `${path}.${name}`);
    const liveMembers = new Map(ls.map((m) => [m.name ?? "", m]));
    const genMembers = new Map(gs.map((m) => [m.name ?? "", m]));
    for (const [name, m] of genMembers) {
      const lm = liveMembers.get(name);
      const p = at(name);
      if (lm === undefined) {
        if (optional(m)) this.issue("unavailable", "member", dir, p, dir === "in" ? "the live QEMU does not take this optional argument" : "the live QEMU never sends this optional member");
        else this.issue("breaks", "member", dir, p, dir === "in" ? "the client always sends it; the live QEMU does not take it" : "the client requires it; the live QEMU does not have it");
        continue;
      }
      if (isDeprecated(m.features, lm.features)) this.deprecated("member", dir, p, "the member");
      if (optional(m) !== optional(lm)) this.compareOptional(optional(m), p, dir);
      this.compare(m.type, lm.type, p, dir);
    }
    for (const [name, lm] of liveMembers) {
      if (genMembers.has(name)) continue;
      if (dir === "in" && !optional(lm)) this.issue("breaks", "member", dir, at(name), "the live QEMU requires it; the client does not know it");
      else this.issue("changed", "member", dir, at(name), dir === "in" ? "the live QEMU takes this optional argument, unknown to the client" : "the live QEMU may send this member, unknown to the client");
    }
  }

  private compareOptional(genOptional: boolean, path: string, dir: Direction): void {
    if (dir === "in" && genOptional) this.issue("breaks", "optional", dir, path, "the live QEMU requires it; the client may omit it");
    else if (dir === "out" && !genOptional) this.issue("breaks", "optional", dir, path, "the client requires it; the live QEMU may omit it");
    else this.issue("changed", "optional", dir, path, dir === "in" ? "the client always sends it; the live QEMU made it optional" : "the client takes it as optional; the live QEMU always sends it");
  }
}

/** A readable multi-line summary of a report: every issue with its path. */
export function formatCompatReport(r: CompatReport): string {
  const lines: string[] = [];
  const section = (title: string, items: readonly CompatIssue[]): void => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`);
    for (const i of items) lines.push(`  - ${i.path}: ${i.message}`);
  };
  section("breaks this client", r.breaks);
  section("unavailable in the live QEMU", r.unavailable);
  section("changed but compatible", r.changed);
  section("deprecated and used", r.deprecated);
  if (lines.length === 0) lines.push("compatible: nothing breaks, nothing unavailable or changed, nothing deprecated");
  return lines.join("\n");
}

/** Ask a connection for query-qmp-schema and compare it with the generated `schemaInfo`. */
export async function checkLiveCompatibility(
  transport: { execute(command: string, args?: object): Promise<unknown> },
  generated: readonly SchemaInfoEntry[],
): Promise<CompatReport> {
  const live = (await transport.execute("query-qmp-schema")) as SchemaInfoEntry[];
  return checkCompatibility(generated, live);
}
