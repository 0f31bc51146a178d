//! Pages drawn as grey pixels with the pure-Rust rasteriser hayro (ISO 32000-2 §8 for page
//! content, §12.5.5 for annotation appearances): what a reader of the document sees, for
//! comparing a signed revision with the document as it is now.
//!
//! hayro reads the bytes with its own parser, independent of this module's, which is the
//! point: a second reading of the same file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use hayro::hayro_interpret::{InterpreterSettings, RenderContent};
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};

/// Largest bitmap side in pixels; a page that would be larger is drawn smaller.
const MAX_SIDE: f32 = 4000.0;
/// Stack for the drawing thread: nested forms and patterns recurse.
const STACK: usize = 64 * 1024 * 1024;

/// The first `len` bytes of a file: a revision as its signer saw it.
struct Prefix {
    bytes: Arc<Vec<u8>>,
    len: usize,
}

impl AsRef<[u8]> for Prefix {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&self.bytes)
    }
}

/// What to draw of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Content {
    /// The page and its annotations, as a viewer shows it.
    Everything,
    /// The page's own content without annotations.
    PageOnly,
}

/// A document opened for drawing.
pub struct Document {
    pdf: Arc<Pdf>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("pages", &self.page_count())
            .finish()
    }
}

impl Document {
    /// Opens the first `len` bytes of `bytes` as a document of their own.
    pub fn open(bytes: Arc<Vec<u8>>, len: usize) -> Result<Self, Error> {
        let data = Arc::new(Prefix { bytes, len });
        let pdf = catch_unwind(AssertUnwindSafe(|| Pdf::new(data)))
            .map_err(|_| Error::Failed)?
            .map_err(|_| Error::Unreadable)?;
        Ok(Self { pdf: Arc::new(pdf) })
    }

    /// How many pages the renderer finds.
    pub fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    /// Draws page `index` (from 0) at `dpi`, giving up after `within`. The drawing runs on a
    /// thread of its own with a large stack; one that takes too long is left to finish alone.
    pub fn render(
        &self,
        index: usize,
        dpi: f32,
        content: Content,
        within: Duration,
    ) -> Result<Bitmap, Error> {
        let pdf = Arc::clone(&self.pdf);
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("siegel-render".into())
            .stack_size(STACK)
            .spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| draw(&pdf, index, dpi, content)));
                let _ = sender.send(result);
            })
            .map_err(|_| Error::Failed)?;
        match receiver.recv_timeout(within) {
            Ok(Ok(result)) => result,
            Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Disconnected) => Err(Error::Failed),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(Error::TooSlow),
        }
    }
}

fn draw(pdf: &Pdf, index: usize, dpi: f32, content: Content) -> Result<Bitmap, Error> {
    let pages = pdf.pages();
    let page = pages.get(index).ok_or(Error::NoSuchPage(index))?;
    let (width, height) = page.render_dimensions();
    let mut scale = dpi / 72.0;
    let longest = width.max(height) * scale;
    if !longest.is_finite() || longest <= 0.0 {
        return Err(Error::Unreadable);
    }
    if longest > MAX_SIDE {
        scale *= MAX_SIDE / longest;
    }
    let settings = InterpreterSettings {
        render_content: match content {
            Content::Everything => RenderContent::all(),
            Content::PageOnly => RenderContent::PAGE,
        },
        ..InterpreterSettings::default()
    };
    let cache = RenderCache::new();
    let pixmap = hayro::render(
        page,
        &cache,
        &settings,
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: WHITE,
        },
    );
    let coefficients = (hayro::kurbo::Affine::scale(f64::from(scale))
        * hayro::hayro_interpret::util::TransformExt::to_kurbo(&page.initial_transform(true)))
    .as_coeffs();
    let luma = pixmap
        .data()
        .iter()
        .map(|p| {
            // On a white background a premultiplied pixel is composited as p + (1 - a).
            let white = 255 - u32::from(p.a);
            let [r, g, b] = [p.r, p.g, p.b].map(|c| (u32::from(c) + white).min(255));
            u8::try_from((2126 * r + 7152 * g + 722 * b) / 10_000).unwrap_or(u8::MAX)
        })
        .collect();
    Ok(Bitmap {
        width: usize::from(pixmap.width()),
        height: usize::from(pixmap.height()),
        luma,
        transform: coefficients,
    })
}

/// A page as grey levels (0 black, 255 white), row by row from the top.
#[derive(Clone, Debug, PartialEq)]
pub struct Bitmap {
    pub width: usize,
    pub height: usize,
    pub luma: Vec<u8>,
    /// From the page's user space to pixels: `[a b c d e f]` as in a PDF matrix.
    transform: [f64; 6],
}

impl Bitmap {
    /// The grey level at (`x`, `y`).
    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.luma.get(y * self.width + x).copied().unwrap_or(255)
    }

    /// The pixels a rectangle in user space covers, `(x0, y0, x1, y1)` with exclusive ends,
    /// grown by `margin` pixels and clipped to the bitmap; `None` if nothing is left.
    pub fn pixels_of(&self, rect: [f64; 4], margin: usize) -> Option<(usize, usize, usize, usize)> {
        let [a, b, c, d, e, f] = self.transform;
        let corners = [
            (rect[0], rect[1]),
            (rect[0], rect[3]),
            (rect[2], rect[1]),
            (rect[2], rect[3]),
        ]
        .map(|(x, y)| (a * x + c * y + e, b * x + d * y + f));
        let xs = corners.map(|p| p.0);
        let ys = corners.map(|p| p.1);
        let min = |v: [f64; 4]| v.into_iter().fold(f64::INFINITY, f64::min);
        let max = |v: [f64; 4]| v.into_iter().fold(f64::NEG_INFINITY, f64::max);
        let clamp = |v: f64, limit: usize| -> usize {
            if v.is_nan() || v <= 0.0 {
                0
            } else if v >= limit as f64 {
                limit
            } else {
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "in range: a non-negative number below `limit`"
                )]
                let pixel = v as usize;
                pixel
            }
        };
        let margin = margin as f64;
        let x0 = clamp(min(xs).floor() - margin, self.width);
        let y0 = clamp(min(ys).floor() - margin, self.height);
        let x1 = clamp(max(xs).ceil() + margin, self.width);
        let y1 = clamp(max(ys).ceil() + margin, self.height);
        (x0 < x1 && y0 < y1).then_some((x0, y0, x1, y1))
    }
}

/// Why a page could not be drawn.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the renderer cannot read the document")]
    Unreadable,
    #[error("the renderer finds no page {0}")]
    NoSuchPage(usize),
    #[error("the renderer failed on the document")]
    Failed,
    #[error("the renderer took too long")]
    TooSlow,
}
