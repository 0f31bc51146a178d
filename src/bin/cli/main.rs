//! `siegel`: the command-line front end over the Siegel library.

mod args;
mod cades;
mod console;
mod generate;
mod keys;
mod output;
mod report;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use siegel::certificate::Kind;
use siegel::key::{pin::Pin, software};
use siegel::pdf::permissions::DocMdp;
use siegel::settings::Settings;
use siegel::timestamp;
use siegel::validate::{self, Indication};
use siegel::{document, network, sign, trust};

use args::{Cli, Command, Format};
use console::{Console, print_line};

/// Exit codes of the CLI contract.
const EXIT_FAILED: u8 = 1;
const EXIT_INDETERMINATE: u8 = 2;
const EXIT_INPUT: u8 = 3;

fn main() -> ExitCode {
    let cli = match command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        // `siegel` alone or `siegel verify` alone: a short usage with examples, not the
        // reference; still a usage error, as nothing was done.
        Err(error) if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let verify = std::env::args().skip(1).any(|a| a == "verify");
            eprint!(
                "{}",
                if verify {
                    args::VERIFY_USAGE
                } else {
                    args::USAGE
                }
            );
            return ExitCode::from(EXIT_INPUT);
        }
        Err(error) => {
            let code = if error.use_stderr() { EXIT_INPUT } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    Console::from_args(&cli.console).install();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!(
                "siegel: {}: {}",
                console::error_word(),
                output::shown(&format!("{error:#}"))
            );
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// The clap command with the full version line: version, commit, crypto backend.
pub(crate) fn command() -> clap::Command {
    Cli::command().version(version())
}

/// `0.1.0 (commit 1a2b3c4d, OpenSSL 3.0.17 1 Jul 2025)`. The commit is what the build was
/// given in SIEGEL_COMMIT (the packaging scripts and CI pass `git rev-parse --short HEAD`).
fn version() -> String {
    format!(
        "{} (commit {}, {})",
        env!("CARGO_PKG_VERSION"),
        option_env!("SIEGEL_COMMIT").unwrap_or("unknown"),
        openssl::version::version()
    )
}

fn run(cli: Cli) -> Result<u8> {
    let now = Utc::now();
    if let Command::Generate(args) = &cli.command {
        // For packagers: reads nothing of the user's, not even the settings.
        return generate::write(args).map(|()| 0);
    }
    let settings = settings();
    match cli.command {
        Command::Sign(args) => sign(args, Kind::Signature, now, &settings),
        Command::Seal(args) => sign(args, Kind::Seal, now, &settings),
        Command::Verify(args) => verify(args, now, &settings),
        Command::Extend(args) => extend(args, &settings),
        Command::Extract(args) => extract(args, now, &settings),
        Command::Tokens(args) => keys::tokens(args, &settings),
        Command::Trust(command) => trust_command(command, now, &settings),
        Command::Demo(args) => demo(args, now),
        Command::Generate(_) => Ok(0), // answered above
    }
}

/// The shared preferences; a broken file is reported and the defaults used, as flags can
/// still say everything.
fn settings() -> Settings {
    if let Ok(path) = Settings::path() {
        console::note(&format!("settings from {}", path.display()));
    }
    Settings::load().unwrap_or_else(|error| {
        eprintln!("siegel: warning: {}", output::shown(&error.to_string()));
        Settings::default()
    })
}

fn sign(args: args::SignArgs, intent: Kind, now: DateTime<Utc>, settings: &Settings) -> Result<u8> {
    let level = args.level;
    let (tsa_urls, http) = tsa(&args.tsa, settings, level >= sign::Level::T)?;
    let request = sign::Request {
        accept_other_kind: args.accept_certificate_kind,
        reason: args.reason,
        location: args.location,
        contact_info: args.contact,
        level,
        certify: match args.certify {
            args::Certify::None => None,
            args::Certify::NoChanges => Some(DocMdp::NoChanges),
            args::Certify::FormFilling => Some(DocMdp::FormFilling),
            args::Certify::Annotations => Some(DocMdp::Annotations),
        },
        visible: args.visible.clone(),
        language: report::language(),
        ..sign::Request::new(intent, now)
    }
    .with_services(tsa_urls, http)
    .map_err(|error| anyhow!("{error}: give --tsa URL, or tsa_urls in the settings"))?;
    let targets = if args.cades.container.is_some() {
        Vec::new()
    } else {
        cades::targets(&args.inputs, &args.out, &args.cades)?
    };
    let credential = keys::credential(&args.key, settings)?;
    console::note(&format!("level {level}, {} document(s)", args.inputs.len()));
    sign::check_credential(&credential, &request).map_err(|error| match &error {
        sign::Error::WrongKind { intent, actual, .. } => anyhow!(
            "{error}; use `siegel {}` instead, or --accept-certificate-kind to {} with it anyway",
            actual.verb(),
            intent.verb()
        ),
        _ => error.into(),
    })?;
    if let Some(kind) = args.cades.container {
        let (names, result) = cades::container(
            kind,
            &args.inputs,
            &args.out,
            &credential,
            &request,
            args.force,
        )?;
        let failed = result.is_err();
        console::print_result(&output::signed(args.format, &names, &result), failed);
        return Ok(if failed { EXIT_INPUT } else { 0 });
    }

    let progress = progress_bar(args.inputs.len());
    let mut failures = 0;
    let mut finish = |input: &Path, result: Result<output::Signed, String>| {
        if result.is_err() {
            failures += 1;
        }
        progress.println_or_print(
            output::signed(args.format, &input.display().to_string(), &result),
            result.is_err(),
        );
        progress.inc(1);
    };
    // What can be answered without the key is answered first; PDFs go to the batch signer.
    let mut jobs = Vec::new();
    for (input, target) in args.inputs.iter().zip(&targets) {
        if args.skip_existing && target.exists() {
            finish(input, Ok(output::Signed::Skipped(target.clone())));
            continue;
        }
        if cades::is_pdf(input) {
            jobs.push(sign::Job {
                input: input.clone(),
                output: target.clone(),
            });
        } else if let Err(error) = document::detect(input) {
            finish(input, Err(error.to_string()));
        } else {
            let result = cades::sign(
                input,
                target,
                &credential,
                &request,
                &args.cades,
                args.force,
            );
            finish(input, result);
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    sign::sign_many(
        &jobs,
        &credential,
        &request,
        args.force,
        threads,
        |index, result| {
            finish(
                &jobs[index].input,
                result
                    .map(output::Signed::Done)
                    .map_err(|e| format!("{e:#}")),
            );
        },
    )?;
    progress.finish_and_clear();
    Ok(if failures > 0 { EXIT_INPUT } else { 0 })
}

/// HTTP under the settings' policy and, if the level `needs` them, the `--tsa` URLs (else those
/// in the settings) with basic authentication for them from `--tsa-auth-env` if given.
fn tsa<'a>(
    tsa: &'a args::TsaArgs,
    settings: &'a Settings,
    needs: bool,
) -> Result<(&'a [String], Arc<network::Http>)> {
    let mut http = network::Http::new(settings.network_policy());
    let urls = if !needs {
        return Ok((&[], Arc::new(http)));
    } else if tsa.tsa.is_empty() {
        &settings.tsa_urls
    } else {
        &tsa.tsa
    };
    console::note(&format!("time-stamp authorities: {}", urls.join(", ")));
    if let Some(var) = &tsa.tsa_auth_env {
        let credentials =
            std::env::var(var).with_context(|| format!("environment variable {var} is not set"))?;
        http = http.with_basic_auth(zeroize::Zeroizing::new(credentials));
    }
    Ok((urls, Arc::new(http)))
}

/// `siegel extend`: raises signed documents to a higher level, adding only what is missing.
fn extend(args: args::ExtendArgs, settings: &Settings) -> Result<u8> {
    let level = args.level;
    if level == sign::Level::B {
        bail!("B-B is where signatures start; extend to B-T, B-LT or B-LTA");
    }
    let (urls, http) = tsa(&args.tsa, settings, true)?;
    if urls.is_empty() {
        bail!(
            "this level needs a time-stamp authority: give --tsa URL, or tsa_urls in the settings"
        );
    }
    let stamper = timestamp::Client::new(urls.to_vec(), http.clone());
    if args.container_timestamp
        && let Some(other) = args
            .inputs
            .iter()
            .find(|i| siegel::asic::Kind::of_path(i).is_none())
    {
        bail!(
            "--container-timestamp is for ASiC-E containers; {} is not one",
            other.display()
        );
    }
    let targets = output_paths(&args.inputs, &args.out)?;
    let mut failures = 0;
    for (input, target) in args.inputs.iter().zip(&targets) {
        let name = input.display().to_string();
        let shown = output::shown(&name);
        let result = if siegel::asic::Kind::of_path(input).is_some() {
            sign::asic::extend(
                input,
                target,
                level,
                &stamper,
                http.as_ref(),
                args.force,
                chrono::Utc::now(),
                args.container_timestamp,
            )
        } else if sign::cades::is_signature_file(input) {
            sign::cades::extend(
                input,
                args.content.as_deref(),
                target,
                level,
                &stamper,
                http.as_ref(),
                args.force,
                chrono::Utc::now(),
            )
        } else {
            sign::extend(
                input,
                target,
                level,
                &stamper,
                http.as_ref(),
                args.force,
                chrono::Utc::now(),
            )
        }
        .and_then(|(out, done)| Ok((out.commit()?, done)));
        let line = match (&result, args.format) {
            (Ok((written, done)), Format::Text) => format!(
                "{shown}: {level} -> {} ({})",
                output::shown(&written.display().to_string()),
                describe_extension(done)
            ),
            (Ok((written, done)), Format::Json) => output::json(&serde_json::json!({
                "file": name,
                "status": "ok",
                "level": level.name(),
                "output": written.display().to_string(),
                "document_timestamp": done.timestamped,
                "certificates": done.certificates,
                "ocsp_responses": done.ocsps,
                "crls": done.crls,
                "archive_timestamp": done.archived,
                "container_timestamp": done.container_timestamp,
            })),
            (Err(error), Format::Text) => format!(
                "{shown}: {}: {}",
                console::error_word(),
                output::shown(&error.to_string())
            ),
            (Err(error), Format::Json) => output::json(
                &serde_json::json!({ "file": name, "status": "error", "error": error.to_string() }),
            ),
        };
        if result.is_err() {
            failures += 1;
        }
        console::print_result(&line, result.is_err());
    }
    Ok(if failures > 0 { EXIT_INPUT } else { 0 })
}

fn describe_extension(done: &sign::Extended) -> String {
    let mut added = Vec::new();
    if done.timestamped {
        added.push("document time-stamp".to_owned());
    }
    if done.certificates + done.ocsps + done.crls > 0 {
        added.push(format!(
            "validation data ({} certificates, {} OCSP responses, {} CRLs)",
            done.certificates, done.ocsps, done.crls
        ));
    }
    if done.archived {
        added.push("archive time-stamp".to_owned());
    }
    if done.container_timestamp {
        added.push("container time-stamp (ASiCArchiveManifest)".to_owned());
    }
    if added.is_empty() {
        "nothing missing; copied unchanged".to_owned()
    } else {
        format!("added {}", added.join(", "))
    }
}

/// One output per input: `-o` for a single input, else the same name inside `--out-dir`.
fn output_paths(inputs: &[PathBuf], out: &args::OutputArgs) -> Result<Vec<PathBuf>> {
    match (out.output.as_deref(), out.out_dir.as_deref()) {
        (Some(output), _) => {
            if inputs.len() != 1 {
                bail!(
                    "-o takes one input; use --out-dir for {} inputs",
                    inputs.len()
                );
            }
            Ok(vec![output.to_path_buf()])
        }
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create output folder {}", dir.display()))?;
            let mut seen = HashSet::new();
            inputs
                .iter()
                .map(|input| {
                    let name = input
                        .file_name()
                        .ok_or_else(|| anyhow!("{}: not a file name", input.display()))?;
                    if !seen.insert(name.to_owned()) {
                        bail!(
                            "two inputs are named {}; their outputs would collide in {}",
                            name.to_string_lossy(),
                            dir.display()
                        );
                    }
                    Ok(dir.join(name))
                })
                .collect()
        }
        (None, None) => bail!("give -o OUT or --out-dir DIR"),
    }
}

fn verify(args: args::VerifyArgs, now: DateTime<Utc>, settings: &Settings) -> Result<u8> {
    let report_plan = report::Plan::from_args(&args)?;
    let (mut options, problems) = settings.validation(now, &args.trust);
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem.into());
    }
    if !args.no_trusted_lists {
        // Lists are checked now: their signers must be valid today, whatever --at says.
        match settings.trusted_lists(now) {
            Ok(Some(snapshot)) => options.trust.set_lists(Arc::new(snapshot)),
            Ok(None) => {}
            Err(error) => console::note(&format!("the trusted lists are not used: {error}")),
        }
    }
    let time = match &args.at {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .with_context(|| format!("--at {text}: not an RFC 3339 time"))?
            .with_timezone(&Utc),
        None => now,
    };
    let crypto = match validate::acceptance::Catalogue::named(&args.crypto) {
        Some(catalogue) => catalogue,
        None => {
            let text = std::fs::read_to_string(&args.crypto).with_context(|| {
                format!(
                    "--crypto {}: neither `etsi`, `sog-is` nor a readable file",
                    args.crypto
                )
            })?;
            serde_json::from_str(&text)
                .with_context(|| format!("--crypto {}: not a crypto catalogue", args.crypto))?
        }
    };
    if args.offline {
        options.fetcher = None;
    }
    if options.trust.is_empty() {
        console::info(
            "siegel: no trust anchor given (--trust FILE, or trust_anchors in the settings): no chain can end at a trusted root",
        );
    }
    console::note(&format!(
        "validation time {}, {} trust anchor(s), crypto catalogue {}, {}",
        time.to_rfc3339(),
        options.trust.anchors().len(),
        crypto.name,
        if options.fetcher.is_none() {
            "offline"
        } else {
            "online (OCSP, CRL and missing issuers fetched)"
        }
    ));
    let options = validate::Options {
        crypto,
        time,
        ..options
    };
    let progress = progress_bar(args.inputs.len());
    let results: Vec<Result<validate::Report, String>> = args
        .inputs
        .par_iter()
        .map(|input| {
            let result = if sign::cades::is_signature_file(input) {
                validate::validate_cades(input, args.content.as_deref(), &options)
            } else if siegel::asic::Kind::of_path(input).is_some() {
                validate::validate_asic(input, &options)
            } else {
                validate::validate_pdf(input, &options)
            }
            .map_err(|e| e.to_string());
            progress.println_or_print(
                output::validated(args.format, &input.display().to_string(), &result),
                result.is_err(),
            );
            progress.inc(1);
            result
        })
        .collect();
    progress.finish_and_clear();
    if let (Some(plan), [Ok(report)]) = (&report_plan, results.as_slice()) {
        let written = plan.write(report, args.seal_key.as_ref(), now)?;
        // stderr: stdout keeps one line (or JSON object) per document for scripts.
        console::info(&format!(
            "protocol written to {}",
            output::shown(&written.display().to_string())
        ));
    }
    Ok(exit_code(&results))
}

/// `siegel extract`: validates, prints the verdict, and writes the signed content into
/// `--out-dir` unless a signature failed.
fn extract(args: args::ExtractArgs, now: DateTime<Utc>, settings: &Settings) -> Result<u8> {
    let (mut options, problems) = settings.validation(now, &args.trust);
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem.into());
    }
    if let Some(text) = &args.at {
        options.time = DateTime::parse_from_rfc3339(text)
            .with_context(|| format!("--at {text}: not an RFC 3339 time"))?
            .with_timezone(&Utc);
    }
    if args.offline {
        options.fetcher = None;
    }
    let input = &args.input;
    let name = input.display().to_string();
    let container = siegel::asic::Kind::of_path(input).is_some();
    let report = if container {
        validate::validate_asic(input, &options)
    } else if sign::cades::is_signature_file(input) {
        validate::validate_cades(input, None, &options)
    } else {
        bail!("{name}: extract reads .p7m files and ASiC containers");
    }
    .map_err(|e| anyhow!("{e}"))?;
    print_line(&output::validated(Format::Text, &name, &Ok(report.clone())));
    if report.indication == Indication::TotalFailed {
        bail!("{name}: a signature failed; nothing was extracted");
    }
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create output folder {}", args.out_dir.display()))?;
    let written = if container {
        siegel::asic::Container::open(input)
            .and_then(|mut c| c.extract_to(&args.out_dir, args.force))
            .map_err(|e| anyhow!("{name}: {e}"))?
    } else {
        let bytes = std::fs::read(input).with_context(|| format!("cannot read {name}"))?;
        let content = siegel::cades::enveloped_content(&bytes)
            .map_err(|e| anyhow!("{name}: {e}"))?
            .ok_or_else(|| anyhow!("{name}: a detached signature carries no content"))?;
        let content_name = siegel::cades::content_name(input);
        let target = siegel::output::inside(&args.out_dir, &[&content_name.to_string_lossy()])?;
        let mut out = siegel::output::Output::create(&target, args.force)?;
        std::io::Write::write_all(out.writer(), &content)?;
        vec![out.commit()?]
    };
    for path in &written {
        print_line(&format!(
            "extracted {}",
            output::shown(&path.display().to_string())
        ));
    }
    Ok(exit_code(&[Ok(report)]))
}

fn exit_code(results: &[Result<validate::Report, String>]) -> u8 {
    if results.iter().any(Result::is_err) {
        return EXIT_INPUT;
    }
    match results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.indication)
        .max()
    {
        Some(Indication::TotalFailed) => EXIT_FAILED,
        Some(Indication::Indeterminate) => EXIT_INDETERMINATE,
        _ => 0,
    }
}

/// Bundled demo material: the test PKI's seal key and root, and an unsigned sample.
const DEMO_P12: &[u8] = include_bytes!("../../../testdata/pki/seal-rsa.p12");
const DEMO_ROOT: &[u8] = include_bytes!("../../../testdata/pki/root-ca.pem");
const DEMO_PDF: &[u8] = include_bytes!("../../../testdata/pdf/classic.pdf");
/// Documented in testdata/pki/README.md; protects nothing but demo keys.
const DEMO_PASSPHRASE: &str = "siegel-demo";

fn demo(args: args::DemoArgs, now: DateTime<Utc>) -> Result<u8> {
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    let p12 = work.path().join("demo-seal.p12");
    let input = work.path().join("sample.pdf");
    std::fs::write(&p12, DEMO_P12)?;
    std::fs::write(&input, DEMO_PDF)?;
    let mut store = trust::Store::new();
    for certificate in siegel::certificate::Certificate::load_all(DEMO_ROOT)? {
        store.add(certificate);
    }
    let credential = software::load_pkcs12(
        &p12,
        &Pin::new(DEMO_PASSPHRASE.to_owned()),
        software::Options::default(),
    )?;
    let request = sign::Request {
        reason: Some("Demo: Siegel seals a sample".into()),
        location: Some("Musterstadt".into()),
        ..sign::Request::new(Kind::Seal, now)
    };
    let outcome = sign::sign_pdf(&input, &args.output, &credential, &request, true)?;
    print_line(&format!(
        "sealed the bundled sample with the demo seal key ({}) -> {}",
        output::shown(&outcome.signer),
        output::shown(&outcome.output.display().to_string())
    ));
    let report = validate::validate_pdf(
        &outcome.output,
        &validate::Options {
            crypto: Default::default(),
            trust: store,
            time: now,
            fetcher: None,
        },
    )?;
    print_line(&output::validated(
        Format::Text,
        &outcome.output.display().to_string(),
        &Ok(report.clone()),
    ));
    Ok(exit_code(&[Ok(report)]))
}

/// A progress bar on a terminal for batches; hidden otherwise, where lines print directly.
fn progress_bar(len: usize) -> Arc<Progress> {
    let bar = if len > 1 && std::io::stderr().is_terminal() && !console::quiet() {
        let bar = ProgressBar::new(len as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    Arc::new(Progress(bar))
}

struct Progress(Option<ProgressBar>);

impl Progress {
    fn println_or_print(&self, line: String, failed: bool) {
        match &self.0 {
            Some(bar) => bar.println(siegel::text::printable_lines(&line)),
            None => console::print_result(&line, failed),
        }
    }

    fn inc(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    fn finish_and_clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The trusted-list folder: the managed one of the settings, else the user's cache.
fn trust_cache(settings: &Settings) -> Result<trust::cache::Cache> {
    settings
        .trust_list_cache()
        .context("no cache folder for the trusted lists on this system")
}

/// The LOTL signers: those given on the command line, else the setting's, else the pinned
/// ones shipped with the program.
fn lotl_signers(
    given: &[std::path::PathBuf],
    settings: &Settings,
) -> Result<Vec<siegel::certificate::Certificate>> {
    if given.is_empty() {
        return Ok(settings.lotl_signer_certificates()?);
    }
    Ok(trust::cache::signers_from_files(given)?)
}

fn trust_command(
    command: args::TrustCommand,
    now: DateTime<Utc>,
    settings: &Settings,
) -> Result<u8> {
    let cache = trust_cache(settings)?;
    match command {
        args::TrustCommand::Update(args) => {
            let signers = lotl_signers(&args.signers.lotl_signers, settings)?;
            let fetcher = network::Http::new(settings.network_policy());
            let refresh = if args.force {
                trust::cache::Refresh::Always
            } else {
                trust::cache::Refresh::WhenChanged
            };
            let update = cache.update(
                &args.lotl,
                &signers,
                &args.territories,
                &fetcher,
                refresh,
                now,
            )?;
            print!("{}", output::trust_update(&update));
            println!(
                "{} list(s) updated, {} unchanged, {} failed in {}",
                update.replaced().len(),
                update.unchanged().len(),
                update.failed().len(),
                cache.dir().display()
            );
            Ok(u8::from(!update.failed().is_empty()))
        }
        args::TrustCommand::Status(args) => {
            let signers = lotl_signers(&args.signers.lotl_signers, settings)?;
            let at = match &args.at {
                Some(text) => DateTime::parse_from_rfc3339(text)
                    .with_context(|| format!("--at {text}: not an RFC 3339 time"))?
                    .with_timezone(&Utc),
                None => now,
            };
            let status = cache.status(&signers, at);
            match args.format {
                args::Format::Json => println!("{}", serde_json::to_string_pretty(&status)?),
                args::Format::Text => print!("{}", output::trust_status(&status)),
            }
            Ok(u8::from(
                status.lists.iter().any(|l| l.signature != "valid"),
            ))
        }
        args::TrustCommand::Export { dir } => {
            let copied = cache.export(&dir)?;
            println!("{copied} file(s) copied to {}", dir.display());
            Ok(0)
        }
        args::TrustCommand::Import { dir, signers } => {
            let signers = lotl_signers(&signers.lotl_signers, settings)?;
            let snapshot = cache.import(&dir, &signers, now)?;
            println!(
                "LOTL sequence {} and {} national list(s) imported into {}",
                snapshot.lotl.list.sequence,
                snapshot.lists.len(),
                cache.dir().display()
            );
            Ok(0)
        }
    }
}
