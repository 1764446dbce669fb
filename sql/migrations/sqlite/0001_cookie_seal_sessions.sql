-- cookie-seal-sql: the SQLite schema, version 1 (SqliteStore::migrate runs exactly this).
-- Idempotent: running it again changes nothing. Apps with their own migration tool copy it.
-- The store opens its connections in WAL mode. It deletes a session's values with the session,
-- in the same transaction: no foreign key, because SQLite's cascade made batch deletes of
-- 1,000 sessions ~30 times slower.
--
-- A row past its expires_at is dead whether or not it has been deleted: every read filters
-- on it, and SqliteStore::delete_expired removes such rows in small batches (by rowid).

-- One row per session. `id` is SHA-256 of the session ID, never the ID itself.
CREATE TABLE IF NOT EXISTS cookie_seal_sessions (
    id         BLOB    NOT NULL PRIMARY KEY,
    meta       BLOB    NOT NULL,
    user_id    BLOB,              -- UTF-8 bytes
    expires_at INTEGER NOT NULL   -- Unix milliseconds
);
CREATE INDEX IF NOT EXISTS cookie_seal_sessions_expires_at
    ON cookie_seal_sessions (expires_at);
CREATE INDEX IF NOT EXISTS cookie_seal_sessions_user_id
    ON cookie_seal_sessions (user_id) WHERE user_id IS NOT NULL;

-- One row per key of a session (session_id = cookie_seal_sessions.id).
CREATE TABLE IF NOT EXISTS cookie_seal_session_values (
    session_id BLOB NOT NULL,
    key        BLOB NOT NULL,     -- UTF-8 bytes (a key may hold NUL)
    value      BLOB NOT NULL,
    PRIMARY KEY (session_id, key)
) WITHOUT ROWID;

-- When each user was last revoked, kept for the revocation window.
CREATE TABLE IF NOT EXISTS cookie_seal_revocations (
    user_id    BLOB    NOT NULL PRIMARY KEY,
    revoked_at INTEGER NOT NULL,  -- Unix seconds
    forget_at  INTEGER NOT NULL   -- Unix milliseconds
);
CREATE INDEX IF NOT EXISTS cookie_seal_revocations_forget_at
    ON cookie_seal_revocations (forget_at);
