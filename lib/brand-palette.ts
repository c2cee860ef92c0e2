/**
 * The brand's accent colour in both themes, by WCAG 2 contrast. Pure functions: the admin form checks
 * a colour in the browser with the same rule as the server.
 */

/** WCAG 2 relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * The surfaces links sit on, per theme, the one with the least contrast (app/globals.css --bg-subtle:
 * the header and footer); the page's --bg reads at least as well.
 */
export const THEME_BACKGROUNDS = { light: '#f4f5f7', dark: '#1a1d24' } as const;
/** WCAG AA for normal text: the accent colours links as well as buttons. */
export const TEXT_CONTRAST = 4.5;

/** Whether links in this colour read on the light theme's surfaces. */
export function accentIsReadable(accent: string): boolean {
  return contrastRatio(accent, THEME_BACKGROUNDS.light) >= TEXT_CONTRAST;
}

/** Black or white, whichever reads better on the colour (always at least 4.5:1 for some of the two). */
export function readableTextOn(background: string): '#000000' | '#ffffff' {
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff') ? '#000000' : '#ffffff';
}

function mixWithWhite(hex: string, share: number): string {
  const mixed = [0, 1, 2].map((i) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
    return Math.round(c + (255 - c) * share)
      .toString(16)
      .padStart(2, '0');
  });
  return `#${mixed.join('')}`;
}

export interface AccentPalette {
  light: { accent: string; text: string };
  dark: { accent: string; text: string };
}

/**
 * The accent in both themes: as chosen on the light one (checked readable on save); on the dark one,
 * lightened just enough to read on its background, as the default palette does.
 */
export function accentPalette(accent: string): AccentPalette {
  let dark = accent;
  for (let share = 0.05; contrastRatio(dark, THEME_BACKGROUNDS.dark) < TEXT_CONTRAST; share += 0.05) {
    dark = mixWithWhite(accent, Math.min(share, 1));
  }
  return {
    light: { accent, text: readableTextOn(accent) },
    dark: { accent: dark, text: readableTextOn(dark) },
  };
}
