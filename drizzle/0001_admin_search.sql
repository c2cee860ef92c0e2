ALTER TABLE "users" ADD COLUMN "name_words" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', full_name)) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "users_email_prefix_idx" ON "users" USING btree ("email" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "users_email_suffix_idx" ON "users" USING btree (reverse("email") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "users_username_prefix_idx" ON "users" USING btree (lower("username") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "users_name_words_idx" ON "users" USING gin ("name_words") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "users_last_login_idx" ON "users" USING btree ("last_login_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "users_state_unverified_idx" ON "users" USING btree ("created_at") WHERE "users"."rejected_at" is null and "users"."locked_at" is null and "users"."email_verified_at" is null;--> statement-breakpoint
CREATE INDEX "users_state_pending_idx" ON "users" USING btree ("created_at") WHERE "users"."rejected_at" is null and "users"."locked_at" is null and "users"."email_verified_at" is not null and "users"."approved_at" is null;--> statement-breakpoint
CREATE INDEX "users_state_locked_idx" ON "users" USING btree ("created_at") WHERE "users"."rejected_at" is null and "users"."locked_at" is not null;--> statement-breakpoint
CREATE INDEX "users_state_rejected_idx" ON "users" USING btree ("created_at") WHERE "users"."rejected_at" is not null;--> statement-breakpoint
CREATE INDEX "users_role_admin_idx" ON "users" USING btree ("created_at") WHERE "users"."role" = 'admin';