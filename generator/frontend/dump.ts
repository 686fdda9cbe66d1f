// The model dump: the text QEMU's schema test harness prints (tests/qapi-schema/*.out),
// modules and entities in visiting order, then the doc comments. Used by
// `qapi-gen dump` and the conformance tests.

import { dumpDoc } from "./doc.js";
import {
  AlternateType,
  ArrayType,
  type Branches,
  type Alternatives,
  Command,
  type Entity,
  EnumType,
  Event,
  type Feature,
  type IfCond,
  type IfExpr,
  Include,
  ObjectType,
  type Schema,
} from "./model.js";

/** Python's repr() of a condition, as QEMU's harness prints it. */
function reprIf(e: IfExpr): string {
  if (typeof e === "string") return `'${e}'`;
  if ("not" in e) return `{'not': ${reprIf(e.not)}}`;
  const [key, parts] = "all" in e ? ["all", e.all] : ["any", e.any];
  return `{'${key}': [${parts.map(reprIf).join(", ")}]}`;
}

const py = (b: boolean): string => (b ? "True" : "False");

export function dumpSchema(schema: Schema): string {
  const out: string[] = [];
  const line = (s: string): void => {
    out.push(s, "\n");
  };
  const ifLine = (ifcond: IfCond, indent = 4): void => {
    const e = ifcond.expr;
    if (e !== undefined) line(`${" ".repeat(indent)}if ${typeof e === "string" ? e : reprIf(e)}`);
  };
  const featureLines = (features: readonly Feature[], indent = 4): void => {
    for (const f of features) {
      line(`${" ".repeat(indent)}feature ${f.name}`);
      ifLine(f.ifcond, indent + 4);
    }
  };
  const variantLines = (v: Branches | Alternatives | undefined): void => {
    if (v === undefined) return;
    line(`    tag ${v.tagMember.name}`);
    for (const b of v.variants) {
      line(`    case ${b.name}: ${b.type.name}`);
      ifLine(b.ifcond, 8);
    }
  };

  const visit = (ent: Entity): void => {
    if (ent instanceof Include) {
      line(`include ${ent.subModule.name}`);
    } else if (ent instanceof EnumType) {
      line(`enum ${ent.name}`);
      if (ent.prefix !== undefined) line(`    prefix ${ent.prefix}`);
      for (const m of ent.members) {
        line(`    member ${m.name}`);
        ifLine(m.ifcond, 8);
        featureLines(m.features, 8);
      }
      ifLine(ent.ifcond);
      featureLines(ent.features);
    } else if (ent instanceof ArrayType) {
      if (ent.info === undefined) return; // built-in arrays are not shown
      line(`array ${ent.name} ${ent.elementType.name}`);
      ifLine(ent.ifcond);
    } else if (ent instanceof ObjectType) {
      line(`object ${ent.name}`);
      if (ent.base !== undefined) line(`    base ${ent.base.name}`);
      for (const m of ent.localMembers) {
        line(`    member ${m.name}: ${m.type.name} optional=${py(m.optional)}`);
        ifLine(m.ifcond, 8);
        featureLines(m.features, 8);
      }
      variantLines(ent.branches);
      ifLine(ent.ifcond);
      featureLines(ent.features);
    } else if (ent instanceof AlternateType) {
      line(`alternate ${ent.name}`);
      variantLines(ent.alternatives);
      ifLine(ent.ifcond);
      featureLines(ent.features);
    } else if (ent instanceof Command) {
      line(`command ${ent.name} ${ent.argType?.name ?? "None"} -> ${ent.retType?.name ?? "None"}`);
      line(
        `    gen=${py(ent.gen)} success_response=${py(ent.successResponse)} boxed=${py(ent.boxed)} ` +
          `oob=${py(ent.allowOob)} preconfig=${py(ent.allowPreconfig)}${ent.coroutine ? " coroutine=True" : ""}`,
      );
      ifLine(ent.ifcond);
      featureLines(ent.features);
    } else if (ent instanceof Event) {
      line(`event ${ent.name} ${ent.argType?.name ?? "None"}`);
      line(`    boxed=${py(ent.boxed)}`);
      ifLine(ent.ifcond);
      featureLines(ent.features);
    }
  };

  for (const mod of schema.modules) {
    line(`module ${mod.name}`);
    for (const ent of mod.entities) visit(ent);
  }
  for (const doc of schema.docs) out.push(dumpDoc(doc));
  return out.join("");
}
