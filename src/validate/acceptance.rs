//! Cryptographic constraints (EN 319 102-1 §5.2.8 signature acceptance validation): which
//! digest algorithms and key sizes are still acceptable for material produced at a given time,
//! after the catalogue of ETSI TS 119 312 v1.5.1, or the stricter SOG-IS/BNetzA one.
//!
//! A catalogue is plain data, so a deployment can load its own (the CLI reads JSON); the two
//! shipped profiles are constructors.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Options;
use super::checks::Checks;
use super::report::SubIndication;
use crate::certificate::{Certificate, KeyFamily};

/// An algorithm may be relied on for material produced before `until` (no date: still
/// recommended).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestRule {
    /// As `algorithm::Digest::name` spells it (`SHA-256`), or `SHA-1`, `MD5`, `RIPEMD-160`.
    pub algorithm: String,
    pub until: Option<NaiveDate>,
}

/// Keys of `family` with at least `min_bits` bits (up to the next rule's size).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRule {
    pub family: KeyFamily,
    pub min_bits: u32,
    pub until: Option<NaiveDate>,
}

/// A catalogue of accepted algorithms. Anything it does not list is not accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub name: String,
    pub digests: Vec<DigestRule>,
    pub keys: Vec<KeyRule>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Self::etsi()
    }
}

fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

impl Catalogue {
    /// ETSI TS 119 312 v1.5.1 (as EU DSS encodes it): SHA-1 ends 2012-08-01, RSA 1900–2999 bit
    /// and SHA-224 at the start of 2029, RSA 1024–1899 ended 2019-10-01.
    pub fn etsi() -> Self {
        let digest = |algorithm: &str, until| DigestRule {
            algorithm: algorithm.to_owned(),
            until,
        };
        let key = |family, min_bits, until| KeyRule {
            family,
            min_bits,
            until,
        };
        Self {
            name: "ETSI TS 119 312 v1.5.1".into(),
            digests: vec![
                digest("MD5", date(2004, 8, 1)),
                digest("SHA-1", date(2012, 8, 1)),
                digest("RIPEMD-160", date(2014, 8, 1)),
                digest("SHA-224", date(2029, 1, 1)),
                digest("SHA-256", None),
                digest("SHA-384", None),
                digest("SHA-512", None),
                digest("SHA3-256", None),
                digest("SHA3-384", None),
                digest("SHA3-512", None),
            ],
            keys: vec![
                key(KeyFamily::Rsa, 0, date(2010, 8, 1)),
                key(KeyFamily::Rsa, 1024, date(2019, 10, 1)),
                key(KeyFamily::Rsa, 1900, date(2029, 1, 1)),
                key(KeyFamily::Rsa, 3000, None),
                key(KeyFamily::Dsa, 0, date(2015, 12, 1)),
                key(KeyFamily::Dsa, 1900, date(2029, 1, 1)),
                key(KeyFamily::Dsa, 3000, None),
                key(KeyFamily::Ec, 0, date(2012, 8, 1)),
                key(KeyFamily::Ec, 224, date(2021, 10, 1)),
                key(KeyFamily::Ec, 256, None),
                key(KeyFamily::EdDsa, 255, None),
            ],
        }
    }

    /// SOG-IS Agreed Cryptographic Mechanisms v1.3 as the Bundesnetzagentur applies it
    /// (notice of 2024-09-06): RSA below 3000 bits is unsuitable from 2026-01-01.
    pub fn sog_is() -> Self {
        let mut catalogue = Self::etsi();
        catalogue.name = "SOG-IS ACM v1.3 / BNetzA".into();
        for rule in &mut catalogue.keys {
            if matches!(rule.family, KeyFamily::Rsa | KeyFamily::Dsa) && rule.min_bits == 1900 {
                rule.until = date(2026, 1, 1);
            }
        }
        catalogue
    }

    /// A shipped profile by its short name: `etsi` or `sog-is`.
    pub fn named(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "etsi" => Some(Self::etsi()),
            "sog-is" | "sogis" | "bnetza" => Some(Self::sog_is()),
            _ => None,
        }
    }

    /// Whether `digest` was acceptable for material produced at `at`; `Err` says why not.
    pub fn check_digest(&self, digest: &str, at: DateTime<Utc>) -> Result<(), String> {
        let Some(rule) = self
            .digests
            .iter()
            .find(|r| r.algorithm.eq_ignore_ascii_case(digest))
        else {
            return Err(format!("{digest} is not in the catalogue {}", self.name));
        };
        expired(rule.until, at).map_or(Ok(()), |until| {
            Err(format!(
                "{digest} is not accepted for material produced after {until} ({})",
                self.name
            ))
        })
    }

    /// Whether a `family` key of `bits` was acceptable at `at`; `Err` says why not.
    pub fn check_key(&self, family: KeyFamily, bits: u32, at: DateTime<Utc>) -> Result<(), String> {
        let Some(rule) = self
            .keys
            .iter()
            .filter(|r| r.family == family && r.min_bits <= bits)
            .max_by_key(|r| r.min_bits)
        else {
            return Err(format!(
                "{family} {bits} bit keys are not in the catalogue {}",
                self.name
            ));
        };
        expired(rule.until, at).map_or(Ok(()), |until| {
            Err(format!(
                "{family} {bits} bit keys are not accepted for material produced after {until} ({})",
                self.name
            ))
        })
    }
}

/// The end date, if `at` is at or after it.
fn expired(until: Option<NaiveDate>, at: DateTime<Utc>) -> Option<NaiveDate> {
    until.filter(|until| at.date_naive() >= *until)
}

/// EN 319 102-1 §5.2.8: the signature's digest and key, and the signatures on the certificates
/// of its path (but the trust anchors'), must have been reliable when they were made. A valid
/// time-stamp proves that time; without one it is the validation time, and a failure is
/// CRYPTO_CONSTRAINTS_FAILURE_NO_POE.
pub(crate) fn check(
    catalogue: &Catalogue,
    digest: &str,
    signer: &Certificate,
    path: &[Certificate],
    options: &Options,
    (at, proven): (DateTime<Utc>, bool),
    checks: &mut Checks,
) {
    let sub = if proven {
        SubIndication::CryptoConstraintsFailure
    } else {
        SubIndication::CryptoConstraintsFailureNoPoe
    };
    let mut problems = Vec::new();
    problems.extend(catalogue.check_digest(digest, at).err());
    match signer.key_size() {
        Some((family, bits)) => problems.extend(catalogue.check_key(family, bits, at).err()),
        None => problems.push("the signer's key type is not in the catalogue".into()),
    }
    for (index, certificate) in path.iter().enumerate() {
        if options.trust.contains(certificate) {
            break;
        }
        let holder = certificate.holder();
        match crate::algorithm::oid::signature_digest_name(&certificate.signature_algorithm()) {
            Some(digest) => problems.extend(
                catalogue
                    .check_digest(digest, at)
                    .err()
                    .map(|e| format!("certificate of {holder}: {e}")),
            ),
            None => problems.push(format!(
                "certificate of {holder}: signature algorithm {} is not in the catalogue",
                certificate.signature_algorithm()
            )),
        }
        if let Some((family, bits)) = path.get(index + 1).and_then(Certificate::key_size) {
            problems.extend(
                catalogue
                    .check_key(family, bits, at)
                    .err()
                    .map(|e| format!("issuer key of {holder}'s certificate: {e}")),
            );
        }
    }
    if problems.is_empty() {
        checks.pass(
            "crypto",
            format!(
                "algorithms and key sizes accepted at {at} ({})",
                catalogue.name
            ),
        );
    } else {
        checks.fail("crypto", sub, problems.join("; "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn sha1_is_refused_after_its_end_date_only() {
        let etsi = Catalogue::etsi();
        assert!(
            etsi.check_digest("SHA-1", at("2011-01-01T00:00:00Z"))
                .is_ok()
        );
        assert!(
            etsi.check_digest("SHA-1", at("2013-01-01T00:00:00Z"))
                .is_err()
        );
        assert!(
            etsi.check_digest("SHA-256", at("2099-01-01T00:00:00Z"))
                .is_ok()
        );
        assert!(
            etsi.check_digest("GOST", at("2000-01-01T00:00:00Z"))
                .is_err()
        );
    }

    #[test]
    fn rsa_2048_differs_between_the_profiles_in_2026() {
        let now = at("2026-11-22T00:00:00Z");
        assert!(
            Catalogue::etsi()
                .check_key(KeyFamily::Rsa, 2048, now)
                .is_ok()
        );
        let refused = Catalogue::sog_is().check_key(KeyFamily::Rsa, 2048, now);
        assert!(refused.unwrap_err().contains("2026-01-01"));
        assert!(
            Catalogue::sog_is()
                .check_key(KeyFamily::Rsa, 3072, now)
                .is_ok()
        );
        assert!(
            Catalogue::etsi()
                .check_key(KeyFamily::Rsa, 1024, now)
                .is_err()
        );
        assert!(Catalogue::etsi().check_key(KeyFamily::Ec, 256, now).is_ok());
        assert!(
            Catalogue::etsi()
                .check_key(KeyFamily::Ec, 192, now)
                .is_err()
        );
    }
}
