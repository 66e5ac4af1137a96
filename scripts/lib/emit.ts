// The one way a string (or any value) from the spec enters generated code. A spec is input from
// outside: a path, a scheme name or a description can hold `*/`, quotes, backticks, `${`, newlines or
// U+2028, and codegen runs in CI with write access. Everything is emitted as a JSON literal that is
// also safe inside a block comment; nothing from the spec is ever spliced into code as raw text.
// (Ajv's validator code escapes the schema's strings with its own safeStringify; openapi-typescript
// escapes `*/` in the JSDoc it writes. The hostile-spec test in test/generate.test.ts covers all three.)

/** `value` as a JavaScript literal: JSON, with what JSON leaves raw but code or comments must not see escaped. */
export function literal(value: unknown, indent?: number): string {
  const json = JSON.stringify(value, null, indent);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify(undefined) is undefined (lib.d.ts says string)
  if (json === undefined) throw new TypeError(`cannot emit ${String(value)} as a literal`);
  return (
    json
      // Line terminators to JavaScript before ES2019, and to anyone reading the file.
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029")
      // "*/" would close a comment the literal is quoted in; "\/" is the same character in a string.
      .replace(/\*\//g, "*\\/")
      // An own key named __proto__, not the object's prototype (only the computed form does that).
      .replace(/([{,]\s*)"__proto__":/g, '$1["__proto__"]:')
  );
}
