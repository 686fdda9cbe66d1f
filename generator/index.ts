// qapi-gen as a library: load and check a QAPI schema, generate TypeScript from it, run
// a config file's targets. Nothing here prints or exits; problems come back as values
// (Diagnostic, with FILE:LINE:COL). The QMP runtime is `qapi-gen/qmp` (or @qapi-gen/qmp).

export {
  checkSchema,
  generate,
  type CheckOptions,
  type CheckResult,
  type GenerateOptions,
  type GenerateResult,
  type GeneratedFile,
  type OutputChange,
  type SchemaSource,
} from "./api/generate.js";
export { CONFIG_FILE, loadConfig, type ConfigResult, type ConfigTarget } from "./api/config.js";
export type { Diagnostic } from "./api/diagnostics.js";
export {
  AlternateType,
  ArrayType,
  BuiltinType,
  Command,
  Definition,
  Entity,
  EnumType,
  Event,
  Include,
  Module,
  ObjectType,
  Type,
  type Schema,
} from "./frontend/model.js";
