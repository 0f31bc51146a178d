//! Integration tests: one binary, one module per area (as ripgrep does).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly on purpose")]

mod support;

mod cli;
mod corpus;
mod interop;
mod robustness;
mod sign;
mod validate;
