// Unit tests of generator/frontend/doc.ts: how '##' blocks are read (QEMU 10.0's rules), where
// problems are reported, how a block with problems is still read when problems are
// warnings, how descriptions are tied to members, and the dump text.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../generator/cli/main.js";
import { dumpDoc, parseDoc, type DocMember, type QAPIDoc } from "../generator/frontend/doc.js";
import { QapiError, makeDiagnostics, type Diagnostics } from "../generator/frontend/errors.js";
import { parse } from "../generator/frontend/grammar.generated.js";
import { SourceFile, SourceInfo, defaultPragma, type Pragma } from "../generator/frontend/source.js";
import type { DocNode, TopItem } from "../generator/frontend/syntax.js";

/** Schema text from lines, each ending in a newline. */
function src(...lines: string[]): string {
  return lines.map((l) => l + "\n").join("");
}

interface Loaded {
  docs: QAPIDoc[];
  diags: Diagnostics;
  fileInfo: SourceInfo;
  /** The warnings, as printed. */
  warnings: () => string[];
}

/** Parses every doc block of `text` (file "t.json") the way parse.ts does. */
function load(text: string, strict: boolean, pragma: Partial<Pragma> = {}): Loaded {
  const file = new SourceFile("t.json", text);
  const fileInfo = new SourceInfo(file, 0, undefined, { ...defaultPragma(), ...pragma });
  const diags = makeDiagnostics(strict);
  const items = parse(text, { startRule: "File" }) as TopItem[];
  const nodes = items.filter((i): i is DocNode => i.kind === "doc");
  const docs = nodes.map((n) => parseDoc(n, fileInfo.atOffset(n.open.offset), diags));
  return { docs, diags, fileInfo, warnings: () => diags.warnings.map((w) => w.format()) };
}

/** The single doc of `text`, read strictly (so it must be free of problems). */
function doc1(text: string): QAPIDoc {
  const { docs } = load(text, true);
  expect(docs).toHaveLength(1);
  return docs[0] as QAPIDoc;
}

/** The located message of the error a strict read of `text` throws. */
function strictError(text: string): string {
  try {
    load(text, true);
  } catch (e) {
    if (e instanceof QapiError) return e.format();
    throw e;
  }
  throw new Error("no error");
}

function argTexts(doc: QAPIDoc): Record<string, string> {
  return Object.fromEntries([...doc.args].map(([n, s]) => [n, s.text]));
}

function sectionList(doc: QAPIDoc): [string, string][] {
  return doc.sections.map((s) => [s.kind, s.text]);
}

function member(name: string, info: SourceInfo, role = "member"): DocMember {
  return { name, role, info };
}

describe("reading doc blocks (strict, valid)", () => {
  it("free-form documentation keeps its text, heading included", () => {
    const doc = doc1(src("##", "# = Section", "#", "# Some *text*", "#   indented", "##"));
    expect(doc.symbol).toBeUndefined();
    expect(doc.body.text).toBe("= Section\n\nSome *text*\n  indented");
    expect(doc.sections).toEqual([]);
  });

  it("splits a definition doc into body, descriptions, features and tagged sections", () => {
    const doc = doc1(
      src(
        "##",
        "# @frob:",
        "#",
        "# Frobnicate things.",
        "#",
        "# More about it.",
        "#",
        "# @arg1: first line",
        "#     second line",
        "#",
        "# @arg2:",
        "#     starts on the next line",
        "#",
        "#     second paragraph",
        "#",
        "# Features:",
        "#",
        "# @deprecated: do not use",
        "#",
        "# Returns: the frob",
        "#",
        "# Errors:",
        "#     - GenericError if bad",
        "#",
        "# TODO: drop it",
        "#",
        "# Since: 2.10",
        "##",
      ),
    );
    expect(doc.symbol).toBe("frob");
    expect(doc.body.text).toBe("Frobnicate things.\n\nMore about it.");
    expect(argTexts(doc)).toEqual({
      arg1: "first line\n    second line",
      arg2: "    starts on the next line\n\n    second paragraph",
    });
    expect([...doc.features].map(([n, s]) => [n, s.kind, s.text])).toEqual([["deprecated", "Feature", "do not use"]]);
    expect(sectionList(doc)).toEqual([
      ["Returns", "the frob"],
      ["Errors", "    - GenericError if bad"],
      ["Todo", "drop it"],
      ["Since", "2.10"],
    ]);
    expect(doc.returns?.text).toBe("the frob");
    expect(doc.errors?.text).toBe("    - GenericError if bad");
    expect(doc.sinceText).toBe("2.10");
  });

  it("records where each section begins", () => {
    const doc = doc1(src("##", "# @Foo:", "#", "# @a: x", "#", "# Since: 1", "##"));
    expect(doc.info.line).toBe(1);
    expect(doc.args.get("a")?.info.line).toBe(4);
    expect(doc.since?.info.line).toBe(6);
  });

  it("plain paragraphs after a description or tagged section form Plain sections", () => {
    const doc = doc1(
      src("##", "# @Foo:", "# @a: x", "#", "# Text after.", "#", "# More text.", "#", "# Since: 1", "#", "# Last.", "##"),
    );
    expect(doc.body.text).toBe("");
    expect(sectionList(doc)).toEqual([
      ["Plain", "Text after.\n\nMore text."],
      ["Since", "1"],
      ["Plain", "Last."],
    ]);
  });

  it("an unindented line right after a description starts a paragraph (QEMU 10.0)", () => {
    const doc = doc1(src("##", "# @Foo:", "# @a: first", "# not a continuation", "##"));
    expect(argTexts(doc)).toEqual({ a: "first" });
    expect(sectionList(doc)).toEqual([["Plain", "not a continuation"]]);
  });

  it("rST literal blocks and '.. qmp-example::' stay plain text, indentation and blank lines kept", () => {
    const doc = doc1(
      src(
        "##",
        "# @cmd:",
        "#",
        "# .. qmp-example::",
        "#    :title: An example",
        "#",
        "#    -> { \"execute\": \"cmd\" }",
        "#    <- { \"return\": {} }",
        "#",
        "# Examples::",
        "#",
        "#  - verbatim",
        "#",
        "# Note::",
        "#     not a note section",
        "##",
      ),
    );
    expect(doc.body.text).toBe(
      ".. qmp-example::\n   :title: An example\n\n   -> { \"execute\": \"cmd\" }\n   <- { \"return\": {} }\n\n" +
        "Examples::\n\n - verbatim\n\nNote::\n    not a note section",
    );
    expect(doc.sections).toEqual([]);
  });

  it("'Since' needs its colon to be a tag", () => {
    const doc = doc1(src("##", "# @Foo:", "#", "# Since 1.0", "##"));
    expect(doc.since).toBeUndefined();
    expect(doc.body.text).toBe("Since 1.0");
  });

  it("whitespace before '#' is allowed", () => {
    const doc = doc1(src("##", "  # @Foo:", "  #", "  # @a: x", "##"));
    expect(argTexts(doc)).toEqual({ a: "x" });
  });
});

describe("problems, strict: located as QEMU locates them", () => {
  const cases: [string, string, string][] = [
    ["junk after the opening ##", src("##x", "# text", "##"), "t.json:1:1: junk after '##' at start of documentation comment"],
    ["junk after the closing ##", src("##", "# text", "## x"), "t.json:3:1: junk after '##' at end of documentation comment"],
    ["unclosed block at the end of the file", src("##", "# text", "#"), "t.json:3:2: documentation comment must end with '##'"],
    ["unclosed block before an expression", src("##", "# text", "  { 'struct': 'Foo' }"), "t.json:3:3: documentation comment must end with '##'"],
    ["missing space after '#'", src("##", "# @Foo:", "   #bad", "##"), "t.json:3:4: missing space after #"],
    ["symbol line without colon", src("##", "# @Foo", "##"), "t.json:2:1: line should end with ':'"],
    ["symbol line without name", src("##", "# @:", "##"), "t.json:2:1: name required after '@'"],
    ["description in free-form doc", src("##", "# text", "# @x: no", "##"), "t.json:3:1: '@x:' not allowed in free-form documentation"],
    ["heading not first", src("##", "#", "# = Heading", "##"), "t.json:3:1: '=' heading must come first in a comment block"],
    ["heading in definition doc", src("##", "# @Foo:", "# = Heading", "##"), "t.json:3:1: unexpected '=' markup in definition documentation"],
    ["Features: without descriptions", src("##", "# @Foo:", "# Features:", "#", "# text", "##"), "t.json:5:1: feature descriptions expected"],
    ["Features: at the end", src("##", "# @Foo:", "# Features:", "##"), "t.json:4:1: feature descriptions expected"],
    ["Features: twice", src("##", "# @Foo:", "# Features:", "# @f: x", "# Features:", "# @g: y", "##"), "t.json:5:1: duplicated 'Features:' line"],
    ["description after a section", src("##", "# @Foo:", "# @a: x", "# text", "#", "# @b: y", "##"), "t.json:6:1: description of '@b:' follows a section"],
    ["de-indent", src("##", "# @Foo:", "# @a: x", "#   y", "#  z", "##"), "t.json:5:1: unexpected de-indent (expected at least 2 spaces)"],
    ["duplicated description", src("##", "# @Foo:", "# @a: x", "# @a: y", "##"), "t.json:4: 'a' parameter name duplicated"],
    ["duplicated feature", src("##", "# @Foo:", "# Features:", "# @f: x", "# @f: y", "##"), "t.json:5: 'f' parameter name duplicated"],
    ["empty description name", src("##", "# @Foo:", "# @: x", "##"), "t.json:3: invalid parameter name"],
    ["duplicated Since", src("##", "# @Foo:", "# Since: 1", "#", "# Since: 2", "##"), "t.json:5: duplicated 'Since' section"],
    ["duplicated Returns", src("##", "# @Foo:", "# Returns: a", "# Returns: b", "##"), "t.json:4: duplicated 'Returns' section"],
    ["empty tagged section", src("##", "# @Foo:", "#", "# Since:", "##"), "t.json:4: text required after 'Since:'"],
    ["empty description", src("##", "# @Foo:", "# @a:", "##"), "t.json:3: text required after '@a:'"],
    [
      "QEMU 7.2 Note section",
      src("##", "# @Foo:", "#", "# Note: old style", "##"),
      "t.json:4:1: the 'Note' section is no longer supported; use rST's '.. note::' or '.. admonition:: notes' directives, or another suitable admonition instead",
    ],
    [
      "QEMU 7.2 Examples section",
      src("##", "# @Foo:", "#", "# Examples:", "# -> x", "##"),
      "t.json:4:1: the 'Examples' section is no longer supported; use the '.. qmp-example::' directive, or other suitable markup instead",
    ],
  ];
  it.each(cases)("%s", (_name, text, expected) => {
    expect(strictError(text)).toBe(expected);
  });

  it.each(cases)("%s: a warning when not strict", (_name, text, expected) => {
    const { warnings } = load(text, false);
    expect(warnings()[0]).toBe(expected);
  });
});

describe("problems, not strict: the documentation is recovered", () => {
  it("reads unindented descriptions (lost indentation) as descriptions", () => {
    const { docs, warnings } = load(
      src(
        "##",
        "# @Mode:",
        "#",
        "# @individual: Do not cancel any other",
        "# Actions. This is the default.",
        "#",
        "# @grouped: Cancel all",
        "# Actions.",
        "#",
        "# Since: 2.5",
        "##",
      ),
      false,
    );
    expect(warnings()).toEqual(["t.json:7:1: description of '@grouped:' follows a section"]);
    const doc = docs[0] as QAPIDoc;
    expect(argTexts(doc)).toEqual({
      individual: "Do not cancel any other\nActions. This is the default.",
      grouped: "Cancel all\nActions.",
    });
    expect(sectionList(doc)).toEqual([["Since", "2.5"]]);
  });

  it("reads a de-indented continuation as a continuation", () => {
    const { docs, warnings } = load(src("##", "# @foo:", "# @a: line one", "#   line two", "# line three", "##"), false);
    expect(warnings()).toEqual(["t.json:5:1: unexpected de-indent (expected at least 2 spaces)"]);
    expect(argTexts(docs[0] as QAPIDoc)).toEqual({ a: "line one\n  line two\nline three" });
  });

  it("reads a valid block as strict mode does, without warnings", () => {
    const text = src("##", "# @Foo:", "#", "# @a: first", "#     more", "#", "# Text.", "##");
    const { docs, warnings } = load(text, false);
    expect(warnings()).toEqual([]);
    expect(dumpDoc(docs[0] as QAPIDoc)).toBe(dumpDoc(doc1(text)));
  });

  it("takes an unindented line right after a description as its continuation, without a warning", () => {
    const text = src("##", "# @Foo:", "# @a: first", "# continued", "##");
    const strict = doc1(text);
    expect(strict.args.get("a")?.text).toBe("first");
    expect(strict.sections.map((s) => s.text)).toEqual(["continued"]);
    const { docs, warnings } = load(text, false);
    expect(warnings()).toEqual([]);
    const lenient = docs[0] as QAPIDoc;
    expect(lenient.args.get("a")?.text).toBe("first\ncontinued");
    expect(lenient.sections).toEqual([]);
  });

  it("keeps QEMU 7.2 Note and Example sections, with their unindented lines", () => {
    const { docs, warnings } = load(
      src(
        "##",
        "# @cmd:",
        "#",
        "# @a: an argument",
        "#",
        "# Note: first line",
        "#       second line",
        "#",
        "# Since: 1.0",
        "#",
        "# Example:",
        "#",
        "# -> { \"execute\": \"cmd\" }",
        "# <- { \"return\": {} }",
        "#",
        "##",
      ),
      false,
    );
    expect(warnings()).toHaveLength(2);
    const doc = docs[0] as QAPIDoc;
    expect(argTexts(doc)).toEqual({ a: "an argument" });
    expect(doc.sections.map((s) => [s.kind, s.tag, s.text])).toEqual([
      ["Note", "Note", "first line\n      second line"],
      ["Since", "Since", "1.0"],
      ["Example", "Example", "-> { \"execute\": \"cmd\" }\n<- { \"return\": {} }"],
    ]);
  });

  it("takes an unclosed block as ended", () => {
    const { docs, warnings } = load(src("##", "# @Foo:", "# @a: x", "{ 'struct': 'Foo' }"), false);
    expect(warnings()).toEqual(["t.json:4:1: documentation comment must end with '##'"]);
    expect(argTexts(docs[0] as QAPIDoc)).toEqual({ a: "x" });
  });

  it("keeps text that QEMU 10.0 rejects", () => {
    const { docs, warnings } = load(src("##", "#intro", "# @x: y", "#", "# = late heading", "##"), false);
    expect(warnings()).toEqual([
      "t.json:2:1: missing space after #",
      "t.json:3:1: '@x:' not allowed in free-form documentation",
      "t.json:5:1: '=' heading must come first in a comment block",
    ]);
    const doc = docs[0] as QAPIDoc;
    expect(doc.symbol).toBeUndefined();
    expect(doc.body.text).toBe("intro\n@x: y\n\n= late heading");
  });

  it("extends a repeated description or section with the repeat's text", () => {
    const { docs, warnings } = load(
      src("##", "# @Foo:", "# @a: one", "# @a: two", "#", "# Since: 1", "#", "# Since: 2", "##"),
      false,
    );
    expect(warnings()).toEqual(["t.json:4: 'a' parameter name duplicated", "t.json:8: duplicated 'Since' section"]);
    const doc = docs[0] as QAPIDoc;
    expect(argTexts(doc)).toEqual({ a: "one\n\ntwo" });
    expect(sectionList(doc)).toEqual([["Since", "1\n\n2"]]);
  });

  it("takes the first word as the symbol when the colon is missing", () => {
    const { docs, warnings } = load(src("##", "# @Foo the thing", "##"), false);
    expect(warnings()).toEqual(["t.json:2:1: line should end with ':'"]);
    const doc = docs[0] as QAPIDoc;
    expect(doc.symbol).toBe("Foo");
    expect(doc.body.text).toBe("the thing");
  });
});

describe("connecting members and features", () => {
  const text = src(
    "##",
    "# @Foo:",
    "#",
    "# @a: member a",
    "#",
    "# Features:",
    "# @f: feature f",
    "#",
    "# Since: 1",
    "##",
    "{ 'struct': 'Foo', 'data': { 'a': 'int', 'b': 'int' }, 'features': [ 'f', 'g' ] }",
  );
  const defnInfo = (l: Loaded): SourceInfo => {
    const info = l.fileInfo.atLine(11);
    info.setDefn("struct", "Foo");
    return info;
  };

  it("an undocumented member is an error, located at the definition", () => {
    const l = load(text, true);
    const doc = l.docs[0] as QAPIDoc;
    doc.connectMember(member("a", defnInfo(l)));
    expect(() => doc.connectMember(member("b", defnInfo(l)))).toThrow(QapiError);
    try {
      doc.connectMember(member("b", defnInfo(l), "argument"));
    } catch (e) {
      expect((e as QapiError).format()).toBe("t.json: In struct 'Foo':\nt.json:11: argument 'b' lacks documentation");
    }
  });

  it("documentation-exceptions allow undocumented members, which get an empty description", () => {
    const l = load(text, true, { documentationExceptions: ["Foo"] });
    const doc = l.docs[0] as QAPIDoc;
    doc.connectMember(member("b", defnInfo(l)));
    doc.connectMember(member("a", defnInfo(l)));
    doc.connectFeature(member("f", defnInfo(l), "feature"));
    doc.check();
    expect(argTexts(doc)).toEqual({ a: "member a", b: "" });
    // The stub goes after the existing descriptions.
    expect(doc.allSections.map((s) => s.kind)).toEqual(["Plain", "Member", "Member", "Feature", "Since"]);
    expect(doc.args.get("b")?.member?.name).toBe("b");
  });

  it("not strict: undocumented members and features warn and get empty descriptions", () => {
    const l = load(text, false);
    const doc = l.docs[0] as QAPIDoc;
    for (const m of ["a", "b"]) doc.connectMember(member(m, defnInfo(l)));
    for (const f of ["f", "g"]) doc.connectFeature(member(f, defnInfo(l), "feature"));
    doc.check();
    expect(l.warnings()).toEqual([
      "t.json: In struct 'Foo':\nt.json:11: member 'b' lacks documentation",
      "t.json: In struct 'Foo':\nt.json:11: feature 'g' lacks documentation",
    ]);
    expect([...doc.features.keys()]).toEqual(["f", "g"]);
    expect(doc.features.get("g")?.text).toBe("");
  });

  it("a description of nothing is an error at the description", () => {
    const l = load(src("##", "# @Foo:", "# @a: x", "# @b: y", "# @c: z", "##"), true);
    const doc = l.docs[0] as QAPIDoc;
    doc.connectMember(member("b", l.fileInfo));
    expect(() => doc.check()).toThrow("documented members 'a', 'c' do not exist");
    const l2 = load(src("##", "# @Foo:", "# Features:", "# @f: x", "##"), true);
    try {
      (l2.docs[0] as QAPIDoc).check();
      expect.unreachable();
    } catch (e) {
      expect((e as QapiError).format()).toBe("t.json:4: documented feature 'f' does not exist");
    }
  });

  const exprCases: [string, string[], Map<string, unknown>, string | undefined][] = [
    ["Returns on a struct", ["# Returns: x"], new Map([["struct", "Foo"]]), "t.json:3: 'Returns' section is only valid for commands"],
    ["Errors on an event", ["# Errors: x"], new Map([["event", "FOO"]]), "t.json:3: 'Errors' section is only valid for commands"],
    ["Returns on a command returning nothing", ["# Returns: x"], new Map([["command", "foo"]]), "t.json:3: 'Returns' section, but command doesn't return anything"],
    ["Returns and Errors on a command", ["# Returns: x", "# Errors: y"], new Map([["command", "foo"], ["returns", "int"]]), undefined],
  ];
  it.each(exprCases)("checkExpr: %s", (_name, lines, expr, expected) => {
    const l = load(src("##", "# @foo:", ...lines, "##"), true);
    let got: string | undefined;
    try {
      (l.docs[0] as QAPIDoc).checkExpr(expr);
    } catch (e) {
      got = (e as QapiError).format();
    }
    expect(got).toBe(expected);
  });
});

describe("dumpDoc", () => {
  it("prints as QEMU's test harness does", () => {
    const l = load(
      src("##", "# @Foo:", "#", "# Intro.", "#", "# @a: x", "#     y", "#", "# Features:", "# @f: feat", "#", "# .. note:: n", "#", "# Since: 1", "##"),
      true,
    );
    expect(dumpDoc(l.docs[0] as QAPIDoc)).toBe(
      "doc symbol=Foo\n    body=\nIntro.\n    arg=a\nx\n    y\n    feature=f\nfeat\n" +
        "    section=Plain\n.. note:: n\n    section=Since\n1\n",
    );
    expect(dumpDoc(doc1(src("##", "# == Sub", "##")))).toBe("doc freeform\n    body=\n== Sub\n");
    expect(dumpDoc(doc1(src("##", "# @Bar:", "##")))).toBe("doc symbol=Bar\n    body=\n\n");
  });
});

// QEMU 10.0's own doc test cases and schema, through the whole pipeline.
const qemuDir = fileURLToPath(new URL("../../shared/qemu/10.0", import.meta.url));
const casesDir = `${qemuDir}/tests/qapi-schema`;

async function dump(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { stdout, stderr };
}

/** The doc part of a dump: from the first 'doc' line on. */
function docPart(out: string): string {
  const at = out.search(/^doc /m);
  return at === -1 ? "" : out.slice(at);
}

describe.skipIf(!existsSync(casesDir))("QEMU 10.0 doc test cases", () => {
  const docCases = existsSync(casesDir)
    ? readFileSync(`${casesDir}/TESTS`, "utf8")
        .split(/\s+/)
        .filter((t) => t.startsWith("doc-") && t.endsWith(".json"))
    : [];

  it.each(docCases)("%s, strict: the expected error or dump", async (name) => {
    const base = name.replace(/\.json$/, "");
    const got = await dump(["dump", "--strict", name], casesDir);
    expect(got.stderr).toBe(readFileSync(`${casesDir}/${base}.err`, "utf8"));
    expect(got.stdout).toBe(readFileSync(`${casesDir}/${base}.out`, "utf8"));
  });

  it("the full schema's docs, strict and not", async () => {
    const expected = docPart(readFileSync(`${qemuDir}/qapi-schema.out`, "utf8"));
    expect(expected).not.toBe("");
    const strict = await dump(["dump", "--strict", "qapi-schema.json"], `${qemuDir}/qapi`);
    expect(strict.stderr).toBe("");
    expect(docPart(strict.stdout)).toBe(expected);
    // Not strict: no warnings, and the same blocks (continuations may be read as such).
    const lenient = await dump(["dump", "qapi-schema.json"], `${qemuDir}/qapi`);
    expect(lenient.stderr).toBe("");
    const heads = (t: string): string[] => t.split("\n").filter((l) => l.startsWith("doc "));
    expect(heads(docPart(lenient.stdout))).toEqual(heads(expected));
  });
});
