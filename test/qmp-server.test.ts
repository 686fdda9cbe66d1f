// The mock server's QMP behaviour, seen from a raw socket and from the client.

import { rmSync, mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectQmp } from "../qmp/connect.js";
import { QmpMockServer } from "../qmp/server.js";

let dir: string;
let server: QmpMockServer;
let path: string;
const seen: unknown[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "qmp-mock-"));
  seen.length = 0;
  server = new QmpMockServer({
    dispatch: (req) => {
      seen.push(req);
      if (req["execute"] === "quiet") return undefined;
      if (req["execute"] === "boom") throw new Error("handler failed");
      return { return: { echo: req["arguments"] ?? null } };
    },
  });
  path = (await server.listen(join(dir, "m.qmp"))) as string;
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Send raw lines and collect `n` response lines. */
async function rawExchange(input: string, n: number): Promise<unknown[]> {
  const s = connect({ path });
  s.setEncoding("utf8");
  let buf = "";
  const lines: unknown[] = [];
  await new Promise<void>((resolve) => {
    s.on("data", (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\r\n")) >= 0) {
        lines.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 2);
      }
      if (lines.length >= n) resolve();
    });
    s.write(input);
  });
  s.destroy();
  return lines;
}

describe("QmpMockServer", () => {
  it("greets, refuses commands before negotiation, answers in order with ids, reports bad JSON", async () => {
    const lines = await rawExchange(
      '{"execute": "x", "id": 1}\n{"execute": "qmp_capabilities", "id": 2}\n{"execute": "x", "arguments": {"a": 1}, "id": 3}\n{"execute": \n{"execute": "qmp_capabilities", "id": 4}\n',
      6,
    );
    expect(lines).toEqual([
      { QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "qapi-gen mock" }, capabilities: ["oob"] } },
      { error: { class: "CommandNotFound", desc: "Expecting capabilities negotiation with 'qmp_capabilities'" }, id: 1 },
      { return: {}, id: 2 },
      { return: { echo: { a: 1 } }, id: 3 },
      { error: { class: "GenericError", desc: expect.stringMatching(/^JSON parse error/) } },
      { error: { class: "CommandNotFound", desc: "Capabilities negotiation is already complete, command ignored" }, id: 4 },
    ]);
  });

  it("serves the client: commands, errors, no-response commands, events, oob", async () => {
    const conn = await connectQmp(path, { oob: true });
    await expect(conn.execute("x", { n: 1 })).resolves.toEqual({ echo: { n: 1 } });
    await expect(conn.execute("boom")).rejects.toMatchObject({ class: "GenericError", desc: "handler failed" });
    await expect(conn.execute("y", undefined, { oob: true })).resolves.toEqual({ echo: null });
    expect(seen).toContainEqual({ "exec-oob": "y", id: expect.any(Number) });
    const ev = conn.waitForEvent("SHUTDOWN");
    server.emitEvent("SHUTDOWN", { guest: false, reason: "host-qmp-quit" });
    expect((await ev).data).toEqual({ guest: false, reason: "host-qmp-quit" });
    expect(server.connections).toBe(1);
    await conn.close();
  });

  it("refuses exec-oob unless oob was negotiated", async () => {
    const lines = await rawExchange('{"execute": "qmp_capabilities"}\n{"exec-oob": "x", "id": 7}\n', 3);
    expect(lines[2]).toMatchObject({ error: { class: "GenericError" }, id: 7 });
  });
});
