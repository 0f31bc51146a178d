//! The comparison of revisions: the input is appended to a sealed document as an incremental
//! update and the result validated, so every input reaches the strict reading of updates, the
//! object-by-object diff, the rules and the visual comparison of the signed revision.
//!
//! An input without `startxref` is taken as the objects of an update: the harness lists every
//! `N G obj` it finds in a cross-reference table and writes the trailer (with `/Prev`,
//! `/Root` and `/Size` of the seed), so mutated objects stay reachable. An input with
//! `startxref` is appended as it is, for the games with cross-reference data itself.
#![no_main]

mod support;

use std::io::Write;
use std::sync::OnceLock;

/// `testdata/pdf/classic.pdf` sealed by Siegel (`fuzz/seeds/README.md`).
const SEED: &[u8] = include_bytes!("../seeds/sealed.pdf");

libfuzzer_sys::fuzz_target!(init: support::init(), |update: &[u8]| {
    let mut file = SEED.to_vec();
    file.extend_from_slice(update);
    if !update.windows(9).any(|w| w == b"startxref") {
        close(&mut file, update);
    }
    support::validate(&file);
});

/// What the appended trailer takes from the seed.
struct Seed {
    startxref: u64,
    size: u32,
    root: (u32, u16),
}

fn seed() -> &'static Seed {
    static SEED_INFO: OnceLock<Seed> = OnceLock::new();
    SEED_INFO.get_or_init(|| {
        let file = siegel::pdf::File::new(std::io::Cursor::new(SEED));
        let Ok(file) = file else {
            panic!("the seed fuzz/seeds/sealed.pdf does not open");
        };
        let root = file.trailer().get(b"Root").and_then(|r| r.as_reference());
        let Ok(root) = root else {
            panic!("the seed has no /Root");
        };
        Seed {
            startxref: file.startxref(),
            size: file.size(),
            root,
        }
    })
}

/// Appends a classic cross-reference table listing every `N G obj` at the start of a line of
/// `update`, a trailer and `%%EOF`.
fn close(file: &mut Vec<u8>, update: &[u8]) {
    let seed = seed();
    let base = SEED.len();
    let mut objects: Vec<(u32, u16, usize)> = Vec::new();
    for (at, _) in update
        .iter()
        .enumerate()
        .filter(|(at, _)| *at == 0 || matches!(update[at - 1], b'\n' | b'\r'))
    {
        if let Some((number, generation)) = header(&update[at..]) {
            objects.push((number, generation, base + at));
        }
    }
    objects.sort_by_key(|(number, _, _)| *number);
    objects.dedup_by_key(|(number, _, _)| *number);
    if !file.ends_with(b"\n") {
        file.push(b'\n');
    }
    let startxref = file.len();
    let _ = file.write_all(b"xref\n");
    for (number, generation, offset) in &objects {
        let _ = write!(file, "{number} 1\n{offset:010} {generation:05} n\r\n");
    }
    let size = objects.last().map_or(seed.size, |(number, _, _)| {
        seed.size.max(number.saturating_add(1))
    });
    let (root, root_generation) = seed.root;
    let _ = write!(
        file,
        "trailer\n<< /Size {size} /Root {root} {root_generation} R /Prev {} >>\nstartxref\n{startxref}\n%%EOF\n",
        seed.startxref
    );
}

/// `number generation obj` at the start of `bytes`.
fn header(bytes: &[u8]) -> Option<(u32, u16)> {
    let ascii = bytes.iter().take(32).take_while(|b| b.is_ascii()).count();
    let text = std::str::from_utf8(&bytes[..ascii]).ok()?;
    let mut words = text.split_ascii_whitespace();
    let number = words.next()?.parse().ok()?;
    let generation = words.next()?.parse().ok()?;
    words
        .next()?
        .starts_with("obj")
        .then_some((number, generation))
}
