//! Signing and sealing any file as CAdES baseline (ETSI EN 319 122-1 §6): detached `.p7s` or
//! enveloping `.p7m`, levels B-B to B-LTA, parallel signers added to an existing file and
//! counter-signatures (RFC 5652 §11.4), and `extend` for CAdES made by any tool.
//!
//! B-LT follows EN 319 122-1 §6.3 (and EU DSS): certificates and revocation data go into
//! `SignedData.certificates` and `SignedData.crls`; the certificate-values and
//! revocation-values attributes belong to the extended CAdES-E-LT and are not written.

use std::io::Write;
use std::path::{Path, PathBuf};

use ::cms::signed_data::SignerInfo;
use chrono::{DateTime, Utc};
use der::{Any, Decode, Encode};

use super::{Error, Extended, Level, Request, check_credential, ltv};
use crate::algorithm::{self, Digest};
use crate::cades::{self, SignedData, archive};
pub use crate::cades::{detached_content, is_signature_file};
use crate::certificate::{self, Certificate, Kind};
use crate::cms;
use crate::network::Fetcher;
use crate::output::{self, Output};
use crate::timestamp::TimeStamper;

/// The largest content written into an enveloping `.p7m`: it is held in memory while the
/// SignedData is encoded, and readers of `.p7m` files do the same. Larger files are signed
/// detached.
pub const MAX_ENVELOPED: u64 = 256 * 1024 * 1024;

/// Where the signed content goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Packaging {
    /// Beside the signature (`.p7s`): the content file stays as it is.
    Detached,
    /// Inside the signature (`.p7m`).
    Enveloping,
    /// In an ASiC-S container beside its one data object (`.asics`).
    AsicS,
    /// In an ASiC-E container over a manifest of data objects (`.asice`).
    AsicE,
}

impl Packaging {
    /// The file name extension of the signature.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Detached => "p7s",
            Self::Enveloping => "p7m",
            Self::AsicS => "asics",
            Self::AsicE => "asice",
        }
    }
}

/// What a finished CAdES signature looks like.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub output: PathBuf,
    pub level: Level,
    pub kind: Kind,
    pub signer: String,
    pub packaging: Packaging,
    /// A counter-signature, not a signature of its own.
    pub counter: bool,
    /// Signers (counter-signatures not counted) in the file now.
    pub signers: usize,
    /// The signed content's length.
    pub content_size: u64,
}

/// `NAME.EXT.p7s` (or `.p7m`) beside `input`, or inside `dir`.
pub fn default_output(input: &Path, packaging: Packaging, dir: Option<&Path>) -> PathBuf {
    let mut name = input.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(packaging.extension());
    match dir {
        Some(dir) => dir.join(name),
        None => input.with_file_name(name),
    }
}

/// Signs the file `input` into a new CAdES signature at `output`. `input` is only read;
/// `output` appears complete or not at all.
pub fn sign_file(
    input: &Path,
    output: &Path,
    credential: &crate::key::Credential,
    request: &Request,
    packaging: Packaging,
    overwrite: bool,
) -> Result<Outcome, Error> {
    check_credential(credential, request)?;
    if super::same_file(input, output) {
        return Err(Error::SameFile(input.display().to_string()));
    }
    let digest = credential.signer.algorithm().digest();
    let (content, hashes) = read_content(input, packaging == Packaging::Enveloping, &[digest])?;
    let signed = new_signature(content, &hashes, credential, request)?;
    let out = write(output, &signed, overwrite)?;
    out.commit()?;
    Ok(outcome(
        output,
        credential,
        request,
        packaging,
        false,
        &signed,
        hashes.length,
    ))
}

/// A detached CAdES signature (DER) over content whose digest with the credential's algorithm
/// is `content_digest`, at the level `request` asks for: what an ASiC container carries.
pub(crate) fn detached_over(
    content_digest: Vec<u8>,
    length: u64,
    credential: &crate::key::Credential,
    request: &Request,
) -> Result<Vec<u8>, Error> {
    let digest = credential.signer.algorithm().digest();
    let hashes = Hashes {
        digests: vec![(digest, content_digest)],
        length,
    };
    new_signature(None, &hashes, credential, request)?
        .to_der()
        .map_err(cades_error)
}

/// A new SignedData with one signer over the content `hashes` describe, raised to the level of
/// `request`.
fn new_signature(
    content: Option<Vec<u8>>,
    hashes: &Hashes,
    credential: &crate::key::Credential,
    request: &Request,
) -> Result<SignedData, Error> {
    let mut signed = SignedData::new(content);
    add_parallel(&mut signed, hashes, credential, request)?;
    Ok(signed)
}

/// Adds a signer to the CAdES signature at `signature` (a parallel SignerInfo, or with
/// `counter` a counter-signature of its last SignerInfo) into `output`. A detached signature
/// needs its `content` (found beside it when `None`); it must be what the existing signers
/// signed.
pub fn add_signer(
    signature: &Path,
    content: Option<&Path>,
    output: &Path,
    credential: &crate::key::Credential,
    request: &Request,
    counter: bool,
    overwrite: bool,
) -> Result<Outcome, Error> {
    check_credential(credential, request)?;
    if super::same_file(signature, output) {
        return Err(Error::SameFile(signature.display().to_string()));
    }
    let mut signed = read_signature(signature)?;
    let digest = credential.signer.algorithm().digest();
    let hashes = content_hashes(signature, content, &signed, &[digest])?;
    let packaging = if signed.content.is_some() {
        Packaging::Enveloping
    } else {
        Packaging::Detached
    };
    if counter {
        let Some(target) = signed.signer_infos.last_mut() else {
            return Err(Error::Unsigned(signature.display().to_string()));
        };
        let signature_digest = digest.hash(target.signature.as_bytes());
        let counter = cms::sign_counter(&signature_digest, credential, Some(request.time))?;
        let (mut counter_info, certificates) = counter.into_parts();
        if let (true, Some(stamper)) = (request.level >= Level::T, &request.timestamp) {
            stamp_signature(&mut counter_info, stamper.as_ref())?;
        }
        let counter_der = counter_info
            .to_der()
            .map_err(|e| Error::Cms(cms::Error::from(e)))?;
        cades::add_unsigned(target, cades::ID_COUNTER_SIGNATURE, &counter_der)
            .map_err(cades_error)?;
        signed.add_certificates(&certificates);
        if request.level >= Level::Lt {
            let levels = Levels {
                level: Level::Lt,
                ..request_levels(request)
            };
            raise(&mut signed, &[], &hashes, levels)?;
        }
    } else {
        add_parallel(&mut signed, &hashes, credential, request)?;
    }
    let out = write(output, &signed, overwrite)?;
    out.commit()?;
    Ok(outcome(
        output,
        credential,
        request,
        packaging,
        counter,
        &signed,
        hashes.length,
    ))
}

/// Raises every signer of the CAdES signature at `signature` to `level` into `output`, adding
/// only what is missing: signature time-stamps (B-T), the certificates and revocation data of
/// every signer and time-stamp (B-LT), and an archive-time-stamp-v3 per signer (B-LTA; on a
/// B-LTA signature this renews the archive). Returns the output, not yet in place.
#[allow(clippy::too_many_arguments, reason = "the inputs of one extension")]
pub fn extend(
    signature: &Path,
    content: Option<&Path>,
    output: &Path,
    level: Level,
    stamper: &dyn TimeStamper,
    fetcher: &dyn Fetcher,
    overwrite: bool,
    time: DateTime<Utc>,
) -> Result<(Output, Extended), Error> {
    if super::same_file(signature, output) {
        return Err(Error::SameFile(signature.display().to_string()));
    }
    let mut signed = read_signature(signature)?;
    if signed.signer_infos.is_empty() {
        return Err(Error::Unsigned(signature.display().to_string()));
    }
    let hashes = content_hashes(signature, content, &signed, &[])?;
    let done = extend_signed(&mut signed, &hashes, level, stamper, fetcher, time)?;
    let out = write(output, &signed, overwrite)?;
    Ok((out, done))
}

/// [`extend`] for a detached signature held in memory (`der`, called `name` in errors) whose
/// content `content` hashes with the digests it is given, returning the content's digests and
/// length: what an ASiC container holds. Returns the extended signature's DER.
#[allow(clippy::too_many_arguments, reason = "the inputs of one extension")]
pub(crate) fn extend_detached(
    der: &[u8],
    name: &str,
    content: impl FnOnce(&[Digest]) -> Result<(Vec<Vec<u8>>, u64), Error>,
    level: Level,
    stamper: &dyn TimeStamper,
    fetcher: &dyn Fetcher,
    time: DateTime<Utc>,
) -> Result<(Vec<u8>, Extended), Error> {
    let mut signed = SignedData::from_der(der).map_err(|source| Error::Cades {
        path: name.to_owned(),
        source,
    })?;
    if signed.signer_infos.is_empty() {
        return Err(Error::Unsigned(name.to_owned()));
    }
    let hashes = given_hashes(name, &signed, &[], content)?;
    let done = extend_signed(&mut signed, &hashes, level, stamper, fetcher, time)?;
    Ok((signed.to_der().map_err(cades_error)?, done))
}

/// [`add_signer`] (a parallel signer) for a detached signature held in memory, whose content
/// `content` hashes as in [`extend_detached`]. Returns the new DER and the number of signers.
pub(crate) fn add_detached_signer(
    der: &[u8],
    name: &str,
    content: impl FnOnce(&[Digest]) -> Result<(Vec<Vec<u8>>, u64), Error>,
    credential: &crate::key::Credential,
    request: &Request,
) -> Result<(Vec<u8>, usize), Error> {
    let mut signed = SignedData::from_der(der).map_err(|source| Error::Cades {
        path: name.to_owned(),
        source,
    })?;
    let digest = credential.signer.algorithm().digest();
    let hashes = given_hashes(name, &signed, &[digest], content)?;
    add_parallel(&mut signed, &hashes, credential, request)?;
    let signers = signed.signer_infos.len();
    Ok((signed.to_der().map_err(cades_error)?, signers))
}

/// The hashes `content` gives for every digest `signed`'s signers and `wanted` need, checked
/// against what the signers signed.
fn given_hashes(
    name: &str,
    signed: &SignedData,
    wanted: &[Digest],
    content: impl FnOnce(&[Digest]) -> Result<(Vec<Vec<u8>>, u64), Error>,
) -> Result<Hashes, Error> {
    let digests = needed_digests(signed, wanted);
    let (values, length) = content(&digests)?;
    let hashes = Hashes {
        digests: digests.into_iter().zip(values).collect(),
        length,
    };
    check_content(name, signed, &hashes)?;
    Ok(hashes)
}

/// A new parallel SignerInfo over the content `hashes` describe, at the level of `request`.
fn add_parallel(
    signed: &mut SignedData,
    hashes: &Hashes,
    credential: &crate::key::Credential,
    request: &Request,
) -> Result<(), Error> {
    let digest = credential.signer.algorithm().digest();
    let signer = cms::sign_detached(&hashes.of(digest)?, credential, Some(request.time))?;
    let (signer_info, certificates) = signer.into_parts();
    signed.add_certificates(&certificates);
    signed.signer_infos.push(signer_info);
    let index = signed.signer_infos.len() - 1;
    raise(signed, &[index], hashes, request_levels(request))
}

/// Raises every signer of `signed` to `level`, adding only what is missing.
fn extend_signed(
    signed: &mut SignedData,
    hashes: &Hashes,
    level: Level,
    stamper: &dyn TimeStamper,
    fetcher: &dyn Fetcher,
    time: DateTime<Utc>,
) -> Result<Extended, Error> {
    let session = crate::network::Session::start(fetcher);
    let before = (signed.certificates.len(), signed.crls.len());
    let stamped_before: usize = signed.signer_infos.iter().map(stamps).sum();
    let all: Vec<usize> = (0..signed.signer_infos.len()).collect();
    raise(
        signed,
        &all,
        hashes,
        Levels {
            level,
            time,
            stamper: Some(stamper),
            fetcher: Some(&session),
        },
    )?;
    let stamped_after: usize = signed.signer_infos.iter().map(stamps).sum();
    Ok(Extended {
        timestamped: stamped_after > stamped_before,
        certificates: signed.certificates.len() - before.0,
        ocsps: 0,
        crls: signed.crls.len() - before.1,
        archived: level == Level::Lta,
        container_timestamp: false,
    })
}

/// Signature time-stamps on a SignerInfo.
fn stamps(signer: &SignerInfo) -> usize {
    cades::unsigned_values(signer, cms::ID_SIGNATURE_TIME_STAMP).len()
}

/// What a level needs besides the SignedData.
struct Levels<'a> {
    level: Level,
    time: DateTime<Utc>,
    stamper: Option<&'a dyn TimeStamper>,
    fetcher: Option<&'a dyn Fetcher>,
}

fn request_levels(request: &Request) -> Levels<'_> {
    Levels {
        level: request.level,
        time: request.time,
        stamper: request.timestamp.as_deref(),
        fetcher: request.fetcher.as_deref(),
    }
}

/// The digests of the signed content, by algorithm, and its length.
struct Hashes {
    digests: Vec<(Digest, Vec<u8>)>,
    length: u64,
}

impl Hashes {
    fn of(&self, digest: Digest) -> Result<Vec<u8>, Error> {
        self.digests
            .iter()
            .find(|(d, _)| *d == digest)
            .map(|(_, h)| h.clone())
            .ok_or(Error::Needs(
                "the content hashed with the signature's algorithm",
            ))
    }
}

/// Brings the SignerInfos at `targets` to `levels.level`, adding only what is missing.
fn raise(
    signed: &mut SignedData,
    targets: &[usize],
    hashes: &Hashes,
    levels: Levels<'_>,
) -> Result<(), Error> {
    if levels.level >= Level::T {
        let stamper = levels
            .stamper
            .ok_or(Error::Needs("a time-stamp authority (--tsa URL)"))?;
        for &index in targets {
            if let Some(signer) = signed.signer_infos.get_mut(index)
                && stamps(signer) == 0
            {
                stamp_signature(signer, stamper)?;
            }
        }
    }
    if levels.level >= Level::Lt {
        let fetcher = levels
            .fetcher
            .ok_or(Error::Needs("network access for revocation data"))?;
        let session = crate::network::Session::start(fetcher);
        let material = ltv::material(&chains(signed, &session), &session, levels.time)?;
        let certificates = material
            .certificates
            .iter()
            .map(|der| Any::from_der(der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Cms(cms::Error::Encode(e.to_string())))?;
        signed.add_certificates(&certificates);
        signed
            .add_revocation(&material.crls, &material.ocsps)
            .map_err(cades_error)?;
    }
    if levels.level == Level::Lta {
        let stamper = levels
            .stamper
            .ok_or(Error::Needs("a time-stamp authority (--tsa URL)"))?;
        for &index in targets {
            archive_stamp(signed, index, hashes, stamper)?;
        }
    }
    Ok(())
}

/// B-T: a time-stamp over the signature value, as the unsigned attribute
/// id-aa-signatureTimeStampToken (EN 319 122-1 §5.3).
fn stamp_signature(signer: &mut SignerInfo, stamper: &dyn TimeStamper) -> Result<(), Error> {
    let digest = cades::digest_of(signer).unwrap_or(Digest::Sha256);
    let token = stamper.stamp(digest, &digest.hash(signer.signature.as_bytes()))?;
    cades::add_unsigned(signer, cms::ID_SIGNATURE_TIME_STAMP, &token.der).map_err(cades_error)
}

/// B-LTA: an archive-time-stamp-v3 over the signer at `index` and everything the SignedData
/// holds now, with its ats-hash-index-v3 (EN 319 122-1 §5.5.3).
fn archive_stamp(
    signed: &mut SignedData,
    index: usize,
    hashes: &Hashes,
    stamper: &dyn TimeStamper,
) -> Result<(), Error> {
    let Some(signer) = signed.signer_infos.get(index) else {
        return Ok(());
    };
    let digest = cades::digest_of(signer).unwrap_or(Digest::Sha256);
    let hash_index = archive::HashIndex::of(signed, signer, digest).map_err(cades_error)?;
    let index_der = hash_index.to_der().map_err(cades_error)?;
    let input =
        archive::imprint_input(signed.content_type, &hashes.of(digest)?, signer, &index_der)
            .map_err(cades_error)?;
    let token = stamper.stamp(digest, &digest.hash(&input))?;
    // The index travels as an unsigned attribute of the token's own SignerInfo.
    let mut token_data = SignedData::from_der(&token.der).map_err(cades_error)?;
    let token_signer = token_data
        .signer_infos
        .first_mut()
        .ok_or(Error::Needs("a time-stamp token with a signer"))?;
    cades::add_unsigned(token_signer, cades::ID_ATS_HASH_INDEX_V3, &index_der)
        .map_err(cades_error)?;
    let token_der = token_data.to_der().map_err(cades_error)?;
    if let Some(signer) = signed.signer_infos.get_mut(index) {
        cades::add_unsigned(signer, cades::ID_ARCHIVE_TIME_STAMP_V3, &token_der)
            .map_err(cades_error)?;
    }
    Ok(())
}

/// The chains of every signer, counter-signer and time-stamp authority in `signed`.
fn chains(signed: &SignedData, fetcher: &dyn Fetcher) -> Vec<Vec<Certificate>> {
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .filter_map(|c| c.to_der().ok())
        .filter_map(|der| Certificate::from_der(&der).ok())
        .collect();
    let mut chains = Vec::new();
    let mut tokens = Vec::new();
    let mut pending: Vec<SignerInfo> = signed.signer_infos.clone();
    let mut seen = 0;
    while let Some(signer) = pending.pop() {
        seen += 1;
        if seen > cades::MAX_SIGNERS {
            break;
        }
        if let Some(leaf) = cms::Parsed::find_signer_certificate(&signer, &certificates)
            && let Some(chain) = certificate::order_chain(&leaf.public_key(), certificates.clone())
        {
            chains.push(certificate::complete_chain(chain, fetcher));
        }
        tokens.extend(cades::unsigned_values(
            &signer,
            cms::ID_SIGNATURE_TIME_STAMP,
        ));
        tokens.extend(cades::unsigned_values(
            &signer,
            cades::ID_ARCHIVE_TIME_STAMP_V3,
        ));
        pending.extend(cades::counter_signatures(&signer).0);
    }
    chains.extend(
        ltv::tsa_chains(&tokens)
            .into_iter()
            .map(|c| certificate::complete_chain(c, fetcher)),
    );
    chains
}

/// The content of `input`, kept in memory when it is to be enveloped, and its digests.
fn read_content(
    input: &Path,
    keep: bool,
    digests: &[Digest],
) -> Result<(Option<Vec<u8>>, Hashes), Error> {
    let io = |e| Error::Output(output::Error::io(input, e));
    let file = std::fs::File::open(input).map_err(io)?;
    if keep {
        let length = file.metadata().map_err(io)?.len();
        if length > MAX_ENVELOPED {
            return Err(Error::TooLarge {
                path: input.display().to_string(),
                limit: MAX_ENVELOPED,
            });
        }
        let bytes = std::fs::read(input).map_err(io)?;
        let hashes = Hashes {
            digests: digests.iter().map(|d| (*d, d.hash(&bytes))).collect(),
            length: bytes.len() as u64,
        };
        return Ok((Some(bytes), hashes));
    }
    let (values, length) = algorithm::hash_reader(file, digests, |_| Ok(())).map_err(io)?;
    Ok((
        None,
        Hashes {
            digests: digests.iter().copied().zip(values).collect(),
            length,
        },
    ))
}

/// The digests of what the signature at `signature` signs: its encapsulated content, else the
/// detached `content` (found beside it when `None`). The content must match every existing
/// signer's message digest: a co-signer must sign what the others signed.
fn content_hashes(
    signature: &Path,
    content: Option<&Path>,
    signed: &SignedData,
    wanted: &[Digest],
) -> Result<Hashes, Error> {
    let digests = needed_digests(signed, wanted);
    let hashes = match &signed.content {
        Some(bytes) => Hashes {
            digests: digests.iter().map(|d| (*d, d.hash(bytes))).collect(),
            length: bytes.len() as u64,
        },
        None => {
            let path = content
                .map(Path::to_path_buf)
                .or_else(|| detached_content(signature))
                .ok_or_else(|| Error::NoContent(signature.display().to_string()))?;
            read_content(&path, false, &digests)?.1
        }
    };
    check_content(&signature.display().to_string(), signed, &hashes)?;
    Ok(hashes)
}

/// `wanted` and the digest of every signer of `signed`, once each.
fn needed_digests(signed: &SignedData, wanted: &[Digest]) -> Vec<Digest> {
    let mut digests: Vec<Digest> = wanted.to_vec();
    for signer in &signed.signer_infos {
        if let Some(d) = cades::digest_of(signer)
            && !digests.contains(&d)
        {
            digests.push(d);
        }
    }
    digests
}

/// The content `hashes` describe must be what every signer of `signed` signed: an extension or
/// a co-signer over other content would make a signature that never validates.
fn check_content(name: &str, signed: &SignedData, hashes: &Hashes) -> Result<(), Error> {
    for signer in &signed.signer_infos {
        let view = cms::view(signer);
        if let (Some(d), Some(claimed)) = (view.digest, view.message_digest)
            && hashes.of(d)? != claimed
        {
            return Err(Error::ContentMismatch(name.to_owned()));
        }
    }
    Ok(())
}

fn read_signature(path: &Path) -> Result<SignedData, Error> {
    let io = |e| Error::Output(output::Error::io(path, e));
    let length = std::fs::metadata(path).map_err(io)?.len();
    if length > MAX_ENVELOPED.saturating_add(16 * 1024 * 1024) {
        return Err(Error::TooLarge {
            path: path.display().to_string(),
            limit: MAX_ENVELOPED,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    SignedData::from_der(&bytes).map_err(|source| Error::Cades {
        path: path.display().to_string(),
        source,
    })
}

fn write(output: &Path, signed: &SignedData, overwrite: bool) -> Result<Output, Error> {
    let der = signed.to_der().map_err(cades_error)?;
    let mut out = Output::create(output, overwrite)?;
    out.writer()
        .write_all(&der)
        .map_err(|e| Error::Output(output::Error::io(output, e)))?;
    Ok(out)
}

fn outcome(
    output: &Path,
    credential: &crate::key::Credential,
    request: &Request,
    packaging: Packaging,
    counter: bool,
    signed: &SignedData,
    content_size: u64,
) -> Outcome {
    let certificate = credential.certificate();
    Outcome {
        output: output.to_path_buf(),
        level: request.level,
        kind: certificate.declared_kind().unwrap_or(request.intent),
        signer: certificate.holder(),
        packaging,
        counter,
        signers: signed.signer_infos.len(),
        content_size,
    }
}

pub(crate) fn cades_error(source: cades::Error) -> Error {
    Error::Cades {
        path: String::new(),
        source,
    }
}
