import { createRequire } from 'node:module';

/** One error of a JSON Schema validator: where (a JSON pointer) and which keyword refused. */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: { readonly propertyName?: string; readonly missingProperty?: string };
}

export type SchemaValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

interface AjvInstance {
  compile(schema: object): SchemaValidator;
}

/**
 * A validator for `schema` from Ajv 8 (draft-07, Unicode patterns, strict mode, every error). Ajv 8
 * is installed here as a dependency of @aws-cdk/cloudformation-diff (through `table`); the Ajv at
 * the top of node_modules is eslint's Ajv 6, which reads `\p{L}` patterns without the `u` flag.
 * Formats are not checked: the schema's patterns carry the rules.
 */
export function jsonSchemaValidator(schema: object): SchemaValidator {
  const fromTable = createRequire(require.resolve('table'));
  const module = fromTable('ajv') as { default: new (options: object) => AjvInstance };
  return new module.default({ allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false }).compile(schema);
}

/** The dotted configuration paths an error list points at (`service.image.tag`; a bad or missing key counts at its own path). */
export function errorPaths(errors: readonly SchemaError[] | null | undefined): string[] {
  return [
    ...new Set(
      (errors ?? []).map((e) => {
        const at = e.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
        const key = e.params.propertyName ?? e.params.missingProperty;
        if (key !== undefined) at.push(key);
        return at.join('.');
      }),
    ),
  ];
}
