//! Writing results: outputs that appear whole or not at all, never over an input, and names for
//! them beside their input (`contract-sealed.pdf`, `contract-sealed-2.pdf`, ...).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How many numbered names [`beside`] tries before it gives up.
const MAX_NUMBERED: u32 = 1000;

/// A name for the output of `input` in its folder that no file has yet:
/// `<stem><suffix>.<extension>`, else `<stem><suffix>-2.<extension>`, `-3` and so on, never
/// `input` itself. `extension` defaults to the input's, and to `pdf` where it has none.
pub fn beside(input: &Path, suffix: &str, extension: Option<&str>) -> Result<PathBuf, Error> {
    let stem = input
        .file_stem()
        .ok_or_else(|| Error::NotAFile(input.display().to_string()))?
        .to_string_lossy();
    let extension = extension.map_or_else(
        || {
            input
                .extension()
                .map_or_else(|| "pdf".to_owned(), |e| e.to_string_lossy().into_owned())
        },
        str::to_owned,
    );
    let folder = input.parent().unwrap_or(Path::new(""));
    (1..MAX_NUMBERED)
        .map(|n| match n {
            1 => folder.join(format!("{stem}{suffix}.{extension}")),
            n => folder.join(format!("{stem}{suffix}-{n}.{extension}")),
        })
        .find(|candidate| candidate != input && !candidate.exists())
        .ok_or_else(|| Error::NoFreeName(input.display().to_string()))
}

/// The path `parts` name inside the folder `dir`, its subfolders created one by one. Nothing
/// below `dir` may be a symbolic link, neither a subfolder on the way nor the file itself:
/// writing what a container names must land inside `dir`, whatever was there before.
/// (`dir` itself is the user's choice, created if missing, and may be a link.)
pub fn inside(dir: &Path, parts: &[&str]) -> Result<PathBuf, Error> {
    let mut path = dir.to_path_buf();
    let Some((last, folders)) = parts.split_last() else {
        return Err(Error::NotAFile(dir.display().to_string()));
    };
    for part in parts {
        // One component each: no separators, no way up or to the root.
        if part.is_empty()
            || *part == "."
            || *part == ".."
            || part.contains('/')
            || part.contains('\\')
            || Path::new(part).is_absolute()
        {
            return Err(Error::NotAFile(format!("{}/{part}", dir.display())));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for folder in folders {
        path.push(folder);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::Symlink(path.display().to_string()));
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(Error::NotAFile(path.display().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    path.push(last);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            Err(Error::Symlink(path.display().to_string()))
        }
        _ => Ok(path),
    }
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

/// Why an output could not be written.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: Arc<std::io::Error>,
    },
    /// The target exists and was not to be replaced; the front end says how to allow it.
    #[error("{0} exists already")]
    Exists(String),
    #[error("{0}: not a file name")]
    NotAFile(String),
    #[error("{0}: no free output name beside it")]
    NoFreeName(String),
    #[error("{0} is a symbolic link; nothing is written through one")]
    Symlink(String),
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

    #[test]
    fn inside_keeps_to_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        for parts in [
            &[".."][..],
            &["a", "..", "b"],
            &["/etc"],
            &["a/b"],
            &[""],
            &[],
        ] {
            assert!(inside(dir.path(), parts).is_err(), "{parts:?}");
        }
        let path = inside(dir.path(), &["a", "b", "c.txt"]).unwrap();
        assert_eq!(path, dir.path().join("a").join("b").join("c.txt"));
        assert!(dir.path().join("a").join("b").is_dir());
    }

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

    #[test]
    fn names_beside_the_input_are_numbered_when_taken() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("Bescheid.pdf");
        std::fs::write(&input, b"%PDF-").unwrap();
        let first = beside(&input, "-sealed", None).unwrap();
        assert_eq!(first, dir.path().join("Bescheid-sealed.pdf"));
        std::fs::write(&first, b"").unwrap();
        assert_eq!(
            beside(&input, "-sealed", None).unwrap(),
            dir.path().join("Bescheid-sealed-2.pdf")
        );
        assert_eq!(
            beside(&input, "-protocol", Some("html")).unwrap(),
            dir.path().join("Bescheid-protocol.html")
        );
        // An empty suffix never names the input itself.
        assert_eq!(
            beside(&input, "", None).unwrap(),
            dir.path().join("Bescheid-2.pdf")
        );
        assert!(beside(Path::new("/"), "-sealed", None).is_err());
    }
}
