import type { getTranslations } from 'next-intl/server';

type Translate = Awaited<ReturnType<typeof getTranslations<'adminAudit'>>>;

/** An action's label; one missing from the catalogue shows as its name rather than failing. */
export function actionLabel(t: Translate, action: string): string {
  const key = `actions.${action.replaceAll('.', '_')}`;
  return t.has(key) ? t(key) : action;
}
