import { getTranslations } from 'next-intl/server';
import { currentBrand } from '@/lib/web/brand';

export default async function HomePage() {
  const [t, brand] = await Promise.all([getTranslations('home'), currentBrand()]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead', { product: brand.name })}</p>
    </>
  );
}
