// Compatibility check: does the QEMU at the other end implement what the generated
// code was generated for? Compares the generated introspection (`schemaInfo`, with
// real type names) with the live `query-qmp-schema` (type names masked as numbers).
// Commands and events are matched by name; types are matched structurally by walking
// both graphs in step from each command's and event's argument and return types.

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

export type CompatKind = "command" | "event" | "member" | "enum-value" | "variant" | "type";

export interface CompatIssue {
  kind: CompatKind;
  /** Where, e.g. `transaction.actions[].data.bitmap` or `BLOCK_JOB_COMPLETED`. */
  path: string;
  message: string;
}

export interface CompatReport {
  /** What the generated code has and the live QEMU lacks. */
  missing: CompatIssue[];
  /** Present on both sides but incompatible (type changed, member became required). */
  incompatible: CompatIssue[];
  /** Deprecated things (per either side) the generated code uses. */
  deprecated: CompatIssue[];
  /** No missing and no incompatible entries. */
  ok: boolean;
}

const DEPRECATED = "deprecated";

const isDeprecated = (...fs: (readonly string[] | undefined)[]): boolean => fs.some((f) => f?.includes(DEPRECATED) === true);

/** The values of an enum entry (`members` since QEMU 6.2, `values` before). */
const enumValues = (e: SchemaInfoEntry): { name: string; features?: readonly string[] | undefined }[] =>
  e.members !== undefined
    ? e.members.flatMap((m) => (m.name === undefined ? [] : [{ name: m.name, features: m.features }]))
    : (e.values ?? []).map((name) => ({ name }));

/** What a type accepts, for matching alternate branches and builtins. */
const shape = (e: SchemaInfoEntry | undefined): string =>
  e === undefined ? "?" : e["meta-type"] === "builtin" ? `builtin:${e["json-type"] ?? "?"}` : e["meta-type"];

export function checkCompatibility(generated: readonly SchemaInfoEntry[], live: readonly SchemaInfoEntry[]): CompatReport {
  const gen = new Map(generated.map((e) => [e.name, e]));
  const liv = new Map(live.map((e) => [e.name, e]));
  const report: CompatReport = { missing: [], incompatible: [], deprecated: [], ok: true };
  const seen = new Set<string>();

  const missing = (kind: CompatKind, path: string, message: string): void => {
    report.missing.push({ kind, path, message });
  };
  const incompatible = (path: string, message: string): void => {
    report.incompatible.push({ kind: "type", path, message });
  };
  const deprecated = (kind: CompatKind, path: string, what: string): void => {
    report.deprecated.push({ kind, path, message: `${what} is deprecated` });
  };

  /** Compare generated type `g` with live type `l`, reached at `path`. */
  const compare = (g: string | undefined, l: string | undefined, path: string, dir: "in" | "out"): void => {
    if (g === undefined || l === undefined) return;
    const key = `${g}\u0000${l}\u0000${dir}`;
    if (seen.has(key)) return; // each pair once: schemas are recursive and share types
    seen.add(key);
    const ge = gen.get(g);
    const le = liv.get(l);
    if (ge === undefined || le === undefined) return;
    if (isDeprecated(le.features) || isDeprecated(ge.features)) deprecated("type", path, `type at ${path}`);
    if (shape(ge) !== shape(le)) {
      // 'any' on the live side accepts whatever we send and may return anything.
      if (shape(le) !== "builtin:value") incompatible(path, `generated ${shape(ge)}, live QEMU has ${shape(le)}`);
      return;
    }
    switch (ge["meta-type"]) {
      case "enum": {
        const liveValues = new Map(enumValues(le).map((v) => [v.name, v]));
        for (const v of enumValues(ge)) {
          const lv = liveValues.get(v.name);
          if (lv === undefined) missing("enum-value", path, `enum value '${v.name}' at ${path} is not known to the live QEMU`);
          else if (isDeprecated(v.features, lv.features)) deprecated("enum-value", path, `enum value '${v.name}' at ${path}`);
        }
        return;
      }
      case "array":
        compare(ge["element-type"], le["element-type"], `${path}[]`, dir);
        return;
      case "object":
        compareObject(ge, le, path, dir);
        return;
      case "alternate": {
        const liveBranches = (le.members ?? []).map((m) => m.type);
        for (const m of ge.members ?? []) {
          const match = liveBranches.find((t) => shape(liv.get(t ?? "")) === shape(gen.get(m.type ?? "")));
          if (match === undefined) missing("type", path, `alternative ${shape(gen.get(m.type ?? ""))} at ${path} is not accepted by the live QEMU`);
          else compare(m.type, match, path, dir);
        }
        return;
      }
      default:
        return;
    }
  };

  const compareObject = (ge: SchemaInfoEntry, le: SchemaInfoEntry, path: string, dir: "in" | "out"): void => {
    const at = (name: string): string => (path === "" ? name : `${path}.${name}`);
    const liveMembers = new Map((le.members ?? []).map((m) => [m.name ?? "", m]));
    const genMembers = new Map((ge.members ?? []).map((m) => [m.name ?? "", m]));
    for (const [name, m] of genMembers) {
      const lm = liveMembers.get(name);
      if (lm === undefined) {
        // An optional argument we never send is harmless, but the user can't use it.
        missing("member", at(name), `member '${name}' of ${path || "(top)"} is not known to the live QEMU`);
        continue;
      }
      if (isDeprecated(m.features, lm.features)) deprecated("member", at(name), `member '${at(name)}'`);
      if (dir === "out" && !("default" in m) && "default" in lm) {
        incompatible(at(name), `generated code expects '${at(name)}' always present; the live QEMU makes it optional`);
      }
      compare(m.type, lm.type, at(name), dir);
    }
    if (dir === "in") {
      for (const [name, lm] of liveMembers) {
        if (!("default" in lm) && (genMembers.get(name) === undefined || "default" in (genMembers.get(name) ?? {}))) {
          incompatible(at(name), `the live QEMU requires '${at(name)}', which the generated code may omit`);
        }
      }
    }
    const liveVariants = new Map((le.variants ?? []).map((v) => [v.case, v.type]));
    for (const v of ge.variants ?? []) {
      const lt = liveVariants.get(v.case);
      // A case the live tag enum lacks is already reported as a missing enum value.
      if (lt !== undefined) compare(v.type, lt, `${path}[${ge.tag ?? "tag"}=${v.case}]`, dir);
    }
  };

  for (const g of generated) {
    const kind = g["meta-type"];
    if (kind !== "command" && kind !== "event") continue;
    const l = liv.get(g.name);
    if (l === undefined || l["meta-type"] !== kind) {
      missing(kind, g.name, `${kind} '${g.name}' is not provided by the live QEMU`);
      continue;
    }
    if (isDeprecated(g.features, l.features)) deprecated(kind, g.name, `${kind} '${g.name}'`);
    compare(g["arg-type"], l["arg-type"], g.name, kind === "command" ? "in" : "out");
    if (kind === "command") compare(g["ret-type"], l["ret-type"], `${g.name}→return`, "out");
  }
  report.ok = report.missing.length === 0 && report.incompatible.length === 0;
  return report;
}

/** A readable multi-line summary of a report. */
export function formatCompatReport(r: CompatReport): string {
  const lines: string[] = [];
  const section = (title: string, items: CompatIssue[]): void => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`);
    for (const i of items) lines.push(`  - ${i.message}`);
  };
  section("missing in the live QEMU", r.missing);
  section("incompatible", r.incompatible);
  section("deprecated and used", r.deprecated);
  if (lines.length === 0) lines.push("compatible: nothing missing, nothing deprecated");
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
