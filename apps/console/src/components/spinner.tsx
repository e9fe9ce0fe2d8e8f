/** A loading indicator read out as a status. */
export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="spinner">
      <span className="spinner-dot" aria-hidden="true" />
      {label}
    </p>
  );
}
