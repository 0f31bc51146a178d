//! The cryptographic algorithms Siegel signs and verifies with: hash functions (FIPS 180-4),
//! signature schemes (RFC 8017 PKCS#1 v1.5 and PSS, FIPS 186-5 ECDSA, BSI TR-03111 plain
//! ECDSA), their object identifiers (`oid`) and XML Signature URIs (RFC 9231), a streaming
//! hasher and the conversion of raw ECDSA values to DER. The lowest layer: every other module
//! that names an algorithm uses these types.

pub mod oid;

use std::fmt;

/// Hash functions used in signatures (FIPS 180-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Digest {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    /// The XML Signature / XML Encryption URI of this digest (RFC 6931), as manifests name it.
    pub fn xml_uri(self) -> &'static str {
        match self {
            Self::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            Self::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// The digest an XML URI names.
    pub fn from_xml_uri(uri: &str) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|d| d.xml_uri() == uri)
    }

    pub fn message_digest(self) -> openssl::hash::MessageDigest {
        match self {
            Self::Sha1 => openssl::hash::MessageDigest::sha1(),
            Self::Sha256 => openssl::hash::MessageDigest::sha256(),
            Self::Sha384 => openssl::hash::MessageDigest::sha384(),
            Self::Sha512 => openssl::hash::MessageDigest::sha512(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// Hashes `data` in one go.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        openssl::hash::hash(self.message_digest(), data)
            .map(|d| d.to_vec())
            .unwrap_or_default()
    }
}

/// Signature schemes (RFC 8017 PKCS#1 v1.5 and PSS, FIPS 186-5 ECDSA), each with its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Algorithm {
    RsaPkcs1(Digest),
    RsaPss(Digest),
    Ecdsa(Digest),
}

impl Algorithm {
    pub fn digest(self) -> Digest {
        match self {
            Self::RsaPkcs1(d) | Self::RsaPss(d) | Self::Ecdsa(d) => d,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RsaPkcs1(d) => write!(f, "RSA PKCS#1 v1.5 with {}", d.name()),
            Self::RsaPss(d) => write!(f, "RSA-PSS with {}", d.name()),
            Self::Ecdsa(d) => write!(f, "ECDSA with {}", d.name()),
        }
    }
}

/// How to check a signature value: the scheme from `signatureAlgorithm`, with the hash from the
/// SignerInfo's `digestAlgorithm` where the identifier does not name one (plain rsaEncryption).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    RsaPkcs1,
    RsaPss {
        salt_length: u32,
        mgf1: Digest,
    },
    Ecdsa,
    /// BSI TR-03111 `ecdsa-plain-*`: the signature is `r || s`, not DER.
    PlainEcdsa,
}

impl Scheme {
    /// The scheme's name, as the declared algorithm of a signature.
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1 => "RSA PKCS#1 v1.5",
            Self::RsaPss { .. } => "RSA-PSS",
            Self::Ecdsa => "ECDSA",
            Self::PlainEcdsa => "plain ECDSA",
        }
    }
}

/// The algorithm a signature value was verified with: its scheme and its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    pub scheme: Scheme,
    pub digest: Digest,
}

impl Verified {
    /// The XML Signature URI (RFC 9231 §2.3) the ETSI validation report uses, where one exists.
    pub fn uri(self) -> &'static str {
        use Digest::*;
        match (self.scheme, self.digest) {
            (Scheme::RsaPkcs1, Sha256) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            (Scheme::RsaPkcs1, Sha384) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            (Scheme::RsaPkcs1, Sha512) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            (Scheme::RsaPss { .. }, Sha256) => {
                "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
            }
            (Scheme::RsaPss { .. }, Sha384) => {
                "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1"
            }
            (Scheme::RsaPss { .. }, Sha512) => {
                "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"
            }
            (Scheme::Ecdsa, Sha256) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            (Scheme::Ecdsa, Sha384) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
            (Scheme::Ecdsa, Sha512) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
            // Plain (r || s) values have no XML Signature URI of their own.
            _ => "urn:etsi:019102:algorithm:unidentified",
        }
    }
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digest = self.digest.name();
        match self.scheme {
            Scheme::RsaPkcs1 => write!(f, "RSA PKCS#1 v1.5 with {digest}"),
            Scheme::RsaPss { .. } => write!(f, "RSA-PSS with {digest}"),
            Scheme::Ecdsa => write!(f, "ECDSA with {digest}"),
            Scheme::PlainEcdsa => write!(f, "plain ECDSA (BSI TR-03111) with {digest}"),
        }
    }
}

/// Written as its name (`RSA PKCS#1 v1.5 with SHA-256`), as the JSON report has always had it.
impl serde::Serialize for Verified {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A hash computed over data that arrives in pieces (the byte ranges of a signature).
#[derive(Clone)]
pub struct Hasher(openssl::hash::Hasher);

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher").finish_non_exhaustive()
    }
}

impl Hasher {
    pub fn new(digest: Digest) -> Result<Self, Error> {
        openssl::hash::Hasher::new(digest.message_digest())
            .map(Self)
            .map_err(|e| Error(e.to_string()))
    }

    pub fn update(&mut self, data: &[u8]) {
        // Hasher::update fails only on a broken openssl context, which `new` rules out.
        let _ = self.0.update(data);
    }

    pub fn finish(mut self) -> Result<Vec<u8>, Error> {
        self.0
            .finish()
            .map(|d| d.to_vec())
            .map_err(|e| Error(e.to_string()))
    }
}

/// How much of a stream is read at a time when hashing it: large enough that the hash, not
/// the system calls, sets the pace; small enough to leave memory alone for a file of any size.
pub const HASH_CHUNK: usize = 1024 * 1024;

/// Hashes everything `reader` yields with each of `digests` in one pass, calling `progress`
/// with the bytes read so far after each chunk (it may stop the pass with an error). Returns
/// the digests in the order asked and the length.
pub fn hash_reader(
    mut reader: impl std::io::Read,
    digests: &[Digest],
    mut progress: impl FnMut(u64) -> std::io::Result<()>,
) -> std::io::Result<(Vec<Vec<u8>>, u64)> {
    let mut hashers = digests
        .iter()
        .map(|d| Hasher::new(*d).map_err(std::io::Error::other))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut buffer = vec![0u8; HASH_CHUNK];
    let mut length = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let chunk = buffer.get(..read).unwrap_or_default();
        for hasher in &mut hashers {
            hasher.update(chunk);
        }
        length = length.saturating_add(read as u64);
        progress(length)?;
    }
    let digests = hashers
        .into_iter()
        .map(|h| h.finish().map_err(std::io::Error::other))
        .collect::<std::io::Result<Vec<_>>>()?;
    Ok((digests, length))
}

/// BSI TR-03111 plain signatures are `r || s`; openssl wants `Ecdsa-Sig-Value` DER.
pub fn plain_to_der(signature: &[u8]) -> Option<Vec<u8>> {
    if signature.is_empty() || !signature.len().is_multiple_of(2) {
        return None;
    }
    let (r, s) = signature.split_at(signature.len() / 2);
    let r = openssl::bn::BigNum::from_slice(r).ok()?;
    let s = openssl::bn::BigNum::from_slice(s).ok()?;
    openssl::ecdsa::EcdsaSig::from_private_components(r, s)
        .ok()?
        .to_der()
        .ok()
}

/// The cryptographic library failed (not an invalid input: a broken context).
#[derive(Clone, Debug, thiserror::Error)]
#[error("cryptographic library failure: {0}")]
pub struct Error(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_algorithms_map_to_xmldsig_uris_and_keep_their_report_names() {
        let rsa = Verified {
            scheme: Scheme::RsaPkcs1,
            digest: Digest::Sha256,
        };
        assert_eq!(
            rsa.uri(),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        );
        assert_eq!(rsa.to_string(), "RSA PKCS#1 v1.5 with SHA-256");
        let ecdsa = Verified {
            scheme: Scheme::Ecdsa,
            digest: Digest::Sha384,
        };
        assert_eq!(
            ecdsa.uri(),
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
        );
        let plain = Verified {
            scheme: Scheme::PlainEcdsa,
            digest: Digest::Sha256,
        };
        assert_eq!(plain.uri(), "urn:etsi:019102:algorithm:unidentified");
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            "\"plain ECDSA (BSI TR-03111) with SHA-256\""
        );
    }
}
