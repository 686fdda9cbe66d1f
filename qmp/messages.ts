// The messages of the QMP wire protocol (qmp-spec: greeting, commands, responses,
// events) and the checks that classify a parsed line as one of them.

import type { QmpTimestamp } from "./events.js";

export interface QmpVersionTriple {
  major: number;
  minor: number;
  micro: number;
}

/** The `version` member of the greeting (same shape as query-version's return). */
export interface QmpVersion {
  qemu: QmpVersionTriple;
  package: string;
}

export interface QmpGreeting {
  QMP: { version: QmpVersion; capabilities: string[] };
}

export type QmpId = string | number | boolean | null | object;

export interface QmpCommandMessage {
  execute?: string;
  "exec-oob"?: string;
  arguments?: object;
  id?: unknown;
}

export interface QmpSuccess {
  return: unknown;
  id?: unknown;
}

export interface QmpErrorResponse {
  error: { class: string; desc: string };
  id?: unknown;
}

export type QmpResponse = QmpSuccess | QmpErrorResponse;

export interface QmpEventMessage {
  event: string;
  data?: unknown;
  timestamp: QmpTimestamp;
}

export type Classified =
  | { kind: "return"; msg: QmpSuccess }
  | { kind: "error"; msg: QmpErrorResponse }
  | { kind: "event"; msg: QmpEventMessage }
  | { kind: "greeting"; msg: QmpGreeting }
  | { kind: "invalid"; why: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Sort a message from the server into its kind, or say why it is none. */
export function classifyServerMessage(v: unknown): Classified {
  if (!isObject(v)) return { kind: "invalid", why: "not a JSON object" };
  if ("return" in v) return { kind: "return", msg: v as unknown as QmpSuccess };
  if ("error" in v) {
    const e = v["error"];
    if (!isObject(e) || typeof e["class"] !== "string" || typeof e["desc"] !== "string") {
      return { kind: "invalid", why: "error response without string class and desc" };
    }
    return { kind: "error", msg: v as unknown as QmpErrorResponse };
  }
  if (typeof v["event"] === "string") {
    if (!isObject(v["timestamp"])) return { kind: "invalid", why: "event without timestamp" };
    return { kind: "event", msg: v as unknown as QmpEventMessage };
  }
  if ("QMP" in v) {
    const q = v["QMP"];
    if (!isObject(q) || !isObject(q["version"]) || !Array.isArray(q["capabilities"])) {
      return { kind: "invalid", why: "greeting without version and capabilities" };
    }
    return { kind: "greeting", msg: v as unknown as QmpGreeting };
  }
  return { kind: "invalid", why: "neither a response, an event nor a greeting" };
}

/** Format a version as QEMU prints it, e.g. "7.2.22". */
export function versionString(v: QmpVersion): string {
  return `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}`;
}
