//! Generated test populations that judge the validator (issues #11 and #16). The honest clerk's
//! documents, signed, sealed and certified by Siegel and pyHanko in every common way, must never
//! be TOTAL_FAILED; the attacker's forgeries of every known class must never be TOTAL_PASSED.
//! Two viewers, poppler and MuPDF, are the oracle: when either shows a signed revision
//! differently from the final file outside the areas a case declares as allowed, that signature
//! must not be TOTAL_PASSED.
//!
//! Run apart: `cargo test --test main populations::legitimate` and `populations::forged`.
//! `SIEGEL_POPULATION_DUMP=DIR` keeps every generated PDF (named population-number-class-base)
//! and the tables in `DIR/<population>/`.

mod clerk;
mod craft;
mod document;
mod forged;
mod harness;
mod legitimate;
mod oracle;
