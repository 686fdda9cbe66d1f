// generator/frontend/expr.ts: the structure checks of definitions. Each case is a small schema
// (file t.json) and the located error QEMU 10.0 reports for it, or null when the
// schema passes this phase.

import { describe, expect, it } from "vitest";
import type { QAPIDoc } from "../generator/frontend/doc.js";
import { QapiError, makeDiagnostics, type Diagnostics } from "../generator/frontend/errors.js";
import { cName, checkExprs, exprMeta, memberDef, nameStem, namedDef } from "../generator/frontend/expr.js";
import { parseSchema, type DefinitionExpr, type TopExpr, type Value } from "../generator/frontend/parse.js";

function parse(text: string, diags: Diagnostics, extra: Record<string, string> = {}): TopExpr[] {
  const files: Record<string, string> = { "t.json": text, ...extra };
  const reader = {
    resolve: (n: string) => "/" + n,
    read: (n: string) => {
      const f = files[n];
      if (f === undefined) throw Object.assign(new Error(n), { code: "ENOENT" });
      return new TextEncoder().encode(f);
    },
  };
  return parseSchema("t.json", reader, diags).exprs;
}

/** The formatted error checkExprs throws (strict), or null. */
function check(text: string): string | null {
  const diags = makeDiagnostics(true);
  const exprs = parse(text, diags);
  try {
    checkExprs(exprs, diags);
  } catch (e) {
    if (e instanceof QapiError) return e.format();
    throw e;
  }
  return null;
}

/** The message as printed for an error in definition `meta name` at `line`. */
function at(meta: string, name: string, line: number, msg: string): string {
  return `t.json: In ${meta} '${name}':\nt.json:${line}: ${msg}`;
}
const S = (msg: string, line = 1) => at("struct", "Str", line, msg);
const C = (msg: string, line = 1) => at("command", "c", line, msg);
const E = (msg: string, line = 1) => at("enum", "En", line, msg);

type Case = [title: string, schema: string, expected: string | null];

const metaCases: Case[] = [
  [
    "two metatypes",
    "{ 'command': 'foo', 'struct': 'Bar', 'data': { } }",
    "t.json:1: expression must have exactly one key 'enum', 'struct', 'union', 'alternate', 'command', 'event'",
  ],
  [
    "no metatype",
    "\n{ 'data': { } }",
    "t.json:2: expression must have exactly one key 'enum', 'struct', 'union', 'alternate', 'command', 'event'",
  ],
  ["non-string name, reported before the context is set", "{ 'struct': true, 'data': {} }", "t.json:1: 'struct' requires a string name"],
  ["list as name", "{ 'enum': ['E'], 'data': [] }", "t.json:1: 'enum' requires a string name"],
  ["the error's line is the definition's", "{ 'struct': 'Str',\n  'data': {},\n  'bogus': 'x' }",
    S("struct has unknown key 'bogus'\nValid keys are 'base', 'data', 'features', 'if', 'struct'.")],
];

const nameCases: Case[] = [
  ["invalid character", "{ 'struct': '*oops', 'data': {} }", at("struct", "*oops", 1, "struct has an invalid name")],
  ["leading digit", "{ 'struct': '1Foo', 'data': {} }", at("struct", "1Foo", 1, "struct has an invalid name")],
  ["empty name", "{ 'struct': '', 'data': {} }", "t.json:1: struct has an invalid name"],
  ["type not CamelCase", "{ 'struct': 'not-a-camel', 'data': {} }", at("struct", "not-a-camel", 1, "name of struct must use CamelCase")],
  ["type all capitals", "{ 'enum': 'FOO', 'data': [] }", at("enum", "FOO", 1, "name of enum must use CamelCase")],
  ["type with underscore", "{ 'alternate': 'Foo_Bar', 'data': { 'a': 'int' } }", at("alternate", "Foo_Bar", 1, "name of alternate must use CamelCase")],
  ["type with prefixes", "{ 'struct': '__org.qemu_x-Foo', 'data': {} }", null],
  ["experimental type", "{ 'struct': 'x-Foo1', 'data': {} }", null],
  ["type ending in List", "{ 'struct': 'FooList', 'data': {} }", at("struct", "FooList", 1, "struct name should not end in 'List'")],
  ["type ending in Kind is fine", "{ 'enum': 'FooKind', 'data': [] }", null],
  ["reserved q_ prefix", "{ 'command': 'q-unix' }", at("command", "q-unix", 1, "command has an invalid name")],
  ["reserved q_ prefix on types", "{ 'struct': 'q_Foo', 'data': {} }", at("struct", "q_Foo", 1, "struct has an invalid name")],
  ["capital Q is not reserved, but commands are lower case", "{ 'command': 'Q-unix' }",
    at("command", "Q-unix", 1, "name of command must not use uppercase or '_'")],
  ["command with underscore", "{ 'command': 'foo_bar' }", at("command", "foo_bar", 1, "name of command must not use uppercase or '_'")],
  ["command-name-exceptions permits '_'",
    "{ 'pragma': { 'command-name-exceptions': [ 'foo_bar' ] } }\n{ 'command': 'foo_bar' }", null],
  ["command-name-exceptions does not permit upper case",
    "{ 'pragma': { 'command-name-exceptions': [ 'fooBar' ] } }\n{ 'command': 'fooBar' }",
    at("command", "fooBar", 2, "name of command must not use uppercase or '_'")],
  ["downstream command", "{ 'command': '__com.example_x-do-it' }", null],
  ["event upper case", "{ 'event': 'FOO_BAR' }", null],
  ["experimental event", "{ 'event': 'x-FOO' }", null],
  ["event lower case", "{ 'event': 'foo' }", at("event", "foo", 1, "name of event must not use lowercase or '-'")],
  ["event with '-'", "{ 'event': 'FOO-BAR' }", at("event", "FOO-BAR", 1, "name of event must not use lowercase or '-'")],
];

const keyCases: Case[] = [
  ["missing key", "{ 'struct': 'Str' }", S("struct misses key 'data'")],
  ["missing keys, sorted", "{ 'union': 'Un', 'data': {} }", at("union", "Un", 1, "union misses keys 'base', 'discriminator'")],
  ["union without discriminator", "{ 'union': 'Un', 'base': 'B', 'data': {} }", at("union", "Un", 1, "union misses key 'discriminator'")],
  ["unknown key", "{ 'alternate': 'Alt', 'base': 'B', 'data': { 'a': 'int' } }",
    at("alternate", "Alt", 1, "alternate has unknown key 'base'\nValid keys are 'alternate', 'data', 'features', 'if'.")],
  ["unknown keys, sorted", "{ 'event': 'EV', 'returns': 'int', 'allow-oob': true }",
    at("event", "EV", 1, "event has unknown keys 'allow-oob', 'returns'\nValid keys are 'boxed', 'data', 'event', 'features', 'if'.")],
  ["missing before unknown", "{ 'enum': 'En', 'bogus': 'x' }", E("enum misses key 'data'")],
  ["command keys", "{ 'command': 'c', 'data': {}, 'returns': 'int', 'boxed': true, 'if': 'A', 'features': [], " +
    "'gen': false, 'success-response': false, 'allow-oob': true, 'allow-preconfig': true }",
    C("'data' should be a type name")],
  ["command unknown key", "{ 'command': 'c', 'base': 'B' }",
    C("command has unknown key 'base'\nValid keys are 'allow-oob', 'allow-preconfig', 'boxed', 'command', 'coroutine', 'data', " +
      "'features', 'gen', 'if', 'returns', 'success-response'.")],
  ["enum keys", "{ 'enum': 'En', 'data': [], 'prefix': 'P', 'if': 'A', 'features': [] }", null],
];

const flagCases: Case[] = [
  ["true-only flag given a string", "{ 'command': 'c', 'allow-oob': 'some-string' }", C("flag 'allow-oob' may only use true value")],
  ["true-only flag given false", "{ 'command': 'c', 'allow-preconfig': false }", C("flag 'allow-preconfig' may only use true value")],
  ["coroutine", "{ 'command': 'c', 'coroutine': false }", C("flag 'coroutine' may only use true value")],
  ["boxed false on an event", "{ 'event': 'EV', 'boxed': false }", at("event", "EV", 1, "flag 'boxed' may only use true value")],
  ["false-only flag given true", "{ 'command': 'c', 'gen': true }", C("flag 'gen' may only use false value")],
  ["success-response", "{ 'command': 'c', 'success-response': 'no' }", C("flag 'success-response' may only use false value")],
  ["good flags", "{ 'command': 'c', 'gen': false, 'success-response': false, 'allow-preconfig': true, 'coroutine': true }", null],
  ["allow-oob with coroutine", "{ 'command': 'c', 'allow-oob': true, 'coroutine': true }",
    C("flags 'allow-oob' and 'coroutine' are incompatible")],
];

const ifCases: Case[] = [
  ["symbol", "{ 'struct': 'Str', 'data': {}, 'if': 'CONFIG_FOO2' }", null],
  ["lower-case symbol", "{ 'struct': 'Str', 'data': {}, 'if': 'foo' }", S("'if' condition 'foo' of struct is not a valid identifier")],
  ["empty symbol", "{ 'struct': 'Str', 'data': {}, 'if': '' }", S("'if' condition '' of struct is not a valid identifier")],
  ["symbol starting with '_'", "{ 'struct': 'Str', 'data': {}, 'if': '_A' }", S("'if' condition '_A' of struct is not a valid identifier")],
  ["boolean", "{ 'struct': 'Str', 'data': {}, 'if': false }", S("'if' condition of struct must be a string or an object")],
  ["list (the old form)", "{ 'struct': 'Str', 'data': {}, 'if': ['A'] }", S("'if' condition of struct must be a string or an object")],
  ["unknown operator", "{ 'struct': 'Str', 'data': {}, 'if': { 'value': 'A' } }",
    S("'if' condition of struct has unknown key 'value'\nValid keys are 'all', 'any', 'not'.")],
  ["two operators", "{ 'struct': 'Str', 'data': {}, 'if': { 'all': ['A'], 'not': 'B' } }", S("'if' condition of struct has conflicting keys")],
  ["no operator", "{ 'struct': 'Str', 'data': {}, 'if': {} }", S("'if' condition of struct has conflicting keys")],
  ["'all' of a string", "{ 'struct': 'Str', 'data': {}, 'if': { 'all': 'A' } }", S("'all' condition of struct must be an array")],
  ["'any' of an object", "{ 'struct': 'Str', 'data': {}, 'if': { 'any': {} } }", S("'any' condition of struct must be an array")],
  ["empty 'any'", "{ 'struct': 'Str', 'data': {}, 'if': { 'any': [] } }", S("'if' condition [] of struct is useless")],
  ["bad operand of 'all'", "{ 'struct': 'Str', 'data': {}, 'if': { 'all': ['A', ' '] } }", S("'if' condition ' ' of struct is not a valid identifier")],
  ["bad operand of 'not'", "{ 'struct': 'Str', 'data': {}, 'if': { 'not': '' } }", S("'if' condition '' of struct is not a valid identifier")],
  ["nested", "{ 'struct': 'Str', 'data': {}, 'if': { 'not': { 'all': ['A', { 'any': ['B', { 'not': 'C' }] }] } } }", null],
  ["nested error", "{ 'struct': 'Str', 'data': {}, 'if': { 'not': { 'all': ['A', { 'any': ['B', 'c'] }] } } }",
    S("'if' condition 'c' of struct is not a valid identifier")],
  ["on a member", "{ 'struct': 'Str', 'data': { 'a': { 'type': 'int', 'if': 'x' } } }",
    S("'if' condition 'x' of 'data' member 'a' is not a valid identifier")],
  ["on a feature", "{ 'struct': 'Str', 'data': {}, 'features': [ { 'name': 'f', 'if': false } ] }",
    S("'if' condition of 'features' member 'f' must be a string or an object")],
  ["on an enum value", "{ 'enum': 'En', 'data': [ { 'name': 'bar', 'if': { 'val': 'A' } } ] }",
    E("'if' condition of 'data' member 'bar' has unknown key 'val'\nValid keys are 'all', 'any', 'not'.")],
  ["on an alternate branch", "{ 'alternate': 'Alt', 'data': { 'branch': { 'type': 'int', 'if': ' ' } } }",
    at("alternate", "Alt", 1, "'if' condition ' ' of 'data' member 'branch' is not a valid identifier")],
  ["on a union branch", "{ 'union': 'Un', 'base': 'B', 'discriminator': 'k', 'data': { 'b1': { 'type': 'T', 'if': '' } } }",
    at("union", "Un", 1, "'if' condition '' of 'data' member 'b1' is not a valid identifier")],
  ["on a command", "{ 'command': 'c', 'if': { 'any': [] } }", C("'if' condition [] of command is useless")],
];

const featureCases: Case[] = [
  ["good features", "{ 'struct': 'Str', 'data': {}, 'features': [ 'deprecated', { 'name': 'x-f', 'if': 'A' } ] }", null],
  ["not a list", "{ 'struct': 'Str', 'data': {}, 'features': 'f' }", S("'features' must be an array")],
  ["missing name", "{ 'struct': 'Str', 'data': {}, 'features': [ { 'if': 'A' } ] }", S("'features' member misses key 'name'")],
  ["unknown key", "{ 'struct': 'Str', 'data': {}, 'features': [ { 'name': 'f', 'colour': 'red' } ] }",
    S("'features' member has unknown key 'colour'\nValid keys are 'if', 'name'.")],
  ["list as a feature", "{ 'struct': 'Str', 'data': {}, 'features': [ [ 'f' ] ] }", S("'features' member requires a string name")],
  ["non-string name", "{ 'struct': 'Str', 'data': {}, 'features': [ { 'name': {} } ] }", S("'features' member requires a string name")],
  ["upper case", "{ 'struct': 'Str', 'data': {}, 'features': [ 'Feat' ] }",
    S("name of 'features' member 'Feat' must not use uppercase or '_'")],
  ["underscore", "{ 'struct': 'Str', 'data': {}, 'features': [ 'f_g' ] }", S("name of 'features' member 'f_g' must not use uppercase or '_'")],
  ["invalid name", "{ 'struct': 'Str', 'data': {}, 'features': [ 'q-f' ] }", S("'features' member 'q-f' has an invalid name")],
  ["member-name-exceptions does not cover features",
    "{ 'pragma': { 'member-name-exceptions': [ 'Str' ] } }\n{ 'struct': 'Str', 'data': {}, 'features': [ 'F' ] }",
    S("name of 'features' member 'F' must not use uppercase or '_'", 2)],
  ["on a member", "{ 'struct': 'Str', 'data': { 'a': { 'type': 'int', 'features': [ 'X' ] } } }",
    S("name of 'features' member 'X' must not use uppercase or '_'")],
  ["on a member, not a list", "{ 'command': 'c', 'data': { 'a': { 'type': 'int', 'features': {} } } }", C("'features' must be an array")],
  ["on an enum value", "{ 'enum': 'En', 'data': [ { 'name': 'v', 'features': [ 'a_b' ] } ] }",
    E("name of 'features' member 'a_b' must not use uppercase or '_'")],
  ["on a command", "{ 'command': 'c', 'features': [ 'unstable', 'f' ] }", null],
];

const enumCases: Case[] = [
  ["good enum", "{ 'enum': 'En', 'data': [ 'one', 'x-two', '3d', { 'name': 'four', 'if': 'A', 'features': ['f'] } ], 'prefix': 'P' }", null],
  ["data not a list", "{ 'enum': 'En', 'data': { 'a': 'int' } }", E("'data' must be an array")],
  ["prefix not a string", "{ 'enum': 'En', 'data': [], 'prefix': ['fooey'] }", E("'prefix' must be a string")],
  ["list as a value", "{ 'enum': 'En', 'data': [ [ ] ] }", E("'data' member requires a string name")],
  ["boolean as a value", "{ 'enum': 'En', 'data': [ true ] }", E("'data' member requires a string name")],
  ["value misses its name", "{ 'enum': 'En', 'data': [ { 'if': 'A' } ] }", E("'data' member misses key 'name'")],
  ["value has an unknown key", "{ 'enum': 'En', 'data': [ { 'name': 'foo', 'bad-key': 'str' } ] }",
    E("'data' member has unknown key 'bad-key'\nValid keys are 'features', 'if', 'name'.")],
  ["invalid value", "{ 'enum': 'En', 'data': [ 'not\\\\possible' ] }", E("'data' member 'not\\possible' has an invalid name")],
  ["empty value", "{ 'enum': 'En', 'data': [ '' ] }", E("'data' member '' has an invalid name")],
  ["reserved value", "{ 'enum': 'En', 'data': [ 'q-Unix' ] }", E("'data' member 'q-Unix' has an invalid name")],
  ["upper-case value", "{ 'enum': 'En', 'data': [ 'One' ] }", E("name of 'data' member 'One' must not use uppercase or '_'")],
  ["value with '_'", "{ 'enum': 'En', 'data': [ 'one_two' ] }", E("name of 'data' member 'one_two' must not use uppercase or '_'")],
  ["digit, then upper case", "{ 'enum': 'En', 'data': [ '3D' ] }", E("name of 'data' member '3D' must not use uppercase or '_'")],
  ["member-name-exceptions", "{ 'pragma': { 'member-name-exceptions': [ 'En' ] } }\n{ 'enum': 'En', 'data': [ 'One_Two' ] }", null],
  ["member-name-exceptions is per definition",
    "{ 'pragma': { 'member-name-exceptions': [ 'Foo' ] } }\n{ 'enum': 'En', 'data': [ 'One' ] }",
    E("name of 'data' member 'One' must not use uppercase or '_'", 2)],
];

const structCases: Case[] = [
  ["good struct", "{ 'struct': 'Str', 'base': 'B', 'data': { 'a': 'int', '*b': ['str'], 'c': { 'type': 'T', 'if': 'A', 'features': ['f'] } } }", null],
  ["data a type name", "{ 'struct': 'Str', 'data': 'Other' }", S("'data' should be an object or type name")],
  ["data a list", "{ 'struct': 'Str', 'data': [ 'a' ] }", S("'data' should be an object or type name")],
  ["base not a name", "{ 'struct': 'Str', 'data': {}, 'base': { 'a': 'int' } }", S("'base' should be a type name")],
  ["member misses its type", "{ 'struct': 'Str', 'data': { 'a': { 'if': 'A' } } }", S("'data' member 'a' misses key 'type'")],
  ["member has an unknown key", "{ 'struct': 'Str', 'data': { 'a': { 'type': 'int', 'default': 'x' } } }",
    S("'data' member 'a' has unknown key 'default'\nValid keys are 'features', 'if', 'type'.")],
  ["member an object type", "{ 'struct': 'Str', 'data': { 'a': { 'type': { 'b': 'int' } } } }",
    S("'data' member 'a' should be a type name or array")],
  ["member a boolean", "{ 'struct': 'Str', 'data': { 'a': true } }", S("'data' member 'a' should be a type name or array")],
  ["member array of two", "{ 'struct': 'Str', 'data': { 'a': [ 'int', 'str' ] } }", S("'data' member 'a': array type must contain single type name")],
  ["member empty array", "{ 'struct': 'Str', 'data': { 'a': [ ] } }", S("'data' member 'a': array type must contain single type name")],
  ["member array of an array", "{ 'struct': 'Str', 'data': { 'a': [ ['int'] ] } }", S("'data' member 'a': array type must contain single type name")],
  ["reserved 'u'", "{ 'struct': 'Str', 'data': { '*u': 'str' } }", S("'data' member '*u' uses reserved name")],
  ["reserved 'has-'", "{ 'struct': 'Str', 'data': { 'has-x': 'str' } }", S("'data' member 'has-x' uses reserved name")],
  ["'hasx' is fine", "{ 'struct': 'Str', 'data': { 'hasx': 'str', 'ux': 'int' } }", null],
  ["reserved even with member-name-exceptions",
    "{ 'pragma': { 'member-name-exceptions': [ 'Str' ] } }\n{ 'struct': 'Str', 'data': { 'has_x': 'str' } }",
    S("'data' member 'has_x' uses reserved name", 2)],
  ["upper-case member", "{ 'struct': 'Str', 'data': { 'Arg': 'int' } }", S("name of 'data' member 'Arg' must not use uppercase or '_'")],
  ["member with '_'", "{ 'struct': 'Str', 'data': { '*a_b': 'int' } }", S("name of 'data' member '*a_b' must not use uppercase or '_'")],
  ["member-name-exceptions", "{ 'pragma': { 'member-name-exceptions': [ 'Str' ] } }\n{ 'struct': 'Str', 'data': { 'Arg_x': 'int' } }", null],
  ["only one '*' is stripped", "{ 'struct': 'Str', 'data': { '**a': 'int' } }", S("'data' member '**a' has an invalid name")],
  ["downstream member", "{ 'struct': 'Str', 'data': { '*__org.qemu_x-a': 'int' } }", null],
];

const U = (msg: string, line = 1) => at("union", "Un", line, msg);
const unionCases: Case[] = [
  ["good union", "{ 'union': 'Un', 'base': { 'kind': 'K', '*f': { 'type': 'int', 'features': ['x'] } }, 'discriminator': 'kind', " +
    "'data': { 'a': 'A', 'Branch_2': { 'type': 'B', 'if': 'C' } } }", null],
  ["base a list", "{ 'union': 'Un', 'base': ['B'], 'discriminator': 'k', 'data': {} }", U("'base' should be an object or type name")],
  ["implicit base member names", "{ 'union': 'Un', 'base': { 'Kind': 'K' }, 'discriminator': 'Kind', 'data': {} }",
    U("name of 'base' member 'Kind' must not use uppercase or '_'")],
  ["implicit base with member-name-exceptions",
    "{ 'pragma': { 'member-name-exceptions': [ 'Un' ] } }\n{ 'union': 'Un', 'base': { 'Kind': 'K' }, 'discriminator': 'Kind', 'data': {} }", null],
  ["discriminator not a string", "{ 'union': 'Un', 'base': 'B', 'discriminator': {}, 'data': {} }", U("'discriminator' requires a string name")],
  ["discriminator checked after base", "{ 'union': 'Un', 'base': true, 'discriminator': {}, 'data': {} }", U("'base' should be an object or type name")],
  ["data a list", "{ 'union': 'Un', 'base': 'B', 'discriminator': 'k', 'data': [ 'a' ] }", U("'data' must be an object")],
  ["branch an array", "{ 'union': 'Un', 'base': 'B', 'discriminator': 'k', 'data': { 'value1': ['T'] } }",
    U("'data' member 'value1' should be a type name")],
  ["branch misses its type", "{ 'union': 'Un', 'base': 'B', 'discriminator': 'k', 'data': { 'integer': { 'if': 'A' } } }",
    U("'data' member 'integer' misses key 'type'")],
  ["branch with features", "{ 'union': 'Un', 'base': 'B', 'discriminator': 'k', 'data': { 'a': { 'type': 'T', 'features': [] } } }",
    U("'data' member 'a' has unknown key 'features'\nValid keys are 'if', 'type'.")],
];

const A = (msg: string, line = 1) => at("alternate", "Alt", line, msg);
const alternateCases: Case[] = [
  ["good alternate", "{ 'alternate': 'Alt', 'data': { 'a': 'int', 'b': ['str'], 'c': { 'type': 'T', 'if': 'A' } } }", null],
  ["empty", "{ 'alternate': 'Alt', 'data': { } }", A("'data' must not be empty")],
  ["empty list", "{ 'alternate': 'Alt', 'data': [ ] }", A("'data' must not be empty")],
  ["false", "{ 'alternate': 'Alt', 'data': false }", A("'data' must not be empty")],
  ["list", "{ 'alternate': 'Alt', 'data': [ 'rubbish', 'nonsense' ] }", A("'data' must be an object")],
  ["string", "{ 'alternate': 'Alt', 'data': 'T' }", A("'data' must be an object")],
  ["branch with '_', despite member-name-exceptions",
    "{ 'pragma': { 'member-name-exceptions': [ 'Alt' ] } }\n{ 'alternate': 'Alt', 'data': { 'a-b': 'bool', 'a_b': 'int' } }",
    A("name of 'data' member 'a_b' must not use uppercase or '_'", 2)],
  ["branch misses its type", "{ 'alternate': 'Alt', 'data': { 'two': { } } }", A("'data' member 'two' misses key 'type'")],
  ["branch an object type", "{ 'alternate': 'Alt', 'data': { 'a': { 'type': { 'x': 'int' } } } }",
    A("'data' member 'a' should be a type name or array")],
  ["branch array of two", "{ 'alternate': 'Alt', 'data': { 'a': [ 'x', 'y' ] } }", A("'data' member 'a': array type must contain single type name")],
];

const V = (msg: string, line = 1) => at("event", "EV", line, msg);
const commandEventCases: Case[] = [
  ["good command", "{ 'command': 'c', 'data': { 'a': 'int' }, 'returns': ['T'] }", null],
  ["command, data a type", "{ 'command': 'c', 'data': 'Args', 'returns': 'T' }", null],
  ["boxed command", "{ 'command': 'c', 'data': 'Args', 'boxed': true }", null],
  ["data a list", "{ 'command': 'c', 'data': [ 'a' ] }", C("'data' should be an object or type name")],
  ["boxed without data", "{ 'command': 'c', 'boxed': true }", C("'boxed': true requires 'data'")],
  ["boxed with implicit data", "{ 'command': 'c', 'boxed': true, 'data': { 'a': 'int' } }", C("'data' should be a type name")],
  ["boxed given a string counts as set, then fails as a flag", "{ 'command': 'c', 'boxed': 'yes', 'data': 'Args' }",
    C("flag 'boxed' may only use true value")],
  ["returns an object", "{ 'command': 'c', 'returns': { 'a': 'int' } }", C("'returns' should be a type name or array")],
  ["returns an array of two", "{ 'command': 'c', 'returns': [ 'str', 'str' ] }", C("'returns': array type must contain single type name")],
  ["argument array empty", "{ 'command': 'c', 'data': { 'empty': [ ] } }", C("'data' member 'empty': array type must contain single type name")],
  ["member-name-exceptions does not cover commands",
    "{ 'pragma': { 'member-name-exceptions': [ 'c' ] } }\n{ 'command': 'c', 'data': { 'Arg': 'int' } }",
    C("name of 'data' member 'Arg' must not use uppercase or '_'", 2)],
  ["good event", "{ 'event': 'EV', 'data': { 'a': 'int', '*b': { 'type': 'str', 'if': 'A' } } }", null],
  ["boxed event", "{ 'event': 'EV', 'data': 'T', 'boxed': true }", null],
  ["boxed event without data", "{ 'event': 'EV', 'boxed': true }", V("'boxed': true requires 'data'")],
  ["event member a nested object", "{ 'event': 'EV', 'data': { 'a': { 'type': { 'b': 'int' } } } }",
    V("'data' member 'a' should be a type name or array")],
  ["event member misses its type", "{ 'event': 'EV',\n  'data': { 'a': { 'b': 'int' } } }", V("'data' member 'a' misses key 'type'")],
];

const orderCases: Case[] = [
  ["name before keys", "{ 'struct': 'bad', 'bogus': 'x' }", at("struct", "bad", 1, "name of struct must use CamelCase")],
  ["keys before contents", "{ 'enum': 'En', 'data': 'x', 'bogus': 'y' }",
    E("enum has unknown key 'bogus'\nValid keys are 'data', 'enum', 'features', 'if', 'prefix'.")],
  ["contents before 'if'", "{ 'struct': 'Str', 'data': [], 'if': '' }", S("'data' should be an object or type name")],
  ["'if' before features", "{ 'struct': 'Str', 'data': {}, 'if': '', 'features': 'f' }", S("'if' condition '' of struct is not a valid identifier")],
  ["features before flags", "{ 'command': 'c', 'gen': true, 'features': 'f' }", C("'features' must be an array")],
  ["definitions in order", "{ 'struct': 'Str', 'data': {} }\n{ 'struct': 'Tee', 'data': 'x' }\n{ 'struct': 'u', 'data': {} }",
    at("struct", "Tee", 2, "'data' should be an object or type name")],
  ["member checks in order", "{ 'struct': 'Str', 'data': { 'a': { 'type': [], 'if': '' } } }", S("'if' condition '' of 'data' member 'a' is not a valid identifier")],
];

describe.each([
  ["metatype", metaCases],
  ["names", nameCases],
  ["keys", keyCases],
  ["flags", flagCases],
  ["conditions", ifCases],
  ["features", featureCases],
  ["enum", enumCases],
  ["struct", structCases],
  ["union", unionCases],
  ["alternate", alternateCases],
  ["command and event", commandEventCases],
  ["order", orderCases],
] as const)("checkExprs: %s", (_, cases) => {
  it.each(cases as Case[])("%s", (_title, schema, expected) => {
    expect(check(schema)).toBe(expected);
  });
});

describe("checkExprs: other behaviour", () => {
  it("does not rewrite expressions", () => {
    const diags = makeDiagnostics(true);
    const exprs = parse(
      "{ 'enum': 'En', 'data': [ 'a', { 'name': 'b' } ], 'features': [ 'f' ] }\n" +
        "{ 'struct': 'Str', 'data': { '*a': 'int', 'b': ['E'] }, 'if': 'A' }\n" +
        "{ 'command': 'c', 'data': { 'x': 'S' }, 'features': [ { 'name': 'g' } ] }",
      diags,
    );
    const before = structuredClone(exprs.map((e) => e.kind === "definition" && e.expr));
    checkExprs(exprs, diags);
    expect(exprs.map((e) => e.kind === "definition" && e.expr)).toEqual(before);
  });

  it("sets each definition's context", () => {
    const diags = makeDiagnostics(true);
    const exprs = parse("{ 'struct': 'Str', 'data': {} }\n{ 'event': 'EV' }", diags);
    checkExprs(exprs, diags);
    const defs = exprs as DefinitionExpr[];
    expect(defs.map((d) => [d.info.defnMeta, d.info.defnName])).toEqual([
      ["struct", "Str"],
      ["event", "EV"],
    ]);
    expect(defs[1]?.info.toString()).toBe("t.json: In event 'EV':\nt.json:2");
  });

  it("skips include directives and checks included definitions", () => {
    const diags = makeDiagnostics(true);
    const exprs = parse("{ 'include': 'sub.json' }\n{ 'struct': 'Str', 'data': {} }", diags, {
      "sub.json": "\n{ 'struct': 'bad', 'data': {} }",
    });
    expect(exprs[0]?.kind).toBe("include");
    expect(() => checkExprs(exprs, diags)).toThrow(QapiError);
    try {
      checkExprs(exprs, diags);
    } catch (e) {
      expect((e as QapiError).format()).toBe(
        "In file included from t.json:1:\nsub.json: In struct 'bad':\nsub.json:2: name of struct must use CamelCase",
      );
    }
  });

  it("uses the pragmas in force at the end of parsing", () => {
    // QEMU checks expressions after parsing everything: a late pragma applies to all.
    expect(check("{ 'command': 'a_b' }\n{ 'pragma': { 'command-name-exceptions': [ 'a_b' ] } }")).toBeNull();
  });
});

/** A stand-in doc comment, so doc routing is tested apart from generator/frontend/doc.ts. */
function fakeDoc(symbol: string | undefined, checkExpr: (expr: Map<string, unknown>) => void = () => {}): QAPIDoc {
  return { symbol, info: undefined, checkExpr } as unknown as QAPIDoc;
}

function withDocs(text: string, docs: (QAPIDoc | undefined)[], strict: boolean): { error: string | null; diags: Diagnostics } {
  const diags = makeDiagnostics(strict);
  const exprs = parse(text, diags);
  let i = 0;
  for (const e of exprs) if (e.kind === "definition") e.doc = docs[i++];
  try {
    checkExprs(exprs, diags);
  } catch (e) {
    if (e instanceof QapiError) return { error: e.format(), diags };
    throw e;
  }
  return { error: null, diags };
}

describe("checkExprs: doc comments", () => {
  const docRequired = "{ 'pragma': { 'doc-required': true } }\n";

  it("accepts a doc comment for the definition", () => {
    const seen: unknown[] = [];
    const r = withDocs("{ 'command': 'foo' }", [fakeDoc("foo", (e) => seen.push(e))], true);
    expect(r.error).toBeNull();
    expect(seen).toHaveLength(1);
    expect((seen[0] as Map<string, unknown>).get("command")).toBe("foo");
  });

  it("rejects a doc comment for another symbol when strict", () => {
    const r = withDocs("\n{ 'command': 'foo' }", [fakeDoc("food")], true);
    expect(r.error).toBe(at("command", "foo", 2, "documentation comment is for 'food'"));
  });

  it("warns about a doc comment for another symbol, skips its checks, and goes on", () => {
    let called = false;
    const r = withDocs("{ 'command': 'foo' }\n{ 'command': 'Bad' }", [fakeDoc("food", () => (called = true)), undefined], false);
    expect(r.diags.warnings.map((w) => w.format())).toEqual([at("command", "foo", 1, "documentation comment is for 'food'")]);
    expect(called).toBe(false);
    expect(r.error).toBe(at("command", "Bad", 2, "name of command must not use uppercase or '_'"));
  });

  it("checks names before the doc comment", () => {
    const r = withDocs("{ 'command': 'Foo' }", [fakeDoc("bar")], true);
    expect(r.error).toBe(at("command", "Foo", 1, "name of command must not use uppercase or '_'"));
  });

  it("checks the doc comment before the keys", () => {
    const r = withDocs("{ 'command': 'foo', 'bogus': 'x' }", [fakeDoc("bar")], true);
    expect(r.error).toBe(at("command", "foo", 1, "documentation comment is for 'bar'"));
  });

  it("requires doc comments under pragma doc-required", () => {
    expect(withDocs(docRequired + "\n{ 'command': 'undocumented' }", [undefined], true).error).toBe(
      at("command", "undocumented", 3, "documentation comment required"),
    );
    expect(withDocs(docRequired + "{ 'command': 'foo' }", [fakeDoc("foo")], true).error).toBeNull();
    expect(withDocs("{ 'command': 'undocumented' }", [undefined], true).error).toBeNull();
  });

  it("only warns about missing doc comments when lenient", () => {
    const r = withDocs(docRequired + "{ 'command': 'a' }\n{ 'event': 'B' }", [undefined, undefined], false);
    expect(r.error).toBeNull();
    expect(r.diags.warnings.map((w) => w.format())).toEqual([
      at("command", "a", 2, "documentation comment required"),
      at("event", "B", 3, "documentation comment required"),
    ]);
  });

  it("reports the doc comment's own checks as doc problems", () => {
    const problem = new QapiError(undefined, "'Returns' section is only valid for commands");
    const throwing = () => {
      throw problem;
    };
    expect(() => withDocs("{ 'event': 'FOO' }", [fakeDoc("FOO", throwing)], true)).not.toThrow();
    expect(withDocs("{ 'event': 'FOO' }", [fakeDoc("FOO", throwing)], true).error).toBe(problem.format());
    const lenient = withDocs("{ 'event': 'FOO' }\n{ 'event': 'bar' }", [fakeDoc("FOO", throwing), undefined], false);
    expect(lenient.diags.warnings).toEqual([problem]);
    expect(lenient.error).toBe(at("event", "bar", 2, "name of event must not use lowercase or '-'"));
  });

  it("lets other exceptions from doc checks through", () => {
    const bug = new TypeError("bug");
    expect(() =>
      withDocs("{ 'event': 'FOO' }", [fakeDoc("FOO", () => {
        throw bug;
      })], false),
    ).toThrow(bug);
  });
});

describe("checkExprs: with doc comments from the parser", () => {
  it("reports a doc comment for another symbol at the definition", () => {
    expect(check("# comment\n\n##\n# @food:\n##\n{ 'command': 'foo', 'data': {'a': 'int'} }")).toBe(
      at("command", "foo", 6, "documentation comment is for 'food'"),
    );
  });

  it("accepts a matching doc comment", () => {
    expect(check("{ 'pragma': { 'doc-required': true } }\n##\n# @foo:\n#\n# Does foo.\n##\n{ 'command': 'foo' }")).toBeNull();
  });
});

describe("name helpers", () => {
  it.each([
    ["foo", "foo"],
    ["x-foo", "foo"],
    ["__org.qemu_foo", "foo"],
    ["__org.qemu_x-Foo_Bar", "Foo_Bar"],
    ["Foo", "Foo"],
    ["q-foo", undefined],
    ["q_foo", undefined],
    ["q.foo", undefined],
    ["x-q-foo", "q-foo"],
    ["1foo", undefined],
    ["", undefined],
    ["foo bar", undefined],
    ["x-", "x-"],
    ["__org_foo", "foo"],
    ["__ORG_foo", "foo"],
    ["__org.qemu_", undefined],
  ])("nameStem(%j) is %j", (name, stem) => {
    expect(nameStem(name)).toBe(stem);
  });

  it.each([
    ["foo-bar.baz", true, "foo_bar_baz"],
    ["__a.b_c", true, "__a_b_c"],
    ["int", true, "q_int"],
    ["int", false, "int"],
    ["linux", true, "q_linux"],
    ["unix", true, "q_unix"],
    ["bool", true, "q_bool"],
    ["_Bool", true, "q__Bool"],
    ["xor_eq", true, "q_xor_eq"],
    ["3d", true, "q_3d"],
    ["3d", false, "3d"],
    ["Int", true, "Int"],
    ["if-else", true, "if_else"],
  ])("cName(%j, %j) is %j", (name, protect, c) => {
    expect(cName(name, protect)).toBe(c);
  });

  it("exprMeta finds exactly one metatype", () => {
    expect(exprMeta(new Map<string, Value>([["struct", "Str"], ["data", new Map()]]))).toBe("struct");
    expect(exprMeta(new Map([["command", "c"], ["event", "E"]]))).toBeUndefined();
    expect(exprMeta(new Map([["data", "x"]]))).toBeUndefined();
  });

  it("memberDef and namedDef view the sugared forms", () => {
    expect(memberDef("int")).toEqual(new Map([["type", "int"]]));
    expect(memberDef(["int"])).toEqual(new Map([["type", ["int"]]]));
    const full = new Map([["type", "int"], ["if", "A"]]);
    expect(memberDef(full)).toBe(full);
    expect(namedDef("f")).toEqual(new Map([["name", "f"]]));
    const named = new Map([["name", "f"]]);
    expect(namedDef(named)).toBe(named);
  });
});
