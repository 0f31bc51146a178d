//! Command-line arguments (the contract in the architecture guide).

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use siegel::pdf::appearance::{Page, Visible};
use siegel::sign::Level;
use siegel::text::Language;

#[derive(Debug, Parser)]
#[command(
    name = "siegel",
    version,
    about = "Sign, seal and validate documents under eIDAS (PAdES, CAdES)",
    after_help = "Exit codes: 0 done / all signatures valid, 1 a signature failed, 2 a signature is \
                  indeterminate (none failed), 3 usage or input error.",
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub console: ConsoleArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// How much is printed, and in colour or not; accepted by every subcommand.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Say more: on standard error what is used (settings, trust anchors, time-stamp
    /// authorities, validation time); `verify` also lists every check and the chain.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print nothing but errors; the exit code gives the outcome.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour verdicts: `auto` on a terminal unless NO_COLOR is set, `always` or `never`.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true, value_name = "WHEN")]
    pub color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign documents with a natural person's certificate (one explicit run per signer).
    Sign(SignArgs),
    /// Seal documents with a legal person's (organisation's) certificate.
    Seal(SignArgs),
    /// Validate the signatures and seals in documents.
    #[command(arg_required_else_help = true)]
    Verify(VerifyArgs),
    /// Raise signed documents (PDF, `.p7s`, `.p7m`, ASiC) to a higher level by adding what is
    /// missing.
    Extend(ExtendArgs),
    /// Validate an enveloping `.p7m` or an ASiC container and write the signed content.
    #[command(arg_required_else_help = true)]
    Extract(ExtractArgs),
    /// List PKCS#11 modules, their tokens, and the keys and certificates on them.
    Tokens(TokensArgs),
    /// Download, inspect and move the EU trusted lists validation trusts and qualifies by.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Seal a bundled sample with the bundled demo key and validate it.
    Demo(DemoArgs),
    /// Write the man pages and the bash, zsh and fish completions (for packagers).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Folder for `siegel.1` and one `siegel-SUBCOMMAND.1` per subcommand.
    #[arg(long, value_name = "DIR")]
    pub man: Option<PathBuf>,
    /// Folder for `siegel.bash`, `_siegel` (zsh) and `siegel.fish`.
    #[arg(long, value_name = "DIR")]
    pub completions: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// PAdES baseline level: B-B; B-T adds a time-stamp from --tsa; B-LT certificates and
    /// revocation data; B-LTA an archive time-stamp.
    #[arg(long, value_parser = level(), default_value_t = Level::B)]
    pub level: Level,
    #[command(flatten)]
    pub tsa: TsaArgs,
    /// Reason for signing (/Reason).
    #[arg(long)]
    pub reason: Option<String>,
    /// Place of signing (/Location).
    #[arg(long)]
    pub location: Option<String>,
    /// How to reach the signer (/ContactInfo).
    #[arg(long)]
    pub contact: Option<String>,
    /// Certify the document (its first signature): 1 allows no changes after it, 2 form
    /// filling and signing, 3 also annotations.
    #[arg(long, value_enum, default_value_t = Certify::None)]
    pub certify: Certify,
    /// Show the signature on a page: PAGE,X,Y,W,H in points from the lower-left corner; PAGE
    /// is a number from 1 or `last`. Without it the signature is invisible. The stamp's text is
    /// in the locale's language, as the protocol's.
    #[arg(long, value_parser = parse_visible)]
    pub visible: Option<Visible>,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Overwrite existing outputs.
    #[arg(long)]
    pub force: bool,
    /// Sign with a certificate that declares the other kind: a seal certificate for `sign`, a
    /// personal one for `seal`.
    #[arg(long)]
    pub accept_certificate_kind: bool,
    /// Leave outputs that exist already and report them as skipped: resumes an interrupted
    /// batch (every finished output is complete, as outputs appear only when whole).
    #[arg(long, conflicts_with = "force")]
    pub skip_existing: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub cades: CadesArgs,
    /// Documents to sign: PDFs get PAdES; other files a CAdES `.p7s` (or `.p7m`); a
    /// `.p7s`/`.p7m` gets another signer, an `.asice`/`.asics` another signature.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Files other than PDFs get a CAdES signature (ETSI EN 319 122-1): detached `NAME.EXT.p7s`
/// beside the input (or in --out-dir, or at -o) unless these say otherwise.
#[derive(Debug, Args)]
pub struct CadesArgs {
    /// Put the content inside the signature: `NAME.EXT.p7m` instead of `NAME.EXT.p7s`.
    #[arg(long)]
    pub enveloping: bool,
    /// For a `.p7s`/`.p7m` input: counter-sign its last signature instead of adding a
    /// parallel one.
    #[arg(long)]
    pub counter: bool,
    /// The signed content of a detached `.p7s` input (default: its name without `.p7s`).
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    /// Put all inputs into one ASiC container with a CAdES signature (ETSI EN 319 162-1):
    /// `asice` for any number of files, `asics` for one.
    #[arg(long, value_enum, conflicts_with_all = ["enveloping", "counter", "content"])]
    pub container: Option<ContainerKind>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ContainerKind {
    Asice,
    Asics,
}

/// Where time-stamps come from.
#[derive(Debug, Args)]
pub struct TsaArgs {
    /// RFC 3161 time-stamp authority URL; repeatable, tried in order.
    #[arg(long)]
    pub tsa: Vec<String>,
    /// Environment variable holding `user:password` for TSAs that require HTTP basic auth.
    #[arg(long)]
    pub tsa_auth_env: Option<String>,
}

/// Where outputs go.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output file (one input only).
    // Not required here: a CAdES signature has a default place beside its input; PDFs and
    // extensions say what is missing at run time.
    #[arg(short = 'o', long = "output", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Output folder; each output keeps its input's file name.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// PKCS#12 file with the key and its certificate chain.
    // Not `required_unless_present = "token"`: `verify` flattens these as optional (for
    // --seal-report); `keys::credential` says what is missing instead.
    #[arg(long, conflicts_with_all = ["token", "module"])]
    pub p12: Option<PathBuf>,
    /// PKCS#11 module (default: the known modules found on this system).
    #[arg(long, requires = "token")]
    pub module: Option<PathBuf>,
    /// Label of the token (smart card or HSM) holding the key.
    #[arg(long)]
    pub token: Option<String>,
    /// Label of the key on the token (default: its only signing key).
    #[arg(long, requires = "token", conflicts_with = "key_id")]
    pub key: Option<String>,
    /// CKA_ID of the key on the token, in hex.
    #[arg(long, requires = "token")]
    pub key_id: Option<String>,
    /// Read the passphrase or PIN from this environment variable.
    #[arg(long, conflicts_with = "pin_file")]
    pub pin_env: Option<String>,
    /// Read the passphrase from the first line of this file (`-`: standard input).
    #[arg(long)]
    pub pin_file: Option<PathBuf>,
    /// Hash algorithm (default: SHA-256, or SHA-384 for P-384 keys).
    #[arg(long, value_enum)]
    pub digest: Option<DigestArg>,
    /// Use RSA-PSS instead of PKCS#1 v1.5 for RSA keys.
    #[arg(long)]
    pub pss: bool,
}

#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// The level to reach; B-T adds a document time-stamp where the newest signature has none.
    #[arg(long, value_parser = level())]
    pub level: Level,
    #[command(flatten)]
    pub tsa: TsaArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Overwrite existing outputs.
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The signed content of a detached `.p7s` input (default: its name without `.p7s`).
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    /// For an `.asice` input: also time-stamp the whole container, every signature included,
    /// with an ASiCArchiveManifest (ETSI EN 319 162-1 §A.5); repeat to renew it.
    #[arg(long)]
    pub container_timestamp: bool,
    /// Signed documents to extend.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Download the EU List of Trusted Lists and the national lists, verify their signatures
    /// and keep the good ones (a failed or badly signed download never replaces a good list).
    Update(TrustUpdateArgs),
    /// Show each cached list: territory, sequence, issue date, next update, signature, signer.
    Status(TrustStatusArgs),
    /// Copy the cached lists into a folder (for offline machines or a network share).
    Export {
        /// Target folder.
        dir: PathBuf,
    },
    /// Take the lists of a folder made by `trust export`, after verifying them.
    Import {
        /// Source folder.
        dir: PathBuf,
        #[command(flatten)]
        signers: LotlSignerArgs,
    },
}

#[derive(Debug, Args)]
pub struct LotlSignerArgs {
    /// Certificate (PEM or DER) the LOTL must be signed with, replacing the pinned ones of
    /// OJ C 276/2019; repeatable.
    #[arg(long = "lotl-signer", value_name = "CERT")]
    pub lotl_signers: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TrustUpdateArgs {
    /// Where the LOTL is published.
    #[arg(long, default_value = siegel::trust::cache::DEFAULT_LOTL_URL)]
    pub lotl: String,
    #[command(flatten)]
    pub signers: LotlSignerArgs,
    /// Only the lists of these territories (e.g. DE, AT); repeatable. Default: all.
    #[arg(long = "territory", value_name = "CC")]
    pub territories: Vec<String>,
    /// Download every list again, even one whose .sha2 file or server says the cached copy
    /// is current (a list past its next update is always downloaded).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct TrustStatusArgs {
    #[command(flatten)]
    pub signers: LotlSignerArgs,
    /// Judge the signatures and freshness at this time (RFC 3339), default now: for an
    /// archived snapshot.
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Trust anchor certificate (PEM or DER); repeatable.
    #[arg(long)]
    pub trust: Vec<PathBuf>,
    /// Validate without network access.
    #[arg(long)]
    pub offline: bool,
    /// Validation time (RFC 3339), default now.
    #[arg(long)]
    pub at: Option<String>,
    /// Folder the signed content is written to; nothing is written outside it.
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Overwrite files that exist in the folder.
    #[arg(long)]
    pub force: bool,
    /// An enveloping `.p7m` or an ASiC container (`.asics`, `.asice`, `.scs`, `.sce`).
    pub input: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Trust anchor certificate (PEM or DER); repeatable.
    #[arg(long)]
    pub trust: Vec<PathBuf>,
    /// Do not use the EU trusted lists (from `siegel trust update`) as trust anchors; no
    /// qualification is then determined.
    #[arg(long)]
    pub no_trusted_lists: bool,
    /// Validate without network access: only the revocation data in the document counts.
    #[arg(long)]
    pub offline: bool,
    /// Crypto catalogue: `etsi` (ETSI TS 119 312, the default), `sog-is` (SOG-IS/BNetzA,
    /// RSA under 3000 bit ends 2025) or a JSON file with your own catalogue.
    #[arg(long, default_value = "etsi")]
    pub crypto: String,
    /// Validation time (RFC 3339), default now.
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the verification protocol (Prüfprotokoll) to this file; the extension picks the
    /// format: .pdf, .html, .json or .xml (ETSI TS 119 102-2). One input only.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Language of the protocol (default: from LC_ALL, LC_MESSAGES or LANG; German for de*).
    #[arg(long, value_parser = language(), requires = "report")]
    pub lang: Option<Language>,
    /// Seal the PDF protocol with the key given by --p12 or --token (PAdES B-B), so the
    /// protocol itself is tamper-evident.
    #[arg(long, requires = "report")]
    pub seal_report: bool,
    #[command(flatten)]
    pub seal_key: Option<KeyArgs>,
    /// Overwrite an existing protocol file.
    #[arg(long, requires = "report")]
    pub force: bool,
    /// The signed content of a detached `.p7s` (default: its name without `.p7s`).
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    /// Documents to validate: PDFs, CAdES `.p7s`/`.sig` (detached), `.p7m`, `.pkcs7` files,
    /// and ASiC containers.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TokensArgs {
    /// PKCS#11 module to list (repeatable; default: the known modules found on this system).
    #[arg(long)]
    pub module: Vec<PathBuf>,
    /// Log in with the PIN from this environment variable to list the private keys too.
    #[arg(long, conflicts_with = "pin_file")]
    pub pin_env: Option<String>,
    /// Log in with the PIN from the first line of this file (`-`: standard input).
    #[arg(long)]
    pub pin_file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the sealed sample.
    #[arg(short = 'o', long = "output", default_value = "siegel-demo.pdf")]
    pub output: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Certify {
    None,
    #[value(name = "1")]
    NoChanges,
    #[value(name = "2")]
    FormFilling,
    #[value(name = "3")]
    Annotations,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DigestArg {
    Sha256,
    Sha384,
    Sha512,
}

/// `--level` takes the core's levels under their ETSI names.
fn level() -> impl TypedValueParser<Value = Level> {
    clap::builder::PossibleValuesParser::new(Level::ALL.map(Level::name)).map(|name| {
        let known = Level::ALL.into_iter().find(|level| level.name() == name);
        known.unwrap_or_default()
    })
}

/// `--lang` takes the core's languages by their tags.
fn language() -> impl TypedValueParser<Value = Language> {
    clap::builder::PossibleValuesParser::new(Language::ALL.map(Language::tag))
        .map(|tag| Language::from_locale(&tag))
}

fn parse_visible(text: &str) -> Result<Visible, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [page, x, y, width, height] = parts[..] else {
        return Err("expected PAGE,X,Y,W,H, e.g. 1,360,40,200,60 or last,40,40,200,60".into());
    };
    let page = if page.eq_ignore_ascii_case("last") {
        Page::Last
    } else {
        match page.parse::<usize>() {
            Ok(n) if n >= 1 => Page::Number(n),
            _ => return Err(format!("page {page}: a number from 1, or `last`")),
        }
    };
    let number = |name: &str, value: &str| -> Result<f32, String> {
        value
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("{name} {value}: a number of points, not negative"))
    };
    let (width, height) = (number("width", width)?, number("height", height)?);
    if width < 20.0 || height < 10.0 {
        return Err("the box must be at least 20 x 10 points".into());
    }
    Ok(Visible {
        page,
        x: number("x", x)?,
        y: number("y", y)?,
        width,
        height,
        lines: Vec::new(),
    })
}

/// What `siegel` alone prints: the commands and a few examples, not the whole reference.
pub const USAGE: &str = "\
Siegel signs, seals and validates documents under eIDAS (PAdES).

Usage: siegel <COMMAND> [OPTIONS] FILE...

Commands:
  verify   validate the signatures and seals in documents
  sign     sign with a natural person's certificate (PKCS#12 file or smart card)
  seal     seal with an organisation's certificate
  extend   raise signed documents to B-T, B-LT or B-LTA
  tokens   list smart cards and HSMs with their keys
  demo     seal a bundled sample with the demo key and validate it

Examples:
  siegel demo
  siegel verify contract.pdf
  siegel seal --p12 seal.p12 --pin-env PIN -o sealed.pdf contract.pdf

More: siegel help COMMAND, siegel COMMAND --help, man siegel
";

/// What `siegel verify` without documents prints.
pub const VERIFY_USAGE: &str = "\
Usage: siegel verify [OPTIONS] FILE...

Validates every signature, seal and time-stamp in the documents (ETSI EN 319 102-1).
Exit code 0: all valid, 1: a signature failed, 2: indeterminate, 3: input error.

Examples:
  siegel verify contract.pdf
  siegel verify --trust root.pem --offline *.pdf
  siegel verify --format json contract.pdf
  siegel verify --report protocol.pdf --lang de contract.pdf

All options: siegel verify --help
";
