//! Long-term validation material for PAdES B-LT and B-LTA (ETSI EN 319 142-1 §5.4): revocation
//! data and certificates for every chain in a `/DSS`, then a document time-stamp over it all.

use std::io::Write;

use chrono::{DateTime, Utc};
use std::path::Path;

use super::{Error, append_signature};
use crate::algorithm::Digest;
use crate::certificate::{self, Certificate};
use crate::network::Fetcher;
use crate::output::{self, Output};
use crate::pdf::{self, dss};
use crate::revocation::{self, Evidence};
use crate::timestamp::TimeStamper;

/// Certificates and revocation data for `chains` (each leaf first), fresh for `at`. Revocation
/// is fetched for every certificate but a self-issued root; a revoked certificate fails the
/// whole step.
pub(crate) fn material(
    chains: &[Vec<Certificate>],
    fetcher: &dyn Fetcher,
    at: DateTime<Utc>,
) -> Result<dss::Material, Error> {
    let mut material = dss::Material::default();
    for chain in chains {
        let chain = certificate::complete_chain(chain.clone(), fetcher);
        for (index, certificate) in chain.iter().enumerate() {
            if !material.certificates.iter().any(|c| c == certificate.der()) {
                material.certificates.push(certificate.der().to_vec());
            }
            let Some(issuer) = chain.get(index + 1) else {
                continue;
            };
            let fetched = revocation::fetch(certificate, issuer, &chain[index + 1..], fetcher, at)?;
            match fetched.evidence {
                Evidence::Ocsp(der) => material.ocsps.push(der),
                Evidence::Crl(der) => material.crls.push(der),
            }
        }
    }
    Ok(material)
}

/// The chain of the TSA that signed each of `tokens` (time-stamp token DER).
pub(crate) fn tsa_chains(tokens: &[Vec<u8>]) -> Vec<Vec<Certificate>> {
    tokens
        .iter()
        .filter_map(|der| crate::timestamp::inspect(der).ok())
        .filter_map(|token| {
            let tsa = token.tsa?;
            certificate::order_chain(&tsa.public_key(), token.certificates)
        })
        .collect()
}

/// Appends a `/DSS` update with `material` to the output being written.
pub(crate) fn append_validation_data(
    out: &mut Output,
    material: &dss::Material,
) -> Result<(), Error> {
    if material.is_empty() {
        return Ok(());
    }
    let path = out.path().to_path_buf();
    let io = |e: std::io::Error| Error::Output(output::Error::io(&path, e));
    out.writer().flush().map_err(io)?;
    let pdf_error = |source| Error::Pdf {
        path: path.display().to_string(),
        source,
    };
    let mut file = pdf::File::open(&path).map_err(pdf_error)?;
    let tail = dss::append(&mut file, material).map_err(pdf_error)?;
    out.writer().write_all(&tail).map_err(io)?;
    Ok(())
}

/// A document time-stamp over everything written so far (the archive time-stamp of B-LTA),
/// into a new output for `target`; the old temporary file goes away with `out`.
pub(crate) fn archive_timestamp(
    out: Output,
    target: &Path,
    stamper: &dyn TimeStamper,
    overwrite: bool,
) -> Result<Output, Error> {
    let mut out = out;
    let path = out.path().to_path_buf();
    out.writer()
        .flush()
        .map_err(|e| Error::Output(output::Error::io(&path, e)))?;
    let request = super::document_timestamp_request();
    let (_, _, stamped) = append_signature(
        &path,
        target,
        overwrite,
        &request,
        Digest::Sha256,
        |content_digest| Ok(stamper.stamp(Digest::Sha256, content_digest)?.der),
    )?;
    drop(out);
    Ok(stamped)
}

/// What [`extend`] added.
#[derive(Clone, Debug, Default)]
pub struct Extended {
    /// A document time-stamp made the newest signature B-T.
    pub timestamped: bool,
    /// Certificates, OCSP responses and CRLs added to the `/DSS`.
    pub certificates: usize,
    pub ocsps: usize,
    pub crls: usize,
    /// An archive time-stamp (B-LTA) was added.
    pub archived: bool,
    /// An ASiCArchiveManifest and its time-stamp were added over a whole container.
    pub container_timestamp: bool,
}

/// Raises the signed PDF at `input` to `level` into `output`, adding only what is missing:
/// a document time-stamp where the newest signature has none (B-T); certificates and
/// revocation data for every signature and time-stamp in the document (B-LT); an archive
/// time-stamp over all of it (B-LTA; on a B-LTA document this renews the archive). Revocation
/// data must be fresh for `time`. Returns the output, not yet in place, and what was added.
pub fn extend(
    input: &Path,
    output: &Path,
    level: super::Level,
    stamper: &dyn TimeStamper,
    fetcher: &dyn Fetcher,
    overwrite: bool,
    time: DateTime<Utc>,
) -> Result<(Output, Extended), Error> {
    // The document's certificates name the URLs: they share one network budget.
    let session = crate::network::Session::start(fetcher);
    let fetcher: &dyn Fetcher = &session;
    let mut done = Extended::default();
    let mut out = if super::needs_timestamp(input)? {
        done.timestamped = true;
        let request = super::document_timestamp_request();
        append_signature(
            input,
            output,
            overwrite,
            &request,
            Digest::Sha256,
            |content_digest| Ok(stamper.stamp(Digest::Sha256, content_digest)?.der),
        )?
        .2
    } else {
        let mut out = Output::create(output, overwrite)?;
        let io = |e: std::io::Error| Error::Output(output::Error::io(input, e));
        std::io::copy(&mut std::fs::File::open(input).map_err(io)?, out.writer()).map_err(io)?;
        out
    };
    if level >= super::Level::Lt {
        out.writer()
            .flush()
            .map_err(|e| Error::Output(output::Error::io(output, e)))?;
        let chains = document_chains(out.path(), fetcher)?;
        let material = material(&chains, fetcher, time)?;
        done.certificates = material.certificates.len();
        done.ocsps = material.ocsps.len();
        done.crls = material.crls.len();
        append_validation_data(&mut out, &material)?;
    }
    if level == super::Level::Lta {
        out = archive_timestamp(out, output, stamper, overwrite)?;
        done.archived = true;
    }
    Ok((out, done))
}

/// The certificate chains of every signature and time-stamp in the PDF at `path`: the signer's
/// from the certificates in its CMS, each TSA's from its token.
fn document_chains(path: &Path, fetcher: &dyn Fetcher) -> Result<Vec<Vec<Certificate>>, Error> {
    let pdf_error = |source| Error::Pdf {
        path: path.display().to_string(),
        source,
    };
    let mut file = pdf::File::open(path).map_err(pdf_error)?;
    let found = pdf::signature::find_all(&mut file).map_err(pdf_error)?;
    let mut chains = Vec::new();
    let mut tokens = Vec::new();
    for item in found {
        match item.kind {
            pdf::signature::Kind::DocumentTimestamp => tokens.push(item.contents.clone()),
            pdf::signature::Kind::Signature => {
                let Ok(parsed) = crate::cms::Parsed::from_der(&item.contents) else {
                    continue;
                };
                for signer in parsed.signer_infos() {
                    if let Some(leaf) =
                        crate::cms::Parsed::find_signer_certificate(signer, &parsed.certificates)
                        && let Some(chain) = certificate::order_chain(
                            &leaf.public_key(),
                            parsed.certificates.clone(),
                        )
                    {
                        chains.push(certificate::complete_chain(chain, fetcher));
                    }
                    tokens.extend(crate::cms::view(signer).signature_timestamps);
                }
            }
        }
    }
    chains.extend(
        tsa_chains(&tokens)
            .into_iter()
            .map(|c| certificate::complete_chain(c, fetcher)),
    );
    Ok(chains)
}
