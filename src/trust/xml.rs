//! A small, hardened XML reader for signed trusted lists (XML 1.0 with Namespaces in XML):
//! it reads the whole document into a tree that signature verification (W3C XML-DSig) and the
//! ETSI TS 119 612 parser then share, so what is verified is what is read.
//!
//! Trusted lists are downloaded from servers named in other documents, so everything a list
//! could use to make a reader do more than read is refused rather than limited:
//! - a document type declaration (`<!DOCTYPE`), and with it every entity declaration: no
//!   external entities (XXE) and no entity expansion (billion laughs);
//! - any entity reference but the five predefined ones and character references;
//! - encodings other than UTF-8 (TS 119 612 §5.1.2 asks for UTF-8);
//! - documents, nesting, node counts and attribute counts beyond the named limits.
//!
//! Comments are dropped while reading: canonical XML without comments (the only form the
//! lists' signatures use) never sees them.

pub mod c14n;

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::events::attributes::Attribute as RawAttribute;

/// The largest document read. The biggest national lists are a few MiB; 64 MiB leaves room
/// for growth and still bounds what one download can make us hold.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;
/// Element nesting. Trusted lists nest about 12 deep (signature objects a little more).
pub const MAX_DEPTH: usize = 64;
/// Elements, text nodes and processing instructions together. A 2 MiB national list has about
/// 60 000; this leaves room for the largest lists and bounds the tree's memory.
pub const MAX_NODES: usize = 4_000_000;
/// Attributes (namespace declarations included) on one element.
pub const MAX_ATTRIBUTES: usize = 64;

/// The namespace of the `xml:` prefix, bound without declaration (Namespaces in XML §3).
pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// An index into [`Document::nodes`].
pub type NodeId = u32;

/// An index into the document's namespace table; [`NO_NAMESPACE`] is "none".
pub type NamespaceId = u32;
pub const NO_NAMESPACE: NamespaceId = 0;

/// A parsed document: a tree of nodes in document order, with namespaces resolved.
#[derive(Debug)]
pub struct Document {
    nodes: Vec<Node>,
    /// Interned namespace names; index 0 is the empty name (no namespace).
    namespaces: Vec<Box<str>>,
    root: NodeId,
    /// Processing instructions before and after the document element (canonical XML writes
    /// them, with line breaks between).
    before: Vec<NodeId>,
    after: Vec<NodeId>,
}

#[derive(Debug)]
pub enum Node {
    Element(Element),
    Text(Box<str>),
    Instruction { target: Box<str>, data: Box<str> },
}

#[derive(Debug)]
pub struct Element {
    pub prefix: Option<Box<str>>,
    pub local: Box<str>,
    pub namespace: NamespaceId,
    pub attributes: Vec<Attribute>,
    /// `xmlns` (prefix `None`) and `xmlns:p` declarations made on this element, in document
    /// order; [`NO_NAMESPACE`] for `xmlns=""`.
    pub declarations: Vec<(Option<Box<str>>, NamespaceId)>,
    pub children: Vec<NodeId>,
    pub parent: Option<NodeId>,
}

#[derive(Debug)]
pub struct Attribute {
    pub prefix: Option<Box<str>>,
    pub local: Box<str>,
    pub namespace: NamespaceId,
    /// The normalised value (XML 1.0 §3.3.3, references resolved).
    pub value: Box<str>,
}

impl Document {
    /// Reads `bytes` under the limits above. A UTF-8 byte order mark is skipped.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(Error::TooLarge {
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| Error::Encoding(e.to_string()))?;
        Builder::new().read(text)
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match self.node(id) {
            Some(Node::Element(element)) => Some(element),
            _ => None,
        }
    }

    /// The namespace name behind an id ("" for none).
    pub fn namespace(&self, id: NamespaceId) -> &str {
        self.namespaces.get(id as usize).map_or("", |n| n)
    }

    /// Every node id, in document order (elements before their content).
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len()).filter_map(|i| NodeId::try_from(i).ok())
    }

    pub(crate) fn before_root(&self) -> &[NodeId] {
        &self.before
    }

    pub(crate) fn after_root(&self) -> &[NodeId] {
        &self.after
    }

    /// A cursor on the document element.
    pub fn root_element(&self) -> Option<El<'_>> {
        self.el(self.root)
    }

    /// A cursor on element `id`, if it is one.
    pub fn el(&self, id: NodeId) -> Option<El<'_>> {
        self.element(id).map(|element| El {
            document: self,
            id,
            element,
        })
    }
}

/// A read-only cursor on one element, for the parsers above this module.
#[derive(Clone, Copy, Debug)]
pub struct El<'d> {
    document: &'d Document,
    id: NodeId,
    element: &'d Element,
}

impl<'d> El<'d> {
    pub fn id(self) -> NodeId {
        self.id
    }

    pub fn document(self) -> &'d Document {
        self.document
    }

    fn element(self) -> &'d Element {
        self.element
    }

    pub fn local_name(self) -> &'d str {
        &self.element().local
    }

    pub fn namespace(self) -> &'d str {
        self.document.namespace(self.element().namespace)
    }

    /// Whether this is `{namespace}local`.
    pub fn is(self, namespace: &str, local: &str) -> bool {
        self.local_name() == local && self.namespace() == namespace
    }

    /// The child elements, in order.
    pub fn children(self) -> impl Iterator<Item = El<'d>> + 'd {
        let document = self.document;
        self.element()
            .children
            .iter()
            .filter_map(move |&id| document.el(id))
    }

    /// The child elements named `{namespace}local`.
    pub fn children_named(
        self,
        namespace: &'d str,
        local: &'d str,
    ) -> impl Iterator<Item = El<'d>> + 'd {
        self.children().filter(move |c| c.is(namespace, local))
    }

    /// The first child element named `{namespace}local`.
    pub fn child(self, namespace: &str, local: &str) -> Option<El<'d>> {
        self.children().find(|c| c.is(namespace, local))
    }

    /// Follows a path of child names in one namespace.
    pub fn path(self, namespace: &str, names: &[&str]) -> Option<El<'d>> {
        names
            .iter()
            .try_fold(self, |at, name| at.child(namespace, name))
    }

    /// The text directly inside, trimmed (character data of child text nodes).
    pub fn text(self) -> String {
        let mut text = String::new();
        for &id in &self.element().children {
            if let Some(Node::Text(t)) = self.document.node(id) {
                text.push_str(t);
            }
        }
        let trimmed = text.trim();
        if trimmed.len() == text.len() {
            text
        } else {
            trimmed.to_owned()
        }
    }

    /// An attribute without namespace, e.g. `Id`, `URI`, `Algorithm`.
    pub fn attribute(self, local: &str) -> Option<&'d str> {
        self.element()
            .attributes
            .iter()
            .find(|a| a.namespace == NO_NAMESPACE && &*a.local == local)
            .map(|a| &*a.value)
    }

    /// An attribute in a namespace, e.g. `xml:lang`.
    pub fn attribute_ns(self, namespace: &str, local: &str) -> Option<&'d str> {
        self.element()
            .attributes
            .iter()
            .find(|a| &*a.local == local && self.document.namespace(a.namespace) == namespace)
            .map(|a| &*a.value)
    }

    pub fn parent(self) -> Option<El<'d>> {
        self.element().parent.and_then(|p| self.document.el(p))
    }

    /// Every element below this one, in document order.
    pub fn descendants(self) -> Vec<El<'d>> {
        let mut found = Vec::new();
        let mut stack: Vec<El<'d>> = self.children().collect();
        stack.reverse();
        while let Some(next) = stack.pop() {
            found.push(next);
            let mut children: Vec<El<'d>> = next.children().collect();
            children.reverse();
            stack.extend(children);
        }
        found
    }
}

/// Builds a [`Document`] from quick-xml's events, checking as it goes.
struct Builder {
    nodes: Vec<Node>,
    namespaces: Vec<Box<str>>,
    interned: HashMap<Box<str>, NamespaceId>,
    /// Open elements, innermost last.
    open: Vec<NodeId>,
    /// Namespace bindings in scope: (prefix, namespace), innermost last; with the number of
    /// bindings each open element added.
    scope: Vec<(Option<Box<str>>, NamespaceId)>,
    added: Vec<usize>,
    /// Character data collected for the current text node.
    text: String,
    root: Option<NodeId>,
    before: Vec<NodeId>,
    after: Vec<NodeId>,
}

impl Builder {
    fn new() -> Self {
        let mut builder = Self {
            nodes: Vec::new(),
            namespaces: vec!["".into()],
            interned: HashMap::new(),
            open: Vec::new(),
            scope: Vec::new(),
            added: Vec::new(),
            text: String::new(),
            root: None,
            before: Vec::new(),
            after: Vec::new(),
        };
        let xml = builder.intern(XML_NAMESPACE);
        builder.scope.push((Some("xml".into()), xml));
        builder
    }

    fn read(mut self, text: &str) -> Result<Document, Error> {
        let mut reader = quick_xml::Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        let mut first = true;
        loop {
            let position = reader.buffer_position();
            let event = reader
                .read_event()
                .map_err(|e| Error::NotWellFormed(format!("at byte {position}: {e}")))?;
            let was_first = std::mem::replace(&mut first, false);
            match event {
                Event::Decl(declaration) => {
                    if !was_first {
                        return Err(Error::NotWellFormed(
                            "an XML declaration after the start of the document".into(),
                        ));
                    }
                    check_declaration(&declaration)?;
                }
                Event::DocType(_) => return Err(Error::Dtd),
                Event::Start(start) => {
                    let id = self.start(&start)?;
                    self.open.push(id);
                }
                Event::Empty(start) => {
                    self.start(&start)?;
                    self.end_element();
                }
                Event::End(_) => {
                    self.flush_text()?;
                    self.open.pop();
                    self.end_element();
                }
                Event::Text(text) => {
                    let content = text.xml10_content();
                    check_characters(&content)?;
                    self.text.push_str(&content);
                }
                Event::CData(data) => {
                    let content = data.xml10_content();
                    check_characters(&content)?;
                    self.text.push_str(&content);
                }
                Event::GeneralRef(reference) => {
                    let character = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => match predefined(&reference) {
                            Some(c) => c,
                            None => return Err(Error::Entity(reference.to_string())),
                        },
                        Err(e) => return Err(Error::NotWellFormed(e.to_string())),
                    };
                    check_characters(character.encode_utf8(&mut [0; 4]))?;
                    self.text.push(character);
                }
                Event::Comment(_) => {
                    // Dropped: canonical XML without comments. Text on both sides joins, as
                    // it does in the canonical form.
                }
                Event::PI(instruction) => {
                    self.flush_text()?;
                    let target = instruction.target().to_owned();
                    if target.eq_ignore_ascii_case("xml") {
                        return Err(Error::NotWellFormed(
                            "a processing instruction named xml".into(),
                        ));
                    }
                    let data = instruction.content().trim_start().to_owned();
                    let id = self.push(Node::Instruction {
                        target: target.into(),
                        data: normalize_line_ends(&data).into(),
                    })?;
                    match (self.open.last(), self.root) {
                        (Some(&parent), _) => self.adopt(parent, id),
                        (None, None) => self.before.push(id),
                        (None, Some(_)) => self.after.push(id),
                    }
                }
                Event::Eof => break,
            }
        }
        if !self.open.is_empty() {
            return Err(Error::NotWellFormed(
                "the document ends inside an element".into(),
            ));
        }
        let root = self
            .root
            .ok_or_else(|| Error::NotWellFormed("no document element".into()))?;
        Ok(Document {
            nodes: self.nodes,
            namespaces: self.namespaces,
            root,
            before: self.before,
            after: self.after,
        })
    }

    fn intern(&mut self, namespace: &str) -> NamespaceId {
        if namespace.is_empty() {
            return NO_NAMESPACE;
        }
        if let Some(&id) = self.interned.get(namespace) {
            return id;
        }
        let id = NamespaceId::try_from(self.namespaces.len()).unwrap_or(NamespaceId::MAX);
        self.namespaces.push(namespace.into());
        self.interned.insert(namespace.into(), id);
        id
    }

    fn push(&mut self, node: Node) -> Result<NodeId, Error> {
        if self.nodes.len() >= MAX_NODES {
            return Err(Error::TooManyNodes { limit: MAX_NODES });
        }
        let id = NodeId::try_from(self.nodes.len())
            .map_err(|_| Error::TooManyNodes { limit: MAX_NODES })?;
        self.nodes.push(node);
        Ok(id)
    }

    fn adopt(&mut self, parent: NodeId, child: NodeId) {
        if let Some(Node::Element(element)) = self.nodes.get_mut(parent as usize) {
            element.children.push(child);
        }
    }

    /// Ends the current text node: text outside the document element must be white space.
    fn flush_text(&mut self) -> Result<(), Error> {
        if self.text.is_empty() {
            return Ok(());
        }
        let text = std::mem::take(&mut self.text);
        match self.open.last().copied() {
            Some(parent) => {
                let id = self.push(Node::Text(text.into()))?;
                self.adopt(parent, id);
            }
            None if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => {}
            None => {
                return Err(Error::NotWellFormed(
                    "text outside the document element".into(),
                ));
            }
        }
        Ok(())
    }

    fn start(&mut self, start: &quick_xml::events::BytesStart<'_>) -> Result<NodeId, Error> {
        self.flush_text()?;
        if self.open.len() >= MAX_DEPTH {
            return Err(Error::TooDeep { limit: MAX_DEPTH });
        }
        if self.open.is_empty() && self.root.is_some() {
            return Err(Error::NotWellFormed(
                "a second element at the top level".into(),
            ));
        }
        let mut declarations = Vec::new();
        let mut raw = Vec::new();
        for (count, attribute) in start.attributes().with_checks(true).enumerate() {
            if count >= MAX_ATTRIBUTES {
                return Err(Error::TooManyAttributes {
                    limit: MAX_ATTRIBUTES,
                });
            }
            let attribute = attribute.map_err(|e| Error::NotWellFormed(e.to_string()))?;
            let name = attribute.key.as_ref().to_owned();
            let value = attribute_value(&attribute)?;
            if name == "xmlns" {
                let namespace = self.intern(&value);
                declarations.push((None, namespace));
            } else if let Some(prefix) = name.strip_prefix("xmlns:") {
                if value.is_empty() {
                    // Namespaces in XML 1.0 §3: a prefix cannot be undeclared.
                    return Err(Error::NotWellFormed(format!(
                        "the prefix {prefix} is bound to no namespace"
                    )));
                }
                let namespace = self.intern(&value);
                declarations.push((Some(Box::<str>::from(prefix)), namespace));
            } else {
                raw.push((name, value));
            }
        }
        self.added.push(declarations.len());
        self.scope.extend(declarations.iter().cloned());

        let qname = start.name();
        let (prefix, local) = split_name(qname.as_ref())?;
        let namespace = self.resolve(prefix)?;
        let mut attributes = Vec::with_capacity(raw.len());
        for (name, value) in raw {
            let (prefix, local) = split_name(&name)?;
            // Unprefixed attributes are in no namespace (Namespaces in XML §6.2).
            let namespace = match prefix {
                Some(_) => self.resolve(prefix)?,
                None => NO_NAMESPACE,
            };
            if attributes
                .iter()
                .any(|a: &Attribute| &*a.local == local && a.namespace == namespace)
            {
                return Err(Error::NotWellFormed(format!(
                    "the attribute {local} appears twice in one namespace"
                )));
            }
            attributes.push(Attribute {
                prefix: prefix.map(Into::into),
                local: local.into(),
                namespace,
                value: value.into(),
            });
        }
        let parent = self.open.last().copied();
        let id = self.push(Node::Element(Element {
            prefix: prefix.map(Into::into),
            local: local.into(),
            namespace,
            attributes,
            declarations,
            children: Vec::new(),
            parent,
        }))?;
        match parent {
            Some(parent) => self.adopt(parent, id),
            None => self.root = Some(id),
        }
        Ok(id)
    }

    /// Leaves an element's namespace scope.
    fn end_element(&mut self) {
        let added = self.added.pop().unwrap_or(0);
        self.scope.truncate(self.scope.len().saturating_sub(added));
    }

    fn resolve(&self, prefix: Option<&str>) -> Result<NamespaceId, Error> {
        let found = self
            .scope
            .iter()
            .rev()
            .find(|(p, _)| p.as_deref() == prefix)
            .map(|(_, n)| *n);
        match (found, prefix) {
            (Some(namespace), _) => Ok(namespace),
            (None, None) => Ok(NO_NAMESPACE),
            (None, Some(prefix)) => Err(Error::NotWellFormed(format!(
                "the prefix {prefix} is not declared"
            ))),
        }
    }
}

/// `p:local` into its parts; more than one colon is not a namespace-well-formed name.
fn split_name(name: &str) -> Result<(Option<&str>, &str), Error> {
    match name.split_once(':') {
        None if !name.is_empty() => Ok((None, name)),
        Some((prefix, local))
            if !prefix.is_empty() && !local.is_empty() && !local.contains(':') =>
        {
            Ok((Some(prefix), local))
        }
        _ => Err(Error::NotWellFormed(format!(
            "the name {name:?} is not valid"
        ))),
    }
}

/// An attribute's value normalised per XML 1.0 §3.3.3 (CDATA: every literal white space
/// character becomes a space; character references keep theirs), with only the predefined
/// entities resolved.
fn attribute_value(attribute: &RawAttribute<'_>) -> Result<String, Error> {
    let raw: &str = &attribute.value;
    let mut value = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(position) = rest.find(['&', '<', '\t', '\n', '\r']) {
        value.push_str(&rest[..position]);
        let tail = &rest[position..];
        match tail.as_bytes()[0] {
            b'<' => {
                return Err(Error::NotWellFormed("'<' in an attribute value".into()));
            }
            b'&' => {
                let end = tail
                    .find(';')
                    .ok_or_else(|| Error::NotWellFormed("an unterminated reference".into()))?;
                let name = &tail[1..end];
                let character = if let Some(number) = name.strip_prefix('#') {
                    char_reference(number)?
                } else {
                    predefined(name).ok_or_else(|| Error::Entity(name.to_owned()))?
                };
                value.push(character);
                rest = &tail[end + 1..];
                continue;
            }
            b'\r' => {
                // A line end (\r\n or \r) is one character before normalisation.
                value.push(' ');
                rest = tail.strip_prefix("\r\n").unwrap_or(&tail[1..]);
                continue;
            }
            _ => value.push(' '),
        }
        rest = &tail[1..];
    }
    value.push_str(rest);
    check_characters(&value)?;
    Ok(value)
}

fn char_reference(number: &str) -> Result<char, Error> {
    let code = match number.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => number.parse::<u32>(),
    }
    .map_err(|_| Error::NotWellFormed(format!("the character reference &#{number}; is invalid")))?;
    char::from_u32(code)
        .filter(|c| is_xml_char(*c))
        .ok_or_else(|| Error::NotWellFormed(format!("&#{number}; is not an XML character")))
}

/// The five entities XML predefines (§4.6); every other one would need a DTD.
fn predefined(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// XML 1.0 §2.2 `Char`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn check_characters(text: &str) -> Result<(), Error> {
    match text.chars().find(|c| !is_xml_char(*c)) {
        Some(c) => Err(Error::NotWellFormed(format!(
            "the character U+{:04X} is not allowed in XML",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// XML 1.0 §2.11: `\r\n` and a lone `\r` are read as `\n`.
fn normalize_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Version 1.0 (1.1 has other rules for line ends and characters) and UTF-8.
fn check_declaration(declaration: &quick_xml::events::BytesDecl<'_>) -> Result<(), Error> {
    let version = declaration
        .version()
        .map_err(|e| Error::NotWellFormed(e.to_string()))?;
    if version.as_ref() != "1.0" {
        return Err(Error::NotWellFormed(format!(
            "XML version {version} (only 1.0 is read)"
        )));
    }
    if let Some(encoding) = declaration.encoding() {
        let encoding = encoding.map_err(|e| Error::NotWellFormed(e.to_string()))?;
        let name: &str = &encoding;
        if !name.eq_ignore_ascii_case("utf-8") && !name.eq_ignore_ascii_case("utf8") {
            return Err(Error::Encoding(format!(
                "declared as {name}; trusted lists are UTF-8"
            )));
        }
    }
    Ok(())
}

/// Why a document was not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not well-formed XML: {0}")]
    NotWellFormed(String),
    #[error("not UTF-8: {0}")]
    Encoding(String),
    #[error("the document has a document type declaration (DTD), which is refused")]
    Dtd,
    #[error(
        "the document refers to the entity &{0}; which is refused (only the predefined entities are read)"
    )]
    Entity(String),
    #[error("the document is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("elements nest deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("the document has more than {limit} nodes")]
    TooManyNodes { limit: usize },
    #[error("an element has more than {limit} attributes")]
    TooManyAttributes { limit: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_text_and_attributes() {
        let document = Document::parse(
            b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:a\" xmlns:b=\"urn:b\" b:x=\"1&#10;2\n3\" y='&lt;&amp;'><b:c>t&amp;<!-- c -->u<![CDATA[<v>]]></b:c></a>",
        )
        .unwrap();
        let root = document.root_element().unwrap();
        assert!(root.is("urn:a", "a"));
        assert_eq!(root.attribute_ns("urn:b", "x"), Some("1\n2 3"));
        assert_eq!(root.attribute("y"), Some("<&"));
        let c = root.child("urn:b", "c").unwrap();
        assert_eq!(c.text(), "t&u<v>");
    }

    type Case = (&'static [u8], fn(&Error) -> bool);

    #[test]
    fn refuses_what_could_make_a_reader_do_more_than_read() {
        let cases: [Case; 9] = [
            (
                b"<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
                |e| *e == Error::Dtd,
            ),
            (
                b"<!DOCTYPE a [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><a>&b;</a>",
                |e| *e == Error::Dtd,
            ),
            (b"<a>&x;</a>", |e| matches!(e, Error::Entity(_))),
            (b"<a b=\"&x;\"/>", |e| matches!(e, Error::Entity(_))),
            (b"<a><b></a>", |e| matches!(e, Error::NotWellFormed(_))),
            (b"<a/><b/>", |e| matches!(e, Error::NotWellFormed(_))),
            (b"<p:a/>", |e| matches!(e, Error::NotWellFormed(_))),
            (
                b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
                |e| matches!(e, Error::Encoding(_)),
            ),
            (b"<a>\x01</a>", |e| matches!(e, Error::NotWellFormed(_))),
        ];
        for (input, expected) in cases {
            let error = Document::parse(input).unwrap_err();
            assert!(
                expected(&error),
                "{}: {error}",
                String::from_utf8_lossy(input)
            );
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(matches!(
            Document::parse(deep.as_bytes()),
            Err(Error::TooDeep { .. })
        ));
        let many = format!(
            "<a {}/>",
            (0..=MAX_ATTRIBUTES)
                .map(|i| format!("a{i}=\"\""))
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(matches!(
            Document::parse(many.as_bytes()),
            Err(Error::TooManyAttributes { .. })
        ));
        assert!(matches!(
            Document::parse(b"<a x:y=\"1\" xmlns:x=\"urn:x\" xmlns:z=\"urn:x\" z:y=\"2\"/>"),
            Err(Error::NotWellFormed(_))
        ));
    }
}
