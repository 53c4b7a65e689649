/**
 * EventBridge's matching of an event against a pattern, for the part of the pattern language the
 * kit's rules use: exact values (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html).
 * - every field the pattern names must be in the event; fields it does not name are ignored;
 * - a pattern object matches an event object field by field;
 * - a pattern array lists the values that match, and an event value that is an array matches when
 *   the two intersect.
 * A content filter (an object in a value list: prefix, exists, anything-but, numeric...) throws, so
 * a rule that starts using one fails its test instead of passing it unmodelled.
 */
export type Pattern = { readonly [key: string]: Pattern | readonly unknown[] };

export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const fields = event as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) => {
    if (!(key in fields)) return false;
    if (!Array.isArray(expected)) return matchesPattern(expected as Pattern, fields[key]);
    const filter = expected.find((value) => value !== null && typeof value === 'object');
    if (filter !== undefined) throw new Error(`event pattern filter ${JSON.stringify(filter)} is not modelled by this matcher`);
    const actual = fields[key];
    return (Array.isArray(actual) ? actual : [actual]).some((value) => expected.includes(value));
  });
}
