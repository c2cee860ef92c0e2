'use server';

import { revalidatePath } from 'next/cache';
import { getDb } from '@/db/client';
import {
  mailFormSchemaFor,
  saveGeneralSettings,
  saveMailSettings,
  sendTestEmail,
} from '@/lib/admin-settings';
import { LOGO_MAX_BYTES, saveBrand } from '@/lib/brand';
import { systemClock } from '@/lib/clock';
import { generalSettingsSchema, MAIL_SECRET_FIELDS, testEmailSchema } from '@/lib/validation/admin-settings';
import { brandSettingsFormSchema } from '@/lib/validation/brand';
import { createFormAction, DEFAULT_SECRET_FIELDS, type FormState } from '@/lib/web/form-action';
import { requestContext } from '@/lib/web/request-info';
import { requireAdmin } from '@/lib/web/session';

// Every action checks the role itself, before reading anything (S45). Each is an exported async
// function (not a const holding one): Next.js only finds those for forms posted without JavaScript.

function savedMessage(changed: string[]): FormState {
  return changed.length === 0
    ? { status: 'success', message: { key: 'adminSettings.unchanged' } }
    : { status: 'success', message: { key: 'adminSettings.saved', params: { count: changed.length } } };
}

export async function saveGeneral(prev: FormState, formData: FormData): Promise<FormState> {
  const admin = await requireAdmin('/admin/settings');
  return createFormAction(generalSettingsSchema, async (values) => {
    const { changed } = await saveGeneralSettings(
      await getDb(),
      { adminId: admin.user.id, values },
      await requestContext(),
      systemClock,
    );
    revalidatePath('/admin/settings');
    return savedMessage(changed);
  })(prev, formData);
}

export async function saveMail(prev: FormState, formData: FormData): Promise<FormState> {
  const admin = await requireAdmin('/admin/settings');
  const db = await getDb();
  return createFormAction(
    await mailFormSchemaFor(db),
    async (values) => {
      const { changed } = await saveMailSettings(
        db,
        { adminId: admin.user.id, values },
        await requestContext(),
        systemClock,
      );
      revalidatePath('/admin/settings');
      return savedMessage(changed);
    },
    // Typed secrets are never sent back, not even to refill the form after an error.
    { secretFields: [...DEFAULT_SECRET_FIELDS, ...MAIL_SECRET_FIELDS] },
  )(prev, formData);
}

/** A file input left empty still sends a part: an unnamed, empty file. */
async function chosenLogo(formData: FormData): Promise<Uint8Array | undefined> {
  const file = formData.get('logo');
  if (!(file instanceof File) || (file.size === 0 && file.name === '')) return undefined;
  // Read no further than the limit allows: the answer is "too large" either way.
  return new Uint8Array(await file.slice(0, LOGO_MAX_BYTES + 1).arrayBuffer());
}

export async function saveBrandSettings(prev: FormState, formData: FormData): Promise<FormState> {
  const admin = await requireAdmin('/admin/settings');
  return createFormAction(brandSettingsFormSchema, async (values, { formData }) => {
    const bytes = await chosenLogo(formData);
    if (bytes && values.logoRemove) {
      return { status: 'error', fieldErrors: { logo: { key: 'brandSettings.errors.logoAndRemove' } } };
    }
    const result = await saveBrand(
      await getDb(),
      {
        adminId: admin.user.id,
        values,
        logo: bytes ? { kind: 'replace', bytes } : values.logoRemove ? { kind: 'remove' } : { kind: 'keep' },
      },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) {
      return { status: 'error', fieldErrors: { logo: { key: `brandSettings.errors.${result.code}` } } };
    }
    // Every page shows the brand: the layout's cached render goes with it.
    revalidatePath('/', 'layout');
    return savedMessage(result.changed);
  })(prev, formData);
}

const TEST_FAILURE_KEYS = {
  send_failed: 'adminSettings.test.failed',
  not_configured: 'adminSettings.test.notConfigured',
  unreadable_secret: 'adminSettings.test.unreadableSecret',
} as const;

/** Sends now, to the admin's own address, so the answer on the page is the transport's own. */
export async function sendTestMail(prev: FormState, formData: FormData): Promise<FormState> {
  const admin = await requireAdmin('/admin/settings');
  return createFormAction(testEmailSchema, async () => {
    const result = await sendTestEmail(
      await getDb(),
      { adminId: admin.user.id, to: admin.user.email },
      await requestContext(),
      systemClock,
    );
    if (result.ok) {
      return {
        status: 'success',
        message: {
          key: 'adminSettings.test.sent',
          params: { to: admin.user.email, transport: result.transport },
        },
      };
    }
    return {
      status: 'error',
      formError: { key: TEST_FAILURE_KEYS[result.reason], params: { error: result.error } },
    };
  })(prev, formData);
}
