// Structural comparison of two query-qmp-schema lists: generated introspection (real
// type names) against a live QEMU's (type names masked as numbers). Commands and events
// are paired by name; types by walking both graphs in step from them (arg-type,
// ret-type, members by name, element types, branches by case, alternatives by
// position); types no walk reaches (QEMU lists types that only compiled-out parts use)
// are paired in list order by their shape. Then every pair is compared in full, and the
// pairs' positions must agree with QEMU's order.

import type { SchemaInfoEntry } from "@qapi-gen/qmp";

export type DifferenceKind = "generated-only" | "live-only" | "changed" | "order";

export interface SchemaInfoDifference {
  kind: DifferenceKind;
  /** Generated names: `query-block-jobs`, `BlockJobInfo`, `BlockJobInfo.type`, `Kind.value`, `T#feature`. */
  key: string;
  message: string;
}

export interface SchemaInfoDiff {
  differences: SchemaInfoDifference[];
  /** Generated entry name → the live entry it was paired with. */
  paired: ReadonlyMap<string, string>;
}

type Member = NonNullable<SchemaInfoEntry["members"]>[number];

/** `default` (always null) marks an optional member. */
const optional = (m: Member): boolean => m.default !== undefined;

/** A type's shape, for pairing types that no walk reaches and for messages. */
function shape(e: SchemaInfoEntry, name: (t: string | undefined) => string): string {
  switch (e["meta-type"]) {
    case "builtin":
      return `builtin ${e["json-type"]}`;
    case "enum":
      return `enum (${(e.values ?? (e.members ?? []).map((m) => m.name)).join(", ")})`;
    case "array":
      return `array of ${name(e["element-type"])}`;
    case "alternate":
      return `alternate (${(e.members ?? []).map((m) => name(m.type)).join(" | ")})`;
    default:
      return `${e["meta-type"]} {${(e.members ?? []).map((m) => m.name).join(", ")}}${e.tag === undefined ? "" : ` tag ${e.tag}`}`;
  }
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  (a ?? []).join("\u0000") === (b ?? []).join("\u0000");

/** Indexes of `xs` not in a longest increasing subsequence (the entries out of order). */
function outOfOrder(xs: readonly number[]): Set<number> {
  const tails: number[] = []; // index into xs of the smallest tail of each length
  const prev: number[] = new Array<number>(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((xs[tails[mid] as number] as number) < (xs[i] as number)) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1] as number;
    tails[lo] = i;
  }
  const keep = new Set<number>();
  for (let i = tails.length === 0 ? -1 : (tails[tails.length - 1] as number); i >= 0; i = prev[i] as number) keep.add(i);
  const out = new Set<number>();
  for (let i = 0; i < xs.length; i++) if (!keep.has(i)) out.add(i);
  return out;
}

export function diffSchemaInfo(generated: readonly SchemaInfoEntry[], live: readonly SchemaInfoEntry[]): SchemaInfoDiff {
  const c = new Comparison(generated, live);
  c.pairEntities();
  c.pairUnreached();
  c.reportUnpaired();
  c.reportOrder();
  return { differences: c.differences, paired: c.paired };
}

const isEntity = (e: SchemaInfoEntry): boolean => e["meta-type"] === "command" || e["meta-type"] === "event";

/** One comparison: the pairs found so far, the differences, the pairs still to compare. */
class Comparison {
  readonly differences: SchemaInfoDifference[] = [];
  readonly paired = new Map<string, string>();
  /** Live name → generated name. */
  private readonly back = new Map<string, string>();
  private readonly queue: [string, string][] = [];
  private readonly gen: ReadonlyMap<string, SchemaInfoEntry>;
  private readonly liv: ReadonlyMap<string, SchemaInfoEntry>;

  constructor(
    private readonly generated: readonly SchemaInfoEntry[],
    private readonly live: readonly SchemaInfoEntry[],
  ) {
    this.gen = new Map(generated.map((e) => [e.name, e]));
    this.liv = new Map(live.map((e) => [e.name, e]));
  }

  /** Commands and events, paired by name, and every type their walks reach. */
  pairEntities(): void {
    for (const g of this.generated) {
      if (!isEntity(g)) continue;
      const l = this.liv.get(g.name);
      if (l === undefined || l["meta-type"] !== g["meta-type"]) this.diff("generated-only", g.name, `${g["meta-type"]} '${g.name}' is not in the live QEMU`);
      else this.pair(g.name, l.name, g.name);
    }
    for (const l of this.live) {
      if (isEntity(l) && this.gen.get(l.name)?.["meta-type"] !== l["meta-type"]) this.diff("live-only", l.name, `the live QEMU has ${l["meta-type"]} '${l.name}'`);
    }
    this.drain();
  }

  /**
   * Types no walk reached: paired in list order with the next unpaired live type of the
   * same shape, until nothing more pairs.
   */
  pairUnreached(): void {
    for (let progress = true; progress; ) {
      progress = false;
      const liveLeft = this.live.filter((l) => !this.back.has(l.name) && !isEntity(l));
      let from = 0;
      for (const g of this.generated) {
        if (this.paired.has(g.name) || isEntity(g)) continue;
        const s = shape(g, (t) => (t === undefined ? "?" : (this.paired.get(t) ?? t)));
        const i = liveLeft.findIndex((l, j) => j >= from && !this.back.has(l.name) && shape(l, (t) => t ?? "?") === s);
        if (i < 0) continue;
        from = i + 1;
        this.pair(g.name, liveLeft[i]?.name, g.name);
        this.drain();
        progress = true;
      }
    }
  }

  /** The types left unpaired on either side; a live one with a type that uses it. */
  reportUnpaired(): void {
    const referrers = new Map<string, string>();
    for (const e of this.live) {
      for (const t of [e["arg-type"], e["ret-type"], e["element-type"], ...(e.members ?? []).map((m) => m.type), ...(e.variants ?? []).map((v) => v.type)]) {
        if (t !== undefined && !referrers.has(t)) referrers.set(t, this.back.get(e.name) ?? `live type ${e.name}`);
      }
    }
    for (const g of this.generated) {
      if (!this.paired.has(g.name) && !isEntity(g)) this.diff("generated-only", g.name, `${g.name} (${shape(g, (t) => t ?? "?")}) is not in the live QEMU`);
    }
    for (const l of this.live) {
      if (this.back.has(l.name) || isEntity(l)) continue;
      const from = referrers.get(l.name);
      const used = from === undefined ? "" : `, used by ${from}`;
      this.diff("live-only", `live type ${l.name}`, `the live QEMU has a type not generated: ${shape(l, this.liveName)}${used}`);
    }
  }

  /** Pairs whose positions disagree with QEMU's order (outside a longest agreeing run). */
  reportOrder(): void {
    const genPos = new Map(this.generated.map((e, i) => [e.name, i]));
    const livePos = new Map(this.live.map((e, i) => [e.name, i]));
    const order = this.generated.filter((g) => this.paired.has(g.name));
    const liveAt = (g: SchemaInfoEntry): number => livePos.get(this.paired.get(g.name) as string) as number;
    for (const i of outOfOrder(order.map(liveAt))) {
      const g = order[i] as SchemaInfoEntry;
      this.diff("order", g.name, `${g.name} is out of QEMU's order (generated at ${String(genPos.get(g.name))}, live at ${String(liveAt(g))})`);
    }
  }

  private diff(kind: DifferenceKind, key: string, message: string): void {
    this.differences.push({ kind, key, message });
  }

  private readonly liveName = (t: string | undefined): string => (t === undefined ? "?" : (this.back.get(t) ?? `live type ${t}`));

  /** Pairs generated type `g` with live type `l`, reached at `at`; queued for comparison. */
  private pair(g: string | undefined, l: string | undefined, at: string): void {
    if (g === undefined || l === undefined || !this.gen.has(g) || !this.liv.has(l)) return;
    const known = this.paired.get(g);
    if (known === l) return;
    if (known !== undefined || this.back.has(l)) {
      const elsewhere = known === undefined ? "not elsewhere" : `live type ${known}'s elsewhere`;
      this.diff("changed", at, `${at}: generated type ${g} is live ${this.liveName(l)}'s counterpart here but ${elsewhere}`);
      return;
    }
    this.paired.set(g, l);
    this.back.set(l, g);
    this.queue.push([g, l]);
  }

  private drain(): void {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      this.compare(this.gen.get(next[0]) as SchemaInfoEntry, this.liv.get(next[1]) as SchemaInfoEntry);
    }
  }

  private features(key: string, gf: readonly string[] | undefined, lf: readonly string[] | undefined): void {
    const lset = new Set(lf ?? []);
    const gset = new Set(gf ?? []);
    for (const f of gf ?? []) if (!lset.has(f)) this.diff("generated-only", `${key}#${f}`, `${key}: feature '${f}' is not in the live QEMU`);
    for (const f of lf ?? []) if (!gset.has(f)) this.diff("live-only", `${key}#${f}`, `${key}: the live QEMU has feature '${f}'`);
  }

  /** Compares named parts (members, values, branches) of `owner`, each common one by `same`, and their order. */
  private parts<P>(owner: string, what: string, gs: readonly P[], ls: readonly P[], nameOf: (p: P) => string, same: (g: P, l: P, key: string) => void): void {
    const lmap = new Map(ls.map((p) => [nameOf(p), p]));
    const gmap = new Map(gs.map((p) => [nameOf(p), p]));
    for (const p of gs) {
      const key = `${owner}.${nameOf(p)}`;
      const lp = lmap.get(nameOf(p));
      if (lp === undefined) this.diff("generated-only", key, `${key}: ${what} '${nameOf(p)}' is not in the live QEMU`);
      else same(p, lp, key);
    }
    for (const p of ls) {
      const key = `${owner}.${nameOf(p)}`;
      if (!gmap.has(nameOf(p))) this.diff("live-only", key, `${key}: the live QEMU has ${what} '${nameOf(p)}'`);
    }
    const common = gs.map(nameOf).filter((n) => lmap.has(n));
    const liveOrder = ls.map(nameOf).filter((n) => gmap.has(n));
    if (!sameList(common, liveOrder)) this.diff("order", owner, `${owner}: ${what}s in the order ${common.join(", ")}; the live QEMU has ${liveOrder.join(", ")}`);
  }

  private readonly compareMember = (g: Member, l: Member, key: string): void => {
    if (optional(g) !== optional(l)) {
      this.diff("changed", key, `${key} is ${optional(g) ? "optional" : "required"}; live it is ${optional(l) ? "optional" : "required"}`);
    }
    this.features(key, g.features, l.features);
    this.typeRef(g.type, l.type, key);
  };

  private typeRef(g: string | undefined, l: string | undefined, key: string): void {
    const ge = this.gen.get(g ?? "");
    const le = this.liv.get(l ?? "");
    if (ge !== undefined && le !== undefined && ge["meta-type"] !== le["meta-type"]) {
      this.diff("changed", key, `${key}: generated ${shape(ge, (t) => t ?? "?")}, live ${shape(le, this.liveName)}`);
      return;
    }
    this.pair(g, l, key);
  }

  private compare(g: SchemaInfoEntry, l: SchemaInfoEntry): void {
    const key = g.name;
    if (g["meta-type"] !== l["meta-type"]) {
      this.diff("changed", key, `${key}: generated ${g["meta-type"]}, live ${l["meta-type"]}`);
      return;
    }
    this.features(key, g.features, l.features);
    switch (g["meta-type"]) {
      case "builtin":
        if (g["json-type"] !== l["json-type"]) this.diff("changed", key, `${key}: json-type ${g["json-type"]}, live ${l["json-type"]}`);
        return;
      case "enum":
        this.parts(key, "value", g.members ?? [], l.members ?? [], (m) => m.name ?? "", (gm, lm, k) => {
          this.features(k, gm.features, lm.features);
        });
        return;
      case "array":
        this.typeRef(g["element-type"], l["element-type"], `${key}[]`);
        return;
      case "object":
        this.compareObject(g, l);
        return;
      case "alternate":
        this.compareAlternate(g, l);
        return;
      case "command":
        if ((g["allow-oob"] === true) !== (l["allow-oob"] === true)) this.diff("changed", key, `${key}: allow-oob differs`);
        this.typeRef(g["arg-type"], l["arg-type"], `${key}(arguments)`);
        this.typeRef(g["ret-type"], l["ret-type"], `${key}→return`);
        return;
      default:
        this.typeRef(g["arg-type"], l["arg-type"], `${key}(data)`);
    }
  }

  private compareObject(g: SchemaInfoEntry, l: SchemaInfoEntry): void {
    const key = g.name;
    this.parts(key, "member", g.members ?? [], l.members ?? [], (m) => m.name ?? "", this.compareMember);
    if (g.tag !== l.tag) this.diff("changed", key, `${key}: tag ${g.tag ?? "(none)"}, live ${l.tag ?? "(none)"}`);
    this.parts(key, "branch", g.variants ?? [], l.variants ?? [], (v) => v.case, (gv, lv, k) => {
      this.typeRef(gv.type, lv.type, k);
    });
  }

  /** Alternatives by position. */
  private compareAlternate(g: SchemaInfoEntry, l: SchemaInfoEntry): void {
    const key = g.name;
    const gm = g.members ?? [];
    const lm = l.members ?? [];
    if (gm.length !== lm.length) this.diff("changed", key, `${key}: ${String(gm.length)} alternatives, live ${String(lm.length)}`);
    gm.forEach((m, i) => {
      if (i < lm.length) this.typeRef(m.type, lm[i]?.type, `${key}|${String(i)}`);
    });
  }
}
