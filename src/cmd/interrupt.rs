//! Termination signals, as kubectl's `util/interrupt` watches them.

/// Resolves on the first SIGHUP, SIGINT, SIGTERM or SIGQUIT (Ctrl-C elsewhere). Until this is
/// first polled the signals keep their default action.
pub async fn termination_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let kinds = [
            SignalKind::hangup(),
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::quit(),
        ];
        let mut streams: Vec<_> = kinds.into_iter().filter_map(|k| signal(k).ok()).collect();
        if streams.is_empty() {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
        let any = streams.iter_mut().map(|s| Box::pin(s.recv()));
        futures_util::future::select_all(any).await;
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
