// Which `pattern`s constrain nothing. JSON Schema tests a pattern unanchored (a search), so one that can
// match the empty string without looking at the input matches at the start of every string: `.*`, the
// empty pattern, `^.*`, `(.*)`, `a*`. Such a pattern added, removed or swapped for another of its kind
// changes no request and no response. The test is conservative: anything it cannot be sure of
// (anchors at both ends, lookarounds, word boundaries, back-references) counts as a constraint.
import { portablePattern } from "../schema-canonical.ts";

/** Syntax that makes an empty match depend on the input or its position. */
const ASSERTIONS = /\\[bBk1-9]|\(\?<?[=!]/;

export function acceptsEveryString(pattern: string): boolean {
  let source = portablePattern(pattern);
  // One leading ^ holds at the start of every string, where the empty match is tried first.
  if (source.startsWith("^")) source = source.slice(1);
  if (ASSERTIONS.test(source) || anchorOutsideClass(source)) return false;
  try {
    return new RegExp(source, "u").test("");
  } catch {
    return false;
  }
}

/** An unescaped `^` or `$` outside a character class (a `^` right after `[` negates, it anchors nothing). */
function anchorOutsideClass(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === "\\") i++;
    else if (inClass) inClass = char !== "]";
    else if (char === "[") inClass = true;
    else if (char === "^" || char === "$") return true;
  }
  return false;
}
