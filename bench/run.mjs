#!/usr/bin/env node
// Runs every bench/*.mjs except this one and the shared measure.mjs and consumer.mjs,
// in sequence (dump.mjs first, then the rest by name). Arguments are passed through;
// with --json each bench prints one JSON object and this prints them merged into one
// object keyed by bench name:
//   { "dump": {...}, "bundle": {...}, "consumer-tsc": {...}, "generate": {...},
//     "language-service": {...}, "load": {...}, "qmp": {...}, "qmp-runtime": {...},
//     "tsc": {...}, "validators": {...}, "writer": {...} }
// Exit status: 1 if any bench failed (its error is in the merged object under "error").
//
//   npm run bench [-- --json]      (builds first)

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const SELF = basename(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes("--json");

// modules the benches share, not benches themselves
const HELPERS = new Set(["measure.mjs", "consumer.mjs"]);

const benches = readdirSync(HERE)
  .filter((f) => f.endsWith(".mjs") && f !== SELF && !HELPERS.has(f))
  .sort((a, b) => (a === "dump.mjs" ? -1 : b === "dump.mjs" ? 1 : a.localeCompare(b)));

const merged = {};
let failed = false;
for (const file of benches) {
  const name = file.slice(0, -".mjs".length);
  if (!json) console.log(`\n== bench/${file}`);
  const r = spawnSync(process.execPath, [join(HERE, file), ...args], {
    encoding: "utf8",
    stdio: json ? ["ignore", "pipe", "pipe"] : "inherit",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) failed = true;
  if (!json) continue;
  const out = (r.stdout ?? "").trim();
  // The object is the last line that parses as JSON; anything before it is chatter.
  let value;
  for (const line of out.split("\n").reverse()) {
    try {
      value = JSON.parse(line);
      break;
    } catch {
      // not the JSON line
    }
  }
  if (value === undefined) {
    try {
      value = JSON.parse(out);
    } catch {
      value = undefined;
    }
  }
  if (r.status !== 0 || value === undefined) {
    failed = true;
    merged[name] = {
      ...(typeof value === "object" && value !== null ? value : {}),
      error: `exit ${r.status ?? r.signal}${value === undefined ? ", no JSON output" : ""}: ${(r.stderr ?? "").trim().slice(0, 500)}`,
    };
  } else {
    merged[name] = value;
  }
}

if (json) process.stdout.write(`${JSON.stringify(merged)}\n`);
process.exitCode = failed ? 1 : 0;
