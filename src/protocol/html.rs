//! The protocol as one self-contained HTML5 page: inline CSS, no scripts, no external
//! resources, every text escaped (it comes from certificates and documents, i.e. attackers).

use std::fmt::Write;

use super::content::{Block, Protocol, Row};
use super::text::Tone;

pub fn render(protocol: &Protocol) -> String {
    let mut out = String::with_capacity(32 * 1024);
    out.push_str("<!DOCTYPE html>\n");
    let _ = writeln!(out, "<html lang=\"{}\">", protocol.language.tag());
    out.push_str("<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>{} – {}</title>",
        escape(&protocol.title),
        escape(&protocol.file)
    );
    out.push_str("<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<main>\n");
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"file\">{}</p></header>",
        escape(&protocol.title),
        escape(&protocol.file)
    );
    let verdict = &protocol.verdict;
    let _ = writeln!(
        out,
        "<section class=\"verdict {}\"><p class=\"sentence\">{}</p>",
        class(verdict.tone),
        escape(&verdict.sentence)
    );
    if !verdict.lines.is_empty() {
        out.push_str("<ul>\n");
        for line in &verdict.lines {
            let _ = writeln!(out, "<li>{}</li>", escape(line));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    for section in &protocol.sections {
        let _ = writeln!(out, "<section>\n<h2>{}</h2>", escape(&section.heading));
        for block in &section.blocks {
            match block {
                // The section heading already names the signature; the light goes beside it.
                Block::Light(tone) => {
                    let _ = writeln!(out, "<div class=\"light {}\"></div>", class(*tone));
                }
                Block::Caption(text) => {
                    let _ = writeln!(out, "<h3>{}</h3>", escape(text));
                }
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "<p>{}</p>", escape(text));
                }
                Block::Rows(rows) => table(&mut out, rows),
            }
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(
        out,
        "<footer>{}</footer>\n</main>\n</body>\n</html>",
        escape(&protocol.product)
    );
    out
}

fn table(out: &mut String, rows: &[Row]) {
    out.push_str("<table>\n");
    for row in rows {
        let tone = row
            .tone
            .map(|t| format!(" class=\"{}\"", class(t)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td{tone}>{}</td></tr>",
            escape(&row.label),
            escape(&row.value)
        );
    }
    out.push_str("</table>\n");
}

fn class(tone: Tone) -> &'static str {
    match tone {
        Tone::Green => "green",
        Tone::Amber => "amber",
        Tone::Red => "red",
    }
}

/// Escapes text for element content and double-quoted attributes. Control and bidirectional
/// formatting characters become visible escapes ([`crate::text::printable`]): a raw one makes
/// the page invalid or reverses what a clerk reads.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in crate::text::printable(text).chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

const STYLE: &str = r#"body { margin: 0; background: #f3f4f6; color: #1f2933;
  font: 15px/1.45 "Noto Sans", "Segoe UI", Arial, sans-serif; }
main { max-width: 52rem; margin: 2rem auto; background: #fff; padding: 2.5rem 3rem;
  box-shadow: 0 1px 3px rgba(0,0,0,.12); }
header h1 { margin: 0; font-size: 1.9rem; }
header .file { margin: .2rem 0 1.2rem; color: #52606d; word-break: break-all; }
.verdict { border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1.5rem; border-left: 8px solid; }
.verdict .sentence { font-weight: bold; font-size: 1.1rem; margin: 0; }
.verdict ul { margin: .5rem 0 0; padding-left: 1.2rem; }
.verdict.green { background: #e3f6e8; border-color: #1e8e3e; }
.verdict.amber { background: #fff4d6; border-color: #d08c00; }
.verdict.red { background: #fde4e1; border-color: #c5221f; }
section { position: relative; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #cbd2d9; padding-bottom: .2rem; margin-top: 1.8rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; color: #3e4c59; }
.light { position: absolute; right: 0; top: .35rem; width: 1rem; height: 1rem; border-radius: 50%; }
.light.green { background: #1e8e3e; } .light.amber { background: #d08c00; } .light.red { background: #c5221f; }
table { width: 100%; border-collapse: collapse; margin-bottom: .6rem; }
th { text-align: left; font-weight: normal; color: #52606d; width: 34%; vertical-align: top;
  padding: .2rem .6rem .2rem 0; }
td { padding: .2rem 0; word-break: break-word; }
tr { border-bottom: 1px solid #eef0f2; }
td.green { color: #1e7a36; } td.amber { color: #9a6700; } td.red { color: #b3261e; font-weight: bold; }
footer { margin-top: 2rem; color: #7b8794; font-size: .85rem; }
@media print { body { background: #fff; } main { box-shadow: none; margin: 0; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<b a=\"1\">&'\u{7}\u{202e}"),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;\\u{7}\\u{202e}"
        );
    }
}
