/**
 * Bugs the fuzzer found in code this suite does not own, tolerated (counted, not failed) until their owners fix
 * them. Each also has an `it.fails` in protocol-fuzz.test.ts that starts failing once it is fixed: then delete both.
 */
export const KNOWN_ISSUES: ReadonlyArray<{ owner: string; what: string; match: RegExp }> = [
  {
    owner: "shared/models (bokeh-model.ts, Defined.set)",
    what: "a ModelChanged whose attr is an Object.prototype name ('__proto__', 'hasOwnProperty') throws a TypeError " +
      "from the normalizer lookup `conv[attr]` instead of a DocumentError (the client still gets an ERROR reply; the worker logs an internal error)",
    match: /TypeError: (fn is not a function|Cannot convert undefined or null to object)[\s\S]*bokeh-model\.ts/,
  },
];

/** Whether a failure's description matches a known issue. */
export function isKnownIssue(problem: string): boolean {
  return KNOWN_ISSUES.some((k) => k.match.test(problem));
}
