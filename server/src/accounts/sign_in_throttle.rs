//! Failed sign-ins, counted per account and per source address, so a password cannot be
//! guessed at or flooded: after `FAILURES_ALLOWED` failures within `WINDOW` the key is locked
//! out, for a minute the first time and twice as long each time after (up to `LONGEST_LOCK`).
//!
//! Only failures count and the lock grows, which is why this is not a request-rate limiter
//! such as `governor`: those count every request alike and never lengthen the wait.
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per key within `WINDOW`; the next attempt is refused.
pub const FAILURES_ALLOWED: usize = 5;

/// How far back failures are counted.
pub const WINDOW: Duration = Duration::from_secs(60);

/// The first lockout; each further one doubles.
const FIRST_LOCK: Duration = Duration::from_secs(60);

/// The longest lockout.
const LONGEST_LOCK: Duration = Duration::from_secs(3600);

/// Keys beyond this many make the throttle forget those with nothing left to remember, so a
/// flood of made-up names cannot grow it without end.
const PRUNE_ABOVE: usize = 10_000;

/// What one throttle key (an account or an address) is remembered by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Debug, Default)]
struct Attempts {
    failures: VecDeque<Instant>,
    lockouts: u32,
    locked_until: Option<Instant>,
}

impl Attempts {
    fn locked_for(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .and_then(|until| until.checked_duration_since(now))
            .filter(|left| !left.is_zero())
    }

    fn forget_before(&mut self, now: Instant) {
        while self
            .failures
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= WINDOW)
        {
            self.failures.pop_front();
        }
    }

    fn fail(&mut self, now: Instant) {
        self.forget_before(now);
        self.failures.push_back(now);
        if self.failures.len() >= FAILURES_ALLOWED {
            let lock = FIRST_LOCK
                .saturating_mul(2u32.saturating_pow(self.lockouts))
                .min(LONGEST_LOCK);
            self.lockouts = self.lockouts.saturating_add(1);
            self.locked_until = Some(now + lock);
            self.failures.clear();
        }
    }

    /// Nothing left that could lock anyone out: no recent failure, no running lock. The
    /// lockout count is kept while failures are recent, so the back-off keeps growing.
    fn spent(&self, now: Instant) -> bool {
        self.locked_for(now).is_none()
            && self
                .failures
                .back()
                .is_none_or(|at| now.saturating_duration_since(*at) >= WINDOW)
            && self
                .locked_until
                .is_none_or(|until| now.saturating_duration_since(until) >= LONGEST_LOCK)
    }
}

/// Failed sign-ins of every account and address, as of the moments given to it.
#[derive(Debug, Default)]
pub struct SignInThrottle {
    attempts: HashMap<Key, Attempts>,
}

fn keys(username: &str, source: Option<IpAddr>) -> Vec<Key> {
    let mut keys = vec![Key::Account(username.trim().to_lowercase())];
    keys.extend(source.map(Key::Address));
    keys
}

impl SignInThrottle {
    /// How long `username` from `source` must still wait before trying again, if at all.
    pub fn wait(&self, username: &str, source: Option<IpAddr>, now: Instant) -> Option<Duration> {
        keys(username, source)
            .iter()
            .filter_map(|key| self.attempts.get(key)?.locked_for(now))
            .max()
    }

    /// Counts a wrong password (or unknown name) for the account and the address.
    pub fn failed(&mut self, username: &str, source: Option<IpAddr>, now: Instant) {
        if self.attempts.len() > PRUNE_ABOVE {
            self.attempts.retain(|_, attempts| !attempts.spent(now));
        }
        for key in keys(username, source) {
            self.attempts.entry(key).or_default().fail(now);
        }
    }

    /// Forgets the account's failures after a right password. The address keeps its own:
    /// one account an attacker owns must not wash away their guesses at others.
    pub fn succeeded(&mut self, username: &str) {
        self.attempts
            .remove(&Key::Account(username.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));
    const AWAY: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2)));

    #[test]
    fn the_sixth_try_within_a_minute_waits_and_the_wait_grows() {
        let mut throttle = SignInThrottle::default();
        let start = Instant::now();
        for n in 0..FAILURES_ALLOWED as u64 {
            let at = start + Duration::from_secs(n);
            assert_eq!(throttle.wait("ann", HOME, at), None, "try {n}");
            throttle.failed("ann", HOME, at);
        }
        let now = start + Duration::from_secs(5);
        let first = throttle
            .wait("Ann ", AWAY, now)
            .expect("the account is locked");
        assert!(first > Duration::from_secs(50) && first <= FIRST_LOCK);

        let later = now + first;
        assert_eq!(throttle.wait("ann", HOME, later), None);
        for _ in 0..FAILURES_ALLOWED {
            throttle.failed("ann", AWAY, later);
        }
        let second = throttle.wait("ann", None, later).expect("locked again");
        assert_eq!(second, FIRST_LOCK * 2);
    }

    #[test]
    fn one_address_guessing_at_many_accounts_is_locked_out() {
        let mut throttle = SignInThrottle::default();
        let now = Instant::now();
        for n in 0..FAILURES_ALLOWED {
            throttle.failed(&format!("user{n}"), HOME, now);
        }
        assert!(throttle.wait("someone-else", HOME, now).is_some());
        assert_eq!(throttle.wait("someone-else", AWAY, now), None);
    }

    #[test]
    fn a_right_password_clears_the_account_but_not_the_address() {
        let mut throttle = SignInThrottle::default();
        let now = Instant::now();
        for _ in 0..FAILURES_ALLOWED - 1 {
            throttle.failed("ann", HOME, now);
        }
        throttle.succeeded("ann");
        throttle.failed("ann", AWAY, now);
        assert_eq!(throttle.wait("ann", AWAY, now), None);
        throttle.failed("bob", HOME, now);
        assert!(throttle.wait("carol", HOME, now).is_some());
    }

    proptest! {
        #[test]
        fn failures_spread_wider_than_the_window_never_lock(gaps in proptest::collection::vec(15u64..120, 1..40)) {
            // At most four failures fit in any minute when each is 15 s or more after the last.
            let mut throttle = SignInThrottle::default();
            let mut now = Instant::now();
            for gap in gaps {
                now += Duration::from_secs(gap);
                prop_assert_eq!(throttle.wait("ann", HOME, now), None);
                throttle.failed("ann", HOME, now);
            }
        }
    }
}
