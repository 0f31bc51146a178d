//! Keyboard focus beyond text fields: iced lets only text fields take focus, so each screen
//! lists what Tab can reach (buttons, choices and fields, in screen order), draws a ring around
//! the focused one, and Enter activates it.

/// Where the keyboard is on a screen; `F` names the reachable things of that screen.
#[derive(Clone, Copy, Debug)]
pub struct Ring<F> {
    current: Option<F>,
}

impl<F> Default for Ring<F> {
    fn default() -> Self {
        Self { current: None }
    }
}

/// What a screen's focusable thing is: a text field (focused by iced) or anything else.
pub trait Item: Copy + PartialEq {
    /// The text field's widget id, for a text field.
    fn input(self) -> Option<&'static str> {
        None
    }
}

/// An id no widget has: focusing it takes focus away from every text field.
const NOWHERE: &str = "siegel-focus-nowhere";

impl<F: Item> Ring<F> {
    pub fn is(&self, item: F) -> bool {
        self.current == Some(item)
    }

    pub fn current(&self) -> Option<F> {
        self.current
    }

    /// Moves to the next (or previous) of `items`, the things reachable now, and returns the
    /// widget operation that puts iced's own focus where it belongs.
    pub fn advance<M: Send + 'static>(&mut self, items: &[F], backwards: bool) -> iced::Task<M> {
        if items.is_empty() {
            self.current = None;
            return iced::Task::none();
        }
        let position = self
            .current
            .and_then(|current| items.iter().position(|i| *i == current));
        let len = items.len();
        let next = match (position, backwards) {
            (None, false) => 0,
            (None, true) => len - 1,
            (Some(i), false) => (i + 1) % len,
            (Some(i), true) => (i + len - 1) % len,
        };
        let item = items[next];
        self.current = Some(item);
        iced::widget::operation::focus(item.input().unwrap_or(NOWHERE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Thing {
        A,
        B,
        Field,
    }

    impl Item for Thing {
        fn input(self) -> Option<&'static str> {
            (self == Self::Field).then_some("field")
        }
    }

    #[test]
    fn tab_wraps_both_ways_and_skips_what_is_gone() {
        let mut ring = Ring::default();
        let items = [Thing::A, Thing::B, Thing::Field];
        let _: iced::Task<()> = ring.advance(&items, false);
        assert!(ring.is(Thing::A));
        let _: iced::Task<()> = ring.advance(&items, true);
        assert!(ring.is(Thing::Field));
        let _: iced::Task<()> = ring.advance(&items, false);
        assert!(ring.is(Thing::A));
        // B disappeared (e.g. a button got disabled): the ring starts over.
        ring.current = Some(Thing::B);
        let _: iced::Task<()> = ring.advance(&[Thing::A, Thing::Field], false);
        assert!(ring.is(Thing::A));
    }
}
