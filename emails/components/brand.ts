import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The operator's brand for the mail being rendered (lib/brand.ts mailBrand): its name in every string
 * that says {product} and in the subject, its colour on the button and links, its logo and support
 * address in the frame. Every template and every translator call would otherwise take it as one more
 * argument, as they take the locale; renderEmail sets it once around one render instead. Outside a
 * render (the preview server, a template's own tests) it is empty: Gatehouse's own look.
 */
export interface MailBrand {
  name?: string;
  /** #rrggbb, readable on white (checked when saved), with the text colour that reads on it. */
  accent?: { color: string; text: string };
  supportEmail?: string;
  /** Absolute, on APP_URL. */
  logoUrl?: string;
}

const current = new AsyncLocalStorage<MailBrand>();

export function withMailBrand<T>(brand: MailBrand, render: () => Promise<T>): Promise<T> {
  return current.run(brand, render);
}

export function mailBrand(): MailBrand {
  return current.getStore() ?? {};
}
