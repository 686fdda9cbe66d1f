// qapi-gen/qmp: the QMP runtime generated code runs on. A connection to QEMU (or to the
// mock server) is the transport generated clients take.

export { connectQmp, type ConnectOptions, type QmpAddress } from "./connect.js";
export { QmpConnection, type CloseInfo, type ConnectionOptions, type ExecuteOptions } from "./connection.js";
export {
  QmpAbortError,
  QmpConnectionClosedError,
  QmpError,
  QmpProtocolError,
  QmpTimeoutError,
  QmpValidationError,
} from "./errors.js";
// What generated code and this package share (generated outputs carry a copy).
export type {
  QmpCallOptions,
  QmpClientOptions,
  QmpCommandInfo,
  QmpExecuteOptions,
  QmpOobCallOptions,
  QmpTransport,
} from "./core/client.js";
export type { QmpEventInfo, QmpEventSource, QmpRawEvent, QmpTypedEvent, QmpWaitOptions } from "./core/events.js";
export type { Problem, ValidationMode, Validator } from "./core/validate.js";
export type { QmpCommandMessage, QmpResponse, SchemaInfo } from "./core/wire.js";
export type { AnyEvents, EventMap, QmpEvent, QmpEventOf, QmpTimestamp } from "./events.js";
export { parseJson, stringifyJson, JsonSyntaxError, type Int64Mode } from "./json.js";
export type { QmpGreeting, QmpVersion } from "./messages.js";
export { QmpMockServer, type MockServerOptions, type QmpDispatch } from "./server.js";
export {
  checkCompatibility,
  checkLiveCompatibility,
  formatCompatReport,
  type CompatIssue,
  type CompatKind,
  type CompatReport,
  type SchemaInfoEntry,
} from "./compat.js";
