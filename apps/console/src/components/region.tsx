import { type ReactNode, useId } from 'react';

/** A titled section of a page: a landmark region named by its heading. */
export function Region({
  title,
  level = 2,
  actions,
  children,
  className,
}: {
  title: string;
  level?: 2 | 3;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby={id} className={['region', className].filter(Boolean).join(' ')}>
      <div className="region-head">
        <Heading id={id}>{title}</Heading>
        {actions ? <div className="region-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
