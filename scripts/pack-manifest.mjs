// `npm pack` and `npm publish` pack package.json without its `prepare` script, and put
// it back afterwards (prepack: `strip`, postpack: `restore`). `prepare` builds a clone
// on `npm install` and a git dependency when it is installed; a tarball is already
// built, and npm warns about install scripts in it on every consumer install.
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const manifest = fileURLToPath(new URL("../package.json", import.meta.url));
// Kept where npm never packs: a pack that fails half-way is repaired by the next one.
const saved = fileURLToPath(new URL("../node_modules/.qapi-gen-package.json", import.meta.url));

function restore() {
  if (!existsSync(saved)) return;
  copyFileSync(saved, manifest);
  rmSync(saved);
}

const step = process.argv[2];
if (step === "strip") {
  restore();
  copyFileSync(manifest, saved);
  const pkg = JSON.parse(readFileSync(manifest, "utf8"));
  delete pkg.scripts.prepare;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (step === "restore") {
  restore();
} else {
  console.error("usage: node scripts/pack-manifest.mjs strip|restore");
  process.exit(2);
}
