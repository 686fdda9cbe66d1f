// The checks that classify a parsed line as one of the messages of the QMP wire
// protocol (their types are core/wire.ts, shared with the generated code).

import type { QmpErrorResponse, QmpEventMessage, QmpGreeting, QmpSuccess, QmpVersion } from "./core/wire.js";

export type Classified =
  | { kind: "return"; msg: QmpSuccess }
  | { kind: "error"; msg: QmpErrorResponse }
  /** Shaped as a response (routable by its id, if any) but not a valid one. */
  | { kind: "bad-reply"; msg: { id?: unknown }; why: string }
  | { kind: "event"; msg: QmpEventMessage }
  | { kind: "greeting"; msg: QmpGreeting }
  | { kind: "invalid"; why: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Sort a message from the server into its kind, or say why it is none. As python's
 * qemu.qmp does, `error` is looked at before `return`: a reply with both is bad.
 */
export function classifyServerMessage(v: unknown): Classified {
  if (!isObject(v)) return { kind: "invalid", why: "not a JSON object" };
  if ("event" in v) {
    if (typeof v["event"] !== "string") return { kind: "invalid", why: "event name is not a string" };
    if (!isObject(v["timestamp"])) return { kind: "invalid", why: "event without timestamp" };
    return { kind: "event", msg: v as unknown as QmpEventMessage };
  }
  if ("QMP" in v) {
    const why = greetingProblem(v["QMP"]);
    return why === undefined ? { kind: "greeting", msg: v as unknown as QmpGreeting } : { kind: "invalid", why };
  }
  if ("error" in v) {
    const e = v["error"];
    if (!isObject(e) || typeof e["class"] !== "string" || typeof e["desc"] !== "string") {
      return { kind: "bad-reply", msg: v, why: "error response without string class and desc" };
    }
    if ("return" in v) return { kind: "bad-reply", msg: v, why: "response with both 'return' and 'error'" };
    return { kind: "error", msg: v as unknown as QmpErrorResponse };
  }
  if ("return" in v) return { kind: "return", msg: v as unknown as QmpSuccess };
  if ("id" in v) return { kind: "bad-reply", msg: v, why: "response without 'return' or 'error'" };
  return { kind: "invalid", why: "neither a response, an event nor a greeting" };
}

/** What is wrong with a greeting's QMP member (qmp-spec: version as query-version returns it). */
function greetingProblem(q: unknown): string | undefined {
  if (!isObject(q)) return "greeting's QMP member is not an object";
  const version = q["version"];
  if (!isObject(version)) return "greeting without a version object";
  const qemu = version["qemu"];
  if (!isObject(qemu)) return "greeting's version has no qemu object";
  for (const part of ["major", "minor", "micro"]) {
    if (!Number.isSafeInteger(qemu[part])) return `greeting's version.qemu.${part} is not an integer`;
  }
  if (typeof version["package"] !== "string") return "greeting's version.package is not a string";
  const caps = q["capabilities"];
  if (!Array.isArray(caps) || !caps.every((c) => typeof c === "string")) {
    return "greeting's capabilities are not an array of strings";
  }
  return undefined;
}

/** Format a version as QEMU prints it, e.g. "7.2.22". */
export function versionString(v: QmpVersion): string {
  return `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}`;
}
