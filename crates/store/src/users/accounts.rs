//! Accounts' secrets and the one way an account is added with a password someone chose: the
//! web's 系统管理员 page and `zhaoshang user add` both come here. Passwords are hashed with
//! argon2id; session ids, CSRF tokens and TOTP secrets come from the operating system's
//! random source.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::FieldError;
use domain::access::Role;
use domain::security::Policy;

use crate::{Result, StoreError, Tx};

/// Hashes a password with argon2id at the default cost (19 MiB, two passes).
pub fn hash_password(password: &str) -> Result<String> {
    hash_with(password, Params::default())
}

/// Hashes at a low cost, for tests and benchmarks, which sign in many times.
#[cfg(feature = "testing")]
pub fn hash_password_cheaply(password: &str) -> Result<String> {
    let params = Params::new(1024, 1, 1, None).map_err(|e| StoreError::Secret(e.to_string()))?;
    hash_with(password, params)
}

fn hash_with(password: &str, params: Params) -> Result<String> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Secret(e.to_string()))
}

/// Hashes a new password at the cost the account's present hash was made with, so that tests'
/// cheap hashes stay cheap and real ones stay real.
pub fn rehash_like(password: &str, present: &str) -> Result<String> {
    let params = PasswordHash::new(present)
        .ok()
        .and_then(|parsed| Params::try_from(&parsed).ok())
        .unwrap_or_default();
    hash_with(password, params)
}

/// Checks a password against a stored hash; the hash carries its own parameters.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Secret(e.to_string()))?;
    Ok(bytes)
}

/// A random temporary password the sign-in `policy` accepts for `username`: 16 characters of
/// upper and lower case letters, digits and signs, none easy to misread (0/O, 1/l/I), since it
/// is read off a screen and typed in once.
pub fn temporary_password(policy: &Policy, username: &str) -> Result<String> {
    const CLASSES: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnopqrstuvwxyz",
        b"23456789",
        b"#%+-=@",
    ];
    loop {
        let bytes = random_bytes::<32>()?;
        let password: String = (0..16)
            .map(|i| {
                // The first four positions take one of each class, the rest a letter or digit.
                let class = if i < 4 {
                    CLASSES[i]
                } else {
                    CLASSES[usize::from(bytes[i + 16]) % 3]
                };
                char::from(class[usize::from(bytes[i]) % class.len()])
            })
            .collect();
        if policy.check_password(username, &password).is_ok() {
            return Ok(password);
        }
    }
}

/// A random token as hex: session ids and CSRF tokens.
pub fn random_token() -> Result<String> {
    Ok(hex::encode(random_bytes::<32>()?))
}

/// An account an administrator adds, with the temporary password they chose.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    /// The unit of a 单位填报员 or 县区审核员.
    pub unit: Option<&'a str>,
    /// For a 市领导 account, the leader it speaks for.
    pub leader: Option<&'a str>,
    pub password: &'a str,
}

/// The form field a temporary password's refusal names.
pub const PASSWORD_FIELD: &str = "临时密码";

impl Tx {
    /// Adds `account`: its password checked against `policy` and hashed, and marked temporary,
    /// so that the first sign-in must replace it. Every refusal names its field; nothing is
    /// written unless all of it holds.
    pub async fn add_account(
        &mut self,
        account: &NewAccount<'_>,
        policy: &Policy,
        now: i64,
    ) -> Result<i64> {
        let hash = temporary_password_hash(policy, account.username, account.password)?;
        let display_name = if account.display_name.trim().is_empty() {
            account.username
        } else {
            account.display_name
        };
        let id = self
            .add_user(
                account.username,
                display_name,
                account.role,
                account.unit,
                &hash,
            )
            .await?;
        if account.leader.is_some() {
            self.link_leader(account.username.trim(), account.leader)
                .await?;
        }
        self.set_password(account.username.trim(), &hash, true, now)
            .await?;
        Ok(id)
    }

    /// Sets a temporary password an administrator chose (checked against `policy`): the
    /// account's sessions end and its next sign-in must replace it.
    pub async fn reset_password(
        &mut self,
        username: &str,
        password: &str,
        policy: &Policy,
        now: i64,
    ) -> Result<()> {
        let hash = temporary_password_hash(policy, username, password)?;
        self.set_password(username, &hash, true, now).await?;
        self.end_sessions_of(username).await.map(|_| ())
    }
}

fn temporary_password_hash(policy: &Policy, username: &str, password: &str) -> Result<String> {
    policy
        .check_password(username.trim(), password)
        .map_err(|e| FieldError::new(PASSWORD_FIELD, e.message))?;
    hash_password(password)
}
