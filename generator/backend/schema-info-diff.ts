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
  const gen = new Map(generated.map((e) => [e.name, e]));
  const liv = new Map(live.map((e) => [e.name, e]));
  const genPos = new Map(generated.map((e, i) => [e.name, i]));
  const livePos = new Map(live.map((e, i) => [e.name, i]));
  const paired = new Map<string, string>();
  const back = new Map<string, string>();
  const differences: SchemaInfoDifference[] = [];
  const queue: [string, string][] = [];
  const diff = (kind: DifferenceKind, key: string, message: string): void => {
    differences.push({ kind, key, message });
  };
  const liveName = (t: string | undefined): string => (t === undefined ? "?" : (back.get(t) ?? `live type ${t}`));

  /** Pairs generated type `g` with live type `l`, reached at `at`; queued for comparison. */
  const pair = (g: string | undefined, l: string | undefined, at: string): void => {
    if (g === undefined || l === undefined || !gen.has(g) || !liv.has(l)) return;
    const known = paired.get(g);
    if (known === l) return;
    if (known !== undefined || back.has(l)) {
      diff("changed", at, `${at}: generated type ${g} is live ${liveName(l)}'s counterpart here but ${known === undefined ? "not elsewhere" : `live type ${known}'s elsewhere`}`);
      return;
    }
    paired.set(g, l);
    back.set(l, g);
    queue.push([g, l]);
  };

  const features = (key: string, gf: readonly string[] | undefined, lf: readonly string[] | undefined): void => {
    const lset = new Set(lf ?? []);
    const gset = new Set(gf ?? []);
    for (const f of gf ?? []) if (!lset.has(f)) diff("generated-only", `${key}#${f}`, `${key}: feature '${f}' is not in the live QEMU`);
    for (const f of lf ?? []) if (!gset.has(f)) diff("live-only", `${key}#${f}`, `${key}: the live QEMU has feature '${f}'`);
  };

  /** Compares named parts (members, values, branches) of `owner`; returns the common names. */
  const parts = <P>(
    owner: string,
    what: string,
    gs: readonly P[],
    ls: readonly P[],
    nameOf: (p: P) => string,
    same: (g: P, l: P, key: string) => void,
  ): void => {
    const lmap = new Map(ls.map((p) => [nameOf(p), p]));
    const gmap = new Map(gs.map((p) => [nameOf(p), p]));
    for (const p of gs) {
      const key = `${owner}.${nameOf(p)}`;
      const lp = lmap.get(nameOf(p));
      if (lp === undefined) diff("generated-only", key, `${key}: ${what} '${nameOf(p)}' is not in the live QEMU`);
      else same(p, lp, key);
    }
    for (const p of ls) {
      const key = `${owner}.${nameOf(p)}`;
      if (!gmap.has(nameOf(p))) diff("live-only", key, `${key}: the live QEMU has ${what} '${nameOf(p)}'`);
    }
    const common = gs.map(nameOf).filter((n) => lmap.has(n));
    const liveOrder = ls.map(nameOf).filter((n) => gmap.has(n));
    if (!sameList(common, liveOrder)) diff("order", owner, `${owner}: ${what}s in the order ${common.join(", ")}; the live QEMU has ${liveOrder.join(", ")}`);
  };

  const compareMember = (g: Member, l: Member, key: string): void => {
    if (optional(g) !== optional(l)) {
      diff("changed", key, `${key} is ${optional(g) ? "optional" : "required"}; live it is ${optional(l) ? "optional" : "required"}`);
    }
    features(key, g.features, l.features);
    typeRef(g.type, l.type, key);
  };

  const typeRef = (g: string | undefined, l: string | undefined, key: string): void => {
    const ge = gen.get(g ?? "");
    const le = liv.get(l ?? "");
    if (ge !== undefined && le !== undefined && ge["meta-type"] !== le["meta-type"]) {
      diff("changed", key, `${key}: generated ${shape(ge, (t) => t ?? "?")}, live ${shape(le, liveName)}`);
      return;
    }
    pair(g, l, key);
  };

  const compare = (g: SchemaInfoEntry, l: SchemaInfoEntry): void => {
    const key = g.name;
    if (g["meta-type"] !== l["meta-type"]) {
      diff("changed", key, `${key}: generated ${g["meta-type"]}, live ${l["meta-type"]}`);
      return;
    }
    features(key, g.features, l.features);
    switch (g["meta-type"]) {
      case "builtin":
        if (g["json-type"] !== l["json-type"]) diff("changed", key, `${key}: json-type ${g["json-type"]}, live ${l["json-type"]}`);
        return;
      case "enum":
        parts(key, "value", g.members ?? [], l.members ?? [], (m) => m.name ?? "", (gm, lm, k) => features(k, gm.features, lm.features));
        return;
      case "array":
        typeRef(g["element-type"], l["element-type"], `${key}[]`);
        return;
      case "object":
        parts(key, "member", g.members ?? [], l.members ?? [], (m) => m.name ?? "", compareMember);
        if (g.tag !== l.tag) diff("changed", key, `${key}: tag ${g.tag ?? "(none)"}, live ${l.tag ?? "(none)"}`);
        parts(key, "branch", g.variants ?? [], l.variants ?? [], (v) => v.case, (gv, lv, k) => typeRef(gv.type, lv.type, k));
        return;
      case "alternate": {
        const gm = g.members ?? [];
        const lm = l.members ?? [];
        if (gm.length !== lm.length) diff("changed", key, `${key}: ${gm.length} alternatives, live ${lm.length}`);
        gm.forEach((m, i) => {
          if (i < lm.length) typeRef(m.type, lm[i]?.type, `${key}|${i}`);
        });
        return;
      }
      case "command":
        if ((g["allow-oob"] === true) !== (l["allow-oob"] === true)) diff("changed", key, `${key}: allow-oob differs`);
        typeRef(g["arg-type"], l["arg-type"], `${key}(arguments)`);
        typeRef(g["ret-type"], l["ret-type"], `${key}→return`);
        return;
      default:
        typeRef(g["arg-type"], l["arg-type"], `${key}(data)`);
    }
  };
  const drain = (): void => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      compare(gen.get(next[0]) as SchemaInfoEntry, liv.get(next[1]) as SchemaInfoEntry);
    }
  };

  const isEntity = (e: SchemaInfoEntry): boolean => e["meta-type"] === "command" || e["meta-type"] === "event";
  for (const g of generated) {
    if (!isEntity(g)) continue;
    const l = liv.get(g.name);
    if (l === undefined || l["meta-type"] !== g["meta-type"]) diff("generated-only", g.name, `${g["meta-type"]} '${g.name}' is not in the live QEMU`);
    else pair(g.name, l.name, g.name);
  }
  for (const l of live) {
    if (isEntity(l) && gen.get(l.name)?.["meta-type"] !== l["meta-type"]) diff("live-only", l.name, `the live QEMU has ${l["meta-type"]} '${l.name}'`);
  }
  drain();

  // Types no walk reached: paired in list order with the next unpaired live type of the
  // same shape, until nothing more pairs.
  for (let progress = true; progress; ) {
    progress = false;
    const liveLeft = live.filter((l) => !back.has(l.name) && !isEntity(l));
    let from = 0;
    for (const g of generated) {
      if (paired.has(g.name) || isEntity(g)) continue;
      const s = shape(g, (t) => (t === undefined ? "?" : (paired.get(t) ?? t)));
      const i = liveLeft.findIndex((l, j) => j >= from && !back.has(l.name) && shape(l, (t) => t ?? "?") === s);
      if (i < 0) continue;
      from = i + 1;
      pair(g.name, liveLeft[i]?.name, g.name);
      drain();
      progress = true;
    }
  }

  const referrers = new Map<string, string>();
  for (const e of live) {
    for (const t of [e["arg-type"], e["ret-type"], e["element-type"], ...(e.members ?? []).map((m) => m.type), ...(e.variants ?? []).map((v) => v.type)]) {
      if (t !== undefined && !referrers.has(t)) referrers.set(t, back.get(e.name) ?? `live type ${e.name}`);
    }
  }
  for (const g of generated) {
    if (!paired.has(g.name) && !isEntity(g)) diff("generated-only", g.name, `${g.name} (${shape(g, (t) => t ?? "?")}) is not in the live QEMU`);
  }
  for (const l of live) {
    if (back.has(l.name) || isEntity(l)) continue;
    const from = referrers.get(l.name);
    diff("live-only", `live type ${l.name}`, `the live QEMU has a type not generated: ${shape(l, liveName)}${from === undefined ? "" : `, used by ${from}`}`);
  }

  const order = generated.filter((g) => paired.has(g.name));
  const late = outOfOrder(order.map((g) => livePos.get(paired.get(g.name) as string) as number));
  for (const i of late) {
    const g = order[i] as SchemaInfoEntry;
    diff("order", g.name, `${g.name} is out of QEMU's order (generated at ${genPos.get(g.name)}, live at ${livePos.get(paired.get(g.name) as string)})`);
  }
  return { differences, paired };
}
