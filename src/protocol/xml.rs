//! The machine-readable protocol: an ETSI TS 119 102-2 v1.4.1 `ValidationReport` (namespace
//! `http://uri.etsi.org/19102/v1.4.1#`), valid against the schema in that specification.
//!
//! ```text
//! ValidationReport
//! ├─ SignatureValidationReport (one per signature, in the order applied)
//! ├─ SignatureValidationObjects (certificates, time-stamps, the signed document)
//! └─ SignatureValidator (this product)
//! ```

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use base64ct::{Base64, Encoding};
use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::Error;
use crate::trust::qualification::Qualification;
use crate::validate::report::{self, Indication, Report};

const NAMESPACE: &str = "http://uri.etsi.org/19102/v1.4.1#";
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const TSL: &str = "http://uri.etsi.org/02231/v2#";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// Our own checks have no ETSI identifiers; they get URNs under this prefix.
const CHECK_PREFIX: &str = "urn:siegel:check:";

/// Writes the report as TS 119 102-2 XML.
pub fn render(report: &Report) -> Result<Vec<u8>, Error> {
    let mut xml = Xml::new();
    xml.write(report).map_err(|e| Error::Xml(Arc::new(e)))?;
    let mut bytes = xml.writer.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

/// The URI of a main indication; `building_block` selects the PASSED/FAILED words used for
/// validation objects such as time-stamps (TS 119 102-2 §5.2.2).
fn indication_uri(indication: Indication, building_block: bool) -> &'static str {
    match (indication, building_block) {
        (Indication::TotalPassed, false) => "urn:etsi:019102:mainindication:total-passed",
        (Indication::TotalFailed, false) => "urn:etsi:019102:mainindication:total-failed",
        (Indication::TotalPassed, true) => "urn:etsi:019102:mainindication:passed",
        (Indication::TotalFailed, true) => "urn:etsi:019102:mainindication:failed",
        (Indication::Indeterminate, _) => "urn:etsi:019102:mainindication:indeterminate",
    }
}

/// The qualification as the URIs EU DSS writes (there is no ETSI list of them); none when it
/// was not determined or is indeterminate (no URI is invented for those).
fn quality_uri(qualification: Qualification) -> Option<&'static str> {
    Some(match qualification {
        Qualification::QeSig => "urn:cef:dss:signatureQualification:QESig",
        Qualification::QeSeal => "urn:cef:dss:signatureQualification:QESeal",
        Qualification::AdeSigQc => "urn:cef:dss:signatureQualification:AdESig-QC",
        Qualification::AdeSealQc => "urn:cef:dss:signatureQualification:AdESeal-QC",
        Qualification::AdeSig => "urn:cef:dss:signatureQualification:AdESig",
        Qualification::AdeSeal => "urn:cef:dss:signatureQualification:AdESeal",
        Qualification::Indeterminate | Qualification::NotDetermined => return None,
    })
}

fn time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Base64 of a hex digest; the report keeps digests in hex for people.
/// An XML ID for a list: territory codes are letters (the cache refuses others), and the
/// prefix keeps them apart from certificate and signature ids.
fn trusted_list_id(territory: &str) -> String {
    let safe: String = territory
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("TL-{safe}")
}

fn hex_to_base64(hex: &str) -> String {
    let bytes: Vec<u8> = hex
        .as_bytes()
        .chunks(2)
        .filter_map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
        })
        .collect();
    Base64::encode_string(&bytes)
}

fn certificate_id(certificate: &report::ChainCertificate) -> String {
    format!("C-{}", certificate.sha256.to_ascii_uppercase())
}

struct Xml {
    writer: Writer<Vec<u8>>,
}

type Written = std::io::Result<()>;

impl Xml {
    fn new() -> Self {
        Self {
            writer: Writer::new_with_indent(Vec::new(), b' ', 2),
        }
    }

    fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> Written {
        self.writer
            .write_event(Event::Start(start(name, attributes)))
    }

    fn close(&mut self, name: &str) -> Written {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> Written {
        self.writer
            .write_event(Event::Empty(start(name, attributes)))
    }

    fn leaf(&mut self, name: &str, text: &str) -> Written {
        self.open(name, &[])?;
        self.writer
            .write_event(Event::Text(BytesText::new(&xml_chars(text))))?;
        self.close(name)
    }

    fn reference(&mut self, name: &str, id: &str) -> Written {
        self.empty(name, &[("VOReference", id)])
    }

    fn digest(&mut self, hex: &str) -> Written {
        self.open("DigestAlgAndValue", &[])?;
        self.empty("ds:DigestMethod", &[("Algorithm", SHA256)])?;
        self.leaf("ds:DigestValue", &hex_to_base64(hex))?;
        self.close("DigestAlgAndValue")
    }

    fn write(&mut self, report: &Report) -> Written {
        self.writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        self.open(
            "ValidationReport",
            &[("xmlns", NAMESPACE), ("xmlns:ds", DSIG), ("xmlns:tsl", TSL)],
        )?;
        let document = signed_document_id(report);
        for (index, signature) in report.signatures.iter().enumerate() {
            let id = format!("S-{}", index + 1);
            self.signature_report(report, signature, &id, document.as_deref())?;
        }
        if report.signatures.is_empty() {
            self.no_signature()?;
        }
        self.objects(report, document.as_deref())?;
        self.open("SignatureValidator", &[])?;
        self.open("DigitalId", &[])?;
        self.leaf(
            "tsl:Other",
            &format!("Siegel {}", env!("CARGO_PKG_VERSION")),
        )?;
        self.close("DigitalId")?;
        self.close("SignatureValidator")?;
        self.close("ValidationReport")
    }

    /// The schema wants at least one signature report; a document without one gets a report
    /// that says so.
    fn no_signature(&mut self) -> Written {
        self.open("SignatureValidationReport", &[])?;
        self.open("SignatureValidationStatus", &[])?;
        self.leaf(
            "MainIndication",
            indication_uri(Indication::Indeterminate, false),
        )?;
        self.leaf(
            "SubIndication",
            "urn:etsi:019102:subindication:SIGNED_DATA_NOT_FOUND",
        )?;
        self.close("SignatureValidationStatus")?;
        self.leaf("OtherInformation", "the document carries no signature")?;
        self.close("SignatureValidationReport")
    }

    fn signature_report(
        &mut self,
        report: &Report,
        signature: &report::Signature,
        id: &str,
        document: Option<&str>,
    ) -> Written {
        self.open("SignatureValidationReport", &[])?;
        self.signature_body(report, signature, id, document)?;
        self.close("SignatureValidationReport")
    }

    /// The content of a `SignatureValidationReportType`, shared by signatures and the nested
    /// reports of document time-stamps.
    fn signature_body(
        &mut self,
        report: &Report,
        signature: &report::Signature,
        id: &str,
        document: Option<&str>,
    ) -> Written {
        self.open("SignatureIdentifier", &[("id", id)])?;
        self.leaf("HashOnly", "false")?;
        self.leaf("DocHashOnly", "false")?;
        self.leaf("DAIdentifier", &signature.field)?;
        self.close("SignatureIdentifier")?;

        if !signature.checks.is_empty() {
            self.open("ValidationConstraintsEvaluationReport", &[])?;
            for check in &signature.checks {
                self.constraint(check)?;
            }
            self.close("ValidationConstraintsEvaluationReport")?;
        }

        self.open("ValidationTimeInfo", &[])?;
        self.leaf("ValidationTime", &time(report.validation_time))?;
        self.open("BestSignatureTime", &[])?;
        self.leaf("POETime", &time(signature.best_signature_time))?;
        self.leaf("TypeOfProof", "urn:etsi:019102:poetype:validation")?;
        if let Some(index) = proving_timestamp(signature) {
            self.reference("POEObject", &timestamp_id(id, index))?;
        }
        self.close("BestSignatureTime")?;
        self.close("ValidationTimeInfo")?;

        if let Some(document) = document.filter(|_| signature.covers_whole_document) {
            self.open("SignersDocument", &[])?;
            self.digest(&report.sha256)?;
            self.reference("SignersDocumentRef", document)?;
            self.close("SignersDocument")?;
        }

        self.attributes(signature, id)?;

        if let (Some(signer), Some(certificate)) = (&signature.signer, signature.chain.first()) {
            self.open("SignerInformation", &[("Pseudonym", "false")])?;
            self.reference("SignerCertificate", &certificate_id(certificate))?;
            self.leaf("Signer", &signer.name)?;
            self.close("SignerInformation")?;
        }
        if let Some(uri) = signature.qualification.and_then(quality_uri) {
            self.open("SignatureQuality", &[])?;
            self.leaf("SignatureQualityInformation", uri)?;
            self.close("SignatureQuality")?;
        }
        self.open("SignatureValidationProcess", &[])?;
        self.leaf(
            "SignatureValidationProcessID",
            "urn:etsi:019102:validationprocess:Basic",
        )?;
        self.leaf(
            "OtherInformation",
            &format!(
                "crypto profile: {}; {}",
                report.policy.crypto_profile,
                if report.policy.online {
                    "online"
                } else {
                    "offline"
                }
            ),
        )?;
        self.close("SignatureValidationProcess")?;
        self.status(report, signature, id)
    }

    fn constraint(&mut self, check: &report::Check) -> Written {
        self.open("ValidationConstraint", &[])?;
        self.leaf(
            "ValidationConstraintIdentifier",
            &format!("{CHECK_PREFIX}{}", check.id),
        )?;
        if !check.detail.is_empty() {
            self.open("ValidationConstraintParameter", &[])?;
            self.leaf("Type", "urn:siegel:check-detail")?;
            self.leaf("Value", &check.detail)?;
            self.close("ValidationConstraintParameter")?;
        }
        self.open("ConstraintStatus", &[])?;
        self.leaf("Status", "urn:etsi:019102:constraintStatus:applied")?;
        self.close("ConstraintStatus")?;
        self.open("ValidationStatus", &[])?;
        self.leaf(
            "MainIndication",
            if check.passed {
                "urn:etsi:019102:mainindication:passed"
            } else {
                "urn:etsi:019102:mainindication:failed"
            },
        )?;
        self.close("ValidationStatus")?;
        self.close("ValidationConstraint")
    }

    fn attributes(&mut self, signature: &report::Signature, id: &str) -> Written {
        let stamps: Vec<(usize, DateTime<Utc>)> = signature
            .timestamps
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.time.map(|time| (i, time)))
            .collect();
        if signature.signing_time.is_none() && signature.chain.is_empty() && stamps.is_empty() {
            return Ok(());
        }
        self.open("SignatureAttributes", &[])?;
        if let Some(signing_time) = signature.signing_time {
            // PAdES /M and CAdES signing-time both lie inside the signed bytes.
            self.open("SigningTime", &[("Signed", "true")])?;
            self.leaf("Time", &time(signing_time))?;
            self.close("SigningTime")?;
        }
        if let Some(certificate) = signature.chain.first() {
            self.open("SigningCertificate", &[("Signed", "true")])?;
            self.reference("AttributeObject", &certificate_id(certificate))?;
            self.close("SigningCertificate")?;
        }
        for (index, stamp_time) in stamps {
            let (name, signed) = match signature.timestamps[index].kind {
                report::TimestampKind::Signature => ("SignatureTimeStamp", "false"),
                report::TimestampKind::Document => ("DocTimeStamp", "false"),
                report::TimestampKind::Archive => ("ArchiveTimeStamp", "false"),
                // A content time-stamp is a signed attribute.
                report::TimestampKind::Content => ("AllDataObjectsTimeStamp", "true"),
            };
            self.open(name, &[("Signed", signed)])?;
            self.reference("AttributeObject", &timestamp_id(id, index))?;
            self.leaf("TimeStampValue", &time(stamp_time))?;
            self.close(name)?;
        }
        self.close("SignatureAttributes")
    }

    fn status(&mut self, report: &Report, signature: &report::Signature, id: &str) -> Written {
        self.open("SignatureValidationStatus", &[])?;
        self.leaf(
            "MainIndication",
            indication_uri(signature.indication, false),
        )?;
        if let Some(sub) = signature.subindication {
            self.leaf(
                "SubIndication",
                &format!("urn:etsi:019102:subindication:{}", sub.name()),
            )?;
        }
        if let Some(signing) = signature.chain.first() {
            self.open("AssociatedValidationReportData", &[])?;
            let anchor = signature.chain.last().filter(|c| c.trust_anchor);
            if let Some(anchor) = anchor {
                self.reference("TrustAnchor", &certificate_id(anchor))?;
            }
            self.open("CertificateChain", &[])?;
            self.reference("SigningCertificate", &certificate_id(signing))?;
            let end = signature.chain.len() - usize::from(anchor.is_some());
            for certificate in signature.chain.iter().take(end).skip(1) {
                self.reference("IntermediateCertificate", &certificate_id(certificate))?;
            }
            if let Some(anchor) = anchor.filter(|_| signature.chain.len() > 1) {
                self.reference("TrustAnchor", &certificate_id(anchor))?;
            }
            self.close("CertificateChain")?;
            // The trusted list that listed the anchoring service: the trust basis of this chain.
            let listed = signature.trust_service.as_ref().and_then(|service| {
                let basis = report.policy.trusted_lists.as_ref()?;
                basis
                    .lists
                    .iter()
                    .any(|l| l.territory == service.territory)
                    .then(|| trusted_list_id(&service.territory))
            });
            if let Some(list) = listed {
                self.reference("RelatedValidationObject", &list)?;
            }
            if let Some(algorithm) = &signature.algorithm {
                let secure = signature
                    .checks
                    .iter()
                    .filter(|c| c.id == "crypto")
                    .all(|c| c.passed);
                self.open("CryptoInformation", &[])?;
                self.reference("ValidationObjectId", id)?;
                self.leaf("Algorithm", algorithm.uri())?;
                self.leaf("SecureAlgorithm", if secure { "true" } else { "false" })?;
                self.close("CryptoInformation")?;
            }
            self.close("AssociatedValidationReportData")?;
        }
        for certificate in &signature.chain {
            let Some(revocation) = &certificate.revocation else {
                continue;
            };
            let Some(revoked_at) = revocation.revoked_at else {
                continue;
            };
            self.open("AssociatedValidationReportData", &[])?;
            self.open("RevocationStatusInformation", &[])?;
            self.reference("ValidationObjectId", &certificate_id(certificate))?;
            self.leaf("RevocationTime", &time(revoked_at))?;
            self.close("RevocationStatusInformation")?;
            self.close("AssociatedValidationReportData")?;
        }
        let notes: Vec<(String, String)> = signature
            .findings
            .iter()
            .map(|f| (format!("urn:siegel:finding:{}", f.id), f.detail.clone()))
            .chain(
                signature
                    .modifications
                    .iter()
                    .map(|m| ("urn:siegel:modification".to_owned(), m.to_string())),
            )
            .chain(
                signature
                    .messages
                    .iter()
                    .map(|m| ("urn:siegel:message".to_owned(), m.clone())),
            )
            .collect();
        if !notes.is_empty() {
            self.open("AssociatedValidationReportData", &[])?;
            self.open("AdditionalValidationReportData", &[])?;
            for (kind, text) in notes {
                self.open("ReportData", &[])?;
                self.leaf("Type", &kind)?;
                self.leaf("Value", &text)?;
                self.close("ReportData")?;
            }
            self.close("AdditionalValidationReportData")?;
            self.close("AssociatedValidationReportData")?;
        }
        self.close("SignatureValidationStatus")
    }

    fn objects(&mut self, report: &Report, document: Option<&str>) -> Written {
        self.open("SignatureValidationObjects", &[])?;
        let mut seen = BTreeSet::new();
        let all = report.signatures.iter().chain(&report.document_timestamps);
        for certificate in all.flat_map(|s| &s.chain) {
            if !seen.insert(certificate_id(certificate)) {
                continue;
            }
            self.open("ValidationObject", &[("id", &certificate_id(certificate))])?;
            self.leaf("ObjectType", "urn:etsi:019102:validationObject:certificate")?;
            self.open("ValidationObjectRepresentation", &[])?;
            self.digest(&certificate.sha256)?;
            self.close("ValidationObjectRepresentation")?;
            self.close("ValidationObject")?;
        }
        for (index, signature) in report.signatures.iter().enumerate() {
            self.timestamp_objects(signature, &format!("S-{}", index + 1))?;
        }
        for (index, stamp) in report.document_timestamps.iter().enumerate() {
            let id = format!("DT-{}", index + 1);
            self.timestamp_objects(stamp, &id)?;
            self.open("ValidationObject", &[("id", &format!("{id}-token"))])?;
            self.leaf("ObjectType", "urn:etsi:019102:validationObject:timestamp")?;
            self.open("ValidationObjectRepresentation", &[])?;
            self.leaf(
                "direct",
                &format!("document time-stamp in field {}", stamp.field),
            )?;
            self.close("ValidationObjectRepresentation")?;
            self.open("POE", &[])?;
            self.leaf("POETime", &time(stamp.best_signature_time))?;
            self.leaf("TypeOfProof", "urn:etsi:019102:poetype:validation")?;
            self.close("POE")?;
            self.open("ValidationReport", &[])?;
            self.signature_body(report, stamp, &id, document)?;
            self.close("ValidationReport")?;
            self.close("ValidationObject")?;
        }
        if let Some(basis) = &report.policy.trusted_lists {
            for list in std::iter::once(&basis.lotl).chain(&basis.lists) {
                self.trusted_list(list)?;
            }
        }
        // Always present, so the list is never empty (the schema wants one object at least).
        self.open(
            "ValidationObject",
            &[("id", document.unwrap_or("D-document"))],
        )?;
        self.leaf("ObjectType", "urn:etsi:019102:validationObject:signedData")?;
        self.open("ValidationObjectRepresentation", &[])?;
        self.digest(&report.sha256)?;
        self.close("ValidationObjectRepresentation")?;
        self.close("ValidationObject")?;
        self.close("SignatureValidationObjects")
    }

    /// A trusted list the validation relied on (TS 119 102-2 has no object type for lists, so
    /// `other`): where it is published, the digest of the issue used, and its freshness.
    fn trusted_list(&mut self, list: &report::ListUsed) -> Written {
        self.open(
            "ValidationObject",
            &[("id", &trusted_list_id(&list.territory))],
        )?;
        self.leaf("ObjectType", "urn:etsi:019102:validationObject:other")?;
        self.open("ValidationObjectRepresentation", &[])?;
        let next = list.next_update.map_or_else(|| "none".to_owned(), time);
        self.leaf(
            "direct",
            &format!(
                "trusted list {}, sequence {}, issued {}, next update {}{}",
                list.territory,
                list.sequence,
                time(list.issued),
                next,
                if list.stale { ", out of date" } else { "" }
            ),
        )?;
        self.digest(&list.sha256)?;
        if let Some(location) = &list.location {
            self.leaf("URI", location)?;
        }
        self.close("ValidationObjectRepresentation")?;
        self.close("ValidationObject")
    }

    /// The time-stamp tokens of one signature as validation objects with their own result.
    fn timestamp_objects(&mut self, signature: &report::Signature, owner: &str) -> Written {
        for (index, stamp) in signature.timestamps.iter().enumerate() {
            self.open("ValidationObject", &[("id", &timestamp_id(owner, index))])?;
            self.leaf("ObjectType", "urn:etsi:019102:validationObject:timestamp")?;
            self.open("ValidationObjectRepresentation", &[])?;
            let tsa = stamp.tsa.as_deref().unwrap_or("unknown authority");
            let direct = match &stamp.qualified_by {
                Some(service) => format!(
                    "qualified time-stamp token from {tsa} (QTST {})",
                    service.describe(crate::text::Language::En)
                ),
                None => format!("time-stamp token from {tsa}"),
            };
            self.leaf("direct", &direct)?;
            self.close("ValidationObjectRepresentation")?;
            if let Some(gen_time) = stamp.time {
                self.open("POE", &[])?;
                self.leaf("POETime", &time(gen_time))?;
                self.leaf("TypeOfProof", "urn:etsi:019102:poetype:validation")?;
                self.close("POE")?;
            }
            self.open("ValidationReport", &[])?;
            self.open("SignatureValidationStatus", &[])?;
            self.leaf("MainIndication", indication_uri(stamp.indication, true))?;
            if let Some(sub) = stamp.subindication {
                self.leaf(
                    "SubIndication",
                    &format!("urn:etsi:019102:subindication:{}", sub.name()),
                )?;
            }
            self.close("SignatureValidationStatus")?;
            self.close("ValidationReport")?;
            self.close("ValidationObject")?;
        }
        Ok(())
    }
}

/// A start tag; quick-xml escapes the values, [`xml_chars`] keeps them to XML's characters.
fn start<'a>(name: &'a str, attributes: &[(&str, &str)]) -> BytesStart<'a> {
    let mut start = BytesStart::new(name);
    for (key, value) in attributes {
        start.push_attribute((*key, xml_chars(value).as_ref()));
    }
    start
}

/// `text` with what XML 1.0 §2.2 forbids (C0 controls but tab, line feed and carriage return;
/// U+FFFE, U+FFFF) or discourages (DEL, C1 controls) written as a visible `\u{..}` escape:
/// names from certificates may hold anything, and one such character makes the whole report
/// unreadable to every XML parser. Markup characters are escaped by quick-xml.
fn xml_chars(text: &str) -> Cow<'_, str> {
    crate::text::escape_where(text, |c| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    })
}

fn timestamp_id(owner: &str, index: usize) -> String {
    format!("{owner}-T-{}", index + 1)
}

/// The time-stamp whose time became the best-signature-time, if one did.
fn proving_timestamp(signature: &report::Signature) -> Option<usize> {
    signature.timestamps.iter().position(|t| {
        t.indication == Indication::TotalPassed && t.time == Some(signature.best_signature_time)
    })
}

/// The id of the signed document object; its digest is the whole file's.
fn signed_document_id(report: &Report) -> Option<String> {
    (!report.sha256.is_empty()).then(|| format!("D-{}", report.sha256.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_become_visible() {
        assert_eq!(xml_chars("Erika Mustermann"), "Erika Mustermann");
        assert_eq!(xml_chars("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            xml_chars("\u{0}\u{8}\u{ffff}\u{fffe}\u{85}"),
            "\\u{0}\\u{8}\\u{ffff}\\u{fffe}\\u{85}"
        );
        assert_eq!(xml_chars("tab\tline\n"), "tab\tline\n");
        assert_eq!(xml_chars("中文 \u{202e}"), "中文 \u{202e}");
    }

    #[test]
    fn hex_digests_become_base64() {
        assert_eq!(hex_to_base64("00ff"), "AP8=");
    }
}
