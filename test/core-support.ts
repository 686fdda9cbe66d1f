// Validators written by hand with qmp/core/validate.ts, the way the validators emitter
// writes them, for the unit tests of qmp/core: a struct
// { 'id': 'str', '*n': 'int8', '*tags': ['str'] } and one of QAPI's `any`, { 'blob': 'any' }.

import {
  type $Check,
  type $Guard,
  type $Members,
  $enter,
  $exact,
  $int,
  $isArray,
  $isInt,
  $isJson,
  $json,
  $member,
  $object,
  $ownKeys,
  $type,
  $validator,
} from "../qmp/core/validate.js";

// A hand-written struct { 'id': 'str', '*n': 'int8', '*tags': ['str'] } as the emitter writes it.
export const KEYS: ReadonlySet<string> = new Set(["id", "n", "tags"]);
export const str: $Check = (v, _c, _d, p, out) => {
  if (typeof v !== "string") $type(out, p, "string");
};
export const int8: $Check = (v, _c, _d, p, out) => $int(v, p, out, "int8", -128, 127);
export const q: $Members = (o, c, d, p, out, ks) => {
  ks.push(KEYS);
  $member(out, o, p, "id", 0, str, c, d + 1);
  $member(out, o, p, "n", 1, int8, c, d + 1);
  $member(out, o, p, "tags", 3, str, c, d + 1);
};
export const pItem: $Check = (v, c, d, p, out) => $object(v, c, d, p, out, q);
const gItem: $Guard = (v, c, d) => {
  if (!$enter(v, d)) return false;
  let x: unknown = v["id"];
  if (Object.getPrototypeOf(v) !== Object.prototype) return $exact(v, c, d, pItem);
  if (typeof x !== "string") return false;
  let n = 1;
  x = v["n"];
  if (x !== undefined) {
    if (!$isInt(x, -128, 127)) return false;
    n++;
  }
  x = v["tags"];
  if (x !== undefined) {
    if (!$isArray(x)) return false;
    for (const e of x) if (typeof e !== "string") return false;
    n++;
  }
  if (c) return true;
  let k = 0;
  for (const _ in v) k++;
  if (k === n) return true;
  return $ownKeys(v) === n;
};
export const Item = $validator<{ id: string; n?: number; tags?: string[] }>("Item", gItem, pItem);

// A value of QAPI's `any`, as a member: { 'blob': 'any' }.
const BLOB: ReadonlySet<string> = new Set(["blob"]);
const pAny: $Check = (v, _c, d, p, out) => $json(v, d, p, out, false);
const qBlob: $Members = (o, c, d, p, out, ks) => {
  ks.push(BLOB);
  $member(out, o, p, "blob", 0, pAny, c, d + 1);
};
const pBlob: $Check = (v, c, d, p, out) => $object(v, c, d, p, out, qBlob);
const gBlob: $Guard = (v, c, d) => {
  if (!$enter(v, d)) return false;
  const x: unknown = v["blob"];
  if (Object.getPrototypeOf(v) !== Object.prototype) return $exact(v, c, d, pBlob);
  if (!$isJson(x, false, d + 1)) return false;
  if (c) return true;
  let k = 0;
  for (const _ in v) k++;
  return k === 1 || $ownKeys(v) === 1;
};
export const Blob = $validator<{ blob: unknown }>("Blob", gBlob, pBlob);

