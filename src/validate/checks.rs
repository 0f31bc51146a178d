//! The checks of one signature as they run (EN 319 102-1 §5.3: the building blocks in order),
//! and the verdict they lead to: the first failure decides.

use super::report::{Check, Indication, SubIndication};

/// Records checks and remembers the first failure, which decides the verdict: checks run from
/// the most fundamental (format) to the most specific, so the first failure is the one to
/// report.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    pub(crate) list: Vec<Check>,
    pub(crate) failure: Option<SubIndication>,
    pub(crate) messages: Vec<String>,
}

impl Checks {
    pub(crate) fn pass(&mut self, id: &'static str, detail: impl Into<String>) {
        self.list.push(Check {
            id,
            passed: true,
            detail: detail.into(),
        });
    }

    pub(crate) fn fail(&mut self, id: &'static str, sub: SubIndication, detail: impl Into<String>) {
        let detail = detail.into();
        if self.failure.is_none() {
            self.failure = Some(sub);
            self.messages.push(detail.clone());
        }
        self.list.push(Check {
            id,
            passed: false,
            detail,
        });
    }

    /// Records a check that informs but does not decide the verdict.
    pub(crate) fn note(&mut self, id: &'static str, passed: bool, detail: impl Into<String>) {
        self.list.push(Check {
            id,
            passed,
            detail: detail.into(),
        });
    }

    pub(crate) fn stopped(&self) -> bool {
        self.failure
            .is_some_and(|f| f.indication() == Indication::TotalFailed)
    }
}
