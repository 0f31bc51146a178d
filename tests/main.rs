//! Integration tests: one binary, one module per area (as ripgrep does).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "tests fail loudly on purpose and use small files"
)]

mod support;

mod appearance;
mod asic;
mod cades;
mod certification;
mod cli;
mod corpus;
mod gui;
mod hostile;
mod interop;
mod ltv;
mod network;
mod populations;
mod protocol;
mod robustness;
mod settings;
mod sign;
mod stress;
mod throwaway;
mod timestamp;
mod token;
mod trustlists;
mod validate;
