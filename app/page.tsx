import { getTranslations } from 'next-intl/server';

export default async function HomePage() {
  const t = await getTranslations('home');
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>
    </>
  );
}
