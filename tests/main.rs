//! Integration tests: one binary, one module per area (as ripgrep does).

mod support;

mod cli;
mod corpus;
mod interop;
mod robustness;
mod sign;
mod validate;
