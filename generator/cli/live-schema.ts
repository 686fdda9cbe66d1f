// Where `qapi-gen defines --from` reads a live QEMU's query-qmp-schema: a QMP Unix
// socket (asked over QMP) or a saved reply (the bare list, or `{"return": [...]}`).

import { readFileSync, statSync } from "node:fs";
import type { SchemaInfoEntry } from "@qapi-gen/qmp";

export class LiveSchemaError extends Error {}

const isEntry = (e: unknown): boolean =>
  typeof e === "object" && e !== null && typeof (e as { name?: unknown }).name === "string" && typeof (e as { "meta-type"?: unknown })["meta-type"] === "string";

/** The query-qmp-schema list at `from` (a socket or a JSON file). */
export async function readSchemaInfo(from: string): Promise<SchemaInfoEntry[]> {
  let socket: boolean;
  try {
    socket = statSync(from).isSocket();
  } catch (err) {
    throw new LiveSchemaError(`${from}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or socket" : String(err)}`);
  }
  if (socket) return query(from);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(from, "utf8"));
  } catch (err) {
    throw new LiveSchemaError(`${from}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const list = Array.isArray(value) ? value : (value as { return?: unknown } | null)?.return;
  if (!Array.isArray(list) || !list.every(isEntry)) {
    throw new LiveSchemaError(`${from}: not a query-qmp-schema reply (a list of SchemaInfo objects, bare or as "return")`);
  }
  return list as SchemaInfoEntry[];
}

async function query(path: string): Promise<SchemaInfoEntry[]> {
  // Loaded only here: generating code needs no QMP.
  const { connectQmp } = await import("@qapi-gen/qmp");
  try {
    const conn = await connectQmp(path, { timeout: 30_000 });
    try {
      return (await conn.execute("query-qmp-schema", undefined, { timeout: 30_000 })) as SchemaInfoEntry[];
    } finally {
      await conn.close();
    }
  } catch (err) {
    throw new LiveSchemaError(`${path}: query-qmp-schema over QMP failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
