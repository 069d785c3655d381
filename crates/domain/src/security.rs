//! The sign-in rules 等保2.0 三级 asks of an application (SPEC §6): the password policy and its
//! periodic change, lockout after repeated failures, the idle timeout, the steps a sign-in must
//! pass before a session is whole, and the second factor (TOTP, RFC 6238). Pure: times are
//! epoch milliseconds passed in.

use hmac::{KeyInit, Mac};

use crate::FieldError;
use crate::access::Role;

const DAY_MILLIS: i64 = 24 * 3600 * 1000;
const MINUTE_MILLIS: i64 = 60 * 1000;

/// What the 安全管理员 sets. Each value has bounds, so that no setting switches a control off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    /// Characters a password needs at least.
    pub min_length: u32,
    /// Of lower-case letters, upper-case letters, digits and other characters, how many kinds.
    pub min_classes: u32,
    /// Days a password lasts before it must be changed.
    pub max_age_days: u32,
    /// Failed sign-ins in a row that lock the account.
    pub lockout_after: u32,
    /// Minutes a locked account stays locked.
    pub lockout_minutes: u32,
    /// Minutes without a request after which a session ends.
    pub idle_minutes: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_length: 10,
            min_classes: 3,
            max_age_days: 90,
            lockout_after: 5,
            lockout_minutes: 15,
            idle_minutes: 30,
        }
    }
}

impl Policy {
    /// The bounds of each setting, with its field name: (field, least, most).
    pub const BOUNDS: [(&'static str, u32, u32); 6] = [
        ("密码最小长度", 8, 64),
        ("字符种类", 2, 4),
        ("密码有效期（天）", 7, 365),
        ("连续失败锁定次数", 3, 10),
        ("锁定时长（分钟）", 1, 1440),
        ("空闲超时（分钟）", 5, 240),
    ];

    /// A policy from the six values in the order of [`Policy::BOUNDS`], each checked.
    pub fn new(values: [u32; 6]) -> Result<Policy, Vec<FieldError>> {
        let errors: Vec<FieldError> = Self::BOUNDS
            .iter()
            .zip(values)
            .filter(|((_, least, most), v)| v < least || v > most)
            .map(|((field, least, most), _)| {
                FieldError::new(*field, format!("须在 {least} 到 {most} 之间"))
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let [
            min_length,
            min_classes,
            max_age_days,
            lockout_after,
            lockout_minutes,
            idle_minutes,
        ] = values;
        Ok(Policy {
            min_length,
            min_classes,
            max_age_days,
            lockout_after,
            lockout_minutes,
            idle_minutes,
        })
    }

    pub fn values(&self) -> [u32; 6] {
        [
            self.min_length,
            self.min_classes,
            self.max_age_days,
            self.lockout_after,
            self.lockout_minutes,
            self.idle_minutes,
        ]
    }

    /// Whether `password` may be set for `username`; the error names the field 新密码.
    pub fn check_password(&self, username: &str, password: &str) -> Result<(), FieldError> {
        const FIELD: &str = "新密码";
        let length = password.chars().count();
        if length < self.min_length as usize {
            return Err(FieldError::new(
                FIELD,
                format!("至少 {} 个字符（现有 {length} 个）", self.min_length),
            ));
        }
        if length > 128 {
            return Err(FieldError::new(FIELD, "不能超过 128 个字符"));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .into_iter()
        .filter(|&present| present)
        .count();
        if classes < self.min_classes as usize {
            return Err(FieldError::new(
                FIELD,
                format!(
                    "须包含小写字母、大写字母、数字、其他符号中的至少 {} 种（现有 {classes} 种）",
                    self.min_classes
                ),
            ));
        }
        if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(FieldError::new(FIELD, "不能包含用户名"));
        }
        Ok(())
    }

    /// Whether a password set at `changed_at` must be changed at `now`.
    pub fn password_expired(&self, changed_at: i64, now: i64) -> bool {
        now - changed_at >= i64::from(self.max_age_days) * DAY_MILLIS
    }

    /// After a failed sign-in that makes `failures` in a row: until when the account is locked,
    /// if this failure locks it.
    pub fn lock_after_failure(&self, failures: u32, now: i64) -> Option<i64> {
        (failures >= self.lockout_after)
            .then(|| now + i64::from(self.lockout_minutes) * MINUTE_MILLIS)
    }

    /// Whether a session last used at `last_seen` has been idle too long at `now`.
    pub fn idle_expired(&self, last_seen: i64, now: i64) -> bool {
        now - last_seen >= i64::from(self.idle_minutes) * MINUTE_MILLIS
    }
}

/// A step a sign-in must still pass before its session may do anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInStep {
    /// The TOTP code of an account that has one.
    SecondFactor,
    /// A new password: the first sign-in with one an administrator set, or an expired one.
    ChangePassword,
    /// An administrator's account without a second factor enrols one.
    EnrolSecondFactor,
    /// Nothing left: the session is whole.
    Done,
}

impl SignInStep {
    pub fn code(self) -> &'static str {
        match self {
            SignInStep::SecondFactor => "totp",
            SignInStep::ChangePassword => "password",
            SignInStep::EnrolSecondFactor => "enrol",
            SignInStep::Done => "full",
        }
    }

    pub fn from_code(code: &str) -> Option<SignInStep> {
        [
            SignInStep::SecondFactor,
            SignInStep::ChangePassword,
            SignInStep::EnrolSecondFactor,
            SignInStep::Done,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// Where an account stands at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub has_second_factor: bool,
    pub second_factor_passed: bool,
    pub must_change_password: bool,
    pub password_expired: bool,
}

/// The next step of a sign-in: the code first (a stolen password alone reaches nothing), then
/// the password change, then an administrator's enrolment.
pub fn next_step(s: Standing) -> SignInStep {
    if s.has_second_factor && !s.second_factor_passed {
        SignInStep::SecondFactor
    } else if s.must_change_password || s.password_expired {
        SignInStep::ChangePassword
    } else if s.role.needs_second_factor() && !s.has_second_factor {
        SignInStep::EnrolSecondFactor
    } else {
        SignInStep::Done
    }
}

/// TOTP as RFC 6238 with its defaults: HMAC-SHA-1, 30-second steps, six digits.
pub mod totp {
    use super::*;

    pub const STEP_SECONDS: i64 = 30;
    /// A secret's length in bytes (RFC 4226 recommends 160 bits).
    pub const SECRET_BYTES: usize = 20;

    /// The HOTP value (RFC 4226) of `counter`, as `digits` decimal digits.
    pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
        let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret) else {
            // HMAC takes a key of any length.
            return 0;
        };
        mac.update(&counter.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[19] & 0x0f);
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        binary % 10u32.pow(digits)
    }

    /// The step a time falls in.
    pub fn step_at(now_millis: i64) -> i64 {
        now_millis.div_euclid(1000).div_euclid(STEP_SECONDS)
    }

    /// The six-digit code of a step, as typed (leading zeros kept).
    pub fn code(secret: &[u8], step: i64) -> String {
        format!("{:06}", hotp(secret, step.max(0) as u64, 6))
    }

    /// The step a typed code matches: the current one or one either side (clocks drift), and
    /// only a step after the last one used, so that a code seen over a shoulder cannot be used
    /// again.
    pub fn accept(
        secret: &[u8],
        typed: &str,
        now_millis: i64,
        last_used: Option<i64>,
    ) -> Option<i64> {
        let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.len() != 6 || !typed.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let now = step_at(now_millis);
        [now - 1, now, now + 1]
            .into_iter()
            .filter(|&step| last_used.is_none_or(|last| step > last))
            .find(|&step| code(secret, step) == typed)
    }

    /// RFC 4648 base32 without padding, as authenticator apps take a secret.
    pub fn base32(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
        let mut buffer = 0u32;
        let mut bits = 0;
        for &byte in bytes {
            buffer = (buffer << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
        }
        out
    }

    /// The `otpauth://` address an authenticator app reads from the QR code.
    pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
        fn escape(text: &str) -> String {
            text.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect()
        }
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
            escape(issuer),
            escape(account),
            base32(secret),
            escape(issuer)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_policy_names_what_is_missing() {
        let policy = Policy::default();
        assert!(policy.check_password("jixian", "Zhaoshang#2022").is_ok());
        let short = policy.check_password("jixian", "Ab1#").unwrap_err();
        assert_eq!(short.field, "新密码");
        assert!(
            short.message.contains("至少 10 个字符（现有 4 个）"),
            "{short}"
        );
        let plain = policy
            .check_password("jixian", "zhaoshangzhaoshang")
            .unwrap_err();
        assert!(plain.message.contains("至少 3 种（现有 1 种）"), "{plain}");
        let named = policy
            .check_password("jixian", "JiXian#2022abc")
            .unwrap_err();
        assert!(named.message.contains("用户名"), "{named}");
        // Chinese characters count as characters and as the "other" kind.
        assert!(policy.check_password("jixian", "招商引资Ab12345").is_ok());
    }

    #[test]
    fn no_setting_switches_a_control_off() {
        assert!(Policy::new(Policy::default().values()).is_ok());
        let errors = Policy::new([4, 1, 0, 100, 0, 10_000]).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, Policy::BOUNDS.map(|(f, _, _)| f).to_vec());
        assert!(errors[0].message.contains("8 到 64"));
    }

    #[test]
    fn lockout_expiry_and_idle_follow_the_policy() {
        let policy = Policy::default();
        let now = 1_700_000_000_000;
        assert_eq!(policy.lock_after_failure(4, now), None);
        assert_eq!(policy.lock_after_failure(5, now), Some(now + 15 * 60_000));
        assert!(!policy.password_expired(now - 89 * DAY_MILLIS, now));
        assert!(policy.password_expired(now - 90 * DAY_MILLIS, now));
        assert!(!policy.idle_expired(now - 29 * 60_000, now));
        assert!(policy.idle_expired(now - 30 * 60_000, now));
    }

    #[test]
    fn a_sign_in_passes_the_code_then_the_password_then_enrolment() {
        let admin = Standing {
            role: Role::SysAdmin,
            has_second_factor: false,
            second_factor_passed: false,
            must_change_password: true,
            password_expired: false,
        };
        assert_eq!(next_step(admin), SignInStep::ChangePassword);
        let changed = Standing {
            must_change_password: false,
            ..admin
        };
        assert_eq!(next_step(changed), SignInStep::EnrolSecondFactor);
        let enrolled = Standing {
            has_second_factor: true,
            ..changed
        };
        assert_eq!(next_step(enrolled), SignInStep::SecondFactor);
        assert_eq!(
            next_step(Standing {
                second_factor_passed: true,
                password_expired: true,
                ..enrolled
            }),
            SignInStep::ChangePassword
        );
        let staff = Standing {
            role: Role::UnitStaff,
            ..changed
        };
        assert_eq!(next_step(staff), SignInStep::Done);
        for step in [
            SignInStep::SecondFactor,
            SignInStep::ChangePassword,
            SignInStep::EnrolSecondFactor,
            SignInStep::Done,
        ] {
            assert_eq!(SignInStep::from_code(step.code()), Some(step));
        }
    }

    #[test]
    fn totp_matches_the_test_vectors_of_rfc_6238() {
        // RFC 6238 appendix B, SHA-1: the 20-byte ASCII secret, eight digits.
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59i64, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            let step = totp::step_at(time * 1000);
            assert_eq!(totp::hotp(secret, step as u64, 8), expected, "T = {time}");
            assert_eq!(
                totp::code(secret, step),
                format!("{:06}", expected % 1_000_000)
            );
        }
    }

    #[test]
    fn a_code_is_taken_once_within_a_step_either_side() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_109_000;
        let step = totp::step_at(now);
        let code = totp::code(secret, step);
        assert_eq!(totp::accept(secret, &code, now, None), Some(step));
        assert_eq!(
            totp::accept(
                secret,
                &format!(" {} {} ", &code[..3], &code[3..]),
                now,
                None
            ),
            Some(step)
        );
        assert_eq!(
            totp::accept(secret, &code, now, Some(step)),
            None,
            "replayed"
        );
        let previous = totp::code(secret, step - 1);
        assert_eq!(totp::accept(secret, &previous, now, None), Some(step - 1));
        let stale = totp::code(secret, step - 2);
        assert_eq!(totp::accept(secret, &stale, now, None), None);
        assert_eq!(totp::accept(secret, "12345", now, None), None);
        assert_eq!(totp::accept(secret, "abcdef", now, None), None);
    }

    #[test]
    fn secrets_are_written_as_authenticator_apps_read_them() {
        // RFC 4648's test vectors.
        assert_eq!(totp::base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(totp::base32(b"f"), "MY");
        assert_eq!(
            totp::base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(
            totp::otpauth_uri("招商", "bureau", b"12345678901234567890"),
            "otpauth://totp/%E6%8B%9B%E5%95%86:bureau?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E6%8B%9B%E5%95%86&algorithm=SHA1&digits=6&period=30"
        );
    }
}
