//! `siegel sign|seal` for files other than PDFs: CAdES signatures (`.p7s`, `.p7m`, ETSI EN
//! 319 122-1) and where their outputs go.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use siegel::key::Credential;
use siegel::sign::{self, cades::Packaging};
use siegel::{asic, document};

use crate::args::{CadesArgs, ContainerKind, OutputArgs};
use crate::output;

/// One output per input: `-o` for a single input; else PDFs keep their name inside
/// `--out-dir`, and other files get `NAME.EXT.p7s` (`.p7m`) there or beside the input. A
/// `.p7s`/`.p7m` input or an ASiC container gets another signer and needs `-o` or `--out-dir`.
pub fn targets(inputs: &[PathBuf], out: &OutputArgs, cades: &CadesArgs) -> Result<Vec<PathBuf>> {
    if let Some(output) = &out.output {
        if inputs.len() != 1 {
            bail!(
                "-o takes one input; use --out-dir for {} inputs",
                inputs.len()
            );
        }
        return Ok(vec![output.clone()]);
    }
    if let Some(dir) = &out.out_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow!("cannot create output folder {}: {e}", dir.display()))?;
    }
    let mut seen = HashSet::new();
    inputs
        .iter()
        .map(|input| {
            let target = if sign::cades::is_signature_file(input)
                || asic::Kind::of_path(input).is_some()
                || is_pdf(input)
            {
                let Some(dir) = &out.out_dir else {
                    bail!(
                        "{}: give -o OUT or --out-dir DIR (the input is never changed)",
                        input.display()
                    );
                };
                let name = input
                    .file_name()
                    .ok_or_else(|| anyhow!("{}: not a file name", input.display()))?;
                dir.join(name)
            } else {
                sign::cades::default_output(input, packaging(cades), out.out_dir.as_deref())
            };
            if !seen.insert(target.clone()) {
                bail!("two inputs would both be written to {}", target.display());
            }
            Ok(target)
        })
        .collect()
}

fn packaging(cades: &CadesArgs) -> Packaging {
    if cades.enveloping {
        Packaging::Enveloping
    } else {
        Packaging::Detached
    }
}

/// Signs one file other than a PDF: a new CAdES signature, another signer (parallel or
/// counter) on a `.p7s`/`.p7m`, or another signature in an ASiC container.
pub fn sign(
    input: &Path,
    target: &Path,
    credential: &Credential,
    request: &sign::Request,
    cades: &CadesArgs,
    overwrite: bool,
) -> Result<output::Signed, String> {
    let result = if asic::Kind::of_path(input).is_some() {
        if cades.counter {
            return Err(format!(
                "{}: --counter is for .p7s/.p7m files; a container gets a signature of its own",
                input.display()
            ));
        }
        sign::asic::add_signature(input, target, credential, request, overwrite)
    } else if sign::cades::is_signature_file(input) {
        sign::cades::add_signer(
            input,
            cades.content.as_deref(),
            target,
            credential,
            request,
            cades.counter,
            overwrite,
        )
    } else {
        sign::cades::sign_file(
            input,
            target,
            credential,
            request,
            packaging(cades),
            overwrite,
        )
    };
    result
        .map(output::Signed::Cades)
        .map_err(|e| format!("{e:#}"))
}

/// Whether `input` is signed as a PDF: named `.pdf` (a damaged PDF is refused as one, never
/// wrapped into CAdES) or starting like one. A `.p7m` enveloping a PDF starts with `%PDF-` too,
/// so signature files (and containers, which may store a PDF uncompressed) are asked about
/// first.
pub fn is_pdf(input: &Path) -> bool {
    let named = input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    !sign::cades::is_signature_file(input)
        && asic::Kind::of_path(input).is_none()
        && (named || matches!(document::detect(input), Ok(document::Format::Pdf)))
}

/// Puts every input into one ASiC container signed with CAdES: at `-o`, else named after the
/// first input (`NAME.EXT.asice`) in `--out-dir` or beside it.
pub fn container(
    kind: ContainerKind,
    inputs: &[PathBuf],
    out: &OutputArgs,
    credential: &Credential,
    request: &sign::Request,
    overwrite: bool,
) -> Result<(String, Result<output::Signed, String>)> {
    let first = inputs
        .first()
        .ok_or_else(|| anyhow!("no input to put into a container"))?;
    let kind = match kind {
        ContainerKind::Asice => asic::Kind::E,
        ContainerKind::Asics => asic::Kind::S,
    };
    let target = match (&out.output, &out.out_dir) {
        (Some(output), _) => output.clone(),
        (None, dir) => {
            let mut name = first.file_name().unwrap_or_default().to_os_string();
            name.push(".");
            name.push(kind.extension());
            match dir {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        anyhow!("cannot create output folder {}: {e}", dir.display())
                    })?;
                    dir.join(name)
                }
                None => first.with_file_name(name),
            }
        }
    };
    let names = inputs
        .iter()
        .map(|i| i.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let result = sign::asic::create(kind, inputs, &target, credential, request, overwrite)
        .map(output::Signed::Cades)
        .map_err(|e| format!("{e:#}"));
    Ok((names, result))
}
