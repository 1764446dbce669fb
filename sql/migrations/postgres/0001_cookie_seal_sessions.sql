-- cookie-seal-sql: the PostgreSQL schema, version 1 (PostgresStore::migrate runs exactly this).
-- Idempotent: running it again changes nothing. Apps with their own migration tool copy it.
--
-- A row past its expires_at is dead whether or not it has been deleted: every read filters
-- on it, and PostgresStore::delete_expired removes such rows in small batches.

-- One row per session. `id` is SHA-256 of the session ID, never the ID itself, so a copy of
-- the table holds no cookie that works.
CREATE TABLE IF NOT EXISTS cookie_seal_sessions (
    id         bytea  PRIMARY KEY,
    meta       bytea  NOT NULL,   -- the core's metadata blob (creation time, generation, ...)
    user_id    bytea,             -- the user the session is bound to (revoke_user), UTF-8
    expires_at bigint NOT NULL    -- Unix milliseconds, by the database's clock
);
CREATE INDEX IF NOT EXISTS cookie_seal_sessions_expires_at
    ON cookie_seal_sessions (expires_at);
CREATE INDEX IF NOT EXISTS cookie_seal_sessions_user_id
    ON cookie_seal_sessions (user_id) WHERE user_id IS NOT NULL;

-- One row per key of a session: concurrent requests that change different keys touch
-- different rows, and a session's row lock orders those that change the same key.
CREATE TABLE IF NOT EXISTS cookie_seal_session_values (
    session_id bytea NOT NULL REFERENCES cookie_seal_sessions (id) ON DELETE CASCADE,
    key        bytea NOT NULL,    -- UTF-8; bytea, as a key may hold NUL (the core's own keys do)
    value      bytea NOT NULL,    -- the value's self-describing bytes, as the core wrote them
    PRIMARY KEY (session_id, key)
);

-- "Log out everywhere": when each user was last revoked, kept for the revocation window.
CREATE TABLE IF NOT EXISTS cookie_seal_revocations (
    user_id    bytea  PRIMARY KEY,  -- UTF-8
    revoked_at bigint NOT NULL,   -- Unix seconds, by the app's clock
    forget_at  bigint NOT NULL    -- Unix milliseconds
);
CREATE INDEX IF NOT EXISTS cookie_seal_revocations_forget_at
    ON cookie_seal_revocations (forget_at);
