import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react';

interface FieldChrome {
  readonly label: string;
  /** The API's message for this field, shown beside it and announced with it. */
  readonly error?: string | undefined;
  /** A short help text under the control. */
  readonly hint?: ReactNode;
}

/** The ids a control points at with aria-describedby: its hint and its error. */
function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown) {
  const ids = [hint ? hintId : null, error ? errorId : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** The attributes that tie a control to its label, its hint and its error. */
interface ControlProps {
  readonly id: string;
  readonly 'aria-invalid': true | undefined;
  readonly 'aria-describedby': string | undefined;
}

/**
 * The frame every field shares: the wrapper, the hint and the error tied to the control for screen
 * readers. `control` draws the control (and, where it goes elsewhere, its label) from its props.
 */
function Field({
  label,
  error,
  hint,
  id,
  className,
  labelAfter = false,
  control,
}: FieldChrome & {
  id: string | undefined;
  className: string | undefined;
  /** A checkbox's label goes to its right, inside a row of its own. */
  labelAfter?: boolean;
  control: (props: ControlProps) => ReactNode;
}) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const drawn = control({
    id: controlId,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy(hintId, errorId, hint, error),
  });
  const labelled = <label htmlFor={controlId}>{label}</label>;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      {labelAfter ? (
        <div className="checkbox">
          {drawn}
          {labelled}
        </div>
      ) : (
        <>
          {labelled}
          {drawn}
        </>
      )}
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled text input with an optional hint and an error tied to it for screen readers. */
export function TextField({
  label,
  error,
  hint,
  id,
  className,
  ...input
}: FieldChrome & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field
      {...{ label, error, hint, id, className }}
      control={(props) => <input {...props} {...input} />}
    />
  );
}

/** A labelled native select (keyboard and screen-reader friendly, and easy to drive in tests). */
export function SelectField({
  label,
  error,
  hint,
  id,
  className,
  children,
  ...select
}: FieldChrome & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field
      {...{ label, error, hint, id, className }}
      control={(props) => (
        <select {...props} {...select}>
          {children}
        </select>
      )}
    />
  );
}

/** A labelled multi-line text box. */
export function TextAreaField({
  label,
  error,
  hint,
  id,
  className,
  ...textarea
}: FieldChrome & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Field
      {...{ label, error, hint, id, className }}
      control={(props) => <textarea {...props} {...textarea} />}
    />
  );
}

/** A checkbox with its label to the right; the label is its accessible name. */
export function CheckboxField({
  label,
  error,
  hint,
  id,
  className,
  ...input
}: FieldChrome & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  return (
    <Field
      {...{ label, error, hint, id, className }}
      labelAfter
      control={(props) => <input type="checkbox" {...props} {...input} />}
    />
  );
}
