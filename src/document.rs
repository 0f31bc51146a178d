//! Documents to sign or validate: what a file is, and writing results without ever modifying
//! an input or leaving a partial output behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The formats Siegel recognises by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Other,
}

/// Detects the format from the first bytes of `path`.
pub fn detect(path: &Path) -> Result<Format, Error> {
    use std::io::Read;
    let mut head = [0u8; 1024];
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let n = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    Ok(if head[..n].windows(5).any(|w| w == b"%PDF-") {
        Format::Pdf
    } else {
        Format::Other
    })
}

/// An output being written: a temporary file in the target folder, renamed into place by
/// [`Output::commit`] and deleted if dropped before that.
#[derive(Debug)]
pub struct Output {
    target: PathBuf,
    file: tempfile::NamedTempFile,
    overwrite: bool,
}

impl Output {
    /// Prepares to write `target`. Fails early if it exists and `overwrite` is false.
    pub fn create(target: &Path, overwrite: bool) -> Result<Self, Error> {
        if !overwrite && target.exists() {
            return Err(Error::Exists(target.display().to_string()));
        }
        let folder = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".siegel-").suffix(".part");
        // A temporary file is private (0600); the finished output gets the permissions any new
        // file gets (0666 less the umask), so colleagues can read a sealed file in a shared
        // folder.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let file = builder
            .tempfile_in(&folder)
            .map_err(|e| Error::io(&folder, e))?;
        Ok(Self {
            target: target.to_path_buf(),
            file,
            overwrite,
        })
    }

    /// Where the output is being written (a temporary file until [`Output::commit`]).
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    pub fn writer(&mut self) -> &mut std::fs::File {
        self.file.as_file_mut()
    }

    /// Flushes to disk and moves the file into place.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        self.file
            .as_file_mut()
            .flush()
            .map_err(|e| Error::io(&self.target, e))?;
        self.file
            .as_file()
            .sync_all()
            .map_err(|e| Error::io(&self.target, e))?;
        let result = if self.overwrite {
            self.file.persist(&self.target).map(|_| ())
        } else {
            self.file.persist_noclobber(&self.target).map(|_| ())
        };
        result.map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Exists(self.target.display().to_string())
            } else {
                Error::io(&self.target, e.error)
            }
        })?;
        Ok(self.target)
    }
}

/// Why a document could not be read or written.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: Arc<std::io::Error>,
    },
    #[error("{0} exists already (use --force to overwrite)")]
    Exists(String),
}

impl Error {
    pub(crate) fn io(path: &Path, error: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source: Arc::new(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output is as readable as any file the user creates there (not private like the
    /// temporary file it starts as).
    #[cfg(unix)]
    #[test]
    fn outputs_get_the_permissions_of_new_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let mut output = Output::create(&dir.path().join("out.pdf"), false).unwrap();
        output.writer().write_all(b"%PDF-").unwrap();
        let done = output.commit().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&done), mode(&plain));
    }
}
