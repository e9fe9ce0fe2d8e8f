import type { PortalTheme } from '@hookyard/sdk';
import { useEffect } from 'react';

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

/** Relative luminance (WCAG 2) of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Black or white, whichever reads better on the colour (at least 4.58:1 either way). */
export function textOn(hex: string): string {
  const l = luminance(hex);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

/** The theme the browser prefers when no portal sets one. */
export function preferredMode(): 'light' | 'dark' {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Applies a portal's accent colour and light or dark mode to the whole document. */
export function usePortalTheme(theme: PortalTheme | undefined): void {
  const accent = theme?.accentColor;
  const mode = theme?.mode;
  useEffect(() => {
    const root = document.documentElement;
    root.dataset['theme'] = mode ?? preferredMode();
    if (accent !== undefined && HEX_COLOUR.test(accent)) {
      root.style.setProperty('--accent', accent);
      root.style.setProperty('--accent-contrast', textOn(accent));
    }
    return () => {
      root.style.removeProperty('--accent');
      root.style.removeProperty('--accent-contrast');
      root.dataset['theme'] = preferredMode();
    };
  }, [accent, mode]);
}
