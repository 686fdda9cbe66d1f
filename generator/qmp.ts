// qapi-gen/qmp: the QMP runtime, re-exported from its own package @qapi-gen/qmp so that
// code importing either name gets the same classes (one QmpError for instanceof).
// An app that needs only the runtime in production depends on @qapi-gen/qmp alone.

export * from "@qapi-gen/qmp";
