import { ValidateBy, type ValidationOptions } from 'class-validator';
import { FIELD_TYPES } from '@rocketlead/contracts';

/** An object mapping keys to one of the field types: `string`, `number`, `boolean`, `string[]`. */
export function IsTableSchema(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTableSchema',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(
            ([k, v]) => k.length > 0 && k.length <= 200 && (FIELD_TYPES as readonly unknown[]).includes(v),
          ),
        defaultMessage: () => `tableSchema must map each key to one of ${FIELD_TYPES.join(', ')}`,
      },
    },
    options,
  );
}
