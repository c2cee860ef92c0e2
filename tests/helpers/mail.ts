import { afterAll, beforeAll } from 'vitest';
import type { Db } from '@/db/client';
import { systemClock, type Clock } from '@/lib/clock';
import { drainOutbox } from '@/lib/mail/outbox';
import type { MailTransport } from '@/lib/mail/transport';
import { createSmtpTransport } from '@/lib/mail/transports/smtp';
import { linksIn, startSmtpCatcher, type CaughtMail, type SmtpCatcher } from './smtp-catcher';

/** A real SMTP catcher and a transport to it, for flow tests that assert on the mail that arrived. */
export async function startMailbox(): Promise<{
  catcher: SmtpCatcher;
  deliver: (db: Db, clock?: Clock) => Promise<number>;
  stop: () => Promise<void>;
}> {
  const catcher = await startSmtpCatcher();
  const transport: MailTransport = createSmtpTransport({
    host: catcher.host,
    port: catcher.port,
    encryption: 'none',
  });
  const from = { name: 'Gatehouse', address: 'accounts@gatehouse.test' };
  return {
    catcher,
    /** Delivers everything due in the outbox, as the worker would after the response. */
    async deliver(db, clock = systemClock) {
      let sent = 0;
      for (;;) {
        const summary = await drainOutbox(db, { transport, from, clock });
        sent += summary.sent;
        if (summary.claimed === 0) return sent;
      }
    },
    async stop() {
      transport.close?.();
      await catcher.stop();
    },
  };
}

export type Mailbox = Awaited<ReturnType<typeof startMailbox>>;

/**
 * startMailbox for a whole test file: started before its tests, stopped after them. Call it once at
 * the top of the file and use the mailbox in tests and hooks.
 */
export function setUpMailbox(): Omit<Mailbox, 'stop'> {
  let mailbox: Mailbox | undefined;
  beforeAll(async () => {
    mailbox = await startMailbox();
  });
  afterAll(async () => {
    await mailbox?.stop();
  });
  const started = () => {
    if (!mailbox) throw new Error('the mailbox starts in beforeAll: use it in a test or a hook');
    return mailbox;
  };
  return {
    get catcher() {
      return started().catcher;
    },
    deliver: (db, clock) => started().deliver(db, clock),
  };
}

/** Whether a mail links to `path`: for waitForMail's predicate when other mail may come first. */
export function hasLinkTo(mail: CaughtMail, path: string): boolean {
  return linksIn(mail).some((l) => new URL(l).pathname === path);
}

/** The one link in a mail that goes to `path`, e.g. '/verify-email'. */
export function linkTo(mail: CaughtMail, path: string): URL {
  const link = linksIn(mail).find((l) => new URL(l).pathname === path);
  if (!link) throw new Error(`no link to ${path} in "${mail.subject}": ${linksIn(mail).join(', ')}`);
  return new URL(link);
}
