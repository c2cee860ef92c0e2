import type { Db } from '@/db/client';
import { devMailbox } from '@/db/schema';
import { env } from '@/lib/env';
import { assertValidMessage, MailError, type MailMessage } from '../message';
import type { MailTransport } from '../transport';

/**
 * The development mailbox: "delivers" into a table shown at /dev/mailbox, so a newcomer can follow
 * every link without an SMTP server. Refused in production: MAIL_TRANSPORT=dev stops start-up
 * (lib/env.ts), saved settings naming it are ignored (lib/mail/config.ts), and should anything still
 * reach it, this transport refuses too: the table, shown to anyone at /dev/mailbox in development,
 * is never written in production (docs/decisions/017).
 */
export function createDevTransport(db: Db, production = env().isProduction): MailTransport {
  return {
    name: 'dev',
    async send(message: MailMessage) {
      if (production) {
        throw new MailError('config', 'The development mailbox is not available in production.', {
          permanent: false,
        });
      }
      assertValidMessage(message);
      const [row] = await db
        .insert(devMailbox)
        .values({
          from: `${message.from.name} <${message.from.address}>`,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
        })
        .returning({ id: devMailbox.id });
      return { messageId: `dev-${row!.id}` };
    },
  };
}
