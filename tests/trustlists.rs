//! The EU trusted lists' signatures (ETSI TS 119 612 §5.7.1) checked on the real snapshots in
//! `testdata/trustlists/`, against `xmlsec1` as the independent oracle, and on hostile lists.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use siegel::certificate::Certificate;
use siegel::trust::cache::{Outcome, Refresh, Unchanged};
use siegel::trust::xmldsig::{self, Signed};
use siegel::trust::{lists, qualification, tsl, xml};

use crate::support;

fn list(name: &str) -> PathBuf {
    support::root().join("testdata/trustlists").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(list(name)).unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn certificates(path: &Path) -> Vec<Certificate> {
    Certificate::load_all(&std::fs::read(path).unwrap()).unwrap()
}

/// The eight LOTL signers of OJ C 276/2019, as shipped in `assets/lotl-signers/`.
fn pinned_lotl_signers() -> Vec<Certificate> {
    let folder = support::root().join("assets/lotl-signers");
    let mut all = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pem") {
            all.extend(certificates(&path));
        }
    }
    assert_eq!(all.len(), 8, "OJ C 276/2019 publishes eight certificates");
    all
}

fn anchor(name: &str) -> Vec<Certificate> {
    certificates(&list(&format!("test-anchors/{name}")))
}

fn verify(
    name: &str,
    candidates: &[Certificate],
    time: &str,
) -> Result<xmldsig::Verified, xmldsig::Error> {
    Signed::parse(&read(name))?.verify(candidates, at(time))
}

#[test]
fn real_lists_verify_with_their_pinned_signers_at_their_issue_time() {
    let pinned = pinned_lotl_signers();
    for (name, candidates, time, signer) in [
        (
            "eu-lotl.xml",
            pinned.clone(),
            "2019-09-04T08:00:00Z",
            "Patrick Kremer",
        ),
        (
            "eu-lotl-pivot.xml",
            pinned.clone(),
            "2019-08-13T06:00:00Z",
            "de Boer",
        ),
        (
            "tl_pivot_247_mp_with-bom.xml",
            pinned.clone(),
            "2019-08-13T06:00:00Z",
            "de Boer",
        ),
        (
            "CZ.xml",
            anchor("cz-tl-signer-simek.pem"),
            "2019-08-23T08:00:00Z",
            "imek",
        ),
        (
            "dk_tl-sn21.xml",
            anchor("dk-tl-sn21-signer-riisager.pem"),
            "2019-08-05T01:00:00Z",
            "Riisager",
        ),
    ] {
        let verified = verify(name, &candidates, time).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            verified.signer.subject().contains(signer),
            "{name}: signed by {}",
            verified.signer.subject()
        );
        let root = verified.root().unwrap();
        assert_eq!(root.local_name(), "TrustServiceStatusList", "{name}");
    }
}

#[test]
fn a_list_signed_by_someone_not_pinned_is_refused() {
    // Verbergt (OJ 2019 #01) is pinned, but LOTL 248 is signed by Kremer (#06).
    let verbergt: Vec<Certificate> = pinned_lotl_signers()
        .into_iter()
        .filter(|c| c.subject().contains("Verbergt"))
        .collect();
    assert_eq!(verbergt.len(), 1);
    let error = verify("eu-lotl.xml", &verbergt, "2019-09-04T08:00:00Z").unwrap_err();
    assert!(
        matches!(&error, xmldsig::Error::UntrustedSigner { subject } if subject.contains("Kremer")),
        "{error}"
    );
    let error = verify(
        "dk_tl-sn21.xml",
        &anchor("cz-tl-signer-simek.pem"),
        "2019-08-05T01:00:00Z",
    )
    .unwrap_err();
    assert!(
        matches!(error, xmldsig::Error::UntrustedSigner { .. }),
        "{error}"
    );
}

#[test]
fn a_signer_outside_its_validity_is_refused() {
    // Šimek's certificate expired on 2020-03-03.
    let error = verify(
        "CZ.xml",
        &anchor("cz-tl-signer-simek.pem"),
        "2026-06-01T00:00:00Z",
    )
    .unwrap_err();
    assert!(
        matches!(error, xmldsig::Error::SignerNotValid { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("not at 2026-06-01"), "{error}");
}

#[test]
fn broken_unsigned_and_unparseable_variants_are_refused_with_a_clear_message() {
    let pinned = pinned_lotl_signers();
    let cz = anchor("cz-tl-signer-simek.pem");
    for (name, candidates, time) in [
        ("eu-lotl-broken-sig.xml", &pinned, "2019-09-04T08:00:00Z"),
        ("CZ_broken-sig.xml", &cz, "2019-08-23T08:00:00Z"),
    ] {
        let error = verify(name, candidates, time).unwrap_err();
        assert_eq!(
            error,
            xmldsig::Error::DigestMismatch("the whole list"),
            "{name}"
        );
        assert!(
            error.to_string().contains("changed after it was signed"),
            "{name}"
        );
    }
    for name in ["eu-lotl-no-sig.xml", "CZ_no-sig.xml"] {
        let error = Signed::parse(&read(name)).unwrap_err();
        assert_eq!(error, xmldsig::Error::Unsigned, "{name}");
        assert_eq!(
            error.to_string(),
            "the list is not signed (no ds:Signature)"
        );
    }
    for name in ["eu-lotl-not-parseable.xml", "CZ_not-parsable.xml"] {
        let error = Signed::parse(&read(name)).unwrap_err();
        assert!(
            matches!(error, xmldsig::Error::Xml(xml::Error::NotWellFormed(_))),
            "{name}: {error}"
        );
        assert!(
            error.to_string().starts_with("not well-formed XML"),
            "{name}: {error}"
        );
    }
}

/// Whether `xmlsec1` accepts a list's signature with the certificate in its own `KeyInfo` (no
/// chain, no time); unsigned or broken XML fails there too.
fn xmlsec1(path: &Path) -> bool {
    let output = Command::new("xmlsec1")
        .args([
            "--verify",
            "--insecure",
            "--enabled-reference-uris",
            "empty,same-doc",
            "--id-attr:Id",
            "http://uri.etsi.org/02231/v2#:TrustServiceStatusList",
            "--id-attr:Id",
            "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
        ])
        .arg(path)
        .output()
        .expect("xmlsec1 is needed (Debian package xmlsec1)");
    output.status.success()
}

#[test]
fn agrees_with_xmlsec1_on_every_list() {
    let mut compared = 0;
    for entry in std::fs::read_dir(list("")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "xml") {
            continue;
        }
        let theirs = xmlsec1(&path);
        // The same question xmlsec1 answers: the embedded certificate, at its claimed signing
        // time (xmlsec1 --insecure checks neither chain nor time).
        let ours = Signed::parse(&std::fs::read(&path).unwrap()).and_then(|signed| {
            let embedded = signed.embedded_certificates().to_vec();
            let time = signed.signing_time().unwrap_or_else(support::time);
            signed.verify(&embedded, time)
        });
        assert_eq!(
            ours.is_ok(),
            theirs,
            "{}: xmlsec1 says {theirs}, Siegel says {:?}",
            path.display(),
            ours.err()
        );
        compared += 1;
    }
    assert_eq!(compared, 18);
}

// ---- hostile lists ----

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

fn lotl_text() -> String {
    String::from_utf8(read("eu-lotl.xml")).unwrap()
}

fn verify_bytes(bytes: &[u8]) -> Result<xmldsig::Verified, xmldsig::Error> {
    Signed::parse(bytes)?.verify(&pinned_lotl_signers(), at("2019-09-04T08:00:00Z"))
}

#[test]
fn external_entities_and_entity_expansion_are_refused() {
    let xxe = b"<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><t>&x;</t>";
    assert_eq!(
        verify_bytes(xxe).unwrap_err(),
        xmldsig::Error::Xml(xml::Error::Dtd)
    );
    let mut laughs = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for level in 1..10 {
        laughs.push_str(&format!(
            "<!ENTITY lol{level} \"{}\">",
            format!(
                "&lol{};",
                if level == 1 {
                    String::new()
                } else {
                    (level - 1).to_string()
                }
            )
            .repeat(10)
        ));
    }
    laughs.push_str("]><lolz>&lol9;</lolz>");
    assert_eq!(
        verify_bytes(laughs.as_bytes()).unwrap_err(),
        xmldsig::Error::Xml(xml::Error::Dtd)
    );
    // The DTD moved into the real list, after the XML declaration.
    let lotl = lotl_text().replacen(
        "standalone=\"no\"?>",
        "standalone=\"no\"?><!DOCTYPE TrustServiceStatusList [<!ENTITY x SYSTEM \"http://127.0.0.1:9/\">]>",
        1,
    );
    assert_eq!(
        verify_bytes(lotl.as_bytes()).unwrap_err(),
        xmldsig::Error::Xml(xml::Error::Dtd)
    );
    // An undeclared entity reference is refused, not skipped.
    let lotl = lotl_text().replacen("<TSLType>", "<TSLType>&x;", 1);
    assert_eq!(
        verify_bytes(lotl.as_bytes()).unwrap_err(),
        xmldsig::Error::Xml(xml::Error::Entity("x".into()))
    );
}

#[test]
fn a_second_signature_is_refused() {
    let lotl = lotl_text().replacen(
        "<SchemeInformation>",
        &format!(
            "<SchemeInformation><ds:Signature xmlns:ds=\"{DS}\"><ds:SignedInfo/></ds:Signature>"
        ),
        1,
    );
    assert_eq!(
        verify_bytes(lotl.as_bytes()).unwrap_err(),
        xmldsig::Error::SecondSignature(2)
    );
}

#[test]
fn a_signature_over_another_element_or_wrapped_content_is_refused() {
    // The whole-list reference pointed at one part of the list.
    let lotl = lotl_text()
        .replacen("URI=\"\"", "URI=\"#part\"", 1)
        .replacen("<SchemeInformation>", "<SchemeInformation Id=\"part\">", 1);
    assert_eq!(
        verify_bytes(lotl.as_bytes()).unwrap_err(),
        xmldsig::Error::OtherReference("#part".into())
    );
    // Pointed at the document element by its Id: the whole list, but the signed reference
    // changed, so the signature value fails.
    let lotl = lotl_text().replacen("URI=\"\"", "URI=\"#ID0001\"", 1);
    assert_eq!(
        verify_bytes(lotl.as_bytes()).unwrap_err(),
        xmldsig::Error::SignatureValue
    );
    // Classic wrapping: the signed list moved inside an attacker's document element.
    let text = lotl_text();
    let body = text.split_once("?>").unwrap().1;
    let wrapped = format!("<Wrapper xmlns=\"urn:evil\">{body}</Wrapper>");
    let error = verify_bytes(wrapped.as_bytes()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("not a child of the document element"),
        "{error}"
    );
    // A forged list beside the signed one, the signature moved into the forgery's Object.
    let signature_start = text.find("<ds:Signature ").unwrap();
    let signature_end = text.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let signature = &text[signature_start..signature_end];
    let forged = text.replacen(signature, "", 1).replacen(
        "<TSLSequenceNumber>248<",
        "<TSLSequenceNumber>999<",
        1,
    );
    let forged = forged.replacen(
        "</TrustServiceStatusList>",
        &format!("{signature}</TrustServiceStatusList>"),
        1,
    );
    assert_eq!(
        verify_bytes(forged.as_bytes()).unwrap_err(),
        xmldsig::Error::DigestMismatch("the whole list")
    );
    // A duplicated Id makes "#id" ambiguous.
    let lotl = lotl_text().replacen(
        "<SchemeInformation>",
        "<SchemeInformation><Extra Id=\"xades-id-401734edba3145fad5a1c07f2d827e31\"/>",
        1,
    );
    assert!(matches!(
        verify_bytes(lotl.as_bytes()).unwrap_err(),
        xmldsig::Error::DuplicateId(_)
    ));
}

#[test]
fn an_edited_list_or_signature_value_is_refused() {
    let lotl = lotl_text().replacen("<TSLSequenceNumber>248<", "<TSLSequenceNumber>249<", 1);
    assert_eq!(
        verify_bytes(lotl.as_bytes()).unwrap_err(),
        xmldsig::Error::DigestMismatch("the whole list")
    );
    // A signed-property edit: the signing time.
    let lotl = lotl_text().replacen("2019-09-04T09:42:21Z", "2019-09-04T09:42:22Z", 1);
    assert_eq!(
        verify_bytes(lotl.as_bytes()).unwrap_err(),
        xmldsig::Error::DigestMismatch("the signed properties")
    );
    // The signature value itself: one base64 character changed.
    let text = lotl_text();
    let start = text.find("<ds:SignatureValue").unwrap();
    let value = text[start..].find('>').unwrap() + start + 1;
    let mut bytes = text.into_bytes();
    bytes[value + 10] = if bytes[value + 10] == b'A' {
        b'B'
    } else {
        b'A'
    };
    assert_eq!(
        verify_bytes(&bytes).unwrap_err(),
        xmldsig::Error::SignatureValue
    );
}

#[test]
fn an_oversized_list_is_refused_before_it_is_read() {
    let mut huge = lotl_text().into_bytes();
    let padding = vec![b' '; 100 * 1024 * 1024];
    let at = huge.len() - "</TrustServiceStatusList>".len();
    huge.splice(at..at, padding);
    assert_eq!(
        verify_bytes(&huge).unwrap_err(),
        xmldsig::Error::Xml(xml::Error::TooLarge {
            limit: xml::MAX_DOCUMENT_BYTES
        })
    );
    // Within the byte budget but too many nodes.
    let many = format!("<a>{}</a>", "<b/>".repeat(xml::MAX_NODES + 1));
    assert!(many.len() < xml::MAX_DOCUMENT_BYTES);
    assert_eq!(
        Signed::parse(many.as_bytes()).unwrap_err(),
        xmldsig::Error::Xml(xml::Error::TooManyNodes {
            limit: xml::MAX_NODES
        })
    );
}

// ---- list content (TS 119 612) ----

fn parsed(name: &str, candidates: &[Certificate], time: &str) -> tsl::List {
    tsl::List::parse(&verify(name, candidates, time).unwrap()).unwrap()
}

fn lotl() -> tsl::List {
    parsed(
        "eu-lotl.xml",
        &pinned_lotl_signers(),
        "2019-09-04T08:00:00Z",
    )
}

#[test]
fn the_lotl_points_to_every_national_list_with_its_signers() {
    let lotl = lotl();
    assert!(lotl.is_lotl());
    assert_eq!((lotl.version, lotl.sequence), (5, 248));
    assert_eq!(lotl.territory, "EU");
    assert_eq!(lotl.issued, at("2019-09-04T08:00:00Z"));
    assert!(lotl.next_update.unwrap() > lotl.issued);
    assert!(lotl.providers.is_empty());
    // DSS: 31 TL pointers and the EU self-pointer with the 8 OJ certificates.
    let national: Vec<&tsl::Pointer> = lotl.xml_pointers().collect();
    assert_eq!(national.len(), 31);
    let territories: std::collections::BTreeSet<&str> = national
        .iter()
        .filter_map(|p| p.territory.as_deref())
        .collect();
    assert_eq!(territories.len(), 31);
    assert!(territories.contains("DE") && territories.contains("CZ") && territories.contains("UK"));
    let eu: Vec<&tsl::Pointer> = lotl
        .pointers
        .iter()
        .filter(|p| {
            p.kind.as_deref() == Some(tsl::TYPE_EU_LOTL)
                && p.mime_type.as_deref() == Some("application/vnd.etsi.tsl+xml")
        })
        .collect();
    assert_eq!(eu.len(), 1);
    assert_eq!(
        eu[0].location,
        "https://ec.europa.eu/tools/lotl/eu-lotl.xml"
    );
    let mut announced: Vec<&[u8]> = eu[0].signers.iter().map(Certificate::der).collect();
    let pinned = pinned_lotl_signers();
    let mut pinned: Vec<&[u8]> = pinned.iter().map(Certificate::der).collect();
    announced.sort();
    pinned.sort();
    assert_eq!(
        announced, pinned,
        "the self-pointer announces exactly the OJ 2019 signers"
    );
    assert_eq!(lotl.unreadable_identities, 0);
}

#[test]
fn national_lists_verify_with_the_signers_their_lotl_pointer_announces() {
    let lotl = lotl();
    let pointer = |territory: &str| {
        lotl.xml_pointers()
            .find(|p| p.territory.as_deref() == Some(territory))
            .unwrap()
            .signers
            .clone()
    };
    let cz = parsed("CZ.xml", &pointer("CZ"), "2019-08-23T08:00:00Z");
    assert_eq!((cz.territory.as_str(), cz.sequence), ("CZ", 77));
    assert_eq!(cz.providers.len(), 6, "DSS: 6 trust service providers");
    // BE 43 names the whole list by the document element's Id rather than URI="".
    let be = parsed("BE.xml", &pointer("BE"), "2019-09-04T08:00:00Z");
    assert_eq!((be.territory.as_str(), be.sequence), ("BE", 43));
    // The IE pointer of LOTL 248 announces the signer of IE 18 too.
    let ie = parsed("ie-tl.xml", &pointer("IE"), "2019-09-04T01:00:00Z");
    assert_eq!((ie.version, ie.sequence, ie.providers.len()), (5, 18, 3));
    // DK sequence 21 was signed by a certificate LOTL 248 no longer announces.
    let error = verify("dk_tl-sn21.xml", &pointer("DK"), "2019-08-05T01:00:00Z").unwrap_err();
    assert!(
        matches!(error, xmldsig::Error::UntrustedSigner { .. }),
        "{error}"
    );
}

#[test]
fn services_carry_type_status_history_and_qualifications() {
    let ie = parsed(
        "ie-tl.xml",
        &certificates_of("ie-tl.xml"),
        "2019-09-04T01:00:00Z",
    );
    let post = ie
        .providers
        .iter()
        .find(|p| p.name == "Post.Trust Ltd")
        .unwrap();
    assert!(post.trade_names.iter().any(|n| n == "VATIE-8241954E"));
    let service = &post.services[0];
    assert_eq!(
        service.name,
        "Post.Trust Ltd - qualified certificate service"
    );
    assert_eq!(service.identities.len(), 1);
    assert!(
        service.identities[0]
            .subject()
            .contains("Post.Trust Root CA")
    );
    let current = &service.phases[0];
    assert_eq!(current.kind, "http://uri.etsi.org/TrstSvc/Svctype/CA/QC");
    assert_eq!(
        current.status,
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn"
    );
    assert_eq!(current.since, at("2019-01-25T00:00:00Z"));
    assert!(
        current
            .additional
            .iter()
            .any(|a| a.ends_with("/SvcInfoExt/ForeSignatures"))
    );
    assert!(
        current
            .additional
            .iter()
            .any(|a| a.ends_with("/SvcInfoExt/RootCA-QC"))
    );
    let qualification = &current.qualifications[0];
    assert_eq!(
        qualification.qualifiers,
        ["http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithQSCD"]
    );
    assert_eq!(qualification.criteria.assert, tsl::Assert::All);
    assert_eq!(qualification.criteria.key_usage[0].len(), 9);
    assert!(qualification.criteria.key_usage[0].contains(&("nonRepudiation".into(), true)));
    // History: the service was in force before it was withdrawn.
    assert!(service.phases.len() > 1);
    let before = service.at(at("2018-06-01T00:00:00Z")).unwrap();
    assert_ne!(before.status, current.status);
    assert!(before.since < current.since);
    assert_eq!(service.at(at("2019-06-01T00:00:00Z")).unwrap(), current);
    assert!(service.at(at("1990-01-01T00:00:00Z")).is_none());
}

#[test]
fn a_large_national_list_reads_completely() {
    // DSS: DE sequence 22 has TSL version 4 and 413 certificates.
    let de = parsed(
        "de-tl.xml",
        &certificates_of("de-tl.xml"),
        "2015-08-12T10:00:00Z",
    );
    assert_eq!(
        (de.territory.as_str(), de.version, de.sequence),
        ("DE", 4, 22)
    );
    let identities: usize = de
        .providers
        .iter()
        .flat_map(|p| &p.services)
        .map(|s| s.identities.len())
        .sum();
    assert_eq!(identities + de.unreadable_identities, 413);
}

/// The certificate a list embeds in its signature, for lists whose pointer is not vendored.
fn certificates_of(name: &str) -> Vec<Certificate> {
    Signed::parse(&read(name)).unwrap().embedded_certificates()[..1].to_vec()
}

// ---- a verified snapshot and the services it indexes ----

#[test]
fn a_snapshot_uses_good_national_lists_and_records_why_others_fail() {
    let files: std::collections::HashMap<&str, &str> = [
        ("CZ", "CZ.xml"),
        ("IE", "ie-tl.xml"),
        ("DK", "dk_tl-sn21.xml"),
        ("DE", "de-tl.xml"),
        ("AT", "CZ_broken-sig.xml"),
        ("BE", "eu-lotl-not-parseable.xml"),
    ]
    .into_iter()
    .collect();
    let territories: Vec<String> = ["CZ", "IE", "DK", "DE", "AT", "BE", "FR"]
        .map(String::from)
        .to_vec();
    let snapshot = lists::Snapshot::load(
        &read("eu-lotl.xml"),
        &pinned_lotl_signers(),
        &territories,
        &mut |pointer| {
            let name = files.get(pointer.territory.as_deref()?)?;
            Some(read(name))
        },
        at("2019-09-04T08:00:00Z"),
    )
    .unwrap();
    assert_eq!(snapshot.lotl.list.sequence, 248);
    let used: Vec<&str> = snapshot
        .lists
        .iter()
        .map(|l| l.list.territory.as_str())
        .collect();
    assert_eq!(used, ["CZ", "IE"]);
    let failed: std::collections::HashMap<&str, &lists::Error> = snapshot
        .failures
        .iter()
        .map(|f| (f.territory.as_str(), &f.error))
        .collect();
    assert_eq!(failed.len(), 5, "{failed:?}");
    // DK 21 and DE 22 are older than what LOTL 248 announces: signed by other certificates.
    assert!(matches!(
        failed["DK"],
        lists::Error::Signature(xmldsig::Error::UntrustedSigner { .. })
    ));
    assert!(matches!(
        failed["DE"],
        lists::Error::Signature(xmldsig::Error::UntrustedSigner { .. })
    ));
    // The digests are checked first: an edited list is refused as edited.
    assert_eq!(
        *failed["AT"],
        lists::Error::Signature(xmldsig::Error::DigestMismatch("the whole list"))
    );
    assert!(matches!(
        failed["BE"],
        lists::Error::Signature(xmldsig::Error::Xml(_))
    ));
    assert_eq!(*failed["FR"], lists::Error::Unavailable);
    // Every listed root CA is found as its own issuer through the index.
    let cz = &snapshot.lists[0].list;
    let mut roots = 0;
    for service in cz.providers.iter().flat_map(|p| &p.services) {
        for identity in service.identities.iter().filter(|c| c.is_self_issued()) {
            let found = snapshot.issuers_of(identity);
            assert!(
                found
                    .iter()
                    .any(|e| e.territory == "CZ" && std::ptr::eq(e.service, service))
            );
            roots += 1;
        }
    }
    assert!(roots > 0);
    // A certificate no list speaks about.
    let ours = certificates(&support::pki("signature-rsa.pem"));
    assert!(snapshot.issuers_of(&ours[0]).is_empty());
}

#[test]
fn a_lotl_signed_by_an_unpinned_key_or_a_national_list_as_lotl_is_refused() {
    let mut none = |_: &tsl::Pointer| None;
    let error = lists::Snapshot::load(
        &read("eu-lotl.xml"),
        &anchor("cz-tl-signer-simek.pem"),
        &[],
        &mut none,
        at("2019-09-04T08:00:00Z"),
    )
    .unwrap_err();
    assert!(matches!(
        error,
        lists::Error::Signature(xmldsig::Error::UntrustedSigner { .. })
    ));
    let error = lists::Snapshot::load(
        &read("CZ.xml"),
        &anchor("cz-tl-signer-simek.pem"),
        &[],
        &mut none,
        at("2019-08-23T08:00:00Z"),
    )
    .unwrap_err();
    assert!(matches!(error, lists::Error::NotLotl(_)), "{error}");
}

// ---- qualification (TS 119 615, TS 119 172-4) with the test PKI ----

const CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
const GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
const WITHDRAWN: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";
const EXT: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/";

fn phase(status: &str, since: &str, qualifiers: &[&str]) -> tsl::Phase {
    tsl::Phase {
        kind: CA_QC.into(),
        status: status.into(),
        since: at(since),
        additional: vec![format!("{EXT}ForeSignatures"), format!("{EXT}ForeSeals")],
        qualifications: if qualifiers.is_empty() {
            Vec::new()
        } else {
            vec![tsl::Qualification {
                qualifiers: qualifiers.iter().map(|q| format!("{EXT}{q}")).collect(),
                criteria: tsl::Criteria {
                    assert: tsl::Assert::All,
                    key_usage: vec![vec![("nonRepudiation".into(), true)]],
                    policies: Vec::new(),
                    nested: Vec::new(),
                    extended_key_usage: Vec::new(),
                    subject_attributes: Vec::new(),
                    unsupported: Vec::new(),
                },
            }]
        },
    }
}

fn service(phases: Vec<tsl::Phase>) -> tsl::Service {
    tsl::Service {
        name: "Siegel Test Issuing CA".into(),
        identities: certificates(&support::pki("intermediate-ca.pem")),
        phases,
    }
}

#[test]
fn qualification_follows_the_list_not_the_certificate() {
    use qualification::Qualification::*;
    let signature = &certificates(&support::pki("signature-rsa.pem"))[0];
    let seal = &certificates(&support::pki("seal-rsa.pem"))[0];
    // The test certificates were issued on 2025-06-01; they sign on 2026-06-01.
    let signing = support::time();
    let granted = service(vec![phase(GRANTED, "2024-01-01T00:00:00Z", &[])]);
    let cases: [(
        &str,
        &Certificate,
        tsl::Service,
        qualification::Qualification,
    ); 8] = [
        ("granted", signature, granted.clone(), QeSig),
        ("granted, seal", seal, granted.clone(), QeSeal),
        (
            "withdrawn before signing",
            signature,
            service(vec![
                phase(WITHDRAWN, "2026-01-01T00:00:00Z", &[]),
                phase(GRANTED, "2024-01-01T00:00:00Z", &[]),
            ]),
            AdeSig,
        ),
        (
            "withdrawn after signing",
            signature,
            service(vec![
                phase(WITHDRAWN, "2026-07-01T00:00:00Z", &[]),
                phase(GRANTED, "2024-01-01T00:00:00Z", &[]),
            ]),
            QeSig,
        ),
        (
            "granted only after issuance",
            seal,
            service(vec![phase(GRANTED, "2025-12-01T00:00:00Z", &[])]),
            AdeSeal,
        ),
        (
            "QCNoQSCD",
            seal,
            service(vec![phase(GRANTED, "2024-01-01T00:00:00Z", &["QCNoQSCD"])]),
            AdeSealQc,
        ),
        (
            "NotQualified",
            signature,
            service(vec![phase(
                GRANTED,
                "2024-01-01T00:00:00Z",
                &["NotQualified"],
            )]),
            AdeSig,
        ),
        (
            "QCForLegalPerson: a legal person's certificate is for seals",
            seal,
            service(vec![phase(
                GRANTED,
                "2024-01-01T00:00:00Z",
                &["QCForLegalPerson"],
            )]),
            QeSeal,
        ),
    ];
    for (name, certificate, service, expected) in cases {
        let determination = qualification::determine(certificate, &service, signing);
        assert_eq!(
            determination.qualification, expected,
            "{name}: {determination:?}"
        );
        if !matches!(expected, QeSig | QeSeal) {
            assert!(!determination.reasons.is_empty(), "{name}: no reason given");
        }
    }
    // Contradictory qualifiers are indeterminate with the reason: with and without QSCD; a
    // legal person's certificate for signatures of natural persons.
    for (qualifiers, reason) in [
        (["QCWithQSCD", "QCNoQSCD"], "with and without QSCD"),
        (
            ["QCForLegalPerson", "QCForESig"],
            "QCForLegalPerson and QCForESig",
        ),
    ] {
        let contradiction = service(vec![phase(GRANTED, "2024-01-01T00:00:00Z", &qualifiers)]);
        let determination = qualification::determine(signature, &contradiction, signing);
        assert_eq!(determination.qualification, Indeterminate);
        assert!(
            determination
                .reasons
                .iter()
                .any(|r| r.to_string().contains(reason)),
            "{determination:?}"
        );
    }
    // otherCriteriaList: an extended key usage the certificate lacks does not select it; a
    // subject attribute it has (commonName) does; what this reader cannot judge never applies.
    let with = |change: &dyn Fn(&mut tsl::Criteria)| {
        let mut other = phase(GRANTED, "2024-01-01T00:00:00Z", &["NotQualified"]);
        other.qualifications[0].criteria.key_usage.clear();
        change(&mut other.qualifications[0].criteria);
        qualification::determine(signature, &service(vec![other]), signing).qualification
    };
    assert_eq!(
        with(&|c| c.extended_key_usage = vec![vec!["1.3.6.1.5.5.7.3.8".into()]]),
        QeSig
    );
    assert_eq!(
        with(&|c| c.subject_attributes = vec![vec!["2.5.4.3".into()]]),
        AdeSig
    );
    assert_eq!(
        with(&|c| c.subject_attributes = vec![vec!["2.5.4.3".into(), "2.5.4.97".into()]]),
        QeSig
    );
    assert_eq!(
        with(&|c| c.unsupported = vec!["otherCriteriaList/Unknown".into()]),
        QeSig
    );
    // Qualifiers whose criteria do not select the certificate do not apply.
    let mut other = phase(GRANTED, "2024-01-01T00:00:00Z", &["NotQualified"]);
    other.qualifications[0].criteria.key_usage = vec![vec![("keyCertSign".into(), true)]];
    let determination = qualification::determine(signature, &service(vec![other]), signing);
    assert_eq!(determination.qualification, QeSig);
    // Without a list nothing is claimed.
    assert_eq!(qualification::not_determined().qualification, NotDetermined);
}

// ---- lists made with the test PKI, signed by xmlsec1, used by validation ----

/// A trusted list made for the tests: `body` inside `TrustServiceStatusList`, signed by
/// `xmlsec1` with the test PKI's `key` (the enveloped XAdES profile of TS 119 612 §5.7.1).
pub fn signed_list(body: &str, key: &str, dir: &Path) -> Vec<u8> {
    use base64ct::{Base64, Encoding};
    let certificate = &certificates(&support::pki(&format!("{key}.pem")))[0];
    let digest = Base64::encode_string(&siegel::algorithm::Digest::Sha256.hash(certificate.der()));
    let method = if key.contains("-ec") {
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    } else {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    };
    let exc = "http://www.w3.org/2001/10/xml-exc-c14n#";
    let sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
    let template = format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" Id="tsl">{body}<ds:Signature xmlns:ds="{DS}" Id="sig"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="{exc}"/><ds:SignatureMethod Algorithm="{method}"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="{exc}"/></ds:Transforms><ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue/></ds:Reference><ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#sp"><ds:Transforms><ds:Transform Algorithm="{exc}"/></ds:Transforms><ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo><ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#sig"><xades:SignedProperties Id="sp"><xades:SignedSignatureProperties><xades:SigningTime>2026-05-01T00:00:00Z</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue>{digest}</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></TrustServiceStatusList>
"##
    );
    let input = dir.join(format!("{key}-template.xml"));
    let output = dir.join(format!("{key}-signed.xml"));
    std::fs::write(&input, template).unwrap();
    let key_and_cert = format!(
        "{},{}",
        support::pki(&format!("{key}.key.pem")).display(),
        support::pki(&format!("{key}.pem")).display()
    );
    let run = Command::new("xmlsec1")
        .args(["--sign", "--privkey-pem", &key_and_cert])
        .args([
            "--id-attr:Id",
            "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
        ])
        .arg("--output")
        .arg(&output)
        .arg(&input)
        .output()
        .expect("xmlsec1 is needed (Debian package xmlsec1)");
    assert!(
        run.status.success(),
        "xmlsec1: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read(output).unwrap()
}

fn pem_body(name: &str) -> String {
    let text = std::fs::read_to_string(support::pki(name)).unwrap();
    text.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// The NextUpdate of the test lists (unless a test needs another).
const NEXT_UPDATE: &str = "2026-11-01T00:00:00Z";

fn scheme(kind: &str, territory: &str, sequence: u32, pointers: &str, next_update: &str) -> String {
    format!(
        "<SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>{sequence}</TSLSequenceNumber><TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/{kind}</TSLType><SchemeOperatorName><Name xml:lang=\"en\">Siegel test scheme operator</Name></SchemeOperatorName><SchemeTerritory>{territory}</SchemeTerritory>{pointers}<ListIssueDateTime>2026-05-01T00:00:00Z</ListIssueDateTime><NextUpdate><dateTime>{next_update}</dateTime></NextUpdate></SchemeInformation>"
    )
}

/// A LOTL pointing to one national list for `territory` at `location`, signed by seal-ec.
pub fn test_lotl(territory: &str, location: &str, dir: &Path) -> Vec<u8> {
    test_lotl_until(territory, location, NEXT_UPDATE, dir)
}

/// [`test_lotl`] with another NextUpdate.
fn test_lotl_until(territory: &str, location: &str, next_update: &str, dir: &Path) -> Vec<u8> {
    let pointer = format!(
        "<PointersToOtherTSL><OtherTSLPointer><ServiceDigitalIdentities><ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceDigitalIdentities><TSLLocation>{location}</TSLLocation><AdditionalInformation><OtherInformation><TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType></OtherInformation><OtherInformation><SchemeTerritory>{territory}</SchemeTerritory></OtherInformation><OtherInformation><ns4:MimeType xmlns:ns4=\"http://uri.etsi.org/02231/v2/additionaltypes#\">application/vnd.etsi.tsl+xml</ns4:MimeType></OtherInformation></AdditionalInformation></OtherTSLPointer></PointersToOtherTSL>",
        pem_body("seal-ec.pem")
    );
    signed_list(
        &scheme("EUlistofthelists", "EU", 1, &pointer, next_update),
        "seal-rsa",
        dir,
    )
}

/// One status phase of the test CA's service: (status, since, qualifiers).
pub type TestPhase<'a> = (&'a str, &'a str, &'a [&'a str]);

/// A national list naming the test issuing CA as a CA/QC service with `phases` (newest
/// first), signed by seal-ec (the signer the LOTL announces).
pub fn test_national_list(territory: &str, phases: &[TestPhase<'_>], dir: &Path) -> Vec<u8> {
    test_national_list_until(territory, phases, NEXT_UPDATE, dir)
}

/// [`test_national_list`] with another NextUpdate.
fn test_national_list_until(
    territory: &str,
    phases: &[TestPhase<'_>],
    next_update: &str,
    dir: &Path,
) -> Vec<u8> {
    let phase = |(status, since, qualifiers): &TestPhase<'_>, history: bool| {
        let qualifications = if qualifiers.is_empty() {
            String::new()
        } else {
            format!(
                "<Extension Critical=\"true\"><q:Qualifications xmlns:q=\"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#\"><q:QualificationElement><q:Qualifiers>{}</q:Qualifiers><q:CriteriaList assert=\"all\"><q:KeyUsage><q:KeyUsageBit name=\"nonRepudiation\">true</q:KeyUsageBit></q:KeyUsage></q:CriteriaList></q:QualificationElement></q:Qualifications></Extension>",
                qualifiers
                    .iter()
                    .map(|q| format!("<q:Qualifier uri=\"{EXT}{q}\"/>"))
                    .collect::<String>()
            )
        };
        let identity = if history {
            String::new()
        } else {
            format!(
                "<ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity>",
                pem_body("intermediate-ca.pem")
            )
        };
        format!(
            "<ServiceTypeIdentifier>{CA_QC}</ServiceTypeIdentifier><ServiceName><Name xml:lang=\"en\">Siegel Test Issuing CA</Name></ServiceName>{identity}<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/{status}</ServiceStatus><StatusStartingTime>{since}</StatusStartingTime><ServiceInformationExtensions><Extension Critical=\"false\"><AdditionalServiceInformation><URI xml:lang=\"en\">{EXT}ForeSignatures</URI></AdditionalServiceInformation></Extension><Extension Critical=\"false\"><AdditionalServiceInformation><URI xml:lang=\"en\">{EXT}ForeSeals</URI></AdditionalServiceInformation></Extension>{qualifications}</ServiceInformationExtensions>"
        )
    };
    let (current, history) = phases.split_first().unwrap();
    let history: String = history
        .iter()
        .map(|p| {
            format!(
                "<ServiceHistoryInstance>{}</ServiceHistoryInstance>",
                phase(p, true)
            )
        })
        .collect();
    let history = if history.is_empty() {
        history
    } else {
        format!("<ServiceHistory>{history}</ServiceHistory>")
    };
    let body = format!(
        "{}<TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang=\"en\">Siegel Test TSP</Name></TSPName></TSPInformation><TSPServices><TSPService><ServiceInformation>{}</ServiceInformation>{history}</TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList>",
        scheme("EUgeneric", territory, 1, "", next_update),
        phase(current, false)
    );
    signed_list(&body, "seal-ec", dir)
}

fn lotl_signer() -> Vec<Certificate> {
    certificates(&support::pki("seal-rsa.pem"))
}

fn snapshot_of(phases: &[TestPhase<'_>], dir: &Path) -> lists::Snapshot {
    let lotl = test_lotl("DE", "http://127.0.0.1:9/de.xml", dir);
    let national = test_national_list("DE", phases, dir);
    lists::Snapshot::load(
        &lotl,
        &lotl_signer(),
        &[],
        &mut |_| Some(national.clone()),
        support::time(),
    )
    .unwrap()
}

fn validate_with_lists(pdf: &Path, snapshot: lists::Snapshot) -> siegel::validate::Report {
    let mut store = siegel::trust::Store::new();
    store.set_lists(std::sync::Arc::new(snapshot));
    siegel::validate::validate_pdf(pdf, &siegel::validate::Options::new(store, support::time()))
        .unwrap()
}

#[test]
fn lists_signed_with_xmlsec1_load_and_anchor_validation_without_other_trust() {
    use qualification::Qualification::*;
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signature.pdf");
    let sealed = dir.path().join("seal.pdf");
    support::sign_with(
        &support::pdf("classic.pdf"),
        &signed,
        "signature-rsa.p12",
        siegel::certificate::Kind::Signature,
    );
    support::sign_with(
        &support::pdf("classic.pdf"),
        &sealed,
        "seal-rsa.p12",
        siegel::certificate::Kind::Seal,
    );
    let granted: &[TestPhase<'_>] = &[("granted", "2024-01-01T00:00:00Z", &[])];

    let snapshot = snapshot_of(granted, dir.path());
    assert_eq!(snapshot.lists.len(), 1, "{:?}", snapshot.failures);
    for (pdf, expected) in [(&signed, QeSig), (&sealed, QeSeal)] {
        let report = validate_with_lists(pdf, snapshot.clone());
        let signature = &report.signatures[0];
        assert_eq!(
            report.indication,
            siegel::validate::Indication::TotalPassed,
            "{signature:?}"
        );
        assert_eq!(
            signature.qualification,
            Some(expected),
            "{:?}",
            signature.qualification_reasons
        );
        let service = signature.trust_service.as_ref().unwrap();
        assert_eq!(
            (
                service.territory.as_str(),
                service.provider.as_str(),
                service.status.as_str()
            ),
            ("DE", "Siegel Test TSP", "granted")
        );
        // The listed issuing CA anchors the path.
        assert!(signature.chain.last().unwrap().trust_anchor);
        assert!(
            signature
                .chain
                .last()
                .unwrap()
                .subject
                .contains("Siegel Test Issuing CA")
        );
        assert!(
            report
                .policy
                .qualification_basis
                .contains("LOTL sequence 1")
        );
        // The protocol's trust basis and the anchoring service.
        let basis = report.policy.trusted_lists.as_ref().unwrap();
        assert_eq!((basis.lotl.sequence, basis.lists.len()), (1, 1));
        let de_list = &basis.lists[0];
        assert_eq!(de_list.territory, "DE");
        assert_eq!(de_list.sha256.len(), 64);
        assert_eq!(
            de_list.location.as_deref(),
            Some("http://127.0.0.1:9/de.xml")
        );
        // The ETSI report names each list used (digest, location) and ties the chain to it.
        let xml = siegel::protocol::render(
            &report,
            siegel::protocol::Format::Xml,
            siegel::text::Language::En,
        )
        .unwrap();
        crate::protocol::assert_schema_valid(&xml, "trust-basis");
        let xml = String::from_utf8(xml).unwrap();
        assert!(
            xml.contains(r#"<RelatedValidationObject VOReference="TL-DE"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<ValidationObject id="TL-DE">"#), "{xml}");
        assert!(xml.contains(r#"<ValidationObject id="TL-EU">"#), "{xml}");
        assert!(xml.contains("trusted list DE, sequence"), "{xml}");
        let html = siegel::protocol::render(
            &report,
            siegel::protocol::Format::Html,
            siegel::text::Language::En,
        )
        .unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(
            html.contains("EU trusted lists (ETSI TS 119 615): LOTL sequence 1"),
            "{html}"
        );
        assert!(
            html.contains("DE: Siegel Test TSP, Siegel Test Issuing CA (granted since 2024-01-01)")
        );
        assert!(html.contains("Trust basis"), "{html}");
        let de = siegel::protocol::render(
            &report,
            siegel::protocol::Format::Html,
            siegel::text::Language::De,
        )
        .unwrap();
        assert!(
            String::from_utf8(de)
                .unwrap()
                .contains("Vertrauensdienst (Vertrauensliste)")
        );
    }

    let cases: [(
        &str,
        &[TestPhase<'_>],
        &Path,
        siegel::trust::qualification::Qualification,
    ); 4] = [
        (
            "withdrawn before signing",
            &[
                ("withdrawn", "2026-01-01T00:00:00Z", &[]),
                ("granted", "2024-01-01T00:00:00Z", &[]),
            ],
            &signed,
            AdeSig,
        ),
        (
            "granted at issuance, withdrawn after signing",
            &[
                ("withdrawn", "2026-07-01T00:00:00Z", &[]),
                ("granted", "2024-01-01T00:00:00Z", &[]),
            ],
            &signed,
            QeSig,
        ),
        (
            "QCNoQSCD",
            &[("granted", "2024-01-01T00:00:00Z", &["QCNoQSCD"])],
            &sealed,
            AdeSealQc,
        ),
        (
            "NotQualified",
            &[("granted", "2024-01-01T00:00:00Z", &["NotQualified"])],
            &signed,
            AdeSig,
        ),
    ];
    for (name, phases, pdf, expected) in cases {
        let report = validate_with_lists(pdf, snapshot_of(phases, dir.path()));
        let signature = &report.signatures[0];
        assert_eq!(
            report.indication,
            siegel::validate::Indication::TotalPassed,
            "{name}"
        );
        assert_eq!(
            signature.qualification,
            Some(expected),
            "{name}: {:?}",
            signature.qualification_reasons
        );
        // The German protocol gives the reasons in German.
        if name == "NotQualified" {
            let html = siegel::protocol::render(
                &report,
                siegel::protocol::Format::Html,
                siegel::text::Language::De,
            )
            .unwrap();
            let html = String::from_utf8(html).unwrap();
            assert!(
                html.contains(
                    "die Liste kennzeichnet das Zertifikat als nicht qualifiziert (NotQualified) (Ausstellung)"
                ),
                "{html}"
            );
            let json = siegel::protocol::render(
                &report,
                siegel::protocol::Format::Json,
                siegel::text::Language::De,
            )
            .unwrap();
            assert!(
                String::from_utf8(json)
                    .unwrap()
                    .contains("the list marks the certificate NotQualified (issuance)")
            );
        }
    }
}

#[test]
fn without_lists_or_with_lists_that_do_not_name_the_issuer_nothing_is_qualified() {
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signature.pdf");
    support::sign_with(
        &support::pdf("classic.pdf"),
        &signed,
        "signature-rsa.p12",
        siegel::certificate::Kind::Signature,
    );
    // --trust only: the path passes, the certificate claims QES, nobody confirms it.
    let report = support::validate(&signed);
    assert_eq!(report.indication, siegel::validate::Indication::TotalPassed);
    let signature = &report.signatures[0];
    assert_eq!(
        signature.qualification,
        Some(qualification::Qualification::NotDetermined)
    );
    assert!(signature.trust_service.is_none());
    assert!(
        report
            .policy
            .qualification_basis
            .contains("no trusted list")
    );
    // Lists that name another CA: no anchor, no qualification.
    let real = lists::Snapshot::load(
        &read("eu-lotl.xml"),
        &pinned_lotl_signers(),
        &["CZ".into()],
        &mut |_| Some(read("CZ.xml")),
        at("2019-09-04T08:00:00Z"),
    )
    .unwrap();
    let report = validate_with_lists(&signed, real);
    let signature = &report.signatures[0];
    assert_eq!(
        report.indication,
        siegel::validate::Indication::Indeterminate
    );
    assert_eq!(
        signature.subindication,
        Some(siegel::validate::SubIndication::NoCertificateChainFound)
    );
    assert_eq!(
        signature.qualification,
        Some(qualification::Qualification::NotDetermined)
    );
}

#[test]
fn a_test_list_tampered_after_signing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let national = test_national_list(
        "DE",
        &[("granted", "2024-01-01T00:00:00Z", &[])],
        dir.path(),
    );
    let tampered = String::from_utf8(national)
        .unwrap()
        .replace("Svcstatus/granted", "Svcstatus/withdrawn")
        .into_bytes();
    let lotl = test_lotl("DE", "http://127.0.0.1:9/de.xml", dir.path());
    let snapshot = lists::Snapshot::load(
        &lotl,
        &lotl_signer(),
        &[],
        &mut |_| Some(tampered.clone()),
        support::time(),
    )
    .unwrap();
    assert!(snapshot.lists.is_empty());
    assert_eq!(
        snapshot.failures[0].error,
        lists::Error::Signature(xmldsig::Error::DigestMismatch("the whole list"))
    );
    // xmlsec1 agrees.
    let path = dir.path().join("tampered.xml");
    std::fs::write(&path, &tampered).unwrap();
    assert!(!xmlsec1(&path));
}

// ---- end to end: `siegel trust update` from 127.0.0.1, then `verify` without --trust ----

/// What the test server publishes, and what it was asked.
#[derive(Default)]
struct Site {
    /// Bodies by path; 404 with an HTML page for others.
    files: std::collections::HashMap<String, Vec<u8>>,
    /// Send an `ETag` (the body's SHA-256) and answer a matching `If-None-Match` with 304.
    etags: bool,
    /// Requests per path.
    requests: std::collections::HashMap<String, usize>,
    /// Answers with a body (200) per path.
    bodies: std::collections::HashMap<String, usize>,
}

impl Site {
    fn requests(&self, path: &str) -> usize {
        self.requests.get(path).copied().unwrap_or(0)
    }

    fn bodies(&self, path: &str) -> usize {
        self.bodies.get(path).copied().unwrap_or(0)
    }

    /// Publishes `body` at `path` and its SHA-256 in hex at the `.sha2` beside it.
    fn publish_with_sha2(&mut self, path: &str, body: Vec<u8>) {
        let sha2 = path.replace(".xml", ".sha2");
        self.files
            .insert(sha2, format!("{}\n", sha256_hex(&body)).into_bytes());
        self.files.insert(path.to_owned(), body);
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    siegel::algorithm::Digest::Sha256
        .hash(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

type Served = std::sync::Arc<std::sync::Mutex<Site>>;

/// Serves `served` on a free port of 127.0.0.1, one request per connection, counting them.
fn serve(served: Served) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let if_none_match = text.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("if-none-match")
                    .then(|| value.trim().to_owned())
            });
            let mut site = served.lock().unwrap();
            *site.requests.entry(path.clone()).or_default() += 1;
            let body = site.files.get(&path).cloned();
            let etag = body
                .as_deref()
                .filter(|_| site.etags)
                .map(|b| format!("\"{}\"", sha256_hex(b)));
            let (status, body, etag) = match body {
                Some(_) if etag.is_some() && etag == if_none_match => {
                    ("304 Not Modified", Vec::new(), etag)
                }
                Some(body) => {
                    *site.bodies.entry(path).or_default() += 1;
                    ("200 OK", body, etag)
                }
                None => ("404 Not Found", b"<html>not here</html>".to_vec(), None),
            };
            drop(site);
            let etag = etag.map_or_else(String::new, |e| format!("ETag: {e}\r\n"));
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/xml\r\n{etag}Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

struct Cli {
    cache: tempfile::TempDir,
    settings: PathBuf,
}

impl Cli {
    fn new(dir: &Path) -> Self {
        let settings = dir.join("settings.toml");
        std::fs::write(
            &settings,
            format!(
                "lotl_signers = [{:?}]\n",
                support::pki("seal-rsa.pem").display().to_string()
            ),
        )
        .unwrap();
        Self {
            cache: tempfile::tempdir().unwrap(),
            settings,
        }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_siegel"))
            .args(args)
            .env("SIEGEL_SETTINGS", &self.settings)
            .env("XDG_CACHE_HOME", self.cache.path())
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// `siegel verify --format json` at the test time, offline, without --trust: the
    /// signature's indication and qualification.
    fn verify(&self, pdf: &Path) -> (String, String) {
        let (_, stdout, stderr) = self.run(&[
            "verify",
            "--offline",
            "--at",
            "2026-06-01T12:00:00Z",
            "--format",
            "json",
            pdf.to_str().unwrap(),
        ]);
        let json: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout} {stderr}"));
        let signature = &json["signatures"][0];
        (
            signature["indication"].as_str().unwrap().to_owned(),
            signature["qualification"].as_str().unwrap().to_owned(),
        )
    }
}

#[test]
fn trust_update_then_verify_without_trust_says_qualified_and_keeps_good_lists() {
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signature.pdf");
    let sealed = dir.path().join("seal.pdf");
    let kind = siegel::certificate::Kind::Signature;
    support::sign_with(
        &support::pdf("classic.pdf"),
        &signed,
        "signature-rsa.p12",
        kind,
    );
    let kind = siegel::certificate::Kind::Seal;
    support::sign_with(&support::pdf("classic.pdf"), &sealed, "seal-rsa.p12", kind);

    let served: Served = Default::default();
    let port = serve(served.clone());
    let lotl_url = format!("http://127.0.0.1:{port}/lotl.xml");
    let de_url = format!("http://127.0.0.1:{port}/de.xml");
    let publish = |phases: &[TestPhase<'_>]| {
        let map = &mut served.lock().unwrap().files;
        map.insert("/lotl.xml".into(), test_lotl("DE", &de_url, dir.path()));
        map.insert(
            "/de.xml".into(),
            test_national_list("DE", phases, dir.path()),
        );
    };
    let cli = Cli::new(dir.path());
    let signer = support::pki("seal-rsa.pem");
    let update = || {
        cli.run(&[
            "trust",
            "update",
            "--lotl",
            &lotl_url,
            "--lotl-signer",
            signer.to_str().unwrap(),
        ])
    };

    // Before any update: the chain has no anchor, nothing is qualified.
    let (indication, qualification) = cli.verify(&signed);
    assert_eq!(
        (indication.as_str(), qualification.as_str()),
        ("INDETERMINATE", "NOT_DETERMINED")
    );

    publish(&[("granted", "2024-01-01T00:00:00Z", &[])]);
    let (code, stdout, stderr) = update();
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(stdout.contains("2 list(s) updated"), "{stdout}");
    let files: Vec<_> = std::fs::read_dir(cli.cache.path().join("siegel/trust"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        files.contains(&"EU.xml".to_owned())
            && files.contains(&"DE.xml".to_owned())
            && files.contains(&"state.json".to_owned()),
        "{files:?}"
    );
    assert_eq!(cli.verify(&signed), ("TOTAL_PASSED".into(), "QESig".into()));
    assert_eq!(
        cli.verify(&sealed),
        ("TOTAL_PASSED".into(), "QESeal".into())
    );
    // --no-trusted-lists turns them off.
    let (_, stdout, _) = cli.run(&[
        "verify",
        "--offline",
        "--no-trusted-lists",
        "--at",
        "2026-06-01T12:00:00Z",
        "--format",
        "json",
        signed.to_str().unwrap(),
    ]);
    assert!(stdout.contains("\"NOT_DETERMINED\""), "{stdout}");

    publish(&[
        ("withdrawn", "2026-01-01T00:00:00Z", &[]),
        ("granted", "2024-01-01T00:00:00Z", &[]),
    ]);
    assert_eq!(update().0, 0);
    assert_eq!(
        cli.verify(&signed),
        ("TOTAL_PASSED".into(), "AdESig".into())
    );

    publish(&[
        ("withdrawn", "2026-07-01T00:00:00Z", &[]),
        ("granted", "2024-01-01T00:00:00Z", &[]),
    ]);
    assert_eq!(update().0, 0);
    assert_eq!(cli.verify(&signed), ("TOTAL_PASSED".into(), "QESig".into()));

    publish(&[("granted", "2024-01-01T00:00:00Z", &["QCNoQSCD"])]);
    assert_eq!(update().0, 0);
    assert_eq!(
        cli.verify(&sealed),
        ("TOTAL_PASSED".into(), "AdESeal-QC".into())
    );

    // Back to granted, then a tampered national list and an HTML error page for the LOTL.
    publish(&[("granted", "2024-01-01T00:00:00Z", &[])]);
    assert_eq!(update().0, 0);
    let good = std::fs::read(cli.cache.path().join("siegel/trust/DE.xml")).unwrap();
    {
        let map = &mut served.lock().unwrap().files;
        let tampered = String::from_utf8(map["/de.xml"].clone())
            .unwrap()
            .replace("Svcstatus/granted", "Svcstatus/withdrawn");
        map.insert("/de.xml".into(), tampered.into_bytes());
    }
    let (code, stdout, _) = update();
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("DE: failed"), "{stdout}");
    assert_eq!(
        std::fs::read(cli.cache.path().join("siegel/trust/DE.xml")).unwrap(),
        good
    );
    assert_eq!(cli.verify(&signed), ("TOTAL_PASSED".into(), "QESig".into()));
    let (code, stdout, _) = cli.run(&["trust", "status", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}");
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let de = status["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["territory"] == "DE")
        .unwrap();
    assert_eq!(de["signature"], "valid");
    assert_eq!(de["sequence"], 1);
    assert!(
        de["last_failure"]["reason"]
            .as_str()
            .unwrap()
            .contains("changed after it was signed"),
        "{de}"
    );
    let (_, text, _) = cli.run(&["trust", "status"]);
    assert!(text.contains("the previous list stays in use"), "{text}");

    served
        .lock()
        .unwrap()
        .files
        .insert("/lotl.xml".into(), b"<html>502 Bad Gateway</html>".to_vec());
    let (code, _, stderr) = update();
    assert_ne!(code, 0);
    assert!(
        stderr.contains("list of trusted lists cannot be used"),
        "{stderr}"
    );
    assert_eq!(cli.verify(&signed), ("TOTAL_PASSED".into(), "QESig".into()));

    // A cache file edited on disk is re-verified on load and not used.
    let export = dir.path().join("export");
    let (code, stdout, _) = cli.run(&["trust", "export", export.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    std::fs::write(
        cli.cache.path().join("siegel/trust/DE.xml"),
        String::from_utf8(good.clone())
            .unwrap()
            .replace("Siegel Test TSP", "Evil TSP"),
    )
    .unwrap();
    assert_eq!(
        cli.verify(&signed),
        ("INDETERMINATE".into(), "NOT_DETERMINED".into())
    );
    // An administrator's snapshot imports after verification and restores the lists.
    let (code, stdout, stderr) = cli.run(&["trust", "import", export.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(stdout.contains("1 national list(s) imported"), "{stdout}");
    assert_eq!(cli.verify(&signed), ("TOTAL_PASSED".into(), "QESig".into()));
}

#[test]
fn a_lotl_signed_by_an_unpinned_key_is_reached_through_its_pivots() {
    let pinned = pinned_lotl_signers();
    let time = at("2024-05-31T08:10:34Z");
    let mut fetch = |uri: &str| {
        let name = uri.rsplit('/').next()?;
        std::fs::read(list(name)).ok()
    };
    // LOTL 341 is signed by a European Commission seal that OJ C 276/2019 does not publish:
    // 282 (signed by Kremer, pinned) -> 300 -> 335 -> 341 announce the signers one by one.
    let lotl = read("eu-lotl-pivot-341.xml");
    assert!(matches!(
        Signed::parse(&lotl).unwrap().verify(&pinned, time),
        Err(xmldsig::Error::UntrustedSigner { .. })
    ));
    let signers = lists::lotl_signers(&lotl, &pinned, &mut fetch, time).unwrap();
    let snapshot =
        lists::Snapshot::load(&lotl, &signers, &["XX".into()], &mut |_| None, time).unwrap();
    assert_eq!(snapshot.lotl.list.sequence, 341);
    // A LOTL its pinned signer signed needs no pivot.
    let mut nothing = |_: &str| -> Option<Vec<u8>> { panic!("no pivot needed") };
    let direct = lists::lotl_signers(
        &read("eu-lotl.xml"),
        &pinned,
        &mut nothing,
        at("2019-09-04T08:00:00Z"),
    )
    .unwrap();
    assert_eq!(direct.len(), 8);
    // A missing pivot, or a chain that does not start at a pinned signer, is refused.
    let error = lists::lotl_signers(&lotl, &pinned, &mut |_| None, time).unwrap_err();
    assert!(matches!(error, lists::Error::Pivot(_)), "{error}");
    let verbergt: Vec<Certificate> = pinned
        .into_iter()
        .filter(|c| c.subject().contains("Verbergt"))
        .collect();
    let error = lists::lotl_signers(&lotl, &verbergt, &mut fetch, time).unwrap_err();
    assert!(
        error.to_string().contains("eu-lotl-pivot-282.xml"),
        "{error}"
    );
}

/// A fetcher answering from `testdata/trustlists` by the URL's last segment (the pivot URLs
/// inside the real lists name ec.europa.eu; nothing goes to the network).
#[derive(Debug)]
struct Files;

impl siegel::network::Fetcher for Files {
    fn fetch(
        &self,
        request: &siegel::network::Request<'_>,
    ) -> Result<Vec<u8>, siegel::network::Error> {
        let name = request.url.rsplit('/').next().unwrap_or_default();
        let name = if name == "eu-lotl.xml" {
            "eu-lotl-pivot-341.xml"
        } else {
            name
        };
        std::fs::read(list(name)).map_err(|_| siegel::network::Error::Status {
            url: request.url.to_owned(),
            status: 404,
        })
    }
}

#[test]
fn the_cache_keeps_the_pivots_and_walks_them_again_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let cache = siegel::trust::cache::Cache::new(dir.path().join("trust"));
    let time = at("2024-05-31T08:10:34Z");
    let update = cache
        .update(
            "https://ec.europa.eu/tools/lotl/eu-lotl.xml",
            &pinned_lotl_signers(),
            &["XX".into()],
            &Files,
            siegel::trust::cache::Refresh::WhenChanged,
            time,
        )
        .unwrap();
    assert_eq!(update.replaced(), ["EU"]);
    for n in [282, 300, 335, 341] {
        assert!(
            dir.path()
                .join(format!("trust/pivot-eu-lotl-pivot-{n}.xml"))
                .exists()
        );
    }
    assert_eq!(
        cache
            .load(&pinned_lotl_signers(), time)
            .unwrap()
            .lotl
            .list
            .sequence,
        341
    );
    // Without the pivots the LOTL's signer is unknown.
    std::fs::remove_file(dir.path().join("trust/pivot-eu-lotl-pivot-300.xml")).unwrap();
    let error = cache.load(&pinned_lotl_signers(), time).unwrap_err();
    assert!(error.to_string().contains("pivot"), "{error}");
}

// ---- freshness (TS 119 612 §6.1): .sha2 files, conditional requests, NextUpdate ----

/// Before the test lists' NextUpdate, and the moment it is reached.
const CURRENT: &str = "2026-06-01T12:00:00Z";
const NEXT_UPDATE_REACHED: &str = NEXT_UPDATE;

/// A LOTL and a DE list published on 127.0.0.1 with their `.sha2` files, and a cache folder
/// updated from them with [`siegel::network::Http`] at a given time.
struct Publisher {
    dir: tempfile::TempDir,
    served: Served,
    lotl_url: String,
    cache: siegel::trust::cache::Cache,
}

impl Publisher {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let served: Served = Default::default();
        let port = serve(served.clone());
        let lotl_url = format!("http://127.0.0.1:{port}/lotl.xml");
        let de_url = format!("http://127.0.0.1:{port}/de.xml");
        let lotl = test_lotl("DE", &de_url, dir.path());
        let de = test_national_list(
            "DE",
            &[("granted", "2024-01-01T00:00:00Z", &[])],
            dir.path(),
        );
        {
            let mut site = served.lock().unwrap();
            site.publish_with_sha2("/lotl.xml", lotl);
            site.publish_with_sha2("/de.xml", de);
        }
        let cache = siegel::trust::cache::Cache::new(dir.path().join("trust"));
        Self {
            dir,
            served,
            lotl_url,
            cache,
        }
    }

    fn site(&self) -> std::sync::MutexGuard<'_, Site> {
        self.served.lock().unwrap()
    }

    fn update(&self, refresh: Refresh, time: &str) -> Vec<(String, Outcome)> {
        let http = siegel::network::Http::new(siegel::network::Policy::default());
        self.cache
            .update(
                &self.lotl_url,
                &lotl_signer(),
                &[],
                &http,
                refresh,
                at(time),
            )
            .unwrap()
            .lists
    }

    fn cached(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.cache.dir().join(name)).unwrap()
    }
}

fn outcomes(eu: Outcome, de: Outcome) -> Vec<(String, Outcome)> {
    vec![("EU".into(), eu), ("DE".into(), de)]
}

#[test]
fn a_second_update_of_unchanged_lists_downloads_no_list() {
    let publisher = Publisher::new();
    assert_eq!(
        publisher.update(Refresh::WhenChanged, CURRENT),
        outcomes(Outcome::Replaced, Outcome::Replaced)
    );
    {
        let site = publisher.site();
        assert_eq!((site.bodies("/lotl.xml"), site.bodies("/de.xml")), (1, 1));
        // Nothing was cached, so there was nothing to compare a .sha2 with.
        assert_eq!(site.requests("/lotl.sha2") + site.requests("/de.sha2"), 0);
    }
    let later = "2026-06-02T12:00:00Z";
    let sha2 = Outcome::Unchanged(Unchanged::Sha2);
    assert_eq!(
        publisher.update(Refresh::WhenChanged, later),
        outcomes(sha2.clone(), sha2)
    );
    {
        let site = publisher.site();
        assert_eq!(
            (site.requests("/lotl.xml"), site.requests("/de.xml")),
            (1, 1)
        );
        assert_eq!(
            (site.requests("/lotl.sha2"), site.requests("/de.sha2")),
            (1, 1)
        );
    }
    // The state says when the kept lists were found current; they still load.
    let status = publisher.cache.status(&lotl_signer(), at(later));
    for list in &status.lists {
        assert_eq!(list.signature, "valid", "{list:?}");
        assert_eq!(list.fetched, Some(at(CURRENT)), "{list:?}");
        assert_eq!(list.checked, Some(at(later)), "{list:?}");
        assert!(!list.stale);
    }
    let snapshot = publisher.cache.load(&lotl_signer(), at(later)).unwrap();
    assert_eq!(snapshot.lists.len(), 1);

    // Refresh::Always (`--force`) downloads every list and asks for no .sha2.
    assert_eq!(
        publisher.update(Refresh::Always, later),
        outcomes(Outcome::Replaced, Outcome::Replaced)
    );
    let site = publisher.site();
    assert_eq!((site.bodies("/lotl.xml"), site.bodies("/de.xml")), (2, 2));
    assert_eq!(
        (site.requests("/lotl.sha2"), site.requests("/de.sha2")),
        (1, 1)
    );
}

#[test]
fn a_matching_sha2_never_keeps_a_list_past_its_next_update_or_one_that_fails() {
    let publisher = Publisher::new();
    publisher.update(Refresh::WhenChanged, CURRENT);
    // At NextUpdate the lists are downloaded again, though their .sha2 still match: the
    // .sha2 is not even asked for.
    assert_eq!(
        publisher.update(Refresh::WhenChanged, NEXT_UPDATE_REACHED),
        outcomes(Outcome::Replaced, Outcome::Replaced)
    );
    {
        let site = publisher.site();
        assert_eq!((site.bodies("/lotl.xml"), site.bodies("/de.xml")), (2, 2));
        assert_eq!(site.requests("/lotl.sha2") + site.requests("/de.sha2"), 0);
    }
    // A cached list edited on disk no longer verifies: a .sha2 naming exactly the edited file
    // does not keep it, the published list replaces it.
    let good = publisher.cached("DE.xml");
    let edited = String::from_utf8(good.clone())
        .unwrap()
        .replace("Siegel Test TSP", "Evil TSP")
        .into_bytes();
    std::fs::write(publisher.cache.dir().join("DE.xml"), &edited).unwrap();
    publisher
        .site()
        .files
        .insert("/de.sha2".into(), sha256_hex(&edited).into_bytes());
    let update = publisher.update(Refresh::WhenChanged, CURRENT);
    assert_eq!(update[1], ("DE".into(), Outcome::Replaced));
    assert_eq!(publisher.cached("DE.xml"), good);
    // And if the published list is the edited one, nothing is accepted: the update fails.
    publisher.site().files.insert("/de.xml".into(), edited);
    let update = publisher.update(Refresh::WhenChanged, CURRENT);
    assert!(
        matches!(&update[1], (t, Outcome::Failed(reason)) if t == "DE" && reason.contains("changed after it was signed")),
        "{update:?}"
    );
    assert_eq!(publisher.cached("DE.xml"), good);
}

#[test]
fn a_sha2_that_differs_is_missing_or_is_no_digest_leads_to_a_download() {
    use base64ct::{Base64, Encoding};
    let publisher = Publisher::new();
    publisher.update(Refresh::WhenChanged, CURRENT);
    let sha2 = Outcome::Unchanged(Unchanged::Sha2);
    // A new DE list and its .sha2: the .sha2 differs from the cached file's digest, so the
    // list is downloaded.
    let withdrawn = test_national_list(
        "DE",
        &[
            ("withdrawn", "2026-05-01T00:00:00Z", &[]),
            ("granted", "2024-01-01T00:00:00Z", &[]),
        ],
        publisher.dir.path(),
    );
    publisher
        .site()
        .publish_with_sha2("/de.xml", withdrawn.clone());
    assert_eq!(
        publisher.update(Refresh::WhenChanged, CURRENT),
        outcomes(sha2.clone(), Outcome::Replaced)
    );
    assert_eq!(publisher.cached("DE.xml"), withdrawn);
    // An HTML error page served as the .sha2, one too long to be a digest, or none at all
    // (404): the list is downloaded, never kept on such an answer.
    let too_long = format!("{}{}", sha256_hex(&withdrawn), " ".repeat(2000));
    for answer in [
        Some(b"<html><body>Service temporarily unavailable</body></html>".to_vec()),
        Some(too_long.into_bytes()),
        None,
    ] {
        {
            let mut site = publisher.site();
            match answer {
                Some(body) => site.files.insert("/de.sha2".into(), body),
                None => site.files.remove("/de.sha2"),
            };
        }
        let bodies = publisher.site().bodies("/de.xml");
        assert_eq!(
            publisher.update(Refresh::WhenChanged, CURRENT),
            outcomes(sha2.clone(), Outcome::Replaced)
        );
        assert_eq!(publisher.site().bodies("/de.xml"), bodies + 1);
        assert_eq!(publisher.cached("DE.xml"), withdrawn);
    }
    // Base64 instead of hex names the digest as well.
    let digest = siegel::algorithm::Digest::Sha256.hash(&withdrawn);
    publisher.site().files.insert(
        "/de.sha2".into(),
        Base64::encode_string(&digest).into_bytes(),
    );
    assert_eq!(
        publisher.update(Refresh::WhenChanged, CURRENT),
        outcomes(sha2.clone(), sha2)
    );
}

#[test]
fn a_304_keeps_the_cached_list_and_a_changed_or_stale_list_is_downloaded() {
    let publisher = Publisher::new();
    {
        let mut site = publisher.site();
        site.files.retain(|path, _| !path.ends_with(".sha2"));
        site.etags = true;
    }
    assert_eq!(
        publisher.update(Refresh::WhenChanged, CURRENT),
        outcomes(Outcome::Replaced, Outcome::Replaced)
    );
    let state: serde_json::Value = serde_json::from_slice(&publisher.cached("state.json")).unwrap();
    assert!(
        state["lists"]["DE"]["etag"]
            .as_str()
            .unwrap()
            .starts_with('"')
    );
    let not_modified = Outcome::Unchanged(Unchanged::NotModified);
    assert_eq!(
        publisher.update(Refresh::WhenChanged, CURRENT),
        outcomes(not_modified.clone(), not_modified.clone())
    );
    {
        let site = publisher.site();
        assert_eq!(
            (site.requests("/lotl.xml"), site.requests("/de.xml")),
            (2, 2)
        );
        assert_eq!((site.bodies("/lotl.xml"), site.bodies("/de.xml")), (1, 1));
    }
    // A changed list has another ETag: the server sends it, and it replaces the cached one.
    let withdrawn = test_national_list(
        "DE",
        &[
            ("withdrawn", "2026-05-01T00:00:00Z", &[]),
            ("granted", "2024-01-01T00:00:00Z", &[]),
        ],
        publisher.dir.path(),
    );
    publisher
        .site()
        .files
        .insert("/de.xml".into(), withdrawn.clone());
    assert_eq!(
        publisher.update(Refresh::WhenChanged, CURRENT),
        outcomes(not_modified.clone(), Outcome::Replaced)
    );
    assert_eq!(publisher.cached("DE.xml"), withdrawn);
    // Past NextUpdate nothing is asked conditionally: the body comes again.
    assert_eq!(
        publisher.update(Refresh::WhenChanged, NEXT_UPDATE_REACHED),
        outcomes(Outcome::Replaced, Outcome::Replaced)
    );
    let site = publisher.site();
    assert_eq!((site.bodies("/lotl.xml"), site.bodies("/de.xml")), (2, 3));
}

#[test]
fn trust_update_says_what_it_did_with_each_list_and_force_downloads_all() {
    // `trust update` judges freshness at the present time: these lists are current until 2099.
    let dir = tempfile::tempdir().unwrap();
    let served: Served = Default::default();
    let port = serve(served.clone());
    let lotl_url = format!("http://127.0.0.1:{port}/lotl.xml");
    let de_url = format!("http://127.0.0.1:{port}/de.xml");
    let until = "2099-01-01T00:00:00Z";
    {
        let mut site = served.lock().unwrap();
        site.publish_with_sha2(
            "/lotl.xml",
            test_lotl_until("DE", &de_url, until, dir.path()),
        );
        site.publish_with_sha2(
            "/de.xml",
            test_national_list_until(
                "DE",
                &[("granted", "2024-01-01T00:00:00Z", &[])],
                until,
                dir.path(),
            ),
        );
    }
    let cli = Cli::new(dir.path());
    let signer = support::pki("seal-rsa.pem");
    let update = |force: bool| {
        let mut args = vec![
            "trust",
            "update",
            "--lotl",
            &lotl_url,
            "--lotl-signer",
            signer.to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        cli.run(&args)
    };
    let (code, stdout, stderr) = update(false);
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(stdout.contains("EU: replaced"), "{stdout}");
    assert!(stdout.contains("DE: replaced"), "{stdout}");
    assert!(
        stdout.contains("2 list(s) updated, 0 unchanged, 0 failed"),
        "{stdout}"
    );

    let (code, stdout, stderr) = update(false);
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(
        stdout.contains("EU: unchanged (its .sha2 matches)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("DE: unchanged (its .sha2 matches)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 list(s) updated, 2 unchanged, 0 failed"),
        "{stdout}"
    );
    {
        let site = served.lock().unwrap();
        assert_eq!((site.bodies("/lotl.xml"), site.bodies("/de.xml")), (1, 1));
    }

    let (code, stdout, stderr) = update(true);
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(
        stdout.contains("2 list(s) updated, 0 unchanged"),
        "{stdout}"
    );
    let site = served.lock().unwrap();
    assert_eq!((site.bodies("/lotl.xml"), site.bodies("/de.xml")), (2, 2));
    drop(site);
    let (_, stdout, _) = cli.run(&["trust", "status", "--format", "json"]);
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for list in status["lists"].as_array().unwrap() {
        assert!(list["checked"].is_string(), "{list}");
        assert_eq!(list["stale"], false, "{list}");
    }
}

/// A national list naming the TSA certificate of the local services itself as a time-stamping
/// service of type `kind` in `status` since 2020 (how member states list time-stamping units).
fn tsa_list(services: &crate::ltv::Services, kind: &str, status: &str, dir: &Path) -> Vec<u8> {
    let tsa = std::fs::read_to_string(services.path("tsa.pem")).unwrap();
    let tsa: String = tsa.lines().filter(|l| !l.starts_with("-----")).collect();
    let body = format!(
        "{}<TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang=\"en\">Siegel Test TSP</Name></TSPName></TSPInformation><TSPServices><TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/TSA/{kind}</ServiceTypeIdentifier><ServiceName><Name xml:lang=\"en\">Siegel Test TSU</Name></ServiceName><ServiceDigitalIdentity><DigitalId><X509Certificate>{tsa}</X509Certificate></DigitalId></ServiceDigitalIdentity><ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/{status}</ServiceStatus><StatusStartingTime>2020-01-01T00:00:00Z</StatusStartingTime></ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList>",
        scheme("EUgeneric", "DE", 1, "", NEXT_UPDATE)
    );
    signed_list(&body, "seal-ec", dir)
}

#[test]
fn a_time_stamp_is_qualified_only_where_a_list_grants_its_authority_qtst() {
    let Some(services) = crate::ltv::Services::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("b-t.pdf");
    let result = services.seal("B-T", "seal.p12", &support::pdf("classic.pdf"), &sealed);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let lotl = test_lotl("DE", "http://127.0.0.1:9/de.xml", dir.path());
    let now = chrono::Utc::now();
    let cases = [
        ("QTST", "granted", true),
        ("QTST", "withdrawn", false),
        // A time-stamping service that is not qualified.
        ("TSS-QC", "granted", false),
    ];
    for (kind, status, qualified) in cases {
        let national = tsa_list(&services, kind, status, dir.path());
        let snapshot = lists::Snapshot::load(
            &lotl,
            &lotl_signer(),
            &[],
            &mut |_| Some(national.clone()),
            now,
        )
        .unwrap();
        assert_eq!(snapshot.lists.len(), 1, "{:?}", snapshot.failures);
        let mut store = services.trust();
        store.set_lists(std::sync::Arc::new(snapshot));
        let report =
            siegel::validate::validate_pdf(&sealed, &siegel::validate::Options::new(store, now))
                .unwrap();
        let stamp = &report.signatures[0].timestamps[0];
        assert_eq!(
            stamp.indication,
            siegel::validate::Indication::TotalPassed,
            "{stamp:?}"
        );
        assert_eq!(
            stamp.qualified_by.is_some(),
            qualified,
            "{kind} {status}: {stamp:?}"
        );
        let html = siegel::protocol::render(
            &report,
            siegel::protocol::Format::Html,
            siegel::text::Language::De,
        )
        .unwrap();
        let html = String::from_utf8(html).unwrap();
        assert_eq!(
            html.contains("qualifizierter Zeitstempel: DE: Siegel Test TSP, Siegel Test TSU"),
            qualified,
            "{kind} {status}"
        );
    }
    // Without lists nothing is qualified, whatever the token says.
    let report = siegel::validate::validate_pdf(
        &sealed,
        &siegel::validate::Options::new(services.trust(), now),
    )
    .unwrap();
    assert!(report.signatures[0].timestamps[0].qualified_by.is_none());
}

#[test]
fn other_criteria_are_read_from_a_signed_list_and_select_by_subject_attribute() {
    let dir = tempfile::tempdir().unwrap();
    let criteria = "<q:CriteriaList assert=\"all\"><q:otherCriteriaList><a:CertSubjectDNAttribute xmlns:a=\"http://uri.etsi.org/02231/v2/additionaltypes#\"><a:AttributeOID><x:Identifier xmlns:x=\"http://uri.etsi.org/01903/v1.3.2#\" Qualifier=\"OIDAsURN\">urn:oid:2.5.4.97</x:Identifier></a:AttributeOID></a:CertSubjectDNAttribute><a:ExtendedKeyUsage xmlns:a=\"http://uri.etsi.org/02231/v2/additionaltypes#\"><a:KeyPurposeId><x:Identifier xmlns:x=\"http://uri.etsi.org/01903/v1.3.2#\">1.3.6.1.5.5.7.3.4</x:Identifier></a:KeyPurposeId></a:ExtendedKeyUsage></q:otherCriteriaList></q:CriteriaList>";
    let body = format!(
        "{}<TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang=\"en\">Siegel Test TSP</Name></TSPName></TSPInformation><TSPServices><TSPService><ServiceInformation><ServiceTypeIdentifier>{CA_QC}</ServiceTypeIdentifier><ServiceName><Name xml:lang=\"en\">Siegel Test Issuing CA</Name></ServiceName><ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity><ServiceStatus>{GRANTED}</ServiceStatus><StatusStartingTime>2024-01-01T00:00:00Z</StatusStartingTime><ServiceInformationExtensions><Extension Critical=\"true\"><q:Qualifications xmlns:q=\"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#\"><q:QualificationElement><q:Qualifiers><q:Qualifier uri=\"{EXT}NotQualified\"/></q:Qualifiers>{criteria}</q:QualificationElement></q:Qualifications></Extension></ServiceInformationExtensions></ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList>",
        scheme("EUgeneric", "DE", 1, "", NEXT_UPDATE),
        pem_body("intermediate-ca.pem")
    );
    let list = signed_list(&body, "seal-ec", dir.path());
    let signer = certificates(&support::pki("seal-ec.pem"));
    let loaded = lists::read(&list, &signer, support::time()).unwrap();
    let service = &loaded.list.providers[0].services[0];
    let criteria = &service.phases[0].qualifications[0].criteria;
    assert_eq!(criteria.subject_attributes, [["2.5.4.97"]]);
    assert_eq!(criteria.extended_key_usage, [["1.3.6.1.5.5.7.3.4"]]);
    assert!(criteria.unsupported.is_empty(), "{criteria:?}");
    // Neither test certificate has both an organisationIdentifier and e-mail protection, so
    // NotQualified selects none of them.
    for name in ["seal-rsa.pem", "signature-rsa.pem"] {
        let certificate = &certificates(&support::pki(name))[0];
        assert!(!qualification::matches(criteria, certificate), "{name}");
    }
    // The subject attribute alone selects the seal (a legal person's identifier) only.
    let mut attribute_only = criteria.clone();
    attribute_only.extended_key_usage.clear();
    let seal = &certificates(&support::pki("seal-rsa.pem"))[0];
    let signature = &certificates(&support::pki("signature-rsa.pem"))[0];
    assert!(qualification::matches(&attribute_only, seal));
    assert!(!qualification::matches(&attribute_only, signature));
}
