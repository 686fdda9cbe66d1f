// The messages of the QMP wire protocol (qmp-spec: greeting, commands, responses,
// events) and what query-qmp-schema returns. Defined once: copied verbatim into
// every output as runtime/wire.ts, and what @qapi-gen/qmp speaks.

export interface QmpVersionTriple {
  major: number;
  minor: number;
  micro: number;
}

/** The `version` member of the greeting (the shape of query-version's return). */
export interface QmpVersion {
  qemu: QmpVersionTriple;
  package: string;
}

/** The greeting a QMP server sends first. */
export interface QmpGreeting {
  QMP: { version: QmpVersion; capabilities: string[] };
}

/** When the server sent an event. */
export interface QmpTimestamp {
  seconds: number;
  microseconds: number;
}

/** A command message: `execute` (or `exec-oob`), optional `arguments` and `id`. */
export type QmpCommandMessage =
  | { execute: string; arguments?: Record<string, unknown>; id?: unknown }
  | { "exec-oob": string; arguments?: Record<string, unknown>; id?: unknown };

/** A success response, with the command's `id`. */
export interface QmpSuccess<T = unknown> {
  return: T;
  id?: unknown;
}

/** An error response, with the command's `id`. */
export interface QmpErrorResponse {
  error: { class: string; desc: string };
  id?: unknown;
}

export type QmpResponse<T = unknown> = QmpSuccess<T> | QmpErrorResponse;

/** An event message; events without data have none on the wire. */
export interface QmpEventMessage<N extends string = string, D = unknown> {
  event: N;
  data?: D;
  timestamp: QmpTimestamp;
}

/**
 * One entry of `query-qmp-schema`'s reply (QAPI type SchemaInfo), discriminated by
 * `meta-type`. Names of types are references between entries; commands and events
 * are found by name.
 */
export type SchemaInfo =
  | SchemaInfoBuiltin
  | SchemaInfoEnum
  | SchemaInfoArray
  | SchemaInfoObject
  | SchemaInfoAlternate
  | SchemaInfoCommand
  | SchemaInfoEvent;

interface SchemaInfoBase {
  readonly name: string;
  readonly features?: readonly string[];
}

export interface SchemaInfoBuiltin extends SchemaInfoBase {
  readonly "meta-type": "builtin";
  readonly "json-type":
    | "string"
    | "number"
    | "int"
    | "boolean"
    | "null"
    | "object"
    | "array"
    | "value";
}

export interface SchemaInfoEnum extends SchemaInfoBase {
  readonly "meta-type": "enum";
  readonly members: readonly {
    readonly name: string;
    readonly features?: readonly string[];
  }[];
  /** The values again (deprecated in QEMU's schema, still sent). */
  readonly values: readonly string[];
}

export interface SchemaInfoArray extends SchemaInfoBase {
  readonly "meta-type": "array";
  readonly "element-type": string;
}

export interface SchemaInfoObject extends SchemaInfoBase {
  readonly "meta-type": "object";
  /** All members, base members included; `default` present means optional. */
  readonly members: readonly {
    readonly name: string;
    readonly type: string;
    readonly default?: unknown;
    readonly features?: readonly string[];
  }[];
  /** Unions only: the discriminator member. */
  readonly tag?: string;
  /** Unions only: the type providing each case's variant members. */
  readonly variants?: readonly {
    readonly case: string;
    readonly type: string;
  }[];
}

export interface SchemaInfoAlternate extends SchemaInfoBase {
  readonly "meta-type": "alternate";
  readonly members: readonly { readonly type: string }[];
}

export interface SchemaInfoCommand extends SchemaInfoBase {
  readonly "meta-type": "command";
  readonly "arg-type": string;
  readonly "ret-type": string;
  readonly "allow-oob"?: boolean;
}

export interface SchemaInfoEvent extends SchemaInfoBase {
  readonly "meta-type": "event";
  readonly "arg-type": string;
}
