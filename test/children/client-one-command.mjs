// Child of qmp-hostile-peer.test.ts: connect to the peer at PATH, run one command and
// print how it ended and the peak RSS, under the heap limit the test gives.
// argv: LIB (transpiled qmp/) PATH
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [lib, path] = process.argv.slice(2);
const { connectQmp } = await import(pathToFileURL(join(lib, "index.js")).href);
const conn = await connectQmp(path);
let outcome;
let message;
try {
  const v = await conn.execute("x");
  outcome = "resolved";
  message = typeof v === "string" ? `${v.length} characters` : typeof v;
} catch (e) {
  outcome = e.name;
  message = e.message;
}
await conn.close();
const maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify({ outcome, message, maxRssMiB }));
