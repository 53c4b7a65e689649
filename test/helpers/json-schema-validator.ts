import Ajv from 'ajv';

/** One error of a JSON Schema validator: where (a JSON pointer) and which keyword refused. */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: { readonly propertyName?: string; readonly missingProperty?: string };
}

export type SchemaValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/**
 * A validator for `schema` from Ajv 8 (draft-07, Unicode patterns, strict mode, every error), as an
 * editor's JSON Schema support would read it. Formats are not checked: the schema's patterns carry
 * the rules.
 */
export function jsonSchemaValidator(schema: object): SchemaValidator {
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false }).compile(schema) as SchemaValidator;
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
