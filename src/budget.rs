//! What one document may cost: a deadline and a cap on the bytes decompressed while reading
//! it. Every phase of a validation (parsing, signature discovery, hashing, CMS, paths,
//! comparison of revisions, rendering) draws on the same budget, so a hostile file ends in a
//! verdict that says so instead of holding up a batch or exhausting memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Time any document gets, however small.
pub const BASE_TIME: Duration = Duration::from_secs(20);
/// Extra time per started 64 MiB of file: hashing and reading a large honest file takes longer
/// than any structure a small hostile one can pack.
pub const TIME_PER_64_MIB: Duration = Duration::from_secs(2);
/// Bytes all decompression of one document may produce in total (cross-reference streams,
/// object streams, validation data, rendered content). Decoded data is released again; this
/// bounds the work, the caches bound what is held at once.
pub const MAX_INFLATED: u64 = 2 * 1024 * 1024 * 1024;

/// The budget of one document. Clones share it.
#[derive(Clone, Debug)]
pub struct Budget {
    deadline: Option<Instant>,
    inflated: Arc<AtomicU64>,
    max_inflated: u64,
}

impl Budget {
    /// The budget for a document of `len` bytes, starting now.
    pub fn for_document(len: u64) -> Self {
        let chunks = u32::try_from(len.div_ceil(64 * 1024 * 1024)).unwrap_or(u32::MAX);
        let time = BASE_TIME.saturating_add(TIME_PER_64_MIB.saturating_mul(chunks));
        Self::new(time, MAX_INFLATED)
    }

    /// A budget of `time` from now and `inflated` decompressed bytes.
    pub fn new(time: Duration, inflated: u64) -> Self {
        Self {
            deadline: Instant::now().checked_add(time),
            inflated: Arc::new(AtomicU64::new(0)),
            max_inflated: inflated,
        }
    }

    /// No limits: for documents the caller produced itself (signing its own output).
    pub fn unlimited() -> Self {
        Self {
            deadline: None,
            inflated: Arc::new(AtomicU64::new(0)),
            max_inflated: u64::MAX,
        }
    }

    /// Fails once the deadline has passed.
    pub fn check(&self) -> Result<(), Exhausted> {
        match self.deadline {
            Some(deadline) if Instant::now() > deadline => Err(Exhausted::Time),
            _ => Ok(()),
        }
    }

    /// Time left before the deadline (`None`: no deadline).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }

    /// Records `bytes` of decompressed data; fails when the total passes the cap.
    pub fn inflate(&self, bytes: u64) -> Result<(), Exhausted> {
        let before = self.inflated.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.max_inflated {
            return Err(Exhausted::Inflated);
        }
        self.check()
    }

    /// How many decompressed bytes may still be produced.
    pub fn inflatable(&self) -> u64 {
        self.max_inflated
            .saturating_sub(self.inflated.load(Ordering::Relaxed))
    }
}

/// Which limit a document reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Exhausted {
    #[error("the time allowed for one document ran out")]
    Time,
    #[error("the document decompresses to more data than allowed for one document")]
    Inflated,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_decompression_total() {
        let budget = Budget::new(Duration::from_secs(60), 100);
        let other = budget.clone();
        assert!(budget.inflate(60).is_ok());
        assert_eq!(other.inflate(60), Err(Exhausted::Inflated));
        assert_eq!(budget.inflatable(), 0);
    }

    #[test]
    fn a_passed_deadline_is_reported() {
        let budget = Budget::new(Duration::ZERO, u64::MAX);
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(budget.check(), Err(Exhausted::Time));
        assert!(Budget::unlimited().check().is_ok());
    }

    #[test]
    fn larger_documents_get_more_time() {
        let small = Budget::for_document(1000).remaining().unwrap();
        let large = Budget::for_document(1 << 30).remaining().unwrap();
        assert!(
            large > small + Duration::from_secs(20),
            "{small:?} {large:?}"
        );
    }
}
