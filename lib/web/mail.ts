import 'server-only';
import { after } from 'next/server';
import { kickOutbox } from '@/lib/mail/worker';

/**
 * Delivers queued mail once the response has gone out, so no visitor waits on an SMTP server.
 * `queue` runs first, also after the response: work whose timing must not show in the answer (S28).
 */
export function deliverMailAfterResponse(queue?: () => Promise<void>): void {
  after(async () => {
    await queue?.();
    await kickOutbox();
  });
}
