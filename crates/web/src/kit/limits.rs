//! Counting requests per key (a token, a client address) in one-minute windows, in this
//! process's memory: enough for one server, which is what a city runs. The map is bounded: when
//! it grows past `MAX_KEYS`, windows that have ended are dropped, and if every key is still
//! live the oldest windows go, so a flood of fresh addresses costs memory once, not forever.

use std::collections::HashMap;
use std::sync::Mutex;

const WINDOW_MILLIS: i64 = 60_000;
const MAX_KEYS: usize = 50_000;

#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl Limiter {
    /// Counts one request of `key` at `now`; false when it is past `per_minute` in its window.
    pub fn allow(&self, key: &str, per_minute: u32, now: i64) -> bool {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() >= MAX_KEYS && !windows.contains_key(key) {
            windows.retain(|_, (start, _)| now - *start < WINDOW_MILLIS);
            if windows.len() >= MAX_KEYS {
                let mut starts: Vec<i64> = windows.values().map(|(start, _)| *start).collect();
                starts.sort_unstable();
                let cut = starts[starts.len() / 2];
                windows.retain(|_, (start, _)| *start > cut);
            }
        }
        let window = windows.entry(key.to_owned()).or_insert((now, 0));
        if now - window.0 >= WINDOW_MILLIS {
            *window = (now, 0);
        }
        window.1 = window.1.saturating_add(1);
        window.1 <= per_minute
    }

    /// How many requests `key` has made in its present window, without counting one.
    pub fn count(&self, key: &str, now: i64) -> u32 {
        let windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        windows
            .get(key)
            .filter(|(start, _)| now - start < WINDOW_MILLIS)
            .map_or(0, |(_, count)| *count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_past_its_limit_until_its_window_ends() {
        let limiter = Limiter::default();
        assert!((0..3).all(|_| limiter.allow("a", 3, 1_000)));
        assert!(!limiter.allow("a", 3, 2_000));
        assert!(
            limiter.allow("b", 3, 2_000),
            "another key has its own count"
        );
        assert!(limiter.allow("a", 3, 61_000));
        assert_eq!(limiter.count("a", 61_500), 1);
    }

    #[test]
    fn a_flood_of_keys_stays_bounded() {
        let limiter = Limiter::default();
        for i in 0..(MAX_KEYS + 10) {
            limiter.allow(&i.to_string(), 5, i as i64);
        }
        let size = limiter
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len();
        assert!(size <= MAX_KEYS);
    }
}
