// dev: prettier-check every generated file under a folder, print the first differences
import * as prettier from "prettier";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
const dir = process.argv[2]; let bad = 0, n = 0;
for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || !/\.(ts|js|mts|mjs)$/.test(e.name)) continue;
  const p = join(e.parentPath, e.name); const src = readFileSync(p, "utf8"); n++;
  const out = await prettier.format(src, { parser: /\.m?ts$/.test(e.name) ? "typescript" : "babel" });
  if (out !== src) { bad++; if (bad <= Number(process.argv[3] ?? 3)) {
    const a = src.split("\n"), b = out.split("\n"); let i = 0; while (a[i] === b[i]) i++;
    console.log(`== ${p}:${i+1}\n--- ours\n${a.slice(Math.max(0,i-3), i+6).join("\n")}\n--- prettier\n${b.slice(Math.max(0,i-3), i+6).join("\n")}`); } }
}
console.log(`${bad} of ${n} files differ`);
