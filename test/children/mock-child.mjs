// Child of qmp-hostile-client.test.ts: a mock server at PATH, under the heap limit the
// test gives. `echo` returns its `payload`; `cycle` returns a cyclic response; `evil`
// throws an object whose getters throw; `exit` prints the peak heap and exits.
// An unhandled rejection or uncaught exception would end the process with an error.
// argv: LIB (transpiled qmp/) PATH
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [lib, path] = process.argv.slice(2);
const { QmpMockServer } = await import(pathToFileURL(join(lib, "index.js")).href);
let peakHeap = 0;
const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
setInterval(sample, 5).unref();
const cyclic = { return: {} };
cyclic.self = cyclic;
const server = new QmpMockServer({
  dispatch: (req) => {
    const name = req.execute ?? req["exec-oob"];
    if (name === "exit") {
      sample();
      console.log(JSON.stringify({ peakHeapMiB: Math.round(peakHeap / 1024 / 1024) }));
      process.exit(0);
    }
    if (name === "cycle") return cyclic;
    if (name === "evil") {
      throw {
        get message() {
          throw new Error("message");
        },
        toString() {
          throw new Error("toString");
        },
      };
    }
    return { return: req.arguments?.payload ?? null };
  },
});
await server.listen(path);
