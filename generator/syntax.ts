// The syntax tree built by grammar/qapi.peggy. Every node carries the offset of its
// first character in the file text.

export interface StrNode {
  kind: "str";
  value: string;
  offset: number;
}

export interface BoolNode {
  kind: "bool";
  value: boolean;
  offset: number;
}

export interface ListNode {
  kind: "list";
  items: ValueNode[];
  offset: number;
}

export interface DictEntry {
  key: StrNode;
  value: ValueNode;
}

export interface DictNode {
  kind: "dict";
  entries: DictEntry[];
  offset: number;
}

export type ValueNode = StrNode | BoolNode | ListNode | DictNode;

/** A raw comment line inside a doc block: its text from the '#' on, and its offset. */
export interface DocLineNode {
  text: string;
  offset: number;
}

/** A '##' documentation block, lines kept raw for generator/doc.ts. */
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

export type TopItem = ValueNode | DocNode;
