//! Siegel: sign, seal and validate documents under eIDAS (PAdES per ETSI EN 319 142-1, CMS per
//! ETSI EN 319 122-1, validation per ETSI EN 319 102-1). This crate is the headless core.
//!
//! # Layers
//!
//! ```text
//!  settings                                                       what the front ends share
//!  sign        validate    protocol                              use cases
//!  pdf   cms   key   certificate   trust   timestamp   revocation   formats, keys, services
//!  algorithm   budget   document   output   network   text         plain data, I/O edges
//! ```
//!
//! Arrows point down only: `pdf` knows nothing about certificates, `cms` nothing about PDF;
//! `sign` and `validate` bring them together. Time, keys and progress come in as parameters,
//! so the core never reads the clock on its own and never prints.
//!
//! # Glossary
//!
//! - **Document**: what is signed. **Signature**: made with a natural person's certificate.
//!   **Seal**: made with a legal person's certificate (same technique, different rules).
//! - **Signer**: anything that can sign bytes. **Credential**: a signer with its chain.
//! - **Profile**: format plus level, e.g. PAdES B-B.
//! - **Validate**: the whole ETSI process over a document; **verify**: the cryptographic check
//!   of one signature value.
//! - **Indication / SubIndication**: the ETSI EN 319 102-1 verdict words. **Report**: the
//!   validation result as data.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod algorithm;
pub mod budget;
pub mod certificate;
pub mod cms;
pub mod document;
pub mod key;
pub mod network;
pub mod output;
pub mod pdf;
pub mod protocol;
pub mod revocation;
pub mod settings;
pub mod sign;
pub mod text;
pub mod timestamp;
pub mod trust;
pub mod validate;
