// Child of qmp-framing.test.ts: frame one line of N bytes fed one byte per chunk,
// under the heap limit the test gives; prints what came out.
// argv: LIB (transpiled qmp/) N
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [lib, n] = process.argv.slice(2);
const { LineDecoder } = await import(pathToFileURL(join(lib, "framing.js")).href);
const size = Number(n);
let lines = 0;
let length = 0;
const d = new LineDecoder({ line: (l) => ((lines += 1), (length = l.length)), overlong: () => process.exit(3) });
const x = Buffer.from("x");
for (let i = 0; i < size; i++) d.push(x.subarray(0, 1));
d.push("\n");
console.log(JSON.stringify({ lines, length }));
