//! Object identifiers of digests and signature algorithms (RFC 5754, RFC 4055/4056 RSA-PSS,
//! RFC 5480/5758 ECDSA, BSI TR-03111 plain ECDSA), to and from `AlgorithmIdentifier`.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::{Any, Decode, Sequence};
use spki::AlgorithmIdentifierOwned;

use super::{Algorithm, Digest, Scheme};

/// ANSI X9.62 `ecdsa-with-SHA1`, absent from RFC 5912's module.
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// ```text
/// RSASSA-PSS-params ::= SEQUENCE {
///     hashAlgorithm    [0] HashAlgorithm    DEFAULT sha1,
///     maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
///     saltLength       [2] INTEGER          DEFAULT 20,
///     trailerField     [3] TrailerField     DEFAULT trailerFieldBC }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct RsaPssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub trailer_field: Option<u32>,
}

pub fn digest_oid(digest: Digest) -> ObjectIdentifier {
    match digest {
        Digest::Sha1 => rfc5912::ID_SHA_1,
        Digest::Sha256 => rfc5912::ID_SHA_256,
        Digest::Sha384 => rfc5912::ID_SHA_384,
        Digest::Sha512 => rfc5912::ID_SHA_512,
    }
}

/// The digest identifier with absent parameters, as RFC 5754 §2 prefers.
pub fn digest_identifier(digest: Digest) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: digest_oid(digest),
        parameters: None,
    }
}

pub fn digest_from_oid(oid: &ObjectIdentifier) -> Option<Digest> {
    [Digest::Sha1, Digest::Sha256, Digest::Sha384, Digest::Sha512]
        .into_iter()
        .find(|d| digest_oid(*d) == *oid)
}

/// The `signatureAlgorithm` written into a SignerInfo.
pub fn signature_identifier(algorithm: Algorithm) -> Result<AlgorithmIdentifierOwned, der::Error> {
    let null = || Some(Any::null());
    Ok(match algorithm {
        Algorithm::RsaPkcs1(digest) => AlgorithmIdentifierOwned {
            oid: match digest {
                Digest::Sha1 => rfc5912::SHA_1_WITH_RSA_ENCRYPTION,
                Digest::Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
                Digest::Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
                Digest::Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
            },
            parameters: null(),
        },
        Algorithm::RsaPss(digest) => {
            let hash = AlgorithmIdentifierOwned {
                oid: digest_oid(digest),
                parameters: null(),
            };
            let params = RsaPssParams {
                hash_algorithm: Some(hash.clone()),
                mask_gen_algorithm: Some(AlgorithmIdentifierOwned {
                    oid: rfc5912::ID_MGF_1,
                    parameters: Some(Any::encode_from(&hash)?),
                }),
                salt_length: Some(u32::try_from(digest.message_digest().size()).unwrap_or(32)),
                trailer_field: None,
            };
            AlgorithmIdentifierOwned {
                oid: rfc5912::ID_RSASSA_PSS,
                parameters: Some(Any::encode_from(&params)?),
            }
        }
        Algorithm::Ecdsa(digest) => AlgorithmIdentifierOwned {
            oid: match digest {
                Digest::Sha1 => ECDSA_WITH_SHA_1,
                Digest::Sha256 => rfc5912::ECDSA_WITH_SHA_256,
                Digest::Sha384 => rfc5912::ECDSA_WITH_SHA_384,
                Digest::Sha512 => rfc5912::ECDSA_WITH_SHA_512,
            },
            parameters: None,
        },
    })
}

/// BSI TR-03111 §5.2.1 `ecdsa-plain-signatures` arc.
const ECDSA_PLAIN: &str = "0.4.0.127.0.7.1.1.4.1";

pub fn scheme(identifier: &AlgorithmIdentifierOwned) -> Option<(Scheme, Option<Digest>)> {
    let oid = identifier.oid;
    let rsa = [
        (rfc5912::SHA_1_WITH_RSA_ENCRYPTION, Digest::Sha1),
        (rfc5912::SHA_256_WITH_RSA_ENCRYPTION, Digest::Sha256),
        (rfc5912::SHA_384_WITH_RSA_ENCRYPTION, Digest::Sha384),
        (rfc5912::SHA_512_WITH_RSA_ENCRYPTION, Digest::Sha512),
    ];
    let ecdsa = [
        (ECDSA_WITH_SHA_1, Digest::Sha1),
        (rfc5912::ECDSA_WITH_SHA_256, Digest::Sha256),
        (rfc5912::ECDSA_WITH_SHA_384, Digest::Sha384),
        (rfc5912::ECDSA_WITH_SHA_512, Digest::Sha512),
    ];
    if oid == rfc5912::RSA_ENCRYPTION {
        return Some((Scheme::RsaPkcs1, None));
    }
    if let Some((_, d)) = rsa.iter().find(|(o, _)| *o == oid) {
        return Some((Scheme::RsaPkcs1, Some(*d)));
    }
    if let Some((_, d)) = ecdsa.iter().find(|(o, _)| *o == oid) {
        return Some((Scheme::Ecdsa, Some(*d)));
    }
    let plain = [
        (1u32, Digest::Sha1),
        (3, Digest::Sha256),
        (4, Digest::Sha384),
        (5, Digest::Sha512),
    ];
    for (arc, digest) in plain {
        if ObjectIdentifier::new(&format!("{ECDSA_PLAIN}.{arc}")).is_ok_and(|o| o == oid) {
            return Some((Scheme::PlainEcdsa, Some(digest)));
        }
    }
    if oid == rfc5912::ID_RSASSA_PSS {
        let params = identifier
            .parameters
            .as_ref()
            .and_then(|p| RsaPssParams::from_der(&der::Encode::to_der(p).ok()?).ok())?;
        let hash = params
            .hash_algorithm
            .as_ref()
            .map_or(Some(Digest::Sha1), |h| digest_from_oid(&h.oid))?;
        let mgf1 = match &params.mask_gen_algorithm {
            None => Digest::Sha1,
            Some(mgf) => {
                let inner = mgf
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())?;
                digest_from_oid(&inner.oid)?
            }
        };
        return Some((
            Scheme::RsaPss {
                salt_length: params.salt_length.unwrap_or(20),
                mgf1,
            },
            Some(hash),
        ));
    }
    None
}

/// The name of the digest a certificate's or CRL's signature algorithm (dotted OID) uses,
/// as the acceptance catalogue spells it; `None` for an algorithm it does not know.
pub fn signature_digest_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.4" => "MD5",
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.10040.4.3" => "SHA-1",
        "1.2.840.113549.1.1.14" | "1.2.840.10045.4.3.1" => "SHA-224",
        "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => "SHA-256",
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => "SHA-384",
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => "SHA-512",
        // RSASSA-PSS names its hash in the parameters; EdDSA has its own fixed hash.
        "1.2.840.113549.1.1.10" | "1.3.101.112" | "1.3.101.113" => "SHA-256",
        _ => return None,
    })
}
