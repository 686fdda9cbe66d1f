// Child of qmp-hostile-client.test.ts: a mock server at PATH that echoes `payload`,
// under the heap limit the test gives. `exit` makes it print its peak heap and exit.
// argv: LIB (transpiled qmp/) PATH
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [lib, path] = process.argv.slice(2);
const { QmpMockServer } = await import(pathToFileURL(join(lib, "index.js")).href);
let peakHeap = 0;
const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
setInterval(sample, 5).unref();
const server = new QmpMockServer({
  dispatch: (req) => {
    if (req.execute === "exit") {
      sample();
      console.log(JSON.stringify({ peakHeapMiB: Math.round(peakHeap / 1024 / 1024) }));
      process.exit(0);
    }
    return { return: req.arguments?.payload ?? null };
  },
});
await server.listen(path);
