import Link from 'next/link';
import { getTranslations } from 'next-intl/server';

export async function generateMetadata() {
  const t = await getTranslations('verify');
  return { title: t('title') };
}

const outcomes = {
  pending: ['verify.pendingTitle', 'verify.pending'],
  active: ['verify.activeTitle', 'verify.active'],
  already: ['verify.alreadyTitle', 'verify.already'],
  invalid: ['verify.invalidTitle', 'verify.invalid'],
} as const;

/**
 * Where a confirmation ends, whichever way it went. The page only words the outcome it is given: a
 * hand-typed `state` changes what it says, never what happened.
 */
export default async function VerifyEmailDonePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { state } = await searchParams;
  const outcome =
    typeof state === 'string' && Object.hasOwn(outcomes, state)
      ? (state as keyof typeof outcomes)
      : 'invalid';
  const t = await getTranslations();
  const [title, body] = outcomes[outcome];
  return (
    <>
      <h1>{t(title)}</h1>
      <p role="status">{t(body)}</p>
      <p>
        {outcome === 'invalid' ? (
          <Link href="/verify-email/resend">{t('resend.title')}</Link>
        ) : (
          <Link href="/login">{t('verify.signIn')}</Link>
        )}
      </p>
    </>
  );
}
