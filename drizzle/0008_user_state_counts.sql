CREATE TABLE "user_state_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"delta" bigint NOT NULL
);
--> statement-breakpoint
-- Accounts by state for the admin overview without counting the users table (docs/decisions/033).
-- The one definition of a state in SQL; it must say what lib/account-state.ts accountState says.
CREATE FUNCTION "user_account_state"(rejected_at timestamptz, locked_at timestamptz, email_verified_at timestamptz, approved_at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN rejected_at IS NOT NULL THEN 'rejected'
    WHEN locked_at IS NOT NULL THEN 'locked'
    WHEN email_verified_at IS NULL THEN 'unverified'
    WHEN approved_at IS NULL THEN 'pending'
    ELSE 'active'
  END
$$;
--> statement-breakpoint
-- Inserts and deletes are counted once per statement, so a bulk import or a sweep adds one row per state.
CREATE FUNCTION "user_state_changes_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO user_state_changes (state, delta)
    SELECT user_account_state(rejected_at, locked_at, email_verified_at, approved_at), count(*)
    FROM inserted GROUP BY 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "user_state_changes_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO user_state_changes (state, delta)
    SELECT user_account_state(rejected_at, locked_at, email_verified_at, approved_at), -count(*)
    FROM deleted GROUP BY 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "user_state_changes_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO user_state_changes (state, delta) VALUES
    (user_account_state(OLD.rejected_at, OLD.locked_at, OLD.email_verified_at, OLD.approved_at), -1),
    (user_account_state(NEW.rejected_at, NEW.locked_at, NEW.email_verified_at, NEW.approved_at), 1);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "user_state_changes_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM user_state_changes;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "users_state_count_insert" AFTER INSERT ON "users"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION user_state_changes_inserted();
--> statement-breakpoint
CREATE TRIGGER "users_state_count_delete" AFTER DELETE ON "users"
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION user_state_changes_deleted();
--> statement-breakpoint
-- Only an update that moves an account to another state writes a row: a sign-in's last_login_at does not.
CREATE TRIGGER "users_state_count_update" AFTER UPDATE OF rejected_at, locked_at, email_verified_at, approved_at ON "users"
  FOR EACH ROW
  WHEN (user_account_state(OLD.rejected_at, OLD.locked_at, OLD.email_verified_at, OLD.approved_at)
        IS DISTINCT FROM user_account_state(NEW.rejected_at, NEW.locked_at, NEW.email_verified_at, NEW.approved_at))
  EXECUTE FUNCTION user_state_changes_updated();
--> statement-breakpoint
CREATE TRIGGER "users_state_count_truncate" AFTER TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION user_state_changes_truncated();
--> statement-breakpoint
INSERT INTO "user_state_changes" ("state", "delta")
  SELECT user_account_state(rejected_at, locked_at, email_verified_at, approved_at), count(*) FROM "users" GROUP BY 1;
