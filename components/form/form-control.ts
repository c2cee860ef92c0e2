import { toNestErrors } from '@hookform/resolvers';
import { createFormControl, type FieldErrors, type FieldValues, type Resolver } from 'react-hook-form';
import type { z } from 'zod';
import { schemaKeys, validateFormData, type FieldError } from '@/lib/web/form-validation';

/**
 * ActionForm's react-hook-form, loaded with the schema when the form is first focused or sent
 * (decision 037). createFormControl is react-hook-form's form without the hook, so it can be created
 * after the page has rendered: nothing of it (nor of zod) is in the page's first load.
 */
export type ActionFormControl = {
  control: ReturnType<typeof createFormControl<FieldValues>>;
  /** The schema's field names, in the order the error summary lists them. */
  keys: string[];
  /** The control's errors as message keys by field name (see fieldErrorsOf). */
  errorsOf: typeof fieldErrorsOf;
};

// The resolver keeps the params on react-hook-form's error object, beside the key.
type ResolvedError = { type: string; message?: string; params?: FieldError['params'] };

/**
 * Not zodResolver: that one drops the params (the {min} of "at least {min} characters") and
 * checks react-hook-form's idea of the values. This one reads the form's own FormData through the
 * very code the server action runs, so both sides judge the same strings in the same way.
 */
function formDataResolver(schema: z.ZodType, form: () => HTMLFormElement | null): Resolver {
  return async (values, _context, options) => {
    const element = form();
    if (!element) return { values, errors: {} };
    const result = await validateFormData(schema, new FormData(element));
    if (result.ok) return { values: result.data as FieldValues, errors: {} };
    const errors: FieldErrors = {};
    for (const [name, error] of Object.entries(result.fieldErrors)) {
      const resolved: ResolvedError = { type: 'validation', message: error.key, params: error.params };
      errors[name] = resolved;
    }
    return { values: {}, errors: toNestErrors(errors, options) };
  };
}

/**
 * As useForm was: nothing is checked before the first submission, then each field is checked again
 * as it changes; ActionForm moves focus to its error summary itself.
 */
export function createActionFormControl(
  schema: z.ZodType,
  form: () => HTMLFormElement | null,
): ActionFormControl {
  const control = createFormControl<FieldValues>({
    resolver: formDataResolver(schema, form),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    shouldFocusError: false,
  });
  return { control, keys: schemaKeys(schema) ?? [], errorsOf: fieldErrorsOf };
}

/**
 * react-hook-form's errors (nested by toNestErrors, and changed in place as fields are re-checked)
 * as a fresh record of message keys by field name ("address.city" for a nested one).
 */
export function fieldErrorsOf(errors: FieldErrors | undefined, prefix = ''): Record<string, FieldError> {
  const found: Record<string, FieldError> = {};
  for (const [name, value] of Object.entries(errors ?? {})) {
    if (!value || typeof value !== 'object') continue;
    const path = prefix + name;
    const { type, message, params } = value as ResolvedError;
    if (typeof type === 'string') {
      if (typeof message === 'string') found[path] = params ? { key: message, params } : { key: message };
    } else {
      Object.assign(found, fieldErrorsOf(value as FieldErrors, `${path}.`));
    }
  }
  return found;
}
