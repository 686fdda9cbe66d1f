// Every test's temporary files go below one directory, removed when the run ends
// (os.tmpdir() follows TMPDIR, which workers and child processes inherit).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-test-"));
  process.env["TMPDIR"] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
