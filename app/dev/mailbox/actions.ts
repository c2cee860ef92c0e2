'use server';

import { revalidatePath } from 'next/cache';
import { getDb } from '@/db/client';
import { clearDevMailbox } from '@/lib/mail/dev-mailbox';
import { requireDevelopment } from '@/lib/web/dev-only';

export async function clearMailbox(): Promise<void> {
  requireDevelopment();
  await clearDevMailbox(await getDb());
  revalidatePath('/dev/mailbox');
}
