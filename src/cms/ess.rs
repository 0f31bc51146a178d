//! Enhanced Security Services signing-certificate attributes (RFC 2634 §5.4, RFC 5035 §3):
//! they bind a signature to the signer's certificate. No RustCrypto crate defines them.

use der::Sequence;
use der::asn1::OctetString;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralNames;
use x509_cert::serial_number::SerialNumber;

/// ```text
/// SigningCertificateV2 ::= SEQUENCE {
///     certs    SEQUENCE OF ESSCertIDv2,
///     policies SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    pub policies: Option<Vec<der::Any>>,
}

/// ```text
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash      Hash,
///     issuerSerial  IssuerSerial OPTIONAL }
/// ```
/// DER omits the default, so `hash_algorithm` is `None` for SHA-256.
#[derive(Clone, Debug, Sequence)]
pub struct EssCertIdV2 {
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    pub issuer_serial: Option<IssuerSerial>,
}

/// ```text
/// SigningCertificate ::= SEQUENCE {
///     certs    SEQUENCE OF ESSCertID,
///     policies SEQUENCE OF PolicyInformation OPTIONAL }
/// ESSCertID ::= SEQUENCE { certHash Hash (SHA-1), issuerSerial IssuerSerial OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct SigningCertificate {
    pub certs: Vec<EssCertId>,
    pub policies: Option<Vec<der::Any>>,
}

#[derive(Clone, Debug, Sequence)]
pub struct EssCertId {
    pub cert_hash: OctetString,
    pub issuer_serial: Option<IssuerSerial>,
}

/// ```text
/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct IssuerSerial {
    pub issuer: GeneralNames,
    pub serial_number: SerialNumber,
}
