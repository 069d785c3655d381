-- The sign-in controls of 等保2.0 三级 (issue 7; domain::security). Per account: when the
-- password was set (periodic change), whether the next sign-in must change it (an account or
-- password an administrator set), failures in a row and the lock they led to, and the TOTP
-- secret with the last step used (a code is taken once). Per session: the step of the sign-in
-- it has reached (only 'full' may do anything but finish signing in), when it was last used
-- (idle timeout), and, once ended, why (replaced by a newer sign-in, idle, signed out, ended
-- by the 安全管理员), so that the browser holding it is told.
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
UPDATE users SET password_changed_at = created_at;

ALTER TABLE sessions ADD COLUMN step TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN ended TEXT;
UPDATE sessions SET last_seen_at = created_at;
