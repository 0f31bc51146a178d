//! Long work off the UI thread: the library is synchronous, so each job runs on a thread of
//! its own and reports back through a future (one result) or a stream (progress, then done).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use iced::futures::channel::{mpsc, oneshot};
use iced::futures::{Stream, StreamExt};

/// Runs `job` on a new thread; the future resolves with its result.
pub fn spawn<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> impl Future<Output = Option<T>> {
    let (sender, receiver) = oneshot::channel();
    let started = std::thread::Builder::new()
        .name("siegel-worker".into())
        .spawn(move || {
            let _ = sender.send(job());
        });
    async move {
        started.ok()?;
        receiver.await.ok()
    }
}

/// Runs `job` on a new thread; every event it sends arrives on the stream, which ends when the
/// job returns. `Cancel` lets the job stop between units of work.
pub fn stream<E: Send + 'static>(
    cancel: Cancel,
    job: impl FnOnce(&(dyn Fn(E) + Sync), &Cancel) + Send + 'static,
) -> impl Stream<Item = E> {
    let (sender, receiver) = mpsc::unbounded();
    let started = std::thread::Builder::new()
        .name("siegel-worker".into())
        .spawn(move || {
            let send = |event| {
                let _ = sender.unbounded_send(event);
            };
            job(&send, &cancel);
        });
    // If no thread could start, the stream is simply empty and the caller sees no progress;
    // the screens treat an ended stream without a final event as a failure.
    let _ = started;
    receiver.boxed()
}

/// A flag the UI sets to ask a job to stop at the next document boundary (work on one
/// document is never torn: outputs appear whole or not at all).
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
