// events: the event map (wire name → data type), the run-time table of every event,
// the typed event message and parseEvent.

import type { ObjectType } from "../../frontend/model.js";
import type { EmitContext, Emitter } from "../context.js";
import { type Doc, hardline, indent, join, ref } from "../print/doc.js";
import { GeneratedFile } from "../print/file.js";
import { call, cast, declaration, functionDeclaration, key, mappedType, object, prop, returnStatement, str, typeArgs } from "../print/ts.js";
import { tsdoc } from "../print/tsdoc.js";
import { featureNames, mapInterface } from "./commands.js";
import { typeRef } from "./types.js";

function eventsFile(ctx: EmitContext): GeneratedFile {
  const file = new GeneratedFile("events", "QMP events: wire names to data types, the run-time table, parseEvent.", ctx.options);
  const Events = ctx.names.fixed("Events");
  const EventName = ctx.names.fixed("EventName");
  const eventInfo = ctx.names.fixed("eventInfo");
  const QmpEvent = ctx.names.fixed("QmpEvent");
  const dataType = (t: { argType: ObjectType | undefined }): Doc =>
    t.argType === undefined || t.argType.isEmpty() ? "Record<string, never>" : typeRef(ctx, t.argType);
  const members = ctx.events.map((e) => [tsdoc(e.doc), key(e.event.name), ": ", dataType(e.event), ";"]);
  file.addTypes(
    mapInterface(Events, members),
    tsdoc([
      "The QMP events of this schema: wire name → the type of its `data`",
      "(`Record<string, never>` for events without data, which QEMU sends without `data`).",
    ]),
  );
  file.addTypes(`export type ${EventName} = keyof ${Events};`, tsdoc(["The wire name of an event, e.g. `'JOB_STATUS_CHANGE'`."]));
  const info = ref(ctx.sym.runtime("QmpEventInfo"), true);
  const tableType = mappedType("K", EventName, [info, typeArgs(["K", `${Events}[K]`])], { readonly: true });
  const entries = ctx.events.map((e) => {
    const t = e.event.argType;
    const data: Doc = t === undefined || t.isEmpty() ? "undefined" : ref(ctx.sym.validator(t));
    const facts = object(
      [prop("name", str(e.event.name)), prop("data", data), prop("boxed", String(e.event.boxed)), prop("features", featureNames(ctx, e.event))],
      { expanded: true },
    );
    return prop(e.event.name, facts);
  });
  file.add(
    declaration("const", eventInfo, tableType, object(entries, { expanded: true }), { exported: true }),
    ["export declare const ", eventInfo, ": ", tableType, ";"],
    tsdoc(['Run-time facts about every event: the validator of its data (use "compatible"', "mode), and its features."]),
  );
  const typed = ref(ctx.sym.runtime("QmpTypedEvent"), true);
  file.addTypes(
    ["export type ", QmpEvent, " = {", indent([hardline, "[K in ", EventName, "]: ", typed, `<K, ${Events}[K]>;`]), hardline, "}[", EventName, "];"],
    tsdoc(["A QMP event message, typed by its name: narrowing on `event` narrows `data`.", "Events without data get `data: {}`."]),
  );
  const params = [{ name: "message", type: "unknown" }];
  // without events, QmpEvent is never
  const ret = ctx.events.length === 0 ? "undefined" : [QmpEvent, " | undefined"];
  const body = [returnStatement(cast(call(ref(ctx.sym.internal("events", "$parseEvent")), [eventInfo, "message"]), ret))];
  file.add(
    functionDeclaration(ctx.names.fixed("parseEvent"), params, ret, body, { exported: true }),
    functionDeclaration(ctx.names.fixed("parseEvent"), params, ret, undefined, { exported: true }),
    tsdoc([
      "Validates a raw QMP event message (`{ event, data?, timestamp }`) and returns it",
      "typed. Data is validated in compatible mode: members and enumeration values a",
      "newer QEMU added are accepted (QMP's compatibility promise).",
      "",
      "@returns the typed event, or `undefined` for an event this schema does not know",
      "  (a newer QEMU's, which clients are expected to ignore).",
      `@throws {@link ${ctx.names.fixed("QmpValidationError")}} when the message or its data is malformed.`,
    ]),
  );
  return file;
}

export const emitEvents: Emitter = (ctx) => (ctx.outputs.has("client") ? eventsFile(ctx).print(ctx.schemaPath) : []);
