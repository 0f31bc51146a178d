//! Revocation data a signer embeds in the CMS itself: Adobe's `adbe-revocationInfoArchival`
//! signed attribute (ISO 32000-2 §12.8.3.3.2) and the SignedData `crls` field (RFC 5652 §10.2.1,
//! with OCSP responses as `id-ri-ocsp-response`, RFC 5940 §4).

use const_oid::ObjectIdentifier;
use der::{Any, Encode, Sequence};

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

    pub(crate) fn add_choices(&mut self, choices: &cms::revocation::RevocationInfoChoices) {
        for choice in choices.0.iter() {
            match choice {
                cms::revocation::RevocationInfoChoice::Crl(list) => {
                    self.crls.extend(list.to_der().ok());
                }
                cms::revocation::RevocationInfoChoice::Other(other)
                    if other.other_format.oid == ID_RI_OCSP_RESPONSE =>
                {
                    self.ocsps.extend(other.other.to_der().ok());
                }
                cms::revocation::RevocationInfoChoice::Other(_) => {}
            }
        }
    }
}
