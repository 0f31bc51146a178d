//! The protocol's words in German and English: the ETSI EN 319 102-1 indications and
//! sub-indications explained for a clerk, and dates, sizes and names written as each language
//! writes them.

use chrono::{DateTime, Local, Utc};

use crate::certificate::Kind;
use crate::text::Language;
use crate::trust::qualification::Qualification;
use crate::validate::report::{RevocationStatus, TimestampKind};
use crate::validate::{Indication, SubIndication};

/// The traffic-light colour of a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Green,
    Amber,
    Red,
}

impl Tone {
    pub fn of(indication: Indication) -> Self {
        match indication {
            Indication::TotalPassed => Self::Green,
            Indication::Indeterminate => Self::Amber,
            Indication::TotalFailed => Self::Red,
        }
    }
}

/// The indication as a short word, with the ETSI name beside it so both readers find it.
pub fn indication(language: Language, indication: Indication) -> String {
    let word = match indication {
        Indication::TotalPassed => language.pick("valid", "gültig"),
        Indication::Indeterminate => language.pick("indeterminate", "unbestimmt"),
        Indication::TotalFailed => language.pick("invalid", "ungültig"),
    };
    format!("{word} ({})", indication.name())
}

/// What the indication means, in one plain sentence.
pub fn explain_indication(language: Language, indication: Indication) -> &'static str {
    match indication {
        Indication::TotalPassed => language.pick(
            "All cryptographic and policy checks passed.",
            "Alle kryptographischen Prüfungen und Prüfungen nach der Prüfrichtlinie waren erfolgreich.",
        ),
        Indication::Indeterminate => language.pick(
            "The available information does not allow a conclusion either way.",
            "Mit den verfügbaren Informationen lässt sich weder Gültigkeit noch Ungültigkeit feststellen.",
        ),
        Indication::TotalFailed => language.pick(
            "A cryptographic check failed, the signing certificate was proven invalid at signing time, or the signature cannot be processed.",
            "Eine kryptographische Prüfung ist fehlgeschlagen, das Zertifikat war nachweislich zum Signaturzeitpunkt ungültig, oder die Signatur kann nicht verarbeitet werden.",
        ),
    }
}

/// Why a result is not TOTAL-PASSED (EN 319 102-1 Table 5, paraphrased).
pub fn explain_subindication(language: Language, sub: SubIndication) -> &'static str {
    use SubIndication as S;
    match sub {
        S::FormatFailure => language.pick(
            "The signature or the document does not conform to the format, or the document was changed in a way that is not allowed.",
            "Signatur oder Dokument entsprechen nicht dem Format, oder das Dokument wurde unzulässig verändert.",
        ),
        S::HashFailure => language.pick(
            "The signed data were changed after signing: their hash value does not match.",
            "Die signierten Daten wurden nach dem Signieren verändert: der Hashwert stimmt nicht überein.",
        ),
        S::SigCryptoFailure => language.pick(
            "The signature value cannot be verified with the signer's public key.",
            "Der Signaturwert lässt sich mit dem öffentlichen Schlüssel des Unterzeichners nicht bestätigen.",
        ),
        S::Revoked => language.pick(
            "The signing certificate was revoked before the signature was made.",
            "Das Signaturzertifikat war vor dem Signieren gesperrt.",
        ),
        S::SigConstraintsFailure => language.pick(
            "The signature's attributes or later changes do not meet the validation constraints.",
            "Die Attribute der Signatur oder spätere Änderungen erfüllen die Prüfvorgaben nicht.",
        ),
        S::ChainConstraintsFailure => language.pick(
            "The certificate chain does not meet the constraints (key usage, basic constraints, ...).",
            "Die Zertifikatskette erfüllt die Vorgaben nicht (Schlüsselverwendung, Basiseinschränkungen, ...).",
        ),
        S::CertificateChainGeneralFailure => language.pick(
            "The certificate chain could not be validated.",
            "Die Zertifikatskette konnte nicht geprüft werden.",
        ),
        S::CryptoConstraintsFailure => language.pick(
            "An algorithm or key size is no longer considered secure.",
            "Ein Algorithmus oder eine Schlüssellänge gilt nicht mehr als sicher.",
        ),
        S::CryptoConstraintsFailureNoPoe => language.pick(
            "An algorithm or key is no longer secure, and nothing proves the signature existed before.",
            "Ein Algorithmus oder Schlüssel gilt nicht mehr als sicher, und nichts belegt, dass die Signatur vorher bestand.",
        ),
        S::ExpiredNoPoe => language.pick(
            "The signing certificate has expired, and nothing proves the signature was made before.",
            "Das Signaturzertifikat ist abgelaufen, und nichts belegt, dass die Signatur vorher erstellt wurde.",
        ),
        S::NotYetValid => language.pick(
            "The signature was made before the signing certificate became valid.",
            "Die Signatur wurde vor Beginn der Gültigkeit des Signaturzertifikats erstellt.",
        ),
        S::OutOfBoundsNoPoe => language.pick(
            "The signing certificate is outside its validity period, and its revocation status is unknown.",
            "Das Signaturzertifikat liegt außerhalb seiner Gültigkeit, sein Sperrstatus ist unbekannt.",
        ),
        S::OutOfBoundsNotRevoked => language.pick(
            "The signing certificate is outside its validity period but not revoked; the signing time cannot be placed inside it.",
            "Das Signaturzertifikat liegt außerhalb seiner Gültigkeit, ist aber nicht gesperrt; der Signaturzeitpunkt lässt sich nicht in die Gültigkeit legen.",
        ),
        S::RevokedNoPoe => language.pick(
            "The signing certificate is revoked, and it cannot be shown that the signature was made before.",
            "Das Signaturzertifikat ist gesperrt, und es lässt sich nicht zeigen, dass die Signatur vorher erstellt wurde.",
        ),
        S::RevokedCaNoPoe => language.pick(
            "A certificate authority in the chain is revoked.",
            "Eine Zertifizierungsstelle der Kette ist gesperrt.",
        ),
        S::NoCertificateChainFound => language.pick(
            "No chain to a trusted root certificate was found.",
            "Es wurde keine Kette zu einem vertrauenswürdigen Wurzelzertifikat gefunden.",
        ),
        S::NoSigningCertificateFound => language.pick(
            "The signing certificate cannot be identified.",
            "Das Signaturzertifikat lässt sich nicht bestimmen.",
        ),
        S::SignedDataNotFound => language.pick(
            "The signed data cannot be found.",
            "Die signierten Daten lassen sich nicht finden.",
        ),
        S::TimestampOrderFailure => language.pick(
            "The time-stamps are in an impossible order: one claims a time before what it covers.",
            "Die Zeitstempel stehen in unmöglicher Reihenfolge: einer nennt eine Zeit vor dem, was er abdeckt.",
        ),
        S::TryLater => language.pick(
            "Not enough revocation information is available yet; try again later.",
            "Es liegen noch nicht genügend Sperrinformationen vor; später erneut prüfen.",
        ),
    }
}

/// `Signatur`/`Siegel` and their English words; an unknown kind is a signature technically.
pub fn kind(language: Language, kind: Option<Kind>) -> &'static str {
    match kind {
        Some(Kind::Seal) => language.pick("Seal", "Siegel"),
        Some(Kind::Signature) => language.pick("Signature", "Signatur"),
        None => language.pick("Signature (kind unknown)", "Signatur (Art unbekannt)"),
    }
}

pub fn qualification(language: Language, qualification: Option<Qualification>) -> String {
    match qualification {
        Some(Qualification::QeSig) => language
            .pick(
                "qualified electronic signature (QESig)",
                "qualifizierte elektronische Signatur (QESig)",
            )
            .into(),
        Some(Qualification::QeSeal) => language
            .pick(
                "qualified electronic seal (QESeal)",
                "qualifiziertes elektronisches Siegel (QESeal)",
            )
            .into(),
        Some(Qualification::AdeSigQc) => language
            .pick(
                "advanced signature with a qualified certificate (AdESig-QC)",
                "fortgeschrittene Signatur mit qualifiziertem Zertifikat (AdESig-QC)",
            )
            .into(),
        Some(Qualification::AdeSealQc) => language
            .pick(
                "advanced seal with a qualified certificate (AdESeal-QC)",
                "fortgeschrittenes Siegel mit qualifiziertem Zertifikat (AdESeal-QC)",
            )
            .into(),
        Some(Qualification::AdeSig) => language
            .pick(
                "advanced signature (AdESig)",
                "fortgeschrittene Signatur (AdESig)",
            )
            .into(),
        Some(Qualification::AdeSeal) => language
            .pick(
                "advanced seal (AdESeal)",
                "fortgeschrittenes Siegel (AdESeal)",
            )
            .into(),
        Some(Qualification::Indeterminate) => language
            .pick(
                "indeterminate (the trusted list's data contradict each other)",
                "unbestimmt (die Angaben der Vertrauensliste widersprechen sich)",
            )
            .into(),
        Some(Qualification::NotDetermined) | None => language
            .pick(
                "not determined (no trusted list confirms it)",
                "nicht bestimmt (keine Vertrauensliste bestätigt sie)",
            )
            .into(),
    }
}

pub fn revocation_status(language: Language, status: RevocationStatus) -> &'static str {
    match status {
        RevocationStatus::Good => language.pick("not revoked", "nicht gesperrt"),
        RevocationStatus::Revoked => language.pick("REVOKED", "GESPERRT"),
        RevocationStatus::Unknown => language.pick("unknown", "unbekannt"),
        RevocationStatus::NotChecked => language.pick("not checked", "nicht geprüft"),
    }
}

pub fn timestamp_kind(language: Language, kind: TimestampKind) -> &'static str {
    match kind {
        TimestampKind::Signature => language.pick("signature time-stamp", "Signaturzeitstempel"),
        TimestampKind::Document => language.pick("document time-stamp", "Dokumentzeitstempel"),
        TimestampKind::Archive => language.pick("archive time-stamp", "Archivzeitstempel"),
        TimestampKind::Content => language.pick("content time-stamp", "Inhaltszeitstempel"),
    }
}

/// A time in UTC, as each language writes dates.
pub fn utc(language: Language, time: DateTime<Utc>) -> String {
    match language {
        Language::De => time.format("%d.%m.%Y, %H:%M:%S UTC").to_string(),
        Language::En => time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// A time in UTC and in the local time zone of the machine that renders the protocol.
pub fn utc_and_local(language: Language, time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&Local);
    let local = match language {
        Language::De => local.format("%d.%m.%Y, %H:%M:%S Ortszeit (UTC%:z)"),
        Language::En => local.format("%Y-%m-%d %H:%M:%S local time (UTC%:z)"),
    };
    format!("{}; {local}", utc(language, time))
}

/// A date without time, for certificate validity.
pub fn date(language: Language, time: DateTime<Utc>) -> String {
    match language {
        Language::De => time.format("%d.%m.%Y").to_string(),
        Language::En => time.format("%Y-%m-%d").to_string(),
    }
}

pub use crate::text::size;

pub fn yes_no(language: Language, value: bool) -> &'static str {
    if value {
        language.pick("yes", "ja")
    } else {
        language.pick("no", "nein")
    }
}

/// A hex string in groups of two, so a 64-digit fingerprint wraps and can be read aloud.
pub fn hex_groups(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extreme_times_a_report_can_hold_are_written_without_panicking() {
        // An unknown revocation date is MIN_UTC; a certificate's end beyond chrono is MAX_UTC.
        for time in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            for language in [Language::De, Language::En] {
                assert!(!utc_and_local(language, time).is_empty());
                assert!(!date(language, time).is_empty());
            }
        }
    }

    #[test]
    fn sizes_are_grouped() {
        assert_eq!(size(Language::De, 1_234_567), "1.234.567 Bytes");
        assert_eq!(size(Language::En, 999), "999 bytes");
        assert_eq!(size(Language::En, 1000), "1,000 bytes");
    }

    #[test]
    fn fingerprints_are_grouped() {
        assert_eq!(hex_groups("ABCDEF"), "AB CD EF");
    }
}
