//! Canonical XML without comments, inclusive (W3C Canonical XML 1.0) and exclusive (W3C
//! Exclusive XML Canonicalization 1.0), for the two node sets an enveloped list signature
//! needs: the whole document less one element (the signature), and one element's subtree
//! (`SignedInfo`, XAdES `SignedProperties`).
//!
//! Comments never reach here ([`super::Document`] drops them). Output goes to a [`Sink`], so
//! a digest can be computed without holding the canonical form.

use super::{Document, NO_NAMESPACE, NamespaceId, Node, NodeId, XML_NAMESPACE};

/// The canonicalisation algorithms (their XML-DSig URIs in [`Method::from_uri`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`
    Inclusive,
    /// `http://www.w3.org/2001/10/xml-exc-c14n#`, with the `InclusiveNamespaces PrefixList`
    /// prefixes (`#default` for the default namespace) treated inclusively.
    Exclusive { inclusive_prefixes: Vec<String> },
}

pub const INCLUSIVE: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
pub const EXCLUSIVE: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

impl Method {
    /// The method for an algorithm URI; the `#WithComments` variants are not offered (no list
    /// signs its comments).
    pub fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            INCLUSIVE => Some(Self::Inclusive),
            EXCLUSIVE => Some(Self::Exclusive {
                inclusive_prefixes: Vec::new(),
            }),
            _ => None,
        }
    }
}

/// Where canonical bytes go.
pub trait Sink {
    fn write(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for crate::algorithm::Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// What is canonicalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subset {
    /// The whole document without `excluded` and its subtree (the enveloped-signature
    /// transform).
    Document { excluded: Option<NodeId> },
    /// One element and everything below it, in the context of its ancestors.
    Element(NodeId),
    /// The document element without `excluded` and its subtree: an enveloped signature whose
    /// reference names the document element by its `Id` rather than `URI=""`.
    EnvelopedElement { apex: NodeId, excluded: NodeId },
}

/// Writes the canonical form of `subset` to `sink`.
pub fn canonicalize(document: &Document, subset: Subset, method: &Method, sink: &mut dyn Sink) {
    let mut writer = Writer {
        document,
        method,
        sink,
        scope: Vec::new(),
        rendered: Vec::new(),
        excluded: None,
    };
    match subset {
        Subset::Document { excluded } => {
            writer.excluded = excluded;
            for &id in document.before_root() {
                writer.node(id, false);
                writer.sink.write(b"\n");
            }
            writer.node(document.root(), true);
            for &id in document.after_root() {
                writer.sink.write(b"\n");
                writer.node(id, false);
            }
        }
        Subset::Element(apex) | Subset::EnvelopedElement { apex, .. } => {
            if let Subset::EnvelopedElement { excluded, .. } = subset {
                writer.excluded = Some(excluded);
            }
            // The ancestors' namespace bindings are in scope at the apex (they are its
            // namespace nodes), though none of the ancestors is output.
            let mut ancestors = Vec::new();
            let mut current = document.element(apex).and_then(|e| e.parent);
            while let Some(id) = current {
                ancestors.push(id);
                current = document.element(id).and_then(|e| e.parent);
            }
            for &id in ancestors.iter().rev() {
                if let Some(element) = document.element(id) {
                    writer
                        .scope
                        .extend(element.declarations.iter().map(|(p, n)| (p.as_deref(), *n)));
                }
            }
            let inherited = if matches!(method, Method::Inclusive) {
                inherited_xml_attributes(document, &ancestors)
            } else {
                Vec::new()
            };
            writer.element(apex, &inherited);
        }
    }
}

/// Canonical XML 1.0 §2.4: the `xml:` attributes of the nearest ancestors (not in the node
/// set) are copied onto the apex.
fn inherited_xml_attributes<'d>(
    document: &'d Document,
    ancestors: &[NodeId],
) -> Vec<(&'d str, &'d str)> {
    let mut found: Vec<(&str, &str)> = Vec::new();
    for &id in ancestors {
        let Some(element) = document.element(id) else {
            continue;
        };
        for attribute in &element.attributes {
            if document.namespace(attribute.namespace) == XML_NAMESPACE
                && !found.iter().any(|(name, _)| *name == &*attribute.local)
            {
                found.push((&attribute.local, &attribute.value));
            }
        }
    }
    found
}

struct Writer<'d, 's> {
    document: &'d Document,
    method: &'s Method,
    sink: &'s mut dyn Sink,
    /// Namespace bindings in scope, innermost last.
    scope: Vec<(Option<&'d str>, NamespaceId)>,
    /// Namespace declarations written by the output ancestors, innermost last.
    rendered: Vec<(Option<&'d str>, NamespaceId)>,
    excluded: Option<NodeId>,
}

impl<'d> Writer<'d, '_> {
    fn node(&mut self, id: NodeId, _root: bool) {
        match self.document.node(id) {
            Some(Node::Element(_)) => self.element(id, &[]),
            Some(Node::Text(text)) => escape_text(self.sink, text),
            Some(Node::Instruction { target, data }) => {
                self.sink.write(b"<?");
                self.sink.write(target.as_bytes());
                if !data.is_empty() {
                    self.sink.write(b" ");
                    self.sink.write(data.as_bytes());
                }
                self.sink.write(b"?>");
            }
            None => {}
        }
    }

    fn element(&mut self, id: NodeId, inherited: &[(&'d str, &'d str)]) {
        if Some(id) == self.excluded {
            return;
        }
        let document = self.document;
        let Some(element) = document.element(id) else {
            return;
        };
        let scope_mark = self.scope.len();
        self.scope
            .extend(element.declarations.iter().map(|(p, n)| (p.as_deref(), *n)));
        let rendered_mark = self.rendered.len();

        // Which prefixes may need a declaration here.
        let mut prefixes: Vec<Option<&'d str>> = Vec::new();
        match self.method {
            Method::Inclusive => {
                for (prefix, _) in &self.scope {
                    if !prefixes.contains(prefix) {
                        prefixes.push(*prefix);
                    }
                }
            }
            Method::Exclusive { inclusive_prefixes } => {
                // Visibly utilised: the element's own prefix (or the default namespace) and
                // its attributes' prefixes (Exclusive C14N §3).
                prefixes.push(element.prefix.as_deref());
                for attribute in &element.attributes {
                    if attribute.prefix.is_some()
                        && !prefixes.contains(&attribute.prefix.as_deref())
                    {
                        prefixes.push(attribute.prefix.as_deref());
                    }
                }
                for name in inclusive_prefixes {
                    let prefix = if name == "#default" {
                        None
                    } else {
                        Some(name.as_str())
                    };
                    if let Some(found) = self.scope.iter().find(|(p, _)| *p == prefix)
                        && !prefixes.contains(&found.0)
                    {
                        prefixes.push(found.0);
                    }
                }
            }
        }
        let mut declarations: Vec<(Option<&'d str>, NamespaceId)> = Vec::new();
        for prefix in prefixes {
            if prefix == Some("xml") {
                continue;
            }
            let bound = self
                .scope
                .iter()
                .rev()
                .find(|(p, _)| *p == prefix)
                .map_or(NO_NAMESPACE, |(_, n)| *n);
            let shown = self
                .rendered
                .iter()
                .rev()
                .find(|(p, _)| *p == prefix)
                .map_or(NO_NAMESPACE, |(_, n)| *n);
            if bound != shown {
                declarations.push((prefix, bound));
            }
        }
        // Default namespace first, then by prefix.
        declarations.sort_by(|a, b| a.0.cmp(&b.0));
        self.rendered.extend(declarations.iter().copied());

        let mut attributes: Vec<(&str, &str, &str, &str)> = element
            .attributes
            .iter()
            .map(|a| {
                (
                    document.namespace(a.namespace),
                    &*a.local,
                    a.prefix.as_deref().unwrap_or(""),
                    &*a.value,
                )
            })
            .collect();
        for (local, value) in inherited {
            if !attributes
                .iter()
                .any(|(ns, l, _, _)| *ns == XML_NAMESPACE && l == local)
            {
                attributes.push((XML_NAMESPACE, local, "xml", value));
            }
        }
        // By namespace name, then local name; attributes in no namespace first.
        attributes.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));

        let sink = &mut *self.sink;
        sink.write(b"<");
        write_qname(sink, element.prefix.as_deref(), &element.local);
        for (prefix, namespace) in &declarations {
            match prefix {
                Some(prefix) => {
                    sink.write(b" xmlns:");
                    sink.write(prefix.as_bytes());
                }
                None => sink.write(b" xmlns"),
            }
            sink.write(b"=\"");
            escape_attribute(sink, document.namespace(*namespace));
            sink.write(b"\"");
        }
        for (_, local, prefix, value) in &attributes {
            sink.write(b" ");
            write_qname(sink, (!prefix.is_empty()).then_some(*prefix), local);
            sink.write(b"=\"");
            escape_attribute(sink, value);
            sink.write(b"\"");
        }
        sink.write(b">");
        for &child in &element.children {
            self.node(child, false);
        }
        let sink = &mut *self.sink;
        sink.write(b"</");
        write_qname(sink, element.prefix.as_deref(), &element.local);
        sink.write(b">");
        self.scope.truncate(scope_mark);
        self.rendered.truncate(rendered_mark);
    }
}

fn write_qname(sink: &mut dyn Sink, prefix: Option<&str>, local: &str) {
    if let Some(prefix) = prefix {
        sink.write(prefix.as_bytes());
        sink.write(b":");
    }
    sink.write(local.as_bytes());
}

/// Canonical XML §2.3: text nodes.
fn escape_text(sink: &mut dyn Sink, text: &str) {
    escape(sink, text, |c| match c {
        b'&' => Some(b"&amp;".as_slice()),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    });
}

/// Canonical XML §2.3: attribute values.
fn escape_attribute(sink: &mut dyn Sink, value: &str) {
    escape(sink, value, |c| match c {
        b'&' => Some(b"&amp;".as_slice()),
        b'<' => Some(b"&lt;"),
        b'"' => Some(b"&quot;"),
        b'\t' => Some(b"&#x9;"),
        b'\n' => Some(b"&#xA;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    });
}

fn escape(sink: &mut dyn Sink, text: &str, replacement: fn(u8) -> Option<&'static [u8]>) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if let Some(with) = replacement(byte) {
            sink.write(&bytes[start..index]);
            sink.write(with);
            start = index + 1;
        }
    }
    sink.write(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, subset: impl Fn(&Document) -> Subset, method: Method) -> String {
        let document = Document::parse(xml.as_bytes()).unwrap();
        let mut out = Vec::new();
        canonicalize(&document, subset(&document), &method, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn find(document: &Document, local: &str) -> NodeId {
        document
            .ids()
            .find(|&id| document.element(id).is_some_and(|e| &*e.local == local))
            .unwrap()
    }

    fn exclusive() -> Method {
        Method::Exclusive {
            inclusive_prefixes: Vec::new(),
        }
    }

    #[test]
    fn whole_document_as_the_recommendation_shows() {
        // Canonical XML 1.0 §3.2/§3.3 examples, shortened.
        let xml = "<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>\r\n   <e1   />\n   <e2 b=\"2\"  a='1' xmlns:x=\"urn:x\" x:c=\"&#9;3\"></e2>\n<e3>&lt;&amp;&gt;\"'</e3><!-- gone --></doc>\n<?after?>";
        assert_eq!(
            c14n(
                xml,
                |_| Subset::Document { excluded: None },
                Method::Inclusive
            ),
            "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>\n   <e1></e1>\n   <e2 xmlns:x=\"urn:x\" a=\"1\" b=\"2\" x:c=\"&#x9;3\"></e2>\n<e3>&lt;&amp;&gt;\"'</e3></doc>\n<?after?>"
        );
    }

    #[test]
    fn exclusive_renders_only_visibly_used_namespaces() {
        let xml = "<r xmlns=\"urn:r\" xmlns:a=\"urn:a\" xmlns:u=\"urn:u\"><a:s Id=\"x\"><a:t>1</a:t><v/></a:s></r>";
        let subset = |d: &Document| Subset::Element(find(d, "s"));
        assert_eq!(
            c14n(xml, subset, exclusive()),
            "<a:s xmlns:a=\"urn:a\" Id=\"x\"><a:t>1</a:t><v xmlns=\"urn:r\"></v></a:s>"
        );
        assert_eq!(
            c14n(xml, subset, Method::Inclusive),
            "<a:s xmlns=\"urn:r\" xmlns:a=\"urn:a\" xmlns:u=\"urn:u\" Id=\"x\"><a:t>1</a:t><v></v></a:s>"
        );
        assert_eq!(
            c14n(
                xml,
                subset,
                Method::Exclusive {
                    inclusive_prefixes: vec!["u".into(), "#default".into()]
                }
            ),
            "<a:s xmlns=\"urn:r\" xmlns:a=\"urn:a\" xmlns:u=\"urn:u\" Id=\"x\"><a:t>1</a:t><v></v></a:s>"
        );
    }

    #[test]
    fn empty_default_namespace_is_undeclared_only_when_needed() {
        let xml = "<r xmlns=\"urn:r\"><s xmlns=\"\"><t/></s></r>";
        assert_eq!(
            c14n(xml, |_| Subset::Document { excluded: None }, exclusive()),
            "<r xmlns=\"urn:r\"><s xmlns=\"\"><t></t></s></r>"
        );
        assert_eq!(
            c14n(xml, |d| Subset::Element(find(d, "s")), exclusive()),
            "<s><t></t></s>"
        );
    }

    #[test]
    fn the_enveloped_element_is_left_out_and_xml_attributes_inherited() {
        let xml = "<r xml:lang=\"de\"><a>1</a><sig><b/></sig>\n</r>";
        assert_eq!(
            c14n(
                xml,
                |d| Subset::Document {
                    excluded: Some(find(d, "sig"))
                },
                exclusive()
            ),
            "<r xml:lang=\"de\"><a>1</a>\n</r>"
        );
        assert_eq!(
            c14n(xml, |d| Subset::Element(find(d, "a")), Method::Inclusive),
            "<a xml:lang=\"de\">1</a>"
        );
        assert_eq!(
            c14n(xml, |d| Subset::Element(find(d, "a")), exclusive()),
            "<a>1</a>"
        );
    }

    #[test]
    fn text_and_attribute_escapes() {
        let xml = "<r a=\"&#13;&#10;&#9;&quot;&lt;&gt;\">&#13;&gt;</r>";
        assert_eq!(
            c14n(xml, |_| Subset::Document { excluded: None }, exclusive()),
            "<r a=\"&#xD;&#xA;&#x9;&quot;&lt;>\">&#xD;&gt;</r>"
        );
    }
}
