//! ASiC containers with CAdES (ETSI EN 319 162-1): the ZIP rules (§A.1: `mimetype` first,
//! stored, without extra field), the ASiCManifest (§A.4) and the entry names EU DSS writes.
//! Reading is bounded (entry count, sizes, compression ratio) and refuses names that could
//! leave a folder or mean two things.

use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::algorithm::Digest;

/// `application/vnd.etsi.asic-s+zip`: one data object and its signature.
pub const MIMETYPE_S: &str = "application/vnd.etsi.asic-s+zip";
/// `application/vnd.etsi.asic-e+zip`: data objects listed by manifests.
pub const MIMETYPE_E: &str = "application/vnd.etsi.asic-e+zip";
/// EN 319 162-1 §A.4 namespace of `ASiCManifest`.
pub const MANIFEST_NAMESPACE: &str = "http://uri.etsi.org/02918/v1.2.1#";
const XMLDSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Entries one container may have: far more than real containers carry.
pub const MAX_ENTRIES: usize = 1000;
/// Uncompressed bytes of all entries together.
pub const MAX_TOTAL: u64 = 4 * 1024 * 1024 * 1024;
/// Uncompressed / compressed beyond this (for entries over [`RATIO_FLOOR`] bytes) is a bomb.
pub const MAX_RATIO: u64 = 200;
pub const RATIO_FLOOR: u64 = 1024 * 1024;
/// Data objects larger than this are stored, not deflated: deflating runs at a tenth of the
/// speed of hashing, and large signed files (PDFs, office documents, images, archives) are
/// compressed already.
pub const STORE_ABOVE: u64 = 64 * 1024 * 1024;
/// Signatures and manifests are read into memory; larger ones are refused.
pub const MAX_METADATA: u64 = 16 * 1024 * 1024;

/// ASiC-S (one data object) or ASiC-E (several, with manifests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Kind {
    #[serde(rename = "ASiC-S")]
    S,
    #[serde(rename = "ASiC-E")]
    E,
}

impl Kind {
    pub fn extension(self) -> &'static str {
        match self {
            Self::S => "asics",
            Self::E => "asice",
        }
    }

    pub fn mimetype(self) -> &'static str {
        match self {
            Self::S => MIMETYPE_S,
            Self::E => MIMETYPE_E,
        }
    }

    /// The kind a file name's extension names (`.asics`/`.scs`, `.asice`/`.sce`).
    pub fn of_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "asics" | "scs" => Some(Self::S),
            "asice" | "sce" => Some(Self::E),
            _ => None,
        }
    }
}

/// DSS's names: `META-INF/signature.p7s` in ASiC-S; `META-INF/signature001.p7s` with
/// `META-INF/ASiCManifest001.xml` in ASiC-E.
pub fn signature_name(kind: Kind) -> &'static str {
    match kind {
        Kind::S => "META-INF/signature.p7s",
        Kind::E => "META-INF/signature001.p7s",
    }
}

pub const MANIFEST_NAME: &str = "META-INF/ASiCManifest001.xml";

/// The `number`th signature of an ASiC-E container and its manifest, as DSS numbers them
/// (`META-INF/signature002.p7s`, `META-INF/ASiCManifest002.xml`).
pub fn numbered_names(number: usize) -> (String, String) {
    (
        format!("META-INF/signature{number:03}.p7s"),
        format!("META-INF/ASiCManifest{number:03}.xml"),
    )
}

/// A data object a manifest references (`DataObjectReference`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub uri: String,
    pub mime: Option<String>,
    pub digest: Digest,
    pub value: Vec<u8>,
}

/// `ASiCManifest` (EN 319 162-1 §A.4):
///
/// ```text
/// <ASiCManifest>
///   <SigReference URI="META-INF/signature001.p7s" MimeType="application/pkcs7-signature"/>
///   <DataObjectReference URI="a.xml" MimeType="...">
///     <ds:DigestMethod Algorithm="..."/><ds:DigestValue>...</ds:DigestValue>
///   </DataObjectReference>*
/// </ASiCManifest>
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub signature: String,
    pub references: Vec<Reference>,
}

impl Manifest {
    /// The XML, UTF-8; every name escaped.
    pub fn to_xml(&self) -> Vec<u8> {
        use quick_xml::escape::escape;
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<asic:ASiCManifest xmlns:asic=\"{MANIFEST_NAMESPACE}\" xmlns:ds=\"{XMLDSIG}\">\n<asic:SigReference MimeType=\"{}\" URI=\"{}\"/>\n",
            if self.names_timestamp() {
                "application/vnd.etsi.timestamp-token"
            } else {
                "application/pkcs7-signature"
            },
            escape(self.signature.as_str())
        );
        for reference in &self.references {
            xml.push_str(&format!(
                "<asic:DataObjectReference MimeType=\"{}\" URI=\"{}\">\n<ds:DigestMethod Algorithm=\"{}\"/>\n<ds:DigestValue>{}</ds:DigestValue>\n</asic:DataObjectReference>\n",
                escape(reference.mime.as_deref().unwrap_or("application/octet-stream")),
                escape(reference.uri.as_str()),
                reference.digest.xml_uri(),
                <base64ct::Base64 as base64ct::Encoding>::encode_string(&reference.value),
            ));
        }
        xml.push_str("</asic:ASiCManifest>\n");
        xml.into_bytes()
    }

    /// Whether the SigReference names a time-stamp token (`.tst`), not a CAdES signature.
    pub fn names_timestamp(&self) -> bool {
        self.signature.to_ascii_lowercase().ends_with(".tst")
    }

    /// Reads a manifest; unknown digest methods and malformed values are errors.
    pub fn from_xml(xml: &[u8]) -> Result<Self, Error> {
        use quick_xml::events::Event;
        let bad = |m: String| Error::Manifest(m);
        let mut reader = quick_xml::Reader::from_reader(xml);
        reader.config_mut().trim_text(true);
        let mut buffer = Vec::new();
        let mut signature = None;
        let mut references = Vec::new();
        let mut current: Option<Partial> = None;
        let mut in_value = false;
        let mut root = false;
        loop {
            let event = reader
                .read_event_into(&mut buffer)
                .map_err(|e| bad(e.to_string()))?;
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let name = e.local_name();
                    let attribute = |key: &str| -> Result<Option<String>, Error> {
                        for a in e.attributes() {
                            let a = a.map_err(|e| bad(e.to_string()))?;
                            if a.key.local_name().as_ref() == key {
                                let value = a
                                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .map_err(|e| bad(e.to_string()))?;
                                return Ok(Some(value.into_owned()));
                            }
                        }
                        Ok(None)
                    };
                    match name.as_ref() {
                        "ASiCManifest" => root = true,
                        "SigReference" => {
                            if signature.is_some() {
                                return Err(bad("more than one SigReference".into()));
                            }
                            signature = attribute("URI")?;
                        }
                        "DataObjectReference" => {
                            let uri = attribute("URI")?
                                .ok_or_else(|| bad("a DataObjectReference without URI".into()))?;
                            current = Some((uri, attribute("MimeType")?, None, None));
                            if empty {
                                return Err(bad("a DataObjectReference without digest".into()));
                            }
                        }
                        "DigestMethod" => {
                            let uri = attribute("Algorithm")?.unwrap_or_default();
                            let digest = Digest::from_xml_uri(&uri)
                                .ok_or_else(|| bad(format!("unknown digest method {uri}")))?;
                            if let Some(c) = current.as_mut() {
                                c.2 = Some(digest);
                            }
                        }
                        "DigestValue" => in_value = !empty,
                        _ => {}
                    }
                }
                Event::Text(text) if in_value => {
                    let text = text.xml_content(quick_xml::XmlVersion::Implicit1_0);
                    let value = <base64ct::Base64 as base64ct::Encoding>::decode_vec(
                        &text.split_whitespace().collect::<String>(),
                    )
                    .map_err(|e| bad(format!("DigestValue: {e}")))?;
                    if let Some(c) = current.as_mut() {
                        c.3 = Some(value);
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "DigestValue" => in_value = false,
                    "DataObjectReference" => {
                        let Some((uri, mime, Some(digest), Some(value))) = current.take() else {
                            return Err(bad("a DataObjectReference without digest".into()));
                        };
                        references.push(Reference {
                            uri,
                            mime,
                            digest,
                            value,
                        });
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
            buffer.clear();
        }
        if !root {
            return Err(bad("not an ASiCManifest".into()));
        }
        Ok(Self {
            signature: signature.ok_or_else(|| bad("no SigReference".into()))?,
            references,
        })
    }
}

/// A DataObjectReference while it is read: URI, media type, digest method, digest value.
type Partial = (String, Option<String>, Option<Digest>, Option<Vec<u8>>);

/// Writes a container: `mimetype` first (stored, no extra field), then entries.
#[derive(Debug)]
pub struct Writer<W: Write + Seek> {
    zip: zip::ZipWriter<W>,
}

impl<W: Write + Seek> Writer<W> {
    pub fn new(out: W, kind: Kind) -> Result<Self, Error> {
        let mut zip = zip::ZipWriter::new(out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored)?;
        zip.write_all(kind.mimetype().as_bytes())
            .map_err(|e| Error::Io(e.to_string()))?;
        Ok(Self { zip })
    }

    /// Adds the entry `name` with the `size` bytes `content` yields: compressed, unless
    /// larger than [`STORE_ABOVE`].
    pub fn add(&mut self, name: &str, content: &mut impl Read, size: u64) -> Result<u64, Error> {
        check_name(name)?;
        let method = if size > STORE_ABOVE {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(size > u64::from(u32::MAX));
        self.zip.start_file(name, options)?;
        std::io::copy(content, &mut self.zip).map_err(|e| Error::Io(e.to_string()))
    }

    /// Copies the entry `name` of `from` as it is stored (compressed bytes, CRC, sizes and
    /// time unchanged): co-signing and extending must not touch what others signed.
    pub fn copy_entry<R: Read + Seek>(
        &mut self,
        from: &mut Container<R>,
        name: &str,
    ) -> Result<(), Error> {
        check_name(name.strip_suffix('/').unwrap_or(name))?;
        let index = from
            .archive
            .index_for_name(name)
            .ok_or_else(|| Error::Zip(format!("{name}: no such entry")))?;
        let entry = from.archive.by_index_raw(index)?;
        self.zip.raw_copy_file(entry)?;
        Ok(())
    }

    pub fn finish(self) -> Result<W, Error> {
        Ok(self.zip.finish()?)
    }
}

/// A container opened for reading, its entries checked.
#[derive(Debug)]
pub struct Container<R: Read + Seek> {
    pub kind: Option<Kind>,
    /// Entry names, in order.
    pub names: Vec<String>,
    /// Deviations from the container rules that do not stop reading (mimetype missing,
    /// compressed, not first, wrong): a container with any is never valid.
    pub problems: Vec<String>,
    archive: zip::ZipArchive<R>,
}

impl Container<std::fs::File> {
    pub fn open(path: &Path) -> Result<Self, Error> {
        let file = std::fs::File::open(path).map_err(|e| Error::Io(e.to_string()))?;
        Self::read(file)
    }
}

impl<R: Read + Seek> Container<R> {
    /// Reads the central directory and applies the rules on names, sizes and `mimetype`.
    pub fn read(mut reader: R) -> Result<Self, Error> {
        // The first local header, as written: `mimetype` must be its name, stored, with no
        // extra field (§A.1), so that the type can be read at a fixed offset.
        let mut head = [0u8; 38];
        let got = read_up_to(&mut reader, &mut head)?;
        reader
            .seek(std::io::SeekFrom::Start(0))
            .map_err(|e| Error::Io(e.to_string()))?;
        let mut archive = zip::ZipArchive::new(reader)?;
        // The reader keeps one entry per name: a second one would be invisible here and
        // extracted by others.
        if archive.has_duplicate_names() {
            return Err(Error::Name("two entries share one name".into()));
        }
        if archive.len() > MAX_ENTRIES {
            return Err(Error::TooManyEntries(archive.len()));
        }
        let mut names = Vec::new();
        let mut total: u64 = 0;
        for index in 0..archive.len() {
            let entry = archive.by_index_raw(index)?;
            let name = std::str::from_utf8(entry.name_raw())
                .map_err(|_| Error::Name("an entry name that is not UTF-8".into()))?
                .to_owned();
            // A folder entry ends with `/`; its name must be as safe as a file's.
            check_name(name.strip_suffix('/').unwrap_or(&name))?;
            if names.contains(&name) {
                return Err(Error::Name(format!("{name} appears twice")));
            }
            let (size, packed) = (entry.size(), entry.compressed_size());
            if size > RATIO_FLOOR && size / packed.max(1) > MAX_RATIO {
                return Err(Error::Bomb(format!(
                    "{name} expands {size} bytes from {packed}"
                )));
            }
            total = total.saturating_add(size);
            if total > MAX_TOTAL {
                return Err(Error::Bomb(format!(
                    "the entries expand to more than {MAX_TOTAL} bytes"
                )));
            }
            names.push(name);
        }
        let mut problems = Vec::new();
        let mut kind = None;
        // Names are unique, so at most one entry is the mimetype; elsewhere than first it
        // still says the type (DSS reads such containers), but breaks the rule.
        let at = names.iter().position(|n| n == "mimetype");
        if let Some(at) = at {
            let header_ok = at == 0
                && got == head.len()
                && head[0..4] == *b"PK\x03\x04"
                && head[8..10] == [0, 0]
                && head[26..28] == [8, 0]
                && head[28..30] == [0, 0]
                && head[30..38] == *b"mimetype";
            if at > 0 {
                problems.push("the mimetype entry is not the first in the container".to_owned());
            } else if !header_ok {
                problems.push("the mimetype entry is compressed or has an extra field".to_owned());
            }
            let mut text = String::new();
            archive
                .by_index(at)?
                .take(256)
                .read_to_string(&mut text)
                .map_err(|e| Error::Io(e.to_string()))?;
            kind = match text.as_str() {
                MIMETYPE_S => Some(Kind::S),
                MIMETYPE_E => Some(Kind::E),
                other => {
                    problems.push(format!("the mimetype entry says {other:?}"));
                    None
                }
            };
        } else {
            problems.push("the container has no mimetype entry".to_owned());
        }
        Ok(Self {
            kind,
            names,
            problems,
            archive,
        })
    }

    /// Names of data objects: every file outside `META-INF/` except `mimetype`.
    pub fn data_objects(&self) -> Vec<&str> {
        self.names
            .iter()
            .map(String::as_str)
            .filter(|n| *n != "mimetype" && !n.starts_with("META-INF/") && !n.ends_with('/'))
            .collect()
    }

    /// The uncompressed size the central directory declares for `name`.
    pub fn size(&mut self, name: &str) -> Option<u64> {
        self.archive.by_name(name).ok().map(|entry| entry.size())
    }

    /// `META-INF/*.p7s` entries.
    pub fn signatures(&self) -> Vec<&str> {
        self.names
            .iter()
            .map(String::as_str)
            .filter(|n| n.starts_with("META-INF/") && n.to_ascii_lowercase().ends_with(".p7s"))
            .collect()
    }

    /// `META-INF/*.tst` entries: RFC 3161 time-stamp tokens (EN 319 162-1 §4.3, §A.5).
    pub fn timestamps(&self) -> Vec<&str> {
        self.names
            .iter()
            .map(String::as_str)
            .filter(|n| n.starts_with("META-INF/") && n.to_ascii_lowercase().ends_with(".tst"))
            .collect()
    }

    /// `META-INF/ASiCArchiveManifest*.xml` entries (EN 319 162-1 §A.5): each names a
    /// time-stamp over itself and the files it lists, for the long term.
    pub fn archive_manifests(&self) -> Vec<&str> {
        self.names
            .iter()
            .map(String::as_str)
            .filter(|n| n.starts_with("META-INF/ASiCArchiveManifest") && n.ends_with(".xml"))
            .collect()
    }

    /// `META-INF/ASiCManifest*.xml` entries.
    pub fn manifests(&self) -> Vec<&str> {
        self.names
            .iter()
            .map(String::as_str)
            .filter(|n| n.starts_with("META-INF/ASiCManifest") && n.ends_with(".xml"))
            .collect()
    }

    /// The entry `name` in memory, at most [`MAX_METADATA`] bytes.
    pub fn read_small(&mut self, name: &str) -> Result<Vec<u8>, Error> {
        let mut entry = self.archive.by_name(name)?;
        if entry.size() > MAX_METADATA {
            return Err(Error::Bomb(format!(
                "{name} is larger than {MAX_METADATA} bytes"
            )));
        }
        let mut bytes = Vec::new();
        entry
            .by_ref()
            .take(MAX_METADATA + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Io(e.to_string()))?;
        if bytes.len() as u64 > MAX_METADATA {
            return Err(Error::Bomb(format!(
                "{name} is larger than {MAX_METADATA} bytes"
            )));
        }
        Ok(bytes)
    }

    /// The entry `name` hashed with each of `digests`, streaming, bounded as [`Self::copy`].
    pub fn hash(&mut self, name: &str, digests: &[Digest]) -> Result<Vec<Vec<u8>>, Error> {
        let crypto = |e: crate::algorithm::Error| Error::Io(e.to_string());
        let mut sink = HashSink(
            digests
                .iter()
                .map(|d| crate::algorithm::Hasher::new(*d))
                .collect::<Result<_, _>>()
                .map_err(crypto)?,
        );
        self.copy(name, &mut sink)?;
        sink.0
            .into_iter()
            .map(|h| h.finish().map_err(crypto))
            .collect()
    }

    /// Streams the entry `name` into `sink`, never more bytes than its declared size.
    pub fn copy(&mut self, name: &str, sink: &mut impl Write) -> Result<u64, Error> {
        let entry = self.archive.by_name(name)?;
        let declared = entry.size();
        let copied = std::io::copy(&mut entry.take(declared.saturating_add(1)), sink)
            .map_err(|e| Error::Io(e.to_string()))?;
        if copied != declared {
            return Err(Error::Bomb(format!(
                "{name} holds {copied} bytes, not the {declared} it declares"
            )));
        }
        Ok(copied)
    }
}

impl<R: Read + Seek> Container<R> {
    /// Writes every data object into `dir` under its entry name (subfolders created inside
    /// `dir`; names were checked on opening, and no symbolic link below `dir` is followed or
    /// replaced, so nothing lands outside it). Each file appears
    /// complete or not at all. Returns the paths written.
    pub fn extract_to(
        &mut self,
        dir: &Path,
        overwrite: bool,
    ) -> Result<Vec<std::path::PathBuf>, Error> {
        let names: Vec<String> = self.data_objects().into_iter().map(str::to_owned).collect();
        let mut written = Vec::new();
        for name in names {
            check_name(&name)?;
            let parts: Vec<&str> = name.split('/').collect();
            let target = crate::output::inside(dir, &parts)?;
            let mut out = crate::output::Output::create(&target, overwrite)?;
            self.copy(&name, out.writer())?;
            written.push(out.commit()?);
        }
        Ok(written)
    }
}

struct HashSink(Vec<crate::algorithm::Hasher>);

impl Write for HashSink {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        for hasher in &mut self.0 {
            hasher.update(buffer);
        }
        Ok(buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> Result<usize, Error> {
    let mut filled = 0;
    while filled < buffer.len() {
        let n = reader
            .read(&mut buffer[filled..])
            .map_err(|e| Error::Io(e.to_string()))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Entry names that mean one file inside one folder: relative, `/`-separated, no `..`, no
/// backslash, no drive letter, no control characters, not empty.
pub fn check_name(name: &str) -> Result<(), Error> {
    let bad = name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name.contains(':')
        || name.chars().any(char::is_control)
        || name
            .split('/')
            .any(|part| part == ".." || part == "." || part.is_empty());
    if bad {
        return Err(Error::Name(format!("{name:?} is not a safe entry name")));
    }
    Ok(())
}

/// Why a container could not be read or written.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("not a readable ZIP container: {0}")]
    Zip(String),
    #[error("{0}")]
    Io(String),
    #[error("refused entry name: {0}")]
    Name(String),
    #[error("more than {MAX_ENTRIES} entries ({0})")]
    TooManyEntries(usize),
    #[error("refused as a decompression bomb: {0}")]
    Bomb(String),
    #[error("ASiCManifest: {0}")]
    Manifest(String),
    #[error("an ASiC-S container holds one data object, not {0}")]
    NotOneDataObject(usize),
    #[error("{0}: a container cannot hold this name twice, nor one named mimetype")]
    Reserved(String),
    #[error("the container does not say whether it is ASiC-S or ASiC-E (no valid mimetype)")]
    Untyped,
    #[error("{0} is not named by any ASiCManifest, so what it signs is unknown")]
    Unreferenced(String),
    #[error("an ASiCArchiveManifest time-stamps an ASiC-E container, not an ASiC-S one")]
    ArchiveManifestInAsicS,
    #[error(
        "{entry} would change, but {manifest} time-stamped it as it is; to renew the container time-stamp, extend to a level the signatures have already"
    )]
    Archived { entry: String, manifest: String },
    #[error(transparent)]
    Output(#[from] crate::output::Error),
}

impl From<zip::result::ZipError> for Error {
    fn from(error: zip::result::ZipError) -> Self {
        Self::Zip(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_folder_or_mean_two_things_are_refused() {
        for name in [
            "../x",
            "/etc/passwd",
            "a\\b",
            "C:x",
            "a//b",
            "./a",
            "a/../b",
            "",
        ] {
            assert!(check_name(name).is_err(), "{name}");
        }
        for name in ["a.xml", "META-INF/signature001.p7s", "docs/Bescheid 1.pdf"] {
            assert!(check_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let manifest = Manifest {
            signature: "META-INF/signature001.p7s".into(),
            references: vec![Reference {
                uri: "a & b.xml".into(),
                mime: Some("text/xml".into()),
                digest: Digest::Sha256,
                value: vec![7; 32],
            }],
        };
        assert_eq!(Manifest::from_xml(&manifest.to_xml()).unwrap(), manifest);
        assert!(Manifest::from_xml(b"<x/>").is_err());
    }
}
