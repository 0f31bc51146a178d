//! The content of a trusted list or of the List of Trusted Lists (ETSI TS 119 612 v2.1.1 §5:
//! scheme information, pointers to other lists, trust service providers, their services with
//! status history, additional service information and the Qualifications extension §5.5.9.2).
//!
//! Read only from a [`xmldsig::Verified`] list, so nothing here can come from outside what the
//! signature covers. Values a relying party needs (dates, numbers, certificates) are parsed;
//! URIs (service types, statuses, qualifiers) are kept as the list spells them and interpreted
//! by the qualification rules, which know which ones matter.

use base64ct::Encoding as _;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::xml::El;
use super::xmldsig;
use crate::certificate::Certificate;

/// The TS 119 612 namespace.
pub const TSL: &str = "http://uri.etsi.org/02231/v2#";
/// The namespace of `MimeType` in a pointer's additional information.
pub const ADDITIONAL_TYPES: &str = "http://uri.etsi.org/02231/v2/additionaltypes#";
/// The namespace of the Qualifications extension (TS 119 612 §5.5.9.2).
pub const QUALIFICATIONS: &str =
    "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#";
/// `TSLType` of the EU List of Trusted Lists.
pub const TYPE_EU_LOTL: &str = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists";
/// Bounds against hostile lists that pass the XML budget: a real list has a few hundred
/// services, a service a handful of history entries.
pub const MAX_SERVICES: usize = 20_000;
pub const MAX_POINTERS: usize = 500;

/// A trusted list (or the LOTL), as its signature covers it.
///
/// ```text
/// TrustServiceStatusList ::= SchemeInformation, TrustServiceProviderList?, ds:Signature
/// SchemeInformation ::= TSLVersionIdentifier, TSLSequenceNumber, TSLType, SchemeOperatorName,
///     ..., SchemeTerritory, ..., PointersToOtherTSL?, ListIssueDateTime, NextUpdate, ...
/// ```
#[derive(Clone, Debug)]
pub struct List {
    pub version: u32,
    pub sequence: u64,
    /// `TSLType`, e.g. [`TYPE_EU_LOTL`] or `.../TSLType/EUgeneric`.
    pub kind: String,
    /// `SchemeTerritory`: a country code, or `EU` for the LOTL.
    pub territory: String,
    pub operator: String,
    pub issued: DateTime<Utc>,
    /// `NextUpdate`; absent when the scheme was closed (TS 119 612 §5.3.15).
    pub next_update: Option<DateTime<Utc>>,
    /// `SchemeInformationURI` entries (the LOTL lists its pivot LOTLs there).
    pub information_uris: Vec<String>,
    pub pointers: Vec<Pointer>,
    pub providers: Vec<Provider>,
    /// Digital identities whose certificate could not be read (skipped, counted).
    pub unreadable_identities: usize,
}

/// `OtherTSLPointer` (TS 119 612 §5.3.13): where another list is and who may sign it.
#[derive(Clone, Debug)]
pub struct Pointer {
    pub location: String,
    pub territory: Option<String>,
    pub mime_type: Option<String>,
    pub kind: Option<String>,
    /// The certificates announced for the pointed list's signer.
    pub signers: Vec<Certificate>,
}

/// `TrustServiceProvider` (§5.4).
#[derive(Clone, Debug)]
pub struct Provider {
    pub name: String,
    pub trade_names: Vec<String>,
    pub services: Vec<Service>,
}

/// `TSPService` (§5.5 and §5.6): one service, its identity and its history, newest first.
#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub identities: Vec<Certificate>,
    /// The current `ServiceInformation` first, then each `ServiceHistoryInstance`.
    pub phases: Vec<Phase>,
}

/// What a service was from `since` until the next newer phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    /// `ServiceTypeIdentifier`, e.g. `http://uri.etsi.org/TrstSvc/Svctype/CA/QC`.
    pub kind: String,
    /// `ServiceStatus`, e.g. `.../Svcstatus/granted`.
    pub status: String,
    pub since: DateTime<Utc>,
    /// `AdditionalServiceInformation` URIs (`.../SvcInfoExt/ForeSignatures`, ...).
    pub additional: Vec<String>,
    pub qualifications: Vec<Qualification>,
}

/// `QualificationElement` (§5.5.9.2): qualifiers that apply to the certificates the criteria
/// select.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qualification {
    pub qualifiers: Vec<String>,
    pub criteria: Criteria,
}

/// `CriteriaList`: key usage, policy and nested criteria combined by `assert`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criteria {
    pub assert: Assert,
    /// Each `KeyUsage`: bits that must be set (`true`) or clear (`false`).
    pub key_usage: Vec<Vec<(String, bool)>>,
    /// Each `PolicySet`: policy OIDs that must all be present.
    pub policies: Vec<Vec<String>>,
    pub nested: Vec<Criteria>,
    /// Each `otherCriteriaList/ExtendedKeyUsage`: key purpose OIDs that must all be in the
    /// certificate's extended key usage.
    pub extended_key_usage: Vec<Vec<String>>,
    /// Each `otherCriteriaList/CertSubjectDNAttribute`: attribute type OIDs that must all be in
    /// the certificate's subject name.
    pub subject_attributes: Vec<Vec<String>>,
    /// Criteria this reader does not evaluate (`otherCriteriaList` and unknown elements): a
    /// qualification carrying them never applies, so nothing is qualified on a guess.
    pub unsupported: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assert {
    All,
    AtLeastOne,
    None,
}

impl List {
    /// Reads the list a verified signature covers.
    pub fn parse(verified: &xmldsig::Verified) -> Result<Self, Error> {
        let root = verified
            .root()
            .ok_or(Error::Missing("TrustServiceStatusList"))?;
        if !root.is(TSL, "TrustServiceStatusList") {
            return Err(Error::Missing("TrustServiceStatusList"));
        }
        let scheme = child(root, "SchemeInformation")?;
        let mut unreadable = 0;
        let pointers_el: Vec<El<'_>> = scheme
            .child(TSL, "PointersToOtherTSL")
            .map(|p| p.children_named(TSL, "OtherTSLPointer").collect())
            .unwrap_or_default();
        if pointers_el.len() > MAX_POINTERS {
            return Err(Error::TooMany("OtherTSLPointer"));
        }
        let pointers = pointers_el
            .into_iter()
            .map(|p| pointer(p, &mut unreadable))
            .collect::<Result<Vec<_>, _>>()?;
        let mut providers = Vec::new();
        let mut services = 0;
        if let Some(list) = root.child(TSL, "TrustServiceProviderList") {
            for provider_el in list.children_named(TSL, "TrustServiceProvider") {
                let provider = provider(provider_el, &mut unreadable)?;
                services += provider.services.len();
                if services > MAX_SERVICES {
                    return Err(Error::TooMany("TSPService"));
                }
                providers.push(provider);
            }
        }
        Ok(Self {
            version: number(
                child(scheme, "TSLVersionIdentifier")?,
                "TSLVersionIdentifier",
            )?,
            sequence: number(child(scheme, "TSLSequenceNumber")?, "TSLSequenceNumber")?,
            kind: child(scheme, "TSLType")?.text(),
            territory: child(scheme, "SchemeTerritory")?.text(),
            operator: scheme
                .child(TSL, "SchemeOperatorName")
                .map(name)
                .unwrap_or_default(),
            issued: date(child(scheme, "ListIssueDateTime")?, "ListIssueDateTime")?,
            next_update: match scheme
                .child(TSL, "NextUpdate")
                .and_then(|n| n.child(TSL, "dateTime"))
            {
                Some(d) => Some(date(d, "NextUpdate")?),
                None => None,
            },
            information_uris: scheme
                .child(TSL, "SchemeInformationURI")
                .map(|u| u.children_named(TSL, "URI").map(El::text).collect())
                .unwrap_or_default(),
            pointers,
            providers,
            unreadable_identities: unreadable,
        })
    }

    /// Whether `time` is before `NextUpdate` (TS 119 612 §5.3.15). From `NextUpdate` on, and
    /// always for a closed scheme, the list is stale: it is shown so and fetched again.
    pub fn is_current_at(&self, time: DateTime<Utc>) -> bool {
        self.next_update.is_some_and(|next| time < next)
    }

    /// Whether this is the EU List of Trusted Lists.
    pub fn is_lotl(&self) -> bool {
        self.kind == TYPE_EU_LOTL
    }

    /// The pointers to national trusted lists in XML (the LOTL also points to PDF copies and
    /// to itself).
    pub fn xml_pointers(&self) -> impl Iterator<Item = &Pointer> {
        self.pointers.iter().filter(|p| {
            p.mime_type.as_deref() == Some("application/vnd.etsi.tsl+xml")
                && p.kind.as_deref() != Some(TYPE_EU_LOTL)
        })
    }
}

impl Service {
    /// The phase in force at `time`: the newest one that started at or before it.
    pub fn at(&self, time: DateTime<Utc>) -> Option<&Phase> {
        self.phases
            .iter()
            .filter(|p| p.since <= time)
            .max_by_key(|p| p.since)
    }
}

fn pointer(element: El<'_>, unreadable: &mut usize) -> Result<Pointer, Error> {
    let mut signers = Vec::new();
    if let Some(identities) = element.child(TSL, "ServiceDigitalIdentities") {
        for identity in identities.children_named(TSL, "ServiceDigitalIdentity") {
            signers.extend(certificates(identity, unreadable));
        }
    }
    let mut territory = None;
    let mut mime_type = None;
    let mut kind = None;
    if let Some(info) = element.child(TSL, "AdditionalInformation") {
        for other in info.children_named(TSL, "OtherInformation") {
            for value in other.children() {
                match (value.namespace(), value.local_name()) {
                    (TSL, "SchemeTerritory") => territory = Some(value.text()),
                    (TSL, "TSLType") => kind = Some(value.text()),
                    (ADDITIONAL_TYPES, "MimeType") => mime_type = Some(value.text()),
                    _ => {}
                }
            }
        }
    }
    Ok(Pointer {
        location: child(element, "TSLLocation")?.text(),
        territory,
        mime_type,
        kind,
        signers,
    })
}

fn provider(element: El<'_>, unreadable: &mut usize) -> Result<Provider, Error> {
    let information = child(element, "TSPInformation")?;
    let services = element
        .child(TSL, "TSPServices")
        .map(|s| s.children_named(TSL, "TSPService").collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|s| service(s, unreadable))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Provider {
        name: name(child(information, "TSPName")?),
        trade_names: information
            .child(TSL, "TSPTradeName")
            .map(|t| t.children_named(TSL, "Name").map(El::text).collect())
            .unwrap_or_default(),
        services,
    })
}

fn service(element: El<'_>, unreadable: &mut usize) -> Result<Service, Error> {
    let information = child(element, "ServiceInformation")?;
    let mut identities = Vec::new();
    if let Some(identity) = information.child(TSL, "ServiceDigitalIdentity") {
        identities = certificates(identity, unreadable);
    }
    let mut phases = vec![phase(information, "ServiceStatus")?];
    if let Some(history) = element.child(TSL, "ServiceHistory") {
        for instance in history.children_named(TSL, "ServiceHistoryInstance") {
            phases.push(phase(instance, "ServiceStatus")?);
        }
    }
    Ok(Service {
        name: name(child(information, "ServiceName")?),
        identities,
        phases,
    })
}

/// A `ServiceInformation` or `ServiceHistoryInstance`: both carry type, status, starting time
/// and extensions under the same names.
fn phase(element: El<'_>, status: &'static str) -> Result<Phase, Error> {
    let mut additional = Vec::new();
    let mut qualifications = Vec::new();
    if let Some(extensions) = element.child(TSL, "ServiceInformationExtensions") {
        for extension in extensions.children_named(TSL, "Extension") {
            for content in extension.children() {
                match (content.namespace(), content.local_name()) {
                    (TSL, "AdditionalServiceInformation") => {
                        if let Some(uri) = content.child(TSL, "URI") {
                            additional.push(uri.text());
                        }
                    }
                    (QUALIFICATIONS, "Qualifications") => {
                        for element in
                            content.children_named(QUALIFICATIONS, "QualificationElement")
                        {
                            qualifications.push(qualification(element)?);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(Phase {
        kind: child(element, "ServiceTypeIdentifier")?.text(),
        status: child(element, status)?.text(),
        since: date(child(element, "StatusStartingTime")?, "StatusStartingTime")?,
        additional,
        qualifications,
    })
}

fn qualification(element: El<'_>) -> Result<Qualification, Error> {
    let qualifiers = element
        .child(QUALIFICATIONS, "Qualifiers")
        .map(|q| {
            q.children_named(QUALIFICATIONS, "Qualifier")
                .filter_map(|q| q.attribute("uri").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let criteria = element
        .child(QUALIFICATIONS, "CriteriaList")
        .ok_or(Error::Missing("CriteriaList"))?;
    Ok(Qualification {
        qualifiers,
        criteria: self::criteria(criteria, 0)?,
    })
}

/// Nested criteria lists deeper than this are refused (the XML depth limit bounds it anyway).
const MAX_CRITERIA_DEPTH: usize = 8;

fn criteria(element: El<'_>, depth: usize) -> Result<Criteria, Error> {
    if depth > MAX_CRITERIA_DEPTH {
        return Err(Error::TooMany("nested CriteriaList"));
    }
    let assert = match element.attribute("assert").unwrap_or("all") {
        "all" => Assert::All,
        "atLeastOne" => Assert::AtLeastOne,
        "none" => Assert::None,
        other => {
            return Err(Error::Value {
                field: "CriteriaList/@assert",
                value: other.to_owned(),
            });
        }
    };
    let mut criteria = Criteria {
        assert,
        key_usage: Vec::new(),
        policies: Vec::new(),
        nested: Vec::new(),
        extended_key_usage: Vec::new(),
        subject_attributes: Vec::new(),
        unsupported: Vec::new(),
    };
    for item in element.children() {
        match (item.namespace(), item.local_name()) {
            (QUALIFICATIONS, "KeyUsage") => criteria.key_usage.push(
                item.children_named(QUALIFICATIONS, "KeyUsageBit")
                    .map(|bit| {
                        (
                            bit.attribute("name").unwrap_or_default().to_owned(),
                            bit.text() == "true",
                        )
                    })
                    .collect(),
            ),
            (QUALIFICATIONS, "PolicySet") => criteria.policies.push(
                item.children_named(QUALIFICATIONS, "PolicyIdentifier")
                    .filter_map(|p| p.child(super::xmldsig::XADES, "Identifier"))
                    .map(|i| i.text().trim_start_matches("urn:oid:").to_owned())
                    .collect(),
            ),
            (QUALIFICATIONS, "CriteriaList") => {
                criteria.nested.push(self::criteria(item, depth + 1)?)
            }
            // TS 119 612 §5.5.9.2.1: further criteria, combined by the same `assert`.
            (QUALIFICATIONS, "otherCriteriaList") => {
                for other in item.children() {
                    let oids = |list: &str| -> Vec<String> {
                        other
                            .children_named(ADDITIONAL_TYPES, list)
                            .filter_map(|o| o.child(super::xmldsig::XADES, "Identifier"))
                            .map(|i| i.text().trim().trim_start_matches("urn:oid:").to_owned())
                            .collect()
                    };
                    match (other.namespace(), other.local_name()) {
                        (ADDITIONAL_TYPES, "ExtendedKeyUsage") => {
                            criteria.extended_key_usage.push(oids("KeyPurposeId"));
                        }
                        (ADDITIONAL_TYPES, "CertSubjectDNAttribute") => {
                            criteria.subject_attributes.push(oids("AttributeOID"));
                        }
                        (_, name) => criteria
                            .unsupported
                            .push(format!("otherCriteriaList/{name}")),
                    }
                }
            }
            (_, "Description") => {}
            (_, other) => criteria.unsupported.push(other.to_owned()),
        }
    }
    Ok(criteria)
}

/// The certificates of a digital identity (`DigitalId/X509Certificate`); identities given only
/// by subject name or key identifier accompany a certificate in EU lists and add nothing.
fn certificates(identity: El<'_>, unreadable: &mut usize) -> Vec<Certificate> {
    let mut found = Vec::new();
    for id in identity.children_named(TSL, "DigitalId") {
        if let Some(encoded) = id.child(TSL, "X509Certificate") {
            let text: String = encoded
                .text()
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            match base64ct::Base64::decode_vec(&text)
                .ok()
                .and_then(|der| Certificate::from_der(&der).ok())
            {
                Some(certificate) => found.push(certificate),
                None => *unreadable += 1,
            }
        }
    }
    found
}

fn child<'d>(element: El<'d>, local: &'static str) -> Result<El<'d>, Error> {
    element.child(TSL, local).ok_or(Error::Missing(local))
}

/// A multilingual name: the English one, else the first.
fn name(element: El<'_>) -> String {
    let names: Vec<El<'_>> = element.children_named(TSL, "Name").collect();
    names
        .iter()
        .find(|n| n.attribute_ns(super::xml::XML_NAMESPACE, "lang") == Some("en"))
        .or(names.first())
        .map(|n| n.text())
        .unwrap_or_default()
}

fn number<T: std::str::FromStr>(element: El<'_>, field: &'static str) -> Result<T, Error> {
    let text = element.text();
    text.parse()
        .map_err(|_| Error::Value { field, value: text })
}

/// An `xsd:dateTime`; one without a zone is read as UTC (TS 119 612 §5.1.4 asks for UTC).
fn date(element: El<'_>, field: &'static str) -> Result<DateTime<Utc>, Error> {
    let text = element.text();
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc())
        })
        .map_err(|_| Error::Value { field, value: text })
}

/// Why a signed list's content cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the list has no {0}")]
    Missing(&'static str),
    #[error("the list's {field} {value:?} is not valid")]
    Value { field: &'static str, value: String },
    #[error("the list has too many {0}")]
    TooMany(&'static str),
}
