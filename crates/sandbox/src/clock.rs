//! The sandbox's one source of cluster time.
//!
//! Everything in the simulated cluster that reads or waits for time goes through a [`Clock`]:
//! object timestamps (creationTimestamp, deletionTimestamp, condition and event times), ages in
//! server-side tables, and every controller timer (kubelet start delay and termination grace,
//! node heartbeats and lease renewals, minReadySeconds, Job back-off and deadlines, CronJob
//! schedules). The clock lives in the [`Store`](super::store::Store), which every handler and
//! controller already holds.
//!
//! A real clock (the default, what `kubectl-rs sandbox` runs) is the wall clock. A manual clock
//! stands still until [`Clock::advance`] moves it; every task waiting in
//! [`Clock::sleep_until`] for a time that advance reaches is woken at once, so a test advances
//! time instead of sleeping, and whatever was due runs.
//!
//! Only cluster time goes through the clock. Transport timeouts (TLS handshakes, a watch's
//! `timeoutSeconds`) and the few milliseconds a controller lets a burst of changes settle stay in
//! real time: they model the network and the process, not the cluster.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// Cluster time, real or manual. Cloning shares the same clock.
#[derive(Clone)]
pub struct Clock(Arc<Kind>);

enum Kind {
    Real,
    Manual(Manual),
}

struct Manual {
    /// The current time; the lock also orders concurrent `advance` calls.
    now: Mutex<DateTime<Utc>>,
    /// Publishes every new time to the tasks waiting in `sleep_until`.
    tick: watch::Sender<DateTime<Utc>>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::real()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            Kind::Real => f.write_str("Clock::Real"),
            Kind::Manual(_) => write!(f, "Clock::Manual({})", self.now().to_rfc3339()),
        }
    }
}

impl Clock {
    /// The wall clock.
    pub fn real() -> Clock {
        Clock(Arc::new(Kind::Real))
    }

    /// A clock that shows `start` until it is advanced.
    pub fn manual(start: DateTime<Utc>) -> Clock {
        let (tick, _) = watch::channel(start);
        Clock(Arc::new(Kind::Manual(Manual {
            now: Mutex::new(start),
            tick,
        })))
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        matches!(&*self.0, Kind::Manual(_))
    }

    /// The current cluster time.
    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            Kind::Real => Utc::now(),
            Kind::Manual(m) => *m.now.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Now, as the API server writes timestamps (RFC 3339, seconds, UTC).
    pub fn rfc3339(&self) -> String {
        self.now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// Now with microseconds, as `MicroTime` fields (eventTime, lease renewTime) are written.
    pub fn micro(&self) -> String {
        self.now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }

    /// Moves a manual clock forward by `by` and wakes every task whose wait ends by then.
    /// Returns the new time. On a real clock this does nothing (time moves by itself).
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        match &*self.0 {
            Kind::Real => Utc::now(),
            Kind::Manual(m) => {
                let mut now = m.now.lock().unwrap_or_else(|e| e.into_inner());
                let step = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
                *now = now
                    .checked_add_signed(step)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC);
                // Published under the lock, so that waiters see times in order.
                m.tick.send_replace(*now);
                *now
            }
        }
    }

    /// Waits until the clock shows `at` or later (returns at once when it already does).
    pub async fn sleep_until(&self, at: DateTime<Utc>) {
        match &*self.0 {
            Kind::Real => loop {
                match (at - Utc::now()).to_std() {
                    Ok(wait) if !wait.is_zero() => tokio::time::sleep(wait).await,
                    _ => return,
                }
            },
            Kind::Manual(m) => {
                let mut rx = m.tick.subscribe();
                loop {
                    if *rx.borrow_and_update() >= at {
                        return;
                    }
                    if rx.changed().await.is_err() {
                        // The clock is gone with its sender; time stands still for ever.
                        std::future::pending::<()>().await;
                    }
                }
            }
        }
    }

    /// Waits for `d` of cluster time.
    pub async fn sleep(&self, d: Duration) {
        let at = self.now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        self.sleep_until(at).await
    }

    /// The cluster time `d` from now.
    pub fn after(&self, d: Duration) -> DateTime<Utc> {
        self.now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
    }
}

/// A timer that fires every `period` of cluster time (the first tick at once, like
/// `tokio::time::interval`); missed ticks are skipped rather than replayed.
pub struct Ticker {
    clock: Clock,
    period: Duration,
    next: DateTime<Utc>,
}

impl Ticker {
    pub fn new(clock: &Clock, period: Duration) -> Ticker {
        Ticker {
            clock: clock.clone(),
            period,
            next: clock.now(),
        }
    }

    /// Waits for the next tick.
    pub async fn tick(&mut self) {
        self.clock.sleep_until(self.next).await;
        let now = self.clock.now();
        let period = chrono::Duration::from_std(self.period).unwrap_or(chrono::Duration::MAX);
        self.next += period;
        if self.next <= now {
            self.next = now + period;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn manual_clock_stands_still_until_advanced() {
        let c = Clock::manual(t0());
        assert_eq!(c.now(), t0());
        assert_eq!(c.rfc3339(), "2026-01-02T03:04:05Z");
        assert_eq!(c.micro(), "2026-01-02T03:04:05.000000Z");
        c.advance(Duration::from_millis(1500));
        assert_eq!(c.micro(), "2026-01-02T03:04:06.500000Z");
        // Clones share the time.
        assert_eq!(c.clone().now(), c.now());
        assert!(c.is_manual() && !Clock::real().is_manual());
    }

    #[tokio::test]
    async fn advance_wakes_exactly_the_waits_that_are_due() {
        let c = Clock::manual(t0());
        let short = tokio::spawn({
            let c = c.clone();
            async move { c.sleep(Duration::from_secs(5)).await }
        });
        let long = tokio::spawn({
            let c = c.clone();
            async move { c.sleep(Duration::from_secs(60)).await }
        });
        tokio::task::yield_now().await;
        c.advance(Duration::from_secs(4));
        tokio::task::yield_now().await;
        assert!(!short.is_finished());
        c.advance(Duration::from_secs(1));
        short.await.unwrap();
        assert!(!long.is_finished());
        c.advance(Duration::from_secs(55));
        long.await.unwrap();
        // A time already reached returns at once.
        c.sleep_until(t0()).await;
    }

    #[tokio::test]
    async fn ticker_ticks_once_per_period_and_skips_missed_ticks() {
        let c = Clock::manual(t0());
        let mut t = Ticker::new(&c, Duration::from_secs(10));
        t.tick().await; // immediately
        let second = tokio::spawn(async move {
            t.tick().await;
            t
        });
        tokio::task::yield_now().await;
        assert!(!second.is_finished());
        c.advance(Duration::from_secs(35));
        let mut t = second.await.unwrap();
        // 30 s of missed ticks are not replayed: the next is one period after now.
        let third = tokio::spawn(async move { t.tick().await });
        tokio::task::yield_now().await;
        assert!(!third.is_finished());
        c.advance(Duration::from_secs(10));
        third.await.unwrap();
    }
}
