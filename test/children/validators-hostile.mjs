// Child of validators-hostile.test.ts: hostile values against generated code (the
// validators, a standalone call, the dispatcher), in a process of its own so that a
// regression that hangs or eats memory ends in a kill (a timeout, the heap limit the
// test gives) rather than a stuck suite. Prints one JSON line as each case starts
// and one with its result: what is() said in both modes, the first problem, and
// whether anything threw out of is(), problems(), fromJson() or dispatch().
// argv: DIR (number mode output, transpiled) BIGDIR (bigint mode)
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, bigDir] = process.argv.slice(2);
const gen = await import(pathToFileURL(join(dir, "index.js")).href);
const big = await import(pathToFileURL(join(bigDir, "index.js")).href);

function cyclic(keys = ["self"]) {
  const o = {};
  for (const k of keys) o[k] = o;
  return o;
}
function nest(n) {
  let v = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}
function sharedArrays(levels) {
  let v = [1];
  for (let i = 0; i < levels; i++) v = [v, v];
  return v;
}
function sharedPairs(levels) {
  let p = { n: 1 };
  for (let i = 0; i < levels; i++) p = { left: p, right: p };
  return p;
}
const cyclicPair = () => {
  const p = { n: 1 };
  p.left = p;
  p.right = p;
  return p;
};
const cyclicTree = () => {
  const t = { label: "t", children: [] };
  t.children.push(t, t, t);
  return t;
};
const claimsBillion = () => new Proxy(["a"], { get: (t, k) => (k === "length" ? 1e9 : k === "0" ? "a" : Reflect.get(t, k)) });
const qom = (value) => ({ path: "/machine", property: "p", value });

/** What a validator says of `value` once converted from JSON, every entry point tried. */
function validate(v, value) {
  const out = { threw: [] };
  const attempt = (what, f) => {
    try {
      return f();
    } catch (e) {
      out.threw.push(`${what}: ${e}`);
    }
  };
  attempt("fromJson", () => v.fromJson(value)); // first, as the client and dispatcher do
  out.is = [attempt("is", () => v.is(value)), attempt("is compatible", () => v.is(value, "compatible"))];
  const problems = attempt("problems", () => v.problems(value)) ?? [];
  const first = problems[0] === undefined ? null : `${problems[0].path}: ${problems[0].message}`;
  out.first = first === null || first.length <= 300 ? first : `${first.slice(0, 100)} … ${first.slice(-100)}`;
  attempt("standard", () => v["~standard"].validate(value));
  return out;
}

/** A transport that records what reaches it. */
const sent = [];
const transport = { execute: (...a) => (sent.push(a), Promise.resolve({})) };

async function dispatched(d, request) {
  try {
    const r = await d.dispatch(request);
    JSON.stringify(r, (_k, x) => (typeof x === "bigint" ? Number(x) : x)); // it can be sent
    return { threw: [], response: r === undefined ? null : { error: r.error, hasId: "id" in r, id: typeof r.id === "object" ? "(object)" : r.id } };
  } catch (e) {
    return { threw: [`dispatch: ${e}`] };
  }
}

const Q = gen.QomSetArgumentsValidator;
const P = gen.TakePairArgumentsValidator;
const T = gen.TakeTreeArgumentsValidator;
const BP = big.TakePairArgumentsValidator;
const BT = big.TakeTreeArgumentsValidator;

const cases = {
  "qom-set: a cyclic value": () => validate(Q, qom(cyclic())),
  "qom-set: a cyclic value with ten ways back": () => validate(Q, qom(cyclic(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]))),
  "qom-set: a cyclic array": () => {
    const a = [];
    a.push(a, a);
    return validate(Q, qom(a));
  },
  "qom-set: a sparse array of length 1e9": () => validate(Q, qom(new Array(1e9))),
  "qom-set: nested 1e6 deep": () => validate(Q, qom(nest(1e6))),
  "qom-set: 2^40 values shared (a DAG)": () => validate(Q, qom(sharedArrays(40))),
  "qomSet(): a cyclic value is refused before anything is sent": async () => {
    try {
      await gen.qomSet(transport, qom(cyclic()));
      return { threw: [], sent: sent.length, error: null };
    } catch (e) {
      return { threw: [], sent: sent.length, error: `${e.name}: ${e.message}` };
    }
  },
  "a cyclic struct with two recursive members": () => validate(P, { pair: cyclicPair() }),
  "a struct shared 2^60 times (a DAG)": () => validate(P, { pair: sharedPairs(60) }),
  "a cyclic tree of arrays": () => validate(T, { tree: cyclicTree() }),
  "a typed array of length 1e9": () => validate(T, { tree: {}, names: new Array(1e9) }),
  "a Proxy array that claims 1e9 elements": () => validate(T, { tree: {}, names: claimsBillion() }),
  "bigint: fromJson of a cyclic struct": () => validate(BP, { pair: cyclicPair() }),
  "bigint: fromJson of a struct shared 2^60 times": () => validate(BP, { pair: sharedPairs(60) }),
  "bigint: fromJson of a cyclic tree": () => validate(BT, { tree: cyclicTree() }),
  "bigint: fromJson of a frozen value": () => validate(BP, Object.freeze({ pair: Object.freeze({ n: 1 }) })),
  "dispatcher: arguments nested 1e6 deep": () => dispatched(new gen.QmpDispatcher({ qomSet: () => {} }), { execute: "qom-set", arguments: qom(nest(1e6)), id: 1 }),
  "dispatcher: a cyclic return": () => dispatched(new gen.QmpDispatcher({ takePair: () => cyclicPair() }), { execute: "take-pair", arguments: { pair: {} }, id: 2 }),
  "dispatcher: a return shared 2^60 times": () => dispatched(new gen.QmpDispatcher({ takePair: () => sharedPairs(60) }), { execute: "take-pair", arguments: { pair: {} }, id: 3 }),
  "dispatcher: an id nested 20,000 deep": () => dispatched(new gen.QmpDispatcher({}), { execute: "qom-set", id: nest(20_000) }),
  "dispatcher: a cyclic id": () => dispatched(new gen.QmpDispatcher({}), { execute: "qom-set", id: cyclic() }),
  "dispatcher: an id shared 2^40 times": () => dispatched(new gen.QmpDispatcher({}), { execute: "qom-set", id: sharedArrays(40) }),
  "dispatcher (bigint): a cyclic argument converted": () => dispatched(new big.QmpDispatcher({ takePair: (a) => a.pair }), { execute: "take-pair", arguments: { pair: cyclicPair() }, id: 4 }),
};

for (const [name, run] of Object.entries(cases)) {
  console.log(JSON.stringify({ started: name }));
  const t0 = performance.now();
  const result = await run();
  console.log(JSON.stringify({ case: name, ms: Math.round(performance.now() - t0), ...result }));
}
