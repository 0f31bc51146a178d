//! Signing files into ASiC containers with CAdES (ETSI EN 319 162-1): ASiC-S holds one file and
//! `META-INF/signature.p7s` over it (§4.3); ASiC-E holds any number of files, an
//! `META-INF/ASiCManifest001.xml` with each one's digest and `META-INF/signature001.p7s` over
//! that manifest (§4.4). Every file is read twice, streaming: once hashed, once copied.

use std::path::{Path, PathBuf};

use super::cades::{Outcome, Packaging, detached_over};
use super::{Error, Request, check_credential};
use crate::algorithm;
use crate::asic::{self, Kind};
use crate::key::Credential;
use crate::output::{self, Output};

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
        return Err(Error::Container(format!(
            "an ASiC-S container holds one file, not {}",
            inputs.len()
        )));
    }
    let mut names: Vec<String> = Vec::new();
    for input in inputs {
        if super::same_file(input, output) {
            return Err(Error::SameFile(input.display().to_string()));
        }
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::Container(format!("{}: not a file name", input.display())))?
            .to_owned();
        asic::check_name(&name).map_err(|e| Error::Container(e.to_string()))?;
        if name == "mimetype" || names.contains(&name) {
            return Err(Error::Container(format!(
                "{name}: a container cannot hold this name (twice, or the reserved mimetype)"
            )));
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
            let manifest = asic::Manifest {
                signature: signature_name.to_owned(),
                references: names
                    .iter()
                    .zip(&hashes)
                    .map(|(name, (hash, _))| asic::Reference {
                        uri: name.clone(),
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
            (Some(manifest), signature)
        }
    };
    let mut out = Output::create(output, overwrite)?;
    let container = |e: asic::Error| Error::Container(e.to_string());
    let mut writer = asic::Writer::new(out.writer(), kind).map_err(container)?;
    for ((input, name), (_, length)) in inputs.iter().zip(&names).zip(&hashes) {
        let mut file = std::fs::File::open(input).map_err(io(input))?;
        // Exactly the bytes hashed: a file that grew meanwhile must not slip more in.
        let copied = writer
            .add(name, &mut std::io::Read::take(&mut file, *length), *length)
            .map_err(container)?;
        if copied != *length {
            return Err(Error::Container(format!(
                "{}: the file changed while it was signed",
                input.display()
            )));
        }
    }
    if let Some(manifest) = &manifest {
        writer
            .add(
                asic::MANIFEST_NAME,
                &mut manifest.as_slice(),
                manifest.len() as u64,
            )
            .map_err(container)?;
    }
    writer
        .add(
            signature_name,
            &mut signature.as_slice(),
            signature.len() as u64,
        )
        .map_err(container)?;
    writer.finish().map_err(container)?;
    out.commit()?;
    let certificate = credential.certificate();
    Ok(Outcome {
        output: output.to_path_buf(),
        level: request.level,
        kind: certificate.declared_kind().unwrap_or(request.intent),
        signer: certificate.holder(),
        packaging: match kind {
            Kind::S => Packaging::AsicS,
            Kind::E => Packaging::AsicE,
        },
        counter: false,
        signers: 1,
        content_size: total,
    })
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
