import { Dialog } from 'radix-ui';
import { type FormEvent, type ReactNode, useState } from 'react';
import { Button, type Variant } from './button';
import { ErrorAlert } from './error-alert';

interface ConfirmDialogProps {
  /** The text of the button that opens the dialog. */
  readonly triggerLabel: string;
  readonly triggerVariant?: Variant;
  readonly title: string;
  readonly description?: ReactNode;
  /** The text of the button that does it ("Delete endpoint"). */
  readonly confirmLabel: string;
  readonly confirmVariant?: Variant;
  /** Fields of the dialog, if it asks for anything. */
  readonly children?: ReactNode;
  /** Runs on confirm; the dialog closes when it resolves and shows the error when it rejects. */
  readonly onConfirm: () => Promise<unknown>;
}

/** A button that opens a modal asking to confirm an action (Radix Dialog: focus trap, Escape). */
export function ConfirmDialog({
  triggerLabel,
  triggerVariant = 'secondary',
  title,
  description,
  confirmLabel,
  confirmVariant = 'danger',
  children,
  onConfirm,
}: ConfirmDialogProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const change = (next: boolean) => {
    setOpen(next);
    if (!next) setError(undefined);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    onConfirm().then(
      () => {
        setBusy(false);
        setOpen(false);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
      },
    );
  };

  return (
    <Dialog.Root open={open} onOpenChange={change}>
      <Dialog.Trigger asChild>
        <Button variant={triggerVariant}>{triggerLabel}</Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog"
          {...(description === undefined ? { 'aria-describedby': undefined } : {})}
        >
          <form onSubmit={submit}>
            <Dialog.Title className="dialog-title">{title}</Dialog.Title>
            {description !== undefined ? (
              <Dialog.Description className="dialog-description">{description}</Dialog.Description>
            ) : null}
            {children}
            <ErrorAlert error={error} />
            <div className="dialog-actions">
              <Dialog.Close asChild>
                <Button>Cancel</Button>
              </Dialog.Close>
              <Button type="submit" variant={confirmVariant} busy={busy}>
                {confirmLabel}
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
