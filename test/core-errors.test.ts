// qmp/core/errors.ts as real code: one QmpError concept across copies. Every output
// carries its own copy of the module (out/runtime/errors.ts here) and
// @qapi-gen/qmp another (qmp/core/errors.ts), so `instanceof` goes by a brand
// registered with Symbol.for; subclasses keep the usual prototype test.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as generated from "../out/runtime/errors.js";
import { QmpError, QmpValidationError } from "../qmp/core/errors.js";
import { connectQmp } from "../qmp/connect.js";
import type { QmpConnection } from "../qmp/connection.js";
import { QmpMockServer } from "../qmp/server.js";

describe("QmpError", () => {
  it("carries class, desc and command; its message names them", () => {
    const e = new QmpError("DeviceNotFound", "Device 'x' not found", "device_del");
    expect([e.class, e.desc, e.command, e.name]).toEqual(["DeviceNotFound", "Device 'x' not found", "device_del", "QmpError"]);
    expect(e.message).toBe("device_del: DeviceNotFound: Device 'x' not found");
    expect(new QmpError("GenericError", "no").message).toBe("GenericError: no");
    expect(new QmpError("GenericError", "no").command).toBeUndefined();
    expect(e).toBeInstanceOf(Error);
  });

  it("the generated copy is another class, and each is instanceof the other", () => {
    expect(generated.QmpError).not.toBe(QmpError);
    expect(new generated.QmpError("GenericError", "x")).toBeInstanceOf(QmpError);
    expect(new QmpError("GenericError", "x")).toBeInstanceOf(generated.QmpError);
  });

  it("is not fooled by lookalikes", () => {
    const lookalike = Object.assign(new Error("x"), { class: "GenericError", desc: "x" });
    for (const v of [lookalike, { class: "GenericError", desc: "x" }, null, undefined, "QmpError", new generated.QmpValidationError("event", "E", [])]) {
      expect(v instanceof QmpError).toBe(false);
      expect(v instanceof generated.QmpError).toBe(false);
    }
  });

  it("subclasses keep the usual instanceof", () => {
    class DeviceNotFound extends QmpError {
      constructor(desc: string) {
        super("DeviceNotFound", desc);
      }
    }
    const mine = new DeviceNotFound("gone");
    expect(mine).toBeInstanceOf(DeviceNotFound);
    expect(mine).toBeInstanceOf(QmpError);
    expect(mine).toBeInstanceOf(generated.QmpError);
    expect(new QmpError("DeviceNotFound", "gone")).not.toBeInstanceOf(DeviceNotFound);
    expect(new generated.QmpError("DeviceNotFound", "gone")).not.toBeInstanceOf(DeviceNotFound);
  });
});

describe("an error response from @qapi-gen/qmp's connection", () => {
  let dir: string;
  let server: QmpMockServer;
  let conn: QmpConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "core-errors-"));
    server = new QmpMockServer({ dispatch: () => ({ error: { class: "DeviceNotFound", desc: "Device 'x' not found" } }) });
    conn = await connectQmp((await server.listen(join(dir, "m.qmp"))) as string);
  });
  afterAll(async () => {
    await conn.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is instanceof the generated QmpError and the package's, with class, desc and command", async () => {
    const e: unknown = await conn.execute("device_del", { id: "x" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(generated.QmpError);
    expect(e).toBeInstanceOf(QmpError);
    expect(e).toMatchObject({ class: "DeviceNotFound", desc: "Device 'x' not found", command: "device_del" });
  });
});

describe("QmpValidationError", () => {
  const problems = [1, 2, 3, 4, 5].map((i) => ({ path: `a${i}`, message: `Parameter 'a${i}' is missing` }));

  it("says what was validated and the first three problems", () => {
    expect(new QmpValidationError("arguments", "blockdev-add", problems.slice(0, 1)).message).toBe("Invalid arguments of command 'blockdev-add': Parameter 'a1' is missing");
    expect(new QmpValidationError("return", "query-block", problems.slice(0, 3)).message).toBe(
      "Invalid return of command 'query-block': Parameter 'a1' is missing; Parameter 'a2' is missing; Parameter 'a3' is missing",
    );
    const e = new QmpValidationError("event", "JOB_STATUS_CHANGE", problems);
    expect(e.message).toBe("Invalid data of event 'JOB_STATUS_CHANGE': Parameter 'a1' is missing; Parameter 'a2' is missing; Parameter 'a3' is missing; and 2 more");
    expect([e.kind, e.target, e.problems, e.name]).toEqual(["event", "JOB_STATUS_CHANGE", problems, "QmpValidationError"]);
  });

  it("is branded as QmpError is, apart from it", () => {
    const e = new QmpValidationError("event", "E", problems);
    expect(e).toBeInstanceOf(generated.QmpValidationError);
    expect(new generated.QmpValidationError("event", "E", problems)).toBeInstanceOf(QmpValidationError);
    expect(e).not.toBeInstanceOf(QmpError);
    class Mine extends generated.QmpValidationError {}
    expect(new Mine("event", "E", [])).toBeInstanceOf(QmpValidationError);
    expect(e).not.toBeInstanceOf(Mine);
  });
});
