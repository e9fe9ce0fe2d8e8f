import { useEffect } from 'react';

/** Sets the tab's title to the screen's ("Endpoints · Hookyard"). */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Hookyard`;
  }, [title]);
}
