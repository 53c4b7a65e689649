/**
 * Which handler file each shipshape Lambda function runs: the runtime-permissions contract wraps
 * `shipshapeFunction` (every kit Lambda is made by it) and records the `entry` it was given here.
 */
const entries = new WeakMap<object, string>();

export function recordEntry(fn: object, entry: string): void {
  entries.set(fn, entry);
}

export function entryOf(fn: object): string | undefined {
  return entries.get(fn);
}
