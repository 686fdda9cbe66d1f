// qapi-gen/qmp: the QMP runtime generated code runs on. A connection to QEMU (or to the
// mock server) is the transport generated clients take.

export { connectQmp, type ConnectOptions, type QmpAddress } from "./connect.js";
export { QmpConnection, type CloseInfo, type ConnectionOptions, type ExecuteOptions } from "./connection.js";
export { QmpAbortError, QmpConnectionClosedError, QmpError, QmpProtocolError, QmpTimeoutError } from "./errors.js";
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
