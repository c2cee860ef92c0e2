'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useRef, useState } from 'react';
import { loadStrengthMeter, type StrengthEstimate } from '@/lib/password-strength';
import styles from './form.module.css';

/**
 * A hint while a new password is typed (zxcvbn-ts, loaded on first use). It never decides anything:
 * the server's policy does (lib/password-policy.ts). Without JavaScript it simply is not there.
 */
export function PasswordStrength({ inputId, userInputs }: { inputId: string; userInputs?: string[] }) {
  const t = useTranslations();
  const [estimate, setEstimate] = useState<StrengthEstimate | null>(null);
  const inputs = useRef(userInputs ?? []);

  useEffect(() => {
    const input = document.getElementById(inputId) as HTMLInputElement | null;
    if (!input) return;
    let cancelled = false;
    const update = async () => {
      const value = input.value;
      if (!value) return setEstimate(null);
      const meter = await loadStrengthMeter();
      if (!cancelled && input.value === value) setEstimate(meter(value, inputs.current));
    };
    const onInput = () => void update();
    input.addEventListener('input', onInput);
    // Whatever was typed before the page finished loading counts too.
    void update();
    return () => {
      cancelled = true;
      input.removeEventListener('input', onInput);
    };
  }, [inputId]);

  if (!estimate) return null;
  const label = t(`password.strengthLabels.${estimate.score}`);
  const feedback = estimate.feedbackKey && t.has(estimate.feedbackKey) ? t(estimate.feedbackKey) : null;
  return (
    <div className={styles.strength} data-score={estimate.score}>
      <div className={styles.strengthBar} aria-hidden="true">
        <span style={{ width: `${(estimate.score + 1) * 20}%` }} />
      </div>
      <p aria-live="polite">
        {t('password.strength', { label })}
        {feedback ? ` ${feedback}` : null}
      </p>
    </div>
  );
}
