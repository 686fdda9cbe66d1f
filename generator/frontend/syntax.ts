// The syntax tree built by grammar/qapi.peggy: top-level items with the offset of their
// first character in the file text. Values are plain data.

/** A JSON-like value of the schema language. Objects are Maps: key order matters. */
export type Value = string | boolean | Value[] | ExprDict;
export type ExprDict = Map<string, Value>;

/** A top-level value (a definition or directive, if it is a dict). */
export interface ValueItem {
  kind: "value";
  value: Value;
  offset: number;
}

/** A raw comment line inside a doc block: its text from the '#' on, and its offset. */
export interface DocLineNode {
  text: string;
  offset: number;
}

/** A '##' documentation block, lines kept raw for generator/frontend/doc.ts. */
export interface DocNode {
  kind: "doc";
  /** The opening line ('##', or '##' followed by junk, which doc.ts rejects). */
  open: DocLineNode;
  /** The comment lines between the opening and closing lines. */
  lines: DocLineNode[];
  /** The closing line, or null when the block runs into something that is not a comment. */
  close: DocLineNode | null;
  /** Offset of the closing line, or of what stands where it was expected. */
  endOffset: number;
}

export type TopItem = ValueItem | DocNode;
