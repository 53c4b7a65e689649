/** A value `toYaml` can write: what rule files and collector configurations are made of. */
export type YamlValue = string | number | boolean | YamlValue[] | { readonly [key: string]: YamlValue };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;

const isScalar = (value: YamlValue): value is string | number | boolean => typeof value !== 'object';
const isEmpty = (value: YamlValue): boolean => !isScalar(value) && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);

// Strings are written double-quoted with JSON's escapes, which YAML 1.2 double-quoted scalars share
// (https://yaml.org/spec/1.2.2/#57-escaped-characters): no value can be mistaken for a number,
// a boolean, a comment or a nested document. CDK tokens inside a string survive untouched.
function scalar(value: YamlValue): string {
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object') return '{}';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function lines(value: YamlValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isScalar(item) || isEmpty(item)) return [`${pad}- ${scalar(item)}`];
      const [first, ...rest] = lines(item, indent + 2);
      return [`${pad}- ${first.slice(indent + 2)}`, ...rest];
    });
  }
  if (typeof value !== 'object') return [`${pad}${scalar(value)}`];
  return Object.entries(value).flatMap(([key, item]) => {
    const name = PLAIN_KEY.test(key) ? key : JSON.stringify(key);
    return isScalar(item) || isEmpty(item) ? [`${pad}${name}: ${scalar(item)}`] : [`${pad}${name}:`, ...lines(item, indent + 2)];
  });
}

/** Block-style YAML for `value`, every string double-quoted. */
export function toYaml(value: YamlValue): string {
  return `${lines(value, 0).join('\n')}\n`;
}
