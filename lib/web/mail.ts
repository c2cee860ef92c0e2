import 'server-only';
import { after } from 'next/server';
import { kickOutbox } from '@/lib/mail/worker';

/** Delivers queued mail once the response has gone out, so no visitor waits on an SMTP server. */
export function deliverMailAfterResponse(): void {
  after(async () => {
    await kickOutbox();
  });
}
