//! The local terminal of an interactive session (`exec -t`, `attach -t`, `run -t`,
//! `debug -t`), as kubectl's `pkg/util/term` handles it: raw mode while the session runs,
//! restored on every way out (the guard is dropped on return, on an error and on a panic's
//! unwinding), and the terminal's size sent at the start and at each change for the resize
//! channel.
//!
//! Raw mode and the size come from crossterm, so that the same code works on Linux, macOS
//! and Windows. Size changes are SIGWINCH on Unix; elsewhere (no such signal) the size is
//! polled, as kubectl's Windows `monitorResizeEvents` does.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::error::CliError;

/// The terminal in raw mode until this is dropped.
pub struct RawMode(());

impl RawMode {
    /// Puts the terminal in raw mode (input unbuffered and not echoed, no signals from
    /// Ctrl-C: every key goes to the remote terminal).
    pub fn enable() -> Result<RawMode, CliError> {
        crossterm::terminal::enable_raw_mode()
            .map_err(|e| CliError::msg(format!("unable to set the terminal to raw mode: {e}")))?;
        Ok(RawMode(()))
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// The terminal's size (width, height), if it has one.
pub fn size() -> Option<(u16, u16)> {
    crossterm::terminal::size()
        .ok()
        .filter(|(w, h)| *w > 0 && *h > 0)
}

/// The size now, then each new size, until the receiver is dropped.
pub fn resize_events() -> UnboundedReceiver<(u16, u16)> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut last = size();
    if let Some(s) = last {
        let _ = tx.send(s);
    }
    tokio::spawn(async move {
        let mut changes = Changes::new();
        while changes.next().await {
            let now = size();
            if now.is_some() && now != last {
                last = now;
                if let Some(s) = now {
                    if tx.send(s).is_err() {
                        return;
                    }
                }
            }
            if tx.is_closed() {
                return;
            }
        }
    });
    rx
}

/// When to look at the size again.
#[cfg(unix)]
struct Changes(Option<tokio::signal::unix::Signal>, tokio::time::Interval);

#[cfg(unix)]
impl Changes {
    fn new() -> Changes {
        let sig =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok();
        Changes(sig, poll_interval())
    }

    /// SIGWINCH; without a handler (it could not be installed), polling.
    async fn next(&mut self) -> bool {
        match &mut self.0 {
            Some(sig) => sig.recv().await.is_some(),
            None => {
                self.1.tick().await;
                true
            }
        }
    }
}

#[cfg(not(unix))]
struct Changes(tokio::time::Interval);

#[cfg(not(unix))]
impl Changes {
    fn new() -> Changes {
        Changes(poll_interval())
    }

    async fn next(&mut self) -> bool {
        self.0.tick().await;
        true
    }
}

fn poll_interval() -> tokio::time::Interval {
    let mut i = tokio::time::interval(Duration::from_millis(250));
    i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    i
}
