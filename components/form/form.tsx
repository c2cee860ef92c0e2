'use client';

import { useTranslations } from 'next-intl';
import {
  createContext,
  startTransition,
  useActionState,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ChangeEvent,
  type FormEvent,
  type MouseEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import type { z } from 'zod';
import type { ActionFormControl } from '@/components/form/form-control';
import { buttonClass, type ButtonVariant } from '@/components/ui/button';
import type { FieldError, FormState } from '@/lib/web/form-validation';
import { actionRefusalOf } from '@/lib/web/http-refusal';
import styles from './form.module.css';

type ServerErrors = { fieldErrors: Record<string, FieldError>; formError?: FieldError };

type ActionFormContextValue = {
  idFor: (name: string) => string;
  errorFor: (name: string) => FieldError | undefined;
  valueFor: (name: string) => string | undefined;
  register: (name: string) => FieldRegistration;
  summaryRef: RefObject<HTMLDivElement | null>;
  summaryErrors: { name: string; id: string; error: FieldError }[];
  formError: FieldError | undefined;
  state: FormState;
  pending: boolean;
};

type FieldElement = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export type FieldRegistration = {
  name: string;
  onChange: (event: ChangeEvent<FieldElement>) => void;
  onBlur: (event: ChangeEvent<FieldElement>) => void;
  ref: (element: FieldElement | null) => (() => void) | undefined;
};

const ActionFormContext = createContext<ActionFormContextValue | null>(null);

function useActionFormContext(): ActionFormContextValue {
  const context = useContext(ActionFormContext);
  if (!context) throw new Error('Form fields must be rendered inside <ActionForm>.');
  return context;
}

const IDLE: FormState<never> = { status: 'idle' };

function isFormState(value: unknown): value is FormState<never> {
  if (!value || typeof value !== 'object') return false;
  const { status, fieldErrors, values } = value as Record<string, unknown>;
  if (status === 'idle' || status === 'success') return true;
  return status === 'error' && isRecord(fieldErrors) && isRecord(values);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function serverErrors(state: FormState): ServerErrors {
  return state.status === 'error'
    ? { fieldErrors: state.fieldErrors, formError: state.formError }
    : { fieldErrors: {} };
}

/**
 * The schema, or a function that imports it: a page whose form should not ship zod with its first
 * load passes the import (decision 037); the form loads it when it is first focused or sent.
 */
export type SchemaSource<S extends z.ZodType = z.ZodType> = S | (() => Promise<S>);

async function loadControl(
  source: SchemaSource,
  form: () => HTMLFormElement | null,
): Promise<ActionFormControl> {
  const [{ createActionFormControl }, schema] = await Promise.all([
    import('@/components/form/form-control'),
    typeof source === 'function' ? source() : source,
  ]);
  return createActionFormControl(schema, form);
}

function sameErrors(a: Record<string, FieldError>, b: Record<string, FieldError>): boolean {
  const names = Object.keys(a);
  return (
    names.length === Object.keys(b).length &&
    names.every((name) => JSON.stringify(a[name]) === JSON.stringify(b[name]))
  );
}

/**
 * Puts a message key (an error, or a success message) into the reader's language. A key the
 * catalogue lacks reads as the fallback, never as the raw key.
 */
export function useFormMessage(): (message: FieldError, fallbackKey?: string) => string {
  const t = useTranslations();
  return useCallback(
    (message: FieldError, fallbackKey = 'form.errors.invalid') =>
      t.has(message.key) ? t(message.key, message.params) : t(fallbackKey),
    [t],
  );
}

type ActionFormProps<S extends z.ZodType, Extra> = {
  action: (state: FormState<Extra>, formData: FormData) => Promise<FormState<Extra>>;
  /**
   * The schema the server action was made with (createFormAction); share it from lib/validation.
   * A function importing it keeps zod out of the page's first load.
   */
  schema: SchemaSource<S>;
  children: ReactNode;
  className?: string;
  /** Already translated; when given, the form ends with its own submit button. */
  submitLabel?: string;
  /** Field ids are `${idPrefix}-${name}`: give each form on a page its own prefix. */
  idPrefix?: string;
};

/**
 * A form that is a plain POST to its server action without JavaScript (the server renders the errors)
 * and, with it, checks the same schema before sending and shows the answer without a page load.
 */
export function ActionForm<S extends z.ZodType, Extra = unknown>({
  action,
  schema,
  children,
  className,
  submitLabel,
  idPrefix = 'field',
}: ActionFormProps<S, Extra>) {
  // Without JavaScript the browser posts the form to the server action itself (this hook's formAction).
  const [posted, formAction, postPending] = useActionState(action, IDLE);
  const formRef = useRef<HTMLFormElement>(null);
  // With it, the form is sent through this one: when proxy.ts refuses the post (a foreign origin, a
  // body it cannot read, overload), the action call throws its plain-text answer; that becomes the
  // form's own error in the reader's language, not the error page (lib/web/http-refusal.ts).
  const [sent, submit, sendPending] = useActionState(
    async (prev: FormState<Extra>, formData: FormData): Promise<FormState<Extra>> => {
      try {
        return await action(prev === IDLE ? posted : prev, formData);
      } catch (error) {
        const refusal = actionRefusalOf(error);
        if (!refusal) throw error;
        return {
          status: 'error',
          fieldErrors: {},
          formError: { key: `form.refused.${refusal}` },
          values: typedValues(formRef.current, formData),
        };
      }
    },
    IDLE,
  );
  const answer = sent === IDLE ? posted : sent;
  const pending = postPending || sendPending;
  // A hand-made post can pair this form's key with another action's result; render that as no answer.
  const state = isFormState(answer) ? answer : IDLE;
  const summaryRef = useRef<HTMLDivElement>(null);
  const checking = useRef(false);
  const [clientErrors, setClientErrors] = useState<Record<string, FieldError>>({});
  const [order, setOrder] = useState<string[]>([]);

  // react-hook-form checks the form (mode onSubmit, reValidateMode onChange: nothing before the first
  // submission, then each field again as it changes), but it and the schema load when the form is
  // first focused or sent, not with the page (decision 037). Until then, and if they cannot load (a
  // dropped connection: the form is then sent unchecked and the server answers field by field), the
  // fields' handlers only clear server errors.
  const control = useRef<ActionFormControl | null>(null);
  const loading = useRef<{ source: SchemaSource; control: Promise<ActionFormControl | null> } | null>(null);
  // The mounted fields, registered with the control once it exists.
  const elements = useRef(new Map<FieldElement, string>());
  const loadedControl = useCallback(() => {
    if (loading.current?.source === schema) return loading.current.control;
    const promise = loadControl(schema, () => formRef.current).then(
      (loaded) => {
        if (loading.current?.source !== schema) return loaded;
        control.current = loaded;
        for (const [element, name] of elements.current) loaded.control.register(name).ref(element);
        // Its errors are changed in place: keep a copy in React state, a new one only when they differ.
        // The subscription lives as long as the control, which belongs to this form alone.
        loaded.control.subscribe({
          formState: { errors: true },
          callback: ({ errors }) => {
            if (control.current !== loaded) return;
            const next = loaded.errorsOf(errors);
            setClientErrors((current) => (sameErrors(current, next) ? current : next));
          },
        });
        setOrder(loaded.keys);
        return loaded;
      },
      () => null,
    );
    loading.current = { source: schema, control: promise };
    return promise;
  }, [schema]);

  // Server errors stay until their field is edited or the next answer comes, so they are kept apart
  // from react-hook-form's, which are recomputed on every change.
  const [server, setServer] = useState<ServerErrors>(() => serverErrors(state));
  const [answered, setAnswered] = useState(state);
  if (answered !== state) {
    setAnswered(state);
    setServer(serverErrors(state));
  }

  // react-hook-form calls onInvalid before it publishes the errors, so the summary may only appear a
  // render later: the request waits until there is a summary to focus.
  const focusPending = useRef(false);
  const [, requestSummaryFocus] = useState(0);
  useEffect(() => {
    if (focusPending.current && summaryRef.current) {
      focusPending.current = false;
      summaryRef.current.focus();
    }
  });
  useEffect(() => {
    if (state.status === 'error') summaryRef.current?.focus();
  }, [state]);

  const idFor = useCallback((name: string) => `${idPrefix}-${name.replace(/[^\w-]/g, '-')}`, [idPrefix]);
  const errorFor = useCallback(
    (name: string) => clientErrors[name] ?? server.fieldErrors[name],
    [clientErrors, server],
  );
  const valueFor = useCallback(
    (name: string) => (state.status === 'idle' ? undefined : state.values?.[name]),
    [state],
  );
  // The handlers forward to the control's register(name) once it is loaded; a new registration each
  // render, as useForm's register gave.
  const register = useCallback(
    (name: string): FieldRegistration => ({
      name,
      onChange: (event) => {
        setServer((current) => {
          if (!(name in current.fieldErrors)) return current;
          const { [name]: _edited, ...fieldErrors } = current.fieldErrors;
          return { ...current, fieldErrors };
        });
        void control.current?.control.register(name).onChange(event);
      },
      onBlur: (event) => {
        void control.current?.control.register(name).onBlur(event);
      },
      ref: (element) => {
        if (!element) return undefined;
        elements.current.set(element, name);
        control.current?.control.register(name).ref(element);
        return () => {
          elements.current.delete(element);
          control.current?.control.register(name).ref(null);
        };
      },
    }),
    [],
  );

  const summaryErrors = useMemo(() => {
    const names = new Set([...Object.keys(server.fieldErrors), ...Object.keys(clientErrors)]);
    const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
    return [...names]
      .sort((a, b) => rank(a) - rank(b))
      .flatMap((name) => {
        const error = errorFor(name);
        return error ? [{ name, id: idFor(name), error }] : [];
      });
  }, [server, clientErrors, order, errorFor, idFor]);

  const context = useMemo<ActionFormContextValue>(
    () => ({
      idFor,
      errorFor,
      valueFor,
      register,
      summaryRef,
      summaryErrors,
      formError: server.formError,
      state,
      pending,
    }),
    [idFor, errorFor, valueFor, register, summaryErrors, server.formError, state, pending],
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    const form = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    // Preventing the default also stops React sending the form itself; we send it once checked.
    event.preventDefault();
    // Checking is asynchronous and `pending` only turns true once the request starts: a double click
    // in between must not send the form twice.
    if (pending || checking.current) return;
    checking.current = true;
    setServer((current) => ({ fieldErrors: current.fieldErrors }));
    const formData = new FormData(form, submitter);
    const send = () => startTransition(() => submit(formData));
    void loadedControl()
      .then((loaded) =>
        loaded
          ? loaded.control.handleSubmit(send, () => {
              focusPending.current = true;
              requestSummaryFocus((count) => count + 1);
            })()
          : send(),
      )
      .finally(() => {
        checking.current = false;
      });
  }

  return (
    <ActionFormContext.Provider value={context}>
      <form
        ref={formRef}
        action={formAction}
        onSubmit={onSubmit}
        // The check's code loads as the person starts on the form, not with the page.
        onFocus={() => void loadedControl()}
        // Our messages, in the reader's language, beside the field: not the browser's bubbles.
        noValidate
        className={className ? `${styles.form} ${className}` : styles.form}
      >
        <ErrorSummary />
        <FormStatus />
        {children}
        {submitLabel ? <SubmitButton>{submitLabel}</SubmitButton> : null}
      </form>
    </ActionFormContext.Provider>
  );
}

/** What was typed, to keep in the fields after a refusal; never what a password field holds. */
function typedValues(form: HTMLFormElement | null, formData: FormData): Record<string, string> {
  const secret = new Set(
    [...(form?.querySelectorAll<HTMLInputElement>('input[type="password"]') ?? [])].map(
      (input) => input.name,
    ),
  );
  const values: Record<string, string> = {};
  for (const [name, value] of formData) {
    if (typeof value === 'string' && !secret.has(name) && !name.startsWith('$ACTION')) values[name] = value;
  }
  return values;
}

/** The pending flag and the last answer of the enclosing ActionForm. */
export function useActionForm(): { pending: boolean; state: FormState } {
  const { pending, state } = useActionFormContext();
  return { pending, state };
}

export type FormField = {
  id: string;
  errorId: string;
  descriptionId: string;
  error: FieldError | undefined;
  errorMessage: string | undefined;
  /** What the server echoed back after the last submission, if anything (never a secret field). */
  echoedValue: string | undefined;
  /** Spread on the control: name, id, ARIA state, and the handlers and ref that react-hook-form gets. */
  controlProps: FieldRegistration & {
    id: string;
    'aria-invalid': true | undefined;
    'aria-describedby': string | undefined;
  };
};

export function useFormField(name: string, { description = false } = {}): FormField {
  const { idFor, errorFor, valueFor, register } = useActionFormContext();
  const message = useFormMessage();
  const id = idFor(name);
  const errorId = `${id}-error`;
  const descriptionId = `${id}-description`;
  const error = errorFor(name);
  const describedBy = [description ? descriptionId : '', error ? errorId : ''].filter(Boolean).join(' ');
  return {
    id,
    errorId,
    descriptionId,
    error,
    errorMessage: error ? message(error) : undefined,
    echoedValue: valueFor(name),
    controlProps: {
      ...register(name),
      id,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': describedBy || undefined,
    },
  };
}

function focusField(event: MouseEvent<HTMLAnchorElement>, id: string) {
  const field = document.getElementById(id);
  if (!field) return;
  // A link to an id only scrolls: move focus into the field, and keep its label in view above it.
  event.preventDefault();
  field.focus({ preventScroll: true });
  (document.querySelector(`label[for="${CSS.escape(id)}"]`) ?? field).scrollIntoView({ block: 'start' });
}

/**
 * "There is a problem", the form's own error, then a link to each field in error. It takes focus
 * after a failed submission; the autoFocus is for the page the server renders after a post without
 * JavaScript, where nothing else could move focus there.
 */
export function ErrorSummary() {
  const { summaryRef, summaryErrors, formError } = useActionFormContext();
  const message = useFormMessage();
  if (summaryErrors.length === 0 && !formError) return null;
  return (
    <SummaryBox boxRef={summaryRef}>
      {formError ? <p className={styles.summaryFormError}>{message(formError)}</p> : null}
      {summaryErrors.length > 0 ? (
        <ul className={styles.summaryList}>
          {summaryErrors.map(({ name, id, error }) => (
            <li key={name}>
              <a href={`#${id}`} onClick={(event) => focusField(event, id)}>
                {message(error)}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </SummaryBox>
  );
}

/**
 * The error summary of a form with no field to point at: the one-button forms of the pages opened
 * from a link in mail. Without it, a refused or failed post would show the same button again, silently.
 */
export function ProblemSummary({ problem }: { problem: FieldError }) {
  const message = useFormMessage();
  return (
    <SummaryBox>
      <p className={styles.summaryFormError}>{message(problem)}</p>
    </SummaryBox>
  );
}

function SummaryBox({
  boxRef,
  children,
}: {
  boxRef?: RefObject<HTMLDivElement | null>;
  children: ReactNode;
}) {
  const t = useTranslations('form');
  return (
    <div ref={boxRef} className={styles.summary} tabIndex={-1} autoFocus>
      <div role="alert">
        <h2 className={styles.summaryTitle}>{t('summaryTitle')}</h2>
        {children}
      </div>
    </div>
  );
}

/** A live region that exists before anything is said in it, so that the success message is read out. */
function FormStatus() {
  const { state } = useActionFormContext();
  const message = useFormMessage();
  const text = state.status === 'success' && state.message ? message(state.message, 'form.done') : '';
  return (
    <div role="status" className={text ? styles.success : undefined}>
      {text}
    </div>
  );
}

type SubmitButtonProps = {
  children: ReactNode;
  name?: string;
  value?: string;
  variant?: ButtonVariant;
  className?: string;
};

/**
 * aria-disabled rather than disabled while sending: a disabled button drops keyboard focus to the
 * page's start. The form ignores submissions while one is pending.
 */
export function SubmitButton({ children, name, value, variant = 'primary', className }: SubmitButtonProps) {
  const { pending } = useActionFormContext();
  const t = useTranslations('form');
  return (
    <button
      type="submit"
      name={name}
      value={value}
      aria-disabled={pending || undefined}
      className={buttonClass(variant, 'normal', className ? `${styles.submit} ${className}` : styles.submit)}
    >
      {pending ? t('submitting') : children}
    </button>
  );
}
