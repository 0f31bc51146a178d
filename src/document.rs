//! Documents to sign or validate: what a file is (PDF or not, signed or not), judged from its
//! bytes rather than its name.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// The formats Siegel recognises by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Other,
}

/// Detects the format from the first bytes of `path`.
pub fn detect(path: &Path) -> Result<Format, Error> {
    let mut head = [0u8; 1024];
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let n = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    Ok(if head[..n].windows(5).any(|w| w == b"%PDF-") {
        Format::Pdf
    } else {
        Format::Other
    })
}

/// Whether `path` is a PDF that carries at least one signature dictionary, judged by a
/// streaming scan for `/ByteRange`: cheap enough to sort files before validating them, which
/// alone says whether the signatures hold. An unreadable file is not signed.
pub fn is_signed(path: &Path) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let needle = b"/ByteRange";
    let mut buffer = vec![0; 1 << 16];
    // The end of the previous chunk, so a needle split between two reads is found.
    let mut carry = Vec::new();
    let mut first = true;
    loop {
        let Ok(read) = file.read(&mut buffer) else {
            return false;
        };
        if read == 0 {
            return false;
        }
        let chunk = &buffer[..read];
        if std::mem::take(&mut first) && !chunk.starts_with(b"%PDF-") {
            return false;
        }
        carry.extend_from_slice(chunk);
        if memchr::memmem::find(&carry, needle).is_some() {
            return true;
        }
        let keep = carry.len().saturating_sub(needle.len());
        carry.drain(..keep);
    }
}

/// Why a document could not be read.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: Arc<std::io::Error>,
    },
}

impl Error {
    fn io(path: &Path, error: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source: Arc::new(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_pdfs_are_found_across_read_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let signed = dir.path().join("s.pdf");
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', 65_523));
        bytes.extend_from_slice(b"<</ByteRange [0 1 2 3]>>");
        std::fs::write(&signed, &bytes).unwrap();
        assert!(is_signed(&signed));
        let plain = dir.path().join("p.pdf");
        std::fs::write(&plain, b"%PDF-1.7\nno signature").unwrap();
        assert!(!is_signed(&plain));
        let other = dir.path().join("o.txt");
        std::fs::write(&other, b"/ByteRange").unwrap();
        assert!(!is_signed(&other));
        assert!(!is_signed(&dir.path().join("missing.pdf")));
    }
}
