// C names of QAPI names (qapi-code-gen.rst, "Naming rules"): members clash when
// their C names do, so the checker compares names through cName().

const PROTECTED = new Set([
  // C89
  "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
  "extern", "float", "for", "goto", "if", "int", "long", "register", "return", "short", "signed",
  "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
  // C99, C11
  "inline", "restrict", "_Bool", "_Complex", "_Imaginary",
  "_Alignas", "_Alignof", "_Atomic", "_Generic", "_Noreturn", "_Static_assert", "_Thread_local",
  // GCC
  "asm", "typeof",
  // C++
  "bool", "catch", "class", "const_cast", "delete", "dynamic_cast", "explicit", "false", "friend",
  "mutable", "namespace", "new", "operator", "private", "protected", "public", "reinterpret_cast",
  "static_cast", "template", "this", "throw", "true", "try", "typeid", "typename", "using",
  "virtual", "wchar_t", "and", "and_eq", "bitand", "bitor", "compl", "not", "not_eq", "or",
  "or_eq", "xor", "xor_eq",
  // names predefined by compilers
  "unix", "errno", "mips", "sparc", "i386", "linux",
]);

/** Map a QAPI name to a C identifier; `protect` prefixes reserved words with 'q_'. */
export function cName(name: string, protect = true): string {
  const c = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (protect && (PROTECTED.has(c) || /^[0-9]/.test(c))) return `q_${c}`;
  return c;
}
