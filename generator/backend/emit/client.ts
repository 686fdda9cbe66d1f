// client.ts of the output: QmpTransport and QmpClient (one typed method per command,
// plus the wire-name form `execute`), and unions.ts: constructors of union values, one
// per branch (`transactionAction.driveBackup({...})`).

import { EnumType, type Module, ObjectType } from "../../frontend/model.js";
import { camelCase, isNamedType, propertyKey } from "../ts-names.js";
import { PRINT_WIDTH } from "../print/layout.js";
import { type EmitContext, type Emitter, fileHeader } from "../context.js";
import { quote } from "../print/literal.js";
import { importSpec, runtimeNames } from "./runtime.js";
import { allExportedNames, argsRequired, argsType, LocalNames, returnType, stubs } from "./commands.js";
import { memberDocLines, tsdoc } from "../print/tsdoc.js";
import { Imports, moduleSlug } from "./types.js";

/** `  name(params): ret {` as prettier prints a method head (params broken when too long). */
export function methodHead(indent: string, name: string, params: readonly string[], ret: string): string {
  const flat = `${indent}${name}(${params.join(", ")})${ret} {`;
  if (flat.length <= PRINT_WIDTH && !flat.includes("\n")) return flat;
  return `${indent}${name}(\n${params.map((p) => `${indent}  ${p},\n`).join("")}${indent})${ret} {`;
}

export const emitClient: Emitter = (ctx) => {
  const n = ctx.names;
  const rt = runtimeNames(ctx);
  const Commands = n.fixed("Commands");
  const CommandName = n.fixed("CommandName");
  const commandInfo = n.fixed("commandInfo");
  const QmpValidationError = n.fixed("QmpValidationError");
  const QmpClient = n.fixed("QmpClient");
  const QmpTransport = n.fixed("QmpTransport");
  const QmpClientOptions = n.fixed("QmpClientOptions");
  const big = ctx.options.int64 === "bigint";
  const types = new Imports();
  const values = new Imports();
  types.add("./commands.js", importSpec("Commands", Commands));
  types.add("./commands.js", importSpec("CommandName", CommandName));
  types.add("./runtime.js", importSpec("Validator", rt.Validator));
  values.add("./commands.js", importSpec("commandInfo", commandInfo));
  values.add("./commands.js", importSpec("QmpValidationError", QmpValidationError));

  let methods = "";
  for (const c of stubs(ctx).commands) {
    const req = argsRequired(c.cmd);
    const ret = returnType(ctx, types, c.cmd);
    const params: string[] = [];
    if (req !== "none") params.push(`args${req === "optional" ? "?" : ""}: ${argsType(ctx, types, c.cmd)}`);
    params.push("options?: object");
    methods += "\n";
    methods += tsdoc(c.doc, "  ");
    methods += `${methodHead("  ", c.method, params, `: Promise<${ret}>`)}\n`;
    const a = req === "none" ? "undefined" : "args";
    const line = `    return $call(this, ${quote(c.cmd.name)}, ${a}, options);`;
    methods +=
      line.length <= PRINT_WIDTH
        ? `${line}\n`
        : `    return $call(\n      this,\n      ${quote(c.cmd.name)},\n      ${a},\n      options,\n    );\n`;
    methods += "  }\n";
  }

  const argsOf = `${Commands}[K]["args"]`;
  let out = fileHeader(ctx, "Typed QMP client: one method per command.");
  out += "\n";
  out += types.print(true);
  out += values.print(false);
  out += `
${tsdoc([
  `What a {@link ${QmpClient}} sends commands through: anything that executes a QMP`,
  "command and resolves with its `return` value (rejecting on an error response),",
  "such as qapi-gen's QmpConnection. `options` (a client method's last argument) is",
  "passed through unchanged, e.g. `{ timeout, signal, oob }`.",
  "",
  "For commands with `successResponse: false` in `commandInfo` (e.g. the guest",
  "agent's `guest-shutdown`), QEMU sends no response on success: the client adds",
  "`expectResponse: false` to `options`, and the transport should resolve once the",
  "command is sent (QmpConnection does; an error response arriving later cannot",
  "be matched to the call).",
])}export interface ${QmpTransport} {
  execute(command: string, args?: object, options?: object): Promise<unknown>;
}

${tsdoc([
  `Options of a {@link ${QmpClient}}.`,
  "",
  "- `validateArguments` (default true): check arguments strictly, as QEMU",
  `  will, before sending; invalid ones throw {@link ${QmpValidationError}} and`,
  "  nothing is sent.",
  "- `validateReturns` (default true): check return values in compatible mode",
  "  (members and enumeration values a newer QEMU added are accepted); an",
  `  invalid one throws {@link ${QmpValidationError}} (kind "return") with the`,
  "  problems.",
])}export interface ${QmpClientOptions} {
  readonly validateArguments?: boolean;
  readonly validateReturns?: boolean;
}

const $hasOwn = Object.prototype.hasOwnProperty;

interface $Info {
  readonly args: ${rt.Validator}<unknown> | undefined;
  readonly returns: ${rt.Validator}<unknown> | undefined;
  readonly successResponse: boolean;
  readonly gen: boolean;
}

async function $call(
  client: ${QmpClient},
  command: string,
  args: object | undefined,
  options: object | undefined,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
  const table = ${commandInfo} as { readonly [key: string]: $Info | undefined };
  const info = $hasOwn.call(table, command) ? table[command] : undefined;
  if (info !== undefined && client.options.validateArguments !== false) {
    const v = info.args;
    const mode = info.gen ? "strict" : "compatible";
    const problems =
      v !== undefined
        ? v.problems(args ?? {}, mode)
        : Object.entries(args ?? {})
            .filter(([, x]) => x !== undefined)
            .map(([k]) => ({
              path: k,
              message: \`Parameter '\${k}' is unexpected\`,
            }));
    if (problems.length > 0) {
      throw new ${QmpValidationError}("arguments", command, problems);
    }
  }
  const t = client.transport;
  if (info !== undefined && !info.successResponse) {
    await t.execute(command, args, { ...options, expectResponse: false });
    return undefined;
  }
  ${big ? "const raw" : "const result"} = await (options !== undefined
    ? t.execute(command, args, options)
    : args !== undefined
      ? t.execute(command, args)
      : t.execute(command));
  if (info === undefined) return ${big ? "raw" : "result"};
  const r = info.returns;
  if (r === undefined) return undefined;${
    big
      ? `
  // 64-bit integers as bigint, in place, before validation
  const result = r.fromJson(raw);`
      : ""
  }
  if (client.options.validateReturns !== false) {
    const problems = r.problems(result, "compatible");
    if (problems.length > 0) {
      throw new ${QmpValidationError}("return", command, problems);
    }
  }
  return result;
}

${tsdoc([
  "A typed QMP client over any {@link " + QmpTransport + "}.",
  "",
  "```ts",
  `const qmp = new ${QmpClient}(connection);`,
  "await qmp.transaction({ actions: [transactionAction.abort()] });",
  'const status = await qmp.execute("query-status");',
  "```",
  "",
  "Each command has a method (its name in camelCase; `execute` takes the wire",
  "name) that validates the arguments strictly before sending and the return",
  "value in compatible mode, and resolves with the typed return value",
  "(`undefined` for commands that return nothing). Validation failures throw",
  `{@link ${QmpValidationError}}; error responses reject as the transport rejects.`,
])}export class ${QmpClient} {
  constructor(
    readonly transport: ${QmpTransport},
    readonly options: ${QmpClientOptions} = {},
  ) {}

  /** Executes a command by its wire name, with the same types and checks as its method. */
  execute<K extends ${CommandName}>(
    command: K,
    ...rest: {} extends ${argsOf}
      ? [args?: ${argsOf}, options?: object]
      : [args: ${argsOf}, options?: object]
  ): Promise<${Commands}[K]["returns"]> {
    return $call(this, command, rest[0], rest[1]);
  }
${methods}}
`;
  return [{ path: "client.ts", content: out }, emitUnions(ctx)];
};

/** unions.ts: per union type, an object of constructors, one per branch. */
function emitUnions(ctx: EmitContext): { path: string; content: string } {
  const n = ctx.names;
  const exported = new LocalNames(allExportedNames(ctx));
  const types = new Imports();
  const parts: string[] = [];
  const firstExample: string[] = [];
  let usesBranch = false;
  for (const mod of ctx.schema.modules) {
    for (const t of mod.entities) {
      if (!(t instanceof ObjectType) || t.branches === undefined || !isNamedType(t) || !ctx.enabled(t.ifcond)) continue;
      const uName = n.type(t);
      const objName = exported.allocate(uName.charAt(0).toLowerCase() + uName.slice(1));
      const tag = t.branches.tagMember;
      const tagKey = propertyKey(tag.name);
      const tagEnum = tag.type instanceof EnumType ? tag.type : undefined;
      const baseOthers = t.members.filter((m) => m !== tag && ctx.enabled(m.ifcond));
      const variants = t.branches.variants.filter((v) => ctx.enabled(v.ifcond));
      const wrapped =
        baseOthers.length === 0 &&
        variants.every((v) => {
          const vt = v.type as ObjectType;
          if (vt.name === "q_empty") return true;
          const ms = vt.members.filter((m) => ctx.enabled(m.ifcond));
          return vt.branches === undefined && ms.length === 1 && ms[0]?.name === "data" && !ms[0].optional;
        });
      const fileOf = (x: ObjectType): string => {
        types.add(`./types/${moduleSlug(ctx.schema, x.module as Module)}.js`, n.type(x));
        return n.type(x);
      };
      fileOf(t);
      const methods = new LocalNames(["__proto__"]);
      let body = "";
      variants.forEach((v, i) => {
        const vt = v.type as ObjectType;
        const method = methods.allocate(camelCase(v.name));
        const lit = quote(v.name);
        const docLines = [`Branch ${quote(v.name)} of {@link ${uName}}.`];
        const em = tagEnum?.members.find((m) => m.name === v.name);
        if (em !== undefined) {
          const more = memberDocLines(ctx, em, tagEnum?.doc);
          if (more.length > 0) docLines.push("", ...more);
        }
        let param: string | undefined;
        let value: string;
        if (vt.name === "q_empty" && baseOthers.length === 0) {
          value = `{ ${tagKey}: ${lit} as const }`;
        } else if (wrapped && vt.name !== "q_empty") {
          const dataMember = vt.members.find((m) => m.name === "data");
          const dt = dataMember?.type;
          const allOptional =
            dt instanceof ObjectType && dt.branches === undefined && dt.members.every((m) => m.optional);
          param = `data: ${fileOf(vt)}["data"]${allOptional ? " = {}" : ""}`;
          value = `{ ${tagKey}: ${lit} as const, data }`;
          if (firstExample.length === 0) firstExample.push(`${objName}.${method}({ ... })`);
        } else {
          const ms = [...baseOthers, ...(vt.name === "q_empty" ? [] : vt.members.filter((m) => ctx.enabled(m.ifcond)))];
          const allOptional = ms.every((m) => m.optional) && vt.branches === undefined;
          const targs = [uName, quote(tag.name), lit];
          const dflt = allOptional ? " = {}" : "";
          const flatParam = `members: $Branch<${targs.join(", ")}>${dflt}`;
          param =
            `    ${flatParam},`.length <= PRINT_WIDTH
              ? flatParam
              : `members: $Branch<\n${targs.map((a) => `      ${a}`).join(",\n")}\n    >${dflt}`;
          value = `{ ...members, ${tagKey}: ${lit} as const }`;
          usesBranch = true;
        }
        if (i > 0) body += "\n";
        body += tsdoc(docLines, "  ");
        body += `${methodHead("  ", method, param === undefined ? [] : [param], "")}\n`;
        const ret = `    return ${value};`;
        body += ret.length <= PRINT_WIDTH ? `${ret}\n` : `    return {\n${value.slice(2, -2).split(", ").map((p) => `      ${p},\n`).join("")}    };\n`;
        body += "  },\n";
      });
      const doc = [
        `Constructors of {@link ${uName}} values, one per branch (named after the`,
        `branch in camelCase): each sets the discriminator \`${tag.name}\` and returns the branch's type.`,
      ];
      if (wrapped) doc.push("Each takes the branch's `data`.");
      else doc.push("Each takes the other members.");
      parts.push(`${tsdoc(doc)}export const ${objName} = {\n${body}};\n`);
    }
  }
  let out = fileHeader(ctx, "Constructors of union values, one per branch.");
  out += "\n";
  const imports = types.print(true);
  out += imports;
  if (usesBranch) {
    out += `\n${tsdoc([
      "The members of branch `V` of union `U` (discriminated by `T`), without the discriminator.",
    ])}export type $Branch<U, T extends string, V extends string> = Omit<
  Extract<U, { [K in T]: V }>,
  T
>;\n`;
  }
  if (parts.length === 0) out += "export {};\n";
  else out += `\n${parts.join("\n")}`;
  return { path: "unions.ts", content: out };
}

