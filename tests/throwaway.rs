//! A throwaway PKI made at run time with openssl: a root and one leaf whose subject and URLs a
//! test chooses (hostile names, URLs of local test servers), exported as PKCS#12, and a PDF
//! sealed with it. Nothing is kept: everything lives in the test's temporary folder.

#![allow(
    deprecated,
    reason = "openssl's text form of extensions is the short way to AIA and CRL DP"
)]

use std::path::{Path, PathBuf};

use openssl::asn1::{Asn1Integer, Asn1Time, Asn1Type};
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::stack::Stack;
use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use openssl::x509::{X509, X509Builder, X509Extension, X509NameBuilder};
use siegel::certificate::Kind;
use siegel::key::{pin::Pin, software};
use siegel::{sign, trust};

use crate::support;

pub const PASSPHRASE: &str = "throwaway";

/// What the leaf certificate says.
#[derive(Default)]
pub struct Leaf<'a> {
    pub common_name: &'a str,
    pub organization: Option<&'a str>,
    pub ocsp: Vec<String>,
    pub crls: Vec<String>,
    pub ca_issuers: Vec<String>,
}

pub struct Pki {
    pub root_pem: PathBuf,
    pub p12: PathBuf,
}

impl Pki {
    /// A root and `leaf` in `dir`; valid 2020–2049, so at the tests' fixed time and today.
    pub fn make(dir: &Path, leaf: &Leaf) -> Self {
        let root_key = key();
        let root = {
            let mut name = X509NameBuilder::new().unwrap();
            name.append_entry_by_nid(Nid::COMMONNAME, "Throwaway Root")
                .unwrap();
            let name = name.build();
            let mut builder = builder(&name, &root_key, 1);
            builder.set_issuer_name(&name).unwrap();
            builder
                .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                .unwrap();
            builder
                .append_extension(
                    KeyUsage::new()
                        .critical()
                        .key_cert_sign()
                        .crl_sign()
                        .build()
                        .unwrap(),
                )
                .unwrap();
            let ski = SubjectKeyIdentifier::new()
                .build(&builder.x509v3_context(None, None))
                .unwrap();
            builder.append_extension(ski).unwrap();
            builder.sign(&root_key, MessageDigest::sha256()).unwrap();
            builder.build()
        };
        let leaf_key = key();
        let certificate = {
            let mut name = X509NameBuilder::new().unwrap();
            // UTF8String as given: no length or character checks, as a hostile CA would do.
            if let Some(organization) = leaf.organization {
                name.append_entry_by_nid_with_type(
                    Nid::ORGANIZATIONNAME,
                    organization,
                    Asn1Type::UTF8STRING,
                )
                .unwrap();
            }
            name.append_entry_by_nid_with_type(
                Nid::COMMONNAME,
                leaf.common_name,
                Asn1Type::UTF8STRING,
            )
            .unwrap();
            let name = name.build();
            let mut builder = builder(&name, &leaf_key, 2);
            builder.set_issuer_name(root.subject_name()).unwrap();
            builder
                .append_extension(BasicConstraints::new().build().unwrap())
                .unwrap();
            builder
                .append_extension(
                    KeyUsage::new()
                        .critical()
                        .digital_signature()
                        .non_repudiation()
                        .build()
                        .unwrap(),
                )
                .unwrap();
            let access: Vec<String> = leaf
                .ocsp
                .iter()
                .map(|url| format!("OCSP;URI:{url}"))
                .chain(
                    leaf.ca_issuers
                        .iter()
                        .map(|url| format!("caIssuers;URI:{url}")),
                )
                .collect();
            if !access.is_empty() {
                let extension = X509Extension::new_nid(
                    None,
                    Some(&builder.x509v3_context(Some(&root), None)),
                    Nid::INFO_ACCESS,
                    &access.join(","),
                )
                .unwrap();
                builder.append_extension(extension).unwrap();
            }
            if !leaf.crls.is_empty() {
                let points: Vec<String> =
                    leaf.crls.iter().map(|url| format!("URI:{url}")).collect();
                let extension = X509Extension::new_nid(
                    None,
                    Some(&builder.x509v3_context(Some(&root), None)),
                    Nid::CRL_DISTRIBUTION_POINTS,
                    &points.join(","),
                )
                .unwrap();
                builder.append_extension(extension).unwrap();
            }
            builder.sign(&root_key, MessageDigest::sha256()).unwrap();
            builder.build()
        };
        let root_pem = dir.join("throwaway-root.pem");
        std::fs::write(&root_pem, root.to_pem().unwrap()).unwrap();
        let mut chain = Stack::new().unwrap();
        chain.push(root).unwrap();
        let p12 = Pkcs12::builder()
            .name("throwaway")
            .pkey(&leaf_key)
            .cert(&certificate)
            .ca(chain)
            .build2(PASSPHRASE)
            .unwrap();
        let p12_path = dir.join("throwaway.p12");
        std::fs::write(&p12_path, p12.to_der().unwrap()).unwrap();
        Self {
            root_pem,
            p12: p12_path,
        }
    }

    /// `classic.pdf` sealed (B-B) with the leaf's key into `output`.
    pub fn seal(&self, output: &Path) {
        let credential = software::load_pkcs12(
            &self.p12,
            &Pin::new(PASSPHRASE.into()),
            software::Options::default(),
        )
        .unwrap();
        let request = sign::Request {
            accept_other_kind: true,
            ..support::request(Kind::Seal)
        };
        sign::sign_pdf(
            &support::pdf("classic.pdf"),
            output,
            &credential,
            &request,
            false,
        )
        .unwrap();
    }

    pub fn trust(&self) -> trust::Store {
        let mut store = trust::Store::new();
        store.add_file(&self.root_pem).unwrap();
        store
    }
}

fn key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

fn builder(subject: &openssl::x509::X509NameRef, key: &PKey<Private>, serial: u32) -> X509Builder {
    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    let serial = Asn1Integer::from_bn(&BigNum::from_u32(serial).unwrap()).unwrap();
    builder.set_serial_number(&serial).unwrap();
    builder.set_subject_name(subject).unwrap();
    builder.set_pubkey(key).unwrap();
    builder
        .set_not_before(&Asn1Time::from_str("20200101000000Z").unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::from_str("20491231235959Z").unwrap())
        .unwrap();
    builder
}
