ALTER TYPE "public"."token_purpose" ADD VALUE 'invite';--> statement-breakpoint
-- require_approval becomes signup_mode (decision 030): an install that had turned approval off keeps
-- open sign-up; one that had it on, or never set it, keeps the default, approval.
INSERT INTO "settings" ("key", "value", "updated_at", "updated_by")
SELECT 'signup_mode', CASE WHEN "value" = 'false'::jsonb THEN '"open"'::jsonb ELSE '"approval"'::jsonb END, "updated_at", "updated_by"
FROM "settings" WHERE "key" = 'require_approval'
ON CONFLICT ("key") DO NOTHING;--> statement-breakpoint
DELETE FROM "settings" WHERE "key" = 'require_approval';
