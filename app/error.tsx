'use client';

import { useTranslations } from 'next-intl';
import { Button } from '@/components/ui/button';

// Never shows the error's message: it may carry internals. The digest is in the server log.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations('errors');
  return (
    <>
      <h1>{t('errorTitle')}</h1>
      <p>{t('errorBody')}</p>
      <Button type="button" onClick={reset}>
        {t('tryAgain')}
      </Button>
    </>
  );
}
