import { useLocation } from 'react-router';

/** The outcome the previous screen sent along when it navigated here (`state.notice`), read out. */
export function NavigationNotice() {
  const location = useLocation();
  const notice = (location.state as { notice?: unknown } | null)?.notice;
  if (typeof notice !== 'string') return null;
  return (
    <p role="status" className="alert alert-ok">
      {notice}
    </p>
  );
}
