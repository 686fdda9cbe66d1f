// qapi-gen/qmp: the QMP runtime generated code runs on. A connection to QEMU (or to the
// mock server) is the transport generated clients take.

export { connectQmp, type ConnectOptions, type QmpAddress } from "./connect.js";
export {
  DEFAULT_CONNECT_TIMEOUT,
  QmpConnection,
  type CloseInfo,
  type ConnectionOptions,
  type ExecuteOptions,
  type HandshakeOptions,
} from "./connection.js";
export {
  QmpAbortError,
  QmpBadReplyError,
  QmpConnectionClosedError,
  QmpError,
  QmpEventOverflowError,
  QmpNegotiationError,
  QmpProtocolError,
  QmpTimeoutError,
  QmpValidationError,
} from "./errors.js";
// What generated code and this package share (generated outputs carry a copy).
export type {
  QmpAbortSignal,
  QmpCallOptions,
  QmpClientOptions,
  QmpCommandInfo,
  QmpExecuteOptions,
  QmpOobCallOptions,
  QmpTransport,
} from "./core/client.js";
export type { QmpEventInfo, QmpEventSource, QmpRawEvent, QmpTypedEvent, QmpWaitOptions } from "./core/events.js";
export type { Problem, ValidationMode, Validator } from "./core/validate.js";
export type { QmpCommandMessage, QmpGreeting, QmpResponse, QmpTimestamp, QmpVersion, SchemaInfo } from "./core/wire.js";
export { DEFAULT_MAX_BUFFERED_EVENTS, type AnyEvents, type EventMap, type QmpEvent, type QmpEventOf } from "./events.js";
export { DEFAULT_MAX_LINE } from "./framing.js";
export { JsonNestingError, JsonSyntaxError, MAX_NESTING, parseJson, stringifyJson, type Int64Mode } from "./json.js";
export { MAX_QUEUED_REQUESTS, QmpMockServer, type MockServerOptions, type QmpDispatch } from "./server.js";
export {
  checkCompatibility,
  checkLiveCompatibility,
  formatCompatReport,
  type CompatIssue,
  type CompatKind,
  type CompatReport,
  type SchemaInfoEntry,
} from "./compat.js";
