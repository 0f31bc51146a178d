//! The Document Security Store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): validation
//! data (certificates, OCSP responses, CRLs) appended to the document as an incremental update.

use std::collections::HashSet;
use std::io::{Read, Seek};

use lopdf::{Dictionary, Object, Stream};

use super::update::Update;
use super::{Error, File};

/// Validation data to add; each entry is one DER object.
#[derive(Clone, Debug, Default)]
pub struct Material {
    pub certificates: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

impl Material {
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.ocsps.is_empty() && self.crls.is_empty()
    }
}

/// Builds the incremental update that adds `material` to the document's `/DSS` (creating it
/// if needed), keeping what is there and skipping exact duplicates. Returns the bytes to
/// append to the file.
pub fn append<R: Read + Seek>(file: &mut File<R>, material: &Material) -> Result<Vec<u8>, Error> {
    let mut update = Update::new(file);
    let (catalog_id, mut catalog) = file.catalog()?;
    let (dss_id, mut dss) = match catalog.get(b"DSS") {
        Ok(Object::Reference(id)) => (Some(*id), file.dictionary(&Object::Reference(*id))?),
        Ok(Object::Dictionary(dict)) => (None, dict.clone()),
        _ => (None, Dictionary::new()),
    };
    for (key, items) in [
        (b"Certs".as_slice(), &material.certificates),
        (b"OCSPs", &material.ocsps),
        (b"CRLs", &material.crls),
    ] {
        if items.is_empty() {
            continue;
        }
        let mut array = match dss.get(key) {
            Ok(existing) => match file.resolve(existing)? {
                Object::Array(array) => array,
                _ => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        let mut present = HashSet::new();
        for reference in &array {
            if let Ok(Object::Stream(stream)) = file.resolve(reference) {
                present.insert(
                    file.decoded(&stream)
                        .unwrap_or_else(|| stream.content.clone()),
                );
            }
        }
        for item in items {
            if present.insert(item.clone()) {
                let id = update.allocate();
                update.set(
                    id,
                    Object::Stream(Stream::new(Dictionary::new(), item.clone())),
                );
                array.push(Object::Reference(id));
            }
        }
        dss.set(key.to_vec(), Object::Array(array));
    }
    match dss_id {
        Some(id) => update.set(id, Object::Dictionary(dss)),
        None => {
            let id = update.allocate();
            update.set(id, Object::Dictionary(dss));
            catalog.set("DSS", Object::Reference(id));
            update.set(catalog_id, Object::Dictionary(catalog));
        }
    }
    Ok(update.write()?.bytes)
}
