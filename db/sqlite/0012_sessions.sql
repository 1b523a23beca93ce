-- Server-side sign-in sessions: the cookie carries only the session's id (claim "sid"), and every
-- request and open page checks that the row is still there and not ended, so a sign-out is refused
-- at once by every instance sharing this database, not when the cookie's claims are next re-checked.
CREATE TABLE sessions (
    id          TEXT NOT NULL PRIMARY KEY,
    user_id     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    ended_at    INTEGER NULL
);
CREATE INDEX ix_sessions_user ON sessions (user_id);
