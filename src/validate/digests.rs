//! The digests of every signature's byte ranges (ISO 32000-2 §12.8.1), computed in one pass
//! over the file. Each signature covers a prefix of the file up to its gap plus the rest of its
//! revision, so a document signed a thousand times would otherwise be hashed a thousand times
//! over: the running hash is copied where each signature's gap begins, and the copy is then fed
//! only that signature's second range.

use std::collections::HashMap;
use std::io::{Read, Seek};

use crate::algorithm::{Digest, Hasher};
use crate::pdf;

/// Two ranges `[start, start + len)` of a `/ByteRange`.
pub(crate) type Ranges = [(u64, u64); 2];

/// Range digests by algorithm, computed on first request for all known ranges.
#[derive(Debug, Default)]
pub(crate) struct Digests {
    /// Every well-formed pair of ranges in the document (first range from 0).
    ranges: Vec<Ranges>,
    done: HashMap<Digest, HashMap<Ranges, Vec<u8>>>,
}

impl Digests {
    pub(crate) fn new(ranges: impl IntoIterator<Item = Ranges>) -> Self {
        let mut ranges: Vec<Ranges> = ranges
            .into_iter()
            .filter(|[(start, first), (second, _)]| *start == 0 && first < second)
            .collect();
        ranges.sort_unstable();
        ranges.dedup();
        Self {
            ranges,
            done: HashMap::new(),
        }
    }

    /// The `digest` of `ranges` in `file`.
    pub(crate) fn of<R: Read + Seek>(
        &mut self,
        file: &mut pdf::File<R>,
        digest: Digest,
        ranges: Ranges,
    ) -> Result<Vec<u8>, Error> {
        if !self.done.contains_key(&digest) && self.ranges.contains(&ranges) {
            let all = self.all(file, digest)?;
            self.done.insert(digest, all);
        }
        if let Some(value) = self.done.get(&digest).and_then(|d| d.get(&ranges)) {
            return Ok(value.clone());
        }
        // Ranges of another shape (hostile or malformed) are hashed on their own.
        let mut hasher = Hasher::new(digest)?;
        for (start, len) in ranges {
            file.for_each_chunk(start, len, |chunk| {
                hasher.update(chunk);
                Ok(())
            })?;
        }
        Ok(hasher.finish()?)
    }

    /// One pass from the start of the file to the end of the last second range.
    fn all<R: Read + Seek>(
        &self,
        file: &mut pdf::File<R>,
        digest: Digest,
    ) -> Result<HashMap<Ranges, Vec<u8>>, Error> {
        let end = self
            .ranges
            .iter()
            .map(|[_, (second, len)]| second.saturating_add(*len))
            .max()
            .unwrap_or(0);
        if end > file.len() {
            return Err(Error::Pdf(pdf::Error::Structure(
                "byte range outside the file",
            )));
        }
        let mut main = Hasher::new(digest)?;
        // Signatures in the order their gaps start; each becomes active at its gap.
        let mut pending: Vec<&Ranges> = self.ranges.iter().collect();
        pending.sort_by_key(|[(_, first), _]| std::cmp::Reverse(*first));
        let mut active: Vec<(&Ranges, Hasher)> = Vec::new();
        let mut position = 0u64;
        file.for_each_chunk(0, end, |chunk| {
            let chunk_end = position + chunk.len() as u64;
            let mut at = position;
            // Split the chunk where gaps begin, so each copy holds exactly its first range.
            while let Some(next) = pending.last().map(|[(_, first), _]| *first) {
                if next >= chunk_end {
                    break;
                }
                let upto = usize::try_from(next - position).unwrap_or(chunk.len());
                main.update(&chunk[usize::try_from(at - position).unwrap_or(0)..upto]);
                at = next;
                if let Some(ranges) = pending.pop() {
                    active.push((ranges, main.clone()));
                }
            }
            main.update(&chunk[usize::try_from(at - position).unwrap_or(0)..]);
            for ([_, (second, len)], hasher) in &mut active {
                let (from, to) = (*second, second.saturating_add(*len));
                if to <= position || from >= chunk_end {
                    continue;
                }
                let a = usize::try_from(from.max(position) - position).unwrap_or(0);
                let b = usize::try_from(to.min(chunk_end) - position).unwrap_or(chunk.len());
                hasher.update(&chunk[a..b]);
            }
            position = chunk_end;
            Ok(())
        })?;
        let mut done = HashMap::new();
        for (ranges, hasher) in active {
            done.insert(*ranges, hasher.finish()?);
        }
        Ok(done)
    }
}

/// Why the signed bytes could not be hashed.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error(transparent)]
    Pdf(#[from] pdf::Error),
    #[error(transparent)]
    Crypto(#[from] crate::algorithm::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_gives_the_digest_of_each_signature_alone() {
        let bytes: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
        let ranges = [
            [(0, 1_000), (1_500, 500)],
            [(0, 2_100_000), (2_200_000, 300_000)],
            [(0, 4_000_000), (4_000_100, 999_900)],
        ];
        let mut file = pdf::File::new(std::io::Cursor::new(
            [b"%PDF-1.7\n".as_slice(), &bytes].concat(),
        ))
        .ok();
        // Not a PDF the reader accepts; hash through a file that is one.
        if file.is_none() {
            let mut pdf =
                b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n".to_vec();
            pdf.extend_from_slice(&bytes);
            file = pdf::File::new(std::io::Cursor::new(pdf)).ok();
        }
        let mut file = file.unwrap();
        let mut digests = Digests::new(ranges);
        for range in ranges {
            let fast = digests.of(&mut file, Digest::Sha256, range).unwrap();
            let mut alone = Digests::default();
            let slow = alone.of(&mut file, Digest::Sha256, range).unwrap();
            assert_eq!(fast, slow, "{range:?}");
        }
    }
}
