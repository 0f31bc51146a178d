//! Choosing a PKCS#11 signing mechanism from what the token offers (C_GetMechanismList), and
//! turning its output into what CMS carries (RFC 8017 DigestInfo, RFC 5480 ECDSA DER).

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::types::Ulong;
use der::Encode;
use der::asn1::OctetString;
use spki::AlgorithmIdentifierOwned;

use super::Error;
use crate::algorithm::{Algorithm, Digest};

/// How one signature is made on the token: the algorithm, and whether the token hashes
/// (a `CKM_SHA*_*` mechanism) or signs a digest computed here (`CKM_RSA_PKCS`, `CKM_ECDSA`...).
/// Plain data, so a signer can be shared across threads; the cryptoki mechanism is built per
/// signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) algorithm: Algorithm,
    pub(crate) token_hashes: bool,
}

/// PKCS#11's `CK_ULONG`: C's `unsigned long`, 64 bits on Linux and macOS but 32 on Windows
/// (LLP64). Named through cryptoki's wrapper so that no width is assumed.
type CkUlong = <Ulong as std::ops::Deref>::Target;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Message,
    Digest,
    DigestInfo,
}

/// ```text
/// DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
/// ```
#[derive(der::Sequence)]
struct DigestInfo {
    digest_algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

/// Prefers mechanisms that hash on the token (they also work with per-signature logins), then
/// the raw ones over a digest computed here.
pub(crate) fn choose(algorithm: Algorithm, available: &[MechanismType]) -> Result<Plan, Error> {
    let hashing = Plan {
        algorithm,
        token_hashes: true,
    };
    let raw = Plan {
        algorithm,
        token_hashes: false,
    };
    if available.contains(&hashing.mechanism().mechanism_type()) {
        Ok(hashing)
    } else if available.contains(&raw.mechanism().mechanism_type()) {
        Ok(raw)
    } else {
        Err(Error::Mechanism(algorithm.to_string()))
    }
}

impl Plan {
    pub(crate) fn mechanism(&self) -> Mechanism<'static> {
        let digest = self.algorithm.digest();
        // The PSS salt is as long as the hash (RFC 4055 §3.1, ETSI TS 119 312).
        let (hash_alg, mgf, salt_length): (_, _, u8) = match digest {
            Digest::Sha1 => (MechanismType::SHA1, PkcsMgfType::MGF1_SHA1, 20),
            Digest::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256, 32),
            Digest::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384, 48),
            Digest::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512, 64),
        };
        let pss = PkcsPssParams {
            hash_alg,
            mgf,
            s_len: Ulong::from(CkUlong::from(salt_length)),
        };
        match (self.algorithm, self.token_hashes, digest) {
            (Algorithm::RsaPkcs1(_), false, _) => Mechanism::RsaPkcs,
            (Algorithm::RsaPkcs1(_), true, Digest::Sha1) => Mechanism::Sha1RsaPkcs,
            (Algorithm::RsaPkcs1(_), true, Digest::Sha256) => Mechanism::Sha256RsaPkcs,
            (Algorithm::RsaPkcs1(_), true, Digest::Sha384) => Mechanism::Sha384RsaPkcs,
            (Algorithm::RsaPkcs1(_), true, Digest::Sha512) => Mechanism::Sha512RsaPkcs,
            (Algorithm::RsaPss(_), false, _) => Mechanism::RsaPkcsPss(pss),
            (Algorithm::RsaPss(_), true, Digest::Sha1) => Mechanism::Sha1RsaPkcsPss(pss),
            (Algorithm::RsaPss(_), true, Digest::Sha256) => Mechanism::Sha256RsaPkcsPss(pss),
            (Algorithm::RsaPss(_), true, Digest::Sha384) => Mechanism::Sha384RsaPkcsPss(pss),
            (Algorithm::RsaPss(_), true, Digest::Sha512) => Mechanism::Sha512RsaPkcsPss(pss),
            (Algorithm::Ecdsa(_), false, _) => Mechanism::Ecdsa,
            (Algorithm::Ecdsa(_), true, Digest::Sha1) => Mechanism::EcdsaSha1,
            (Algorithm::Ecdsa(_), true, Digest::Sha256) => Mechanism::EcdsaSha256,
            (Algorithm::Ecdsa(_), true, Digest::Sha384) => Mechanism::EcdsaSha384,
            (Algorithm::Ecdsa(_), true, Digest::Sha512) => Mechanism::EcdsaSha512,
        }
    }

    pub(crate) fn input_kind(&self) -> Input {
        match (self.token_hashes, self.algorithm) {
            (true, _) => Input::Message,
            (false, Algorithm::RsaPkcs1(_)) => Input::DigestInfo,
            (false, _) => Input::Digest,
        }
    }

    /// ECDSA tokens return `r || s`; CMS wants DER.
    pub(crate) fn raw_ecdsa(&self) -> bool {
        matches!(self.algorithm, Algorithm::Ecdsa(_))
    }

    /// What to hand to C_Sign for `message`.
    pub(crate) fn input(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let digest = self.algorithm.digest();
        match self.input_kind() {
            Input::Message => Ok(message.to_vec()),
            Input::Digest => Ok(digest.hash(message)),
            Input::DigestInfo => {
                let info = DigestInfo {
                    digest_algorithm: AlgorithmIdentifierOwned {
                        oid: crate::algorithm::oid::digest_oid(digest),
                        parameters: Some(der::Any::null()),
                    },
                    digest: OctetString::new(digest.hash(message))
                        .map_err(|e| Error::Library(e.to_string()))?,
                };
                info.to_der().map_err(|e| Error::Library(e.to_string()))
            }
        }
    }
}

/// "RSA 2048" or "EC P-256" for a DER SubjectPublicKeyInfo.
pub(crate) fn describe_public_key(spki: &[u8]) -> String {
    let Ok(key) = openssl::pkey::PKey::public_key_from_der(spki) else {
        return "unknown key".into();
    };
    match key.id() {
        openssl::pkey::Id::RSA => format!("RSA {}", key.bits()),
        openssl::pkey::Id::EC => {
            let curve = key
                .ec_key()
                .ok()
                .and_then(|ec| ec.group().curve_name())
                .map(|nid| match nid {
                    openssl::nid::Nid::X9_62_PRIME256V1 => "P-256".to_owned(),
                    openssl::nid::Nid::SECP384R1 => "P-384".to_owned(),
                    openssl::nid::Nid::SECP521R1 => "P-521".to_owned(),
                    other => other.short_name().unwrap_or("curve").to_owned(),
                })
                .unwrap_or_else(|| "curve".into());
            format!("EC {curve}")
        }
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_mechanisms_win_and_raw_ones_are_the_fallback() {
        let all = [
            MechanismType::RSA_PKCS,
            MechanismType::SHA256_RSA_PKCS,
            MechanismType::ECDSA,
        ];
        let rsa = choose(Algorithm::RsaPkcs1(Digest::Sha256), &all).unwrap();
        assert_eq!(rsa.input_kind(), Input::Message);
        let rsa384 = choose(Algorithm::RsaPkcs1(Digest::Sha384), &all).unwrap();
        assert_eq!(rsa384.input_kind(), Input::DigestInfo);
        let ec = choose(Algorithm::Ecdsa(Digest::Sha256), &all).unwrap();
        assert!(ec.raw_ecdsa() && ec.input_kind() == Input::Digest);
        assert!(choose(Algorithm::RsaPss(Digest::Sha256), &all).is_err());
    }

    #[test]
    fn the_pss_salt_is_as_long_as_the_hash() {
        for digest in [Digest::Sha1, Digest::Sha256, Digest::Sha384, Digest::Sha512] {
            let plan = Plan {
                algorithm: Algorithm::RsaPss(digest),
                token_hashes: true,
            };
            let (Mechanism::Sha1RsaPkcsPss(pss)
            | Mechanism::Sha256RsaPkcsPss(pss)
            | Mechanism::Sha384RsaPkcsPss(pss)
            | Mechanism::Sha512RsaPkcsPss(pss)) = plan.mechanism()
            else {
                panic!("{digest:?}: not a hashing PSS mechanism");
            };
            let salt = usize::try_from(*pss.s_len).unwrap();
            assert_eq!(salt, digest.message_digest().size(), "{digest:?}");
        }
    }

    #[test]
    fn digest_info_is_the_pkcs1_structure() {
        let plan = Plan {
            algorithm: Algorithm::RsaPkcs1(Digest::Sha256),
            token_hashes: false,
        };
        let info = plan.input(b"abc").unwrap();
        // RFC 8017 §9.2 note 1: the fixed SHA-256 prefix, then the 32-byte hash.
        let prefix = [
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        assert_eq!(&info[..19], &prefix);
        assert_eq!(&info[19..], Digest::Sha256.hash(b"abc").as_slice());
    }
}
