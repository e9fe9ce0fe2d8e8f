import { type RefObject, useEffect } from 'react';

/** A control marked invalid, or the first usable control of a group (a fieldset) marked so. */
const INVALID = '[aria-invalid="true"], [data-invalid="true"] input:not(:disabled)';

/**
 * Moves focus to the form's first invalid control each time `attempt` changes (a submit that found
 * problems), so the error beside it is read out with it.
 */
export function useFocusFirstInvalid(form: RefObject<HTMLFormElement | null>, attempt: unknown) {
  useEffect(() => {
    if (!attempt) return;
    form.current?.querySelector<HTMLElement>(INVALID)?.focus();
  }, [form, attempt]);
}
