//! Revocation data a signer embeds in the CMS itself: Adobe's `adbe-revocationInfoArchival`
//! signed attribute (ISO 32000-2 §12.8.3.3.2) and the SignedData `crls` field (RFC 5652 §10.2.1,
//! with OCSP responses as `id-ri-ocsp-response`, RFC 5940 §4).

use const_oid::ObjectIdentifier;
use der::{Any, Encode, Sequence, Tagged};

/// `adbe-revocationInfoArchival`.
pub const ID_ADBE_REVOCATION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.8");
/// RFC 5940 `id-ri-ocsp-response`.
pub const ID_RI_OCSP_RESPONSE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.16.2");

/// ```text
/// RevocationInfoArchival ::= SEQUENCE {
///     crl          [0] EXPLICIT SEQUENCE of CRLs OPTIONAL,
///     ocsp         [1] EXPLICIT SEQUENCE of OCSPResponse OPTIONAL,
///     otherRevInfo [2] EXPLICIT SEQUENCE of OtherRevInfo OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct RevocationInfoArchival {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub crl: Option<Vec<Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ocsp: Option<Vec<Any>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub other: Option<Vec<Any>>,
}

/// DER CRLs and OCSP responses, as found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revocation {
    pub crls: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
}

impl Revocation {
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty() && self.ocsps.is_empty()
    }

    pub(crate) fn add_archival(&mut self, archival: &RevocationInfoArchival) {
        let der = |items: &Option<Vec<Any>>| -> Vec<Vec<u8>> {
            items
                .iter()
                .flatten()
                .filter_map(|item| item.to_der().ok())
                .collect()
        };
        self.crls.extend(der(&archival.crl));
        self.ocsps.extend(der(&archival.ocsp));
    }

    /// One `RevocationInfoChoice` as encoded: a CRL, or `[1] IMPLICIT
    /// OtherRevocationInfoFormat` holding an OCSP response; other formats are skipped.
    pub(crate) fn add_raw_choice(&mut self, choice: &Any) {
        let tag = choice.tag();
        if tag == der::Tag::Sequence {
            self.crls.extend(choice.to_der().ok());
        } else if tag.is_context_specific() && tag.number().value() == 1 {
            // IMPLICIT: the element's contents are the SEQUENCE's.
            let other = Any::new(der::Tag::Sequence, choice.value())
                .and_then(|a| a.decode_as::<OtherRevocationInfoFormat>());
            if let Ok(other) = other
                && other.format == ID_RI_OCSP_RESPONSE
            {
                self.ocsps.extend(other.info.to_der().ok());
            }
        }
    }
}

/// ```text
/// OtherRevocationInfoFormat ::= SEQUENCE {
///     otherRevInfoFormat OBJECT IDENTIFIER,
///     otherRevInfo       ANY DEFINED BY otherRevInfoFormat }
/// ```
/// (RFC 5652 §10.2.1; the `cms` crate has an AlgorithmIdentifier in place of the identifier.)
#[derive(Clone, Debug, Sequence)]
pub struct OtherRevocationInfoFormat {
    pub format: ObjectIdentifier,
    pub info: Any,
}

impl OtherRevocationInfoFormat {
    /// The encoding as a `RevocationInfoChoice`: `[1] IMPLICIT`.
    pub fn to_choice_der(&self) -> Result<Vec<u8>, der::Error> {
        der::asn1::ContextSpecific {
            tag_number: der::TagNumber(1),
            tag_mode: der::TagMode::Implicit,
            value: self.clone(),
        }
        .to_der()
    }
}
