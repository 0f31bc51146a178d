//! Signing files into ASiC containers with CAdES (ETSI EN 319 162-1): ASiC-S holds one file and
//! `META-INF/signature.p7s` over it (§4.3); ASiC-E holds any number of files, an
//! `META-INF/ASiCManifest001.xml` with each one's digest and `META-INF/signature001.p7s` over
//! that manifest (§4.4). Every file is read twice, streaming: once hashed, once copied.
//!
//! An existing container gets another signature (`add_signature`) or higher levels
//! (`extend`) by being copied into a new file: the entries others signed are copied as they
//! are stored, byte for byte, and only the signatures extended change.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::cades::{Outcome, Packaging, add_detached_signer, detached_over, extend_detached};
use super::{Error, Extended, Level, Request, check_credential};
use crate::algorithm::{self, Digest};
use crate::asic::{self, Container, Kind};
use crate::key::Credential;
use crate::network::Fetcher;
use crate::output::{self, Output};
use crate::timestamp::TimeStamper;

/// Signs `inputs` into a new container of `kind` at `output`, which appears complete or not
/// at all. ASiC-S takes exactly one input.
pub fn create(
    kind: Kind,
    inputs: &[PathBuf],
    output: &Path,
    credential: &Credential,
    request: &Request,
    overwrite: bool,
) -> Result<Outcome, Error> {
    check_credential(credential, request)?;
    if kind == Kind::S && inputs.len() != 1 {
        return Err(asic::Error::NotOneDataObject(inputs.len()).into());
    }
    let mut names: Vec<String> = Vec::new();
    for input in inputs {
        if super::same_file(input, output) {
            return Err(Error::SameFile(input.display().to_string()));
        }
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| asic::Error::Name(format!("{}: not a file name", input.display())))?
            .to_owned();
        asic::check_name(&name)?;
        if name == "mimetype" || names.contains(&name) {
            return Err(asic::Error::Reserved(name).into());
        }
        names.push(name);
    }
    let digest = credential.signer.algorithm().digest();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| Error::Output(output::Error::io(&path, e))
    };
    let mut hashes = Vec::new();
    let mut total: u64 = 0;
    for input in inputs {
        let file = std::fs::File::open(input).map_err(io(input))?;
        let (values, length) =
            algorithm::hash_reader(file, &[digest], |_| Ok(())).map_err(io(input))?;
        total = total.saturating_add(length);
        hashes.push((values.into_iter().next().unwrap_or_default(), length));
    }
    let signature_name = asic::signature_name(kind);
    let (manifest, signature) = match kind {
        Kind::S => {
            let (hash, length) = hashes.first().cloned().unwrap_or_default();
            (None, detached_over(hash, length, credential, request)?)
        }
        Kind::E => {
            let references = names.iter().zip(&hashes).map(|(n, (h, _))| (n.as_str(), h));
            let (manifest, signature) =
                signed_manifest(signature_name, references, credential, request)?;
            (Some(manifest), signature)
        }
    };
    let mut out = Output::create(output, overwrite)?;
    let mut writer = asic::Writer::new(out.writer(), kind)?;
    for ((input, name), (_, length)) in inputs.iter().zip(&names).zip(&hashes) {
        let mut file = std::fs::File::open(input).map_err(io(input))?;
        // Exactly the bytes hashed: a file that grew meanwhile must not slip more in.
        let copied = writer.add(name, &mut std::io::Read::take(&mut file, *length), *length)?;
        if copied != *length {
            return Err(Error::Changed(input.display().to_string()));
        }
    }
    if let Some(manifest) = &manifest {
        writer.add(
            asic::MANIFEST_NAME,
            &mut manifest.as_slice(),
            manifest.len() as u64,
        )?;
    }
    writer.add(
        signature_name,
        &mut signature.as_slice(),
        signature.len() as u64,
    )?;
    writer.finish()?;
    out.commit()?;
    let certificate = credential.certificate();
    Ok(Outcome {
        output: output.to_path_buf(),
        level: request.level,
        kind: certificate.declared_kind().unwrap_or(request.intent),
        signer: certificate.holder(),
        packaging: packaging(kind),
        counter: false,
        signers: 1,
        content_size: total,
    })
}

/// An ASiCManifest naming `signature_name` over `references` (entry name, digest with the
/// credential's algorithm), and the CAdES signature over it.
fn signed_manifest<'a>(
    signature_name: &str,
    references: impl Iterator<Item = (&'a str, &'a Vec<u8>)>,
    credential: &Credential,
    request: &Request,
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let digest = credential.signer.algorithm().digest();
    let manifest = asic::Manifest {
        signature: signature_name.to_owned(),
        references: references
            .map(|(name, hash)| asic::Reference {
                uri: name.to_owned(),
                mime: Some(mime_of(name).to_owned()),
                digest,
                value: hash.clone(),
            })
            .collect(),
    }
    .to_xml();
    let signature = detached_over(
        digest.hash(&manifest),
        manifest.len() as u64,
        credential,
        request,
    )?;
    Ok((manifest, signature))
}

/// Adds a signature to the container at `input` into `output`. ASiC-E gets a new
/// `META-INF/signatureNNN.p7s` with its own `ASiCManifestNNN.xml` over every data object;
/// ASiC-S, whose one signature file is fixed (EN 319 162-1 §4.3), a parallel signer in it.
pub fn add_signature(
    input: &Path,
    output: &Path,
    credential: &Credential,
    request: &Request,
    overwrite: bool,
) -> Result<Outcome, Error> {
    check_credential(credential, request)?;
    if super::same_file(input, output) {
        return Err(Error::SameFile(input.display().to_string()));
    }
    let mut container = Container::open(input)?;
    let kind = kind_of(&container, input)?;
    let data: Vec<String> = container
        .data_objects()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let digest = credential.signer.algorithm().digest();
    let mut content_size: u64 = 0;
    let (replaced, added, signers) = match kind {
        Kind::S => {
            let signature_name = asic::signature_name(Kind::S);
            let [object] = data.as_slice() else {
                return Err(asic::Error::NotOneDataObject(data.len()).into());
            };
            let der = container.read_small(signature_name)?;
            let (der, signers) = add_detached_signer(
                &der,
                signature_name,
                |digests| entry_hashes(&mut container, object, digests),
                credential,
                request,
            )?;
            content_size = entry_size(&mut container, object)?;
            (vec![(signature_name.to_owned(), der)], Vec::new(), signers)
        }
        Kind::E => {
            check_manifests(&mut container, input)?;
            let (signature_name, manifest_name) = (1..)
                .map(asic::numbered_names)
                .find(|(s, m)| !container.names.contains(s) && !container.names.contains(m))
                .unwrap_or_default();
            let mut hashes = Vec::new();
            for name in &data {
                hashes.push(
                    container
                        .hash(name, &[digest])?
                        .into_iter()
                        .next()
                        .unwrap_or_default(),
                );
                content_size = content_size.saturating_add(entry_size(&mut container, name)?);
            }
            let references = data.iter().map(String::as_str).zip(&hashes);
            let (manifest, signature) =
                signed_manifest(&signature_name, references, credential, request)?;
            let signers = container.signatures().len() + 1;
            (
                Vec::new(),
                vec![(manifest_name, manifest), (signature_name, signature)],
                signers,
            )
        }
    };
    let out = rewrite(&mut container, kind, output, overwrite, &replaced, &added)?;
    out.commit()?;
    let certificate = credential.certificate();
    Ok(Outcome {
        output: output.to_path_buf(),
        level: request.level,
        kind: certificate.declared_kind().unwrap_or(request.intent),
        signer: certificate.holder(),
        packaging: packaging(kind),
        counter: false,
        signers,
        content_size,
    })
}

/// Raises every CAdES signature in the container at `input` to `level` into `output`, as
/// `sign::cades::extend` does for a `.p7s`: each over its ASiCManifest (ASiC-E) or the one
/// data object (ASiC-S). With `container_timestamp` an ASiC-E also gets an
/// ASiCArchiveManifest over every entry as written, and its time-stamp (EN 319 162-1 §A.5).
/// Returns the output, not yet in place.
#[allow(clippy::too_many_arguments, reason = "the inputs of one extension")]
pub fn extend(
    input: &Path,
    output: &Path,
    level: Level,
    stamper: &dyn TimeStamper,
    fetcher: &dyn Fetcher,
    overwrite: bool,
    time: DateTime<Utc>,
    container_timestamp: bool,
) -> Result<(Output, Extended), Error> {
    if super::same_file(input, output) {
        return Err(Error::SameFile(input.display().to_string()));
    }
    let mut container = Container::open(input)?;
    let kind = kind_of(&container, input)?;
    let signatures: Vec<String> = container
        .signatures()
        .into_iter()
        .map(str::to_owned)
        .collect();
    if signatures.is_empty() {
        return Err(Error::Unsigned(input.display().to_string()));
    }
    // What each signature signs: the manifest that names it, or the one data object.
    let mut targets = Vec::new();
    match kind {
        Kind::S => {
            let data = container.data_objects();
            let [object] = data.as_slice() else {
                return Err(asic::Error::NotOneDataObject(data.len()).into());
            };
            let object = (*object).to_owned();
            targets.extend(signatures.iter().map(|s| (s.clone(), object.clone())));
        }
        Kind::E => {
            let manifests: Vec<String> = container
                .manifests()
                .into_iter()
                .map(str::to_owned)
                .collect();
            for manifest_name in manifests {
                let manifest = asic::Manifest::from_xml(&container.read_small(&manifest_name)?)?;
                if signatures.contains(&manifest.signature) {
                    targets.push((manifest.signature, manifest_name));
                }
            }
            if let Some(lone) = signatures
                .iter()
                .find(|s| !targets.iter().any(|(t, _)| t == *s))
            {
                return Err(asic::Error::Unreferenced(lone.clone()).into());
            }
        }
    }
    let mut done = Extended::default();
    let mut replaced = Vec::new();
    // What earlier container time-stamps cover must stay as it is, or they fail.
    let mut archived = Vec::new();
    for manifest_name in container
        .archive_manifests()
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    {
        let manifest = asic::Manifest::from_xml(&container.read_small(&manifest_name)?)?;
        archived.extend(
            manifest
                .references
                .into_iter()
                .map(|r| (r.uri, manifest_name.clone())),
        );
    }
    for (signature_name, content_name) in targets {
        let before = container.read_small(&signature_name)?;
        let (der, extended) = extend_detached(
            &before,
            &signature_name,
            |digests| entry_hashes(&mut container, &content_name, digests),
            level,
            stamper,
            fetcher,
            time,
        )?;
        done.timestamped |= extended.timestamped;
        done.certificates += extended.certificates;
        done.ocsps += extended.ocsps;
        done.crls += extended.crls;
        done.archived |= extended.archived;
        if der == before {
            continue;
        }
        if let Some((_, manifest_name)) = archived.iter().find(|(uri, _)| *uri == signature_name) {
            return Err(asic::Error::Archived {
                entry: signature_name,
                manifest: manifest_name.clone(),
            }
            .into());
        }
        replaced.push((signature_name, der));
    }
    let mut added = Vec::new();
    if container_timestamp {
        if kind != Kind::E {
            return Err(asic::Error::ArchiveManifestInAsicS.into());
        }
        added = archive_manifest(&mut container, &replaced, stamper)?;
        done.container_timestamp = true;
    }
    let out = rewrite(&mut container, kind, output, overwrite, &replaced, &added)?;
    Ok((out, done))
}

/// A new ASiCArchiveManifest over every entry but `mimetype` as it will be written (`replaced`
/// bytes where given), with its time-stamp token: the two entries to add, under the first
/// free names (DSS's `META-INF/ASiCArchiveManifest.xml`, `META-INF/timestamp.tst`, then
/// numbered).
fn archive_manifest<R: std::io::Read + std::io::Seek>(
    container: &mut Container<R>,
    replaced: &[(String, Vec<u8>)],
    stamper: &dyn TimeStamper,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let digest = Digest::Sha256;
    let free = |names: &[String], stem: &str, extension: &str| {
        std::iter::once(format!("META-INF/{stem}.{extension}"))
            .chain((1..).map(|n| format!("META-INF/{stem}{n:03}.{extension}")))
            .find(|name| !names.contains(name))
            .unwrap_or_default()
    };
    let manifest_name = free(&container.names, "ASiCArchiveManifest", "xml");
    let token_name = free(&container.names, "timestamp", "tst");
    let names: Vec<String> = container
        .names
        .iter()
        .filter(|n| *n != "mimetype" && !n.ends_with('/'))
        .cloned()
        .collect();
    let mut references = Vec::new();
    for name in &names {
        let value = match replaced.iter().find(|(r, _)| r == name) {
            Some((_, bytes)) => digest.hash(bytes),
            None => container
                .hash(name, &[digest])?
                .into_iter()
                .next()
                .unwrap_or_default(),
        };
        references.push(asic::Reference {
            uri: name.clone(),
            mime: Some(mime_of(name).to_owned()),
            digest,
            value,
        });
    }
    let manifest = asic::Manifest {
        signature: token_name.clone(),
        references,
    }
    .to_xml();
    let token = stamper.stamp(digest, &digest.hash(&manifest))?;
    Ok(vec![(manifest_name, manifest), (token_name, token.der)])
}

/// Every file an ASiCManifest names must still be what it names: a co-signer signs what the
/// others signed, never a file changed since.
fn check_manifests<R: std::io::Read + std::io::Seek>(
    container: &mut Container<R>,
    input: &Path,
) -> Result<(), Error> {
    let manifests: Vec<String> = container
        .manifests()
        .into_iter()
        .map(str::to_owned)
        .collect();
    for manifest_name in manifests {
        let manifest = asic::Manifest::from_xml(&container.read_small(&manifest_name)?)?;
        for reference in &manifest.references {
            let matches = container.names.contains(&reference.uri)
                && container.hash(&reference.uri, &[reference.digest])?.first()
                    == Some(&reference.value);
            if !matches {
                return Err(Error::ContentMismatch(format!(
                    "{}: {}",
                    input.display(),
                    reference.uri
                )));
            }
        }
    }
    Ok(())
}

/// The container's kind from its mimetype, else from its name.
fn kind_of<R: std::io::Read + std::io::Seek>(
    container: &Container<R>,
    path: &Path,
) -> Result<Kind, Error> {
    container
        .kind
        .or_else(|| Kind::of_path(path))
        .ok_or(Error::Container(asic::Error::Untyped))
}

fn packaging(kind: Kind) -> Packaging {
    match kind {
        Kind::S => Packaging::AsicS,
        Kind::E => Packaging::AsicE,
    }
}

/// The entry `name` hashed for a CAdES signer, with its length.
fn entry_hashes<R: std::io::Read + std::io::Seek>(
    container: &mut Container<R>,
    name: &str,
    digests: &[Digest],
) -> Result<(Vec<Vec<u8>>, u64), Error> {
    let values = container.hash(name, digests)?;
    Ok((values, entry_size(container, name)?))
}

fn entry_size<R: std::io::Read + std::io::Seek>(
    container: &mut Container<R>,
    name: &str,
) -> Result<u64, Error> {
    Ok(container.copy(name, &mut std::io::sink())?)
}

/// The container copied into `output`: a fresh `mimetype` first, every other entry as stored
/// except `replaced` (same name, new bytes, in its place), then `added`.
fn rewrite<R: std::io::Read + std::io::Seek>(
    container: &mut Container<R>,
    kind: Kind,
    output: &Path,
    overwrite: bool,
    replaced: &[(String, Vec<u8>)],
    added: &[(String, Vec<u8>)],
) -> Result<Output, Error> {
    let mut out = Output::create(output, overwrite)?;
    let mut writer = asic::Writer::new(out.writer(), kind)?;
    let names: Vec<String> = container.names.clone();
    for name in names.iter().filter(|n| *n != "mimetype") {
        match replaced.iter().find(|(r, _)| r == name) {
            Some((_, bytes)) => {
                writer.add(name, &mut bytes.as_slice(), bytes.len() as u64)?;
            }
            None => writer.copy_entry(container, name)?,
        }
    }
    for (name, bytes) in added {
        writer.add(name, &mut bytes.as_slice(), bytes.len() as u64)?;
    }
    writer.finish()?;
    Ok(out)
}

/// The media type a manifest names for a file, from its extension; DSS does the same.
fn mime_of(name: &str) -> &'static str {
    let extension = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "xml" => "text/xml",
        "txt" => "text/plain",
        "odt" => "application/vnd.oasis.opendocument.text",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}
