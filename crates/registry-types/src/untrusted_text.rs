//! Text from an untrusted source (a registry, a cache file, a pack) made safe to show.

use std::fmt;

/// Text that came from outside (a registry's answer, a file in the cache, a pack's own
/// fields), bounded and cleaned so that it can be shown to a user.
///
/// Control characters (C0, DEL and C1, as [`char::is_control`] says) are dropped, so a
/// hostile source cannot move the cursor, clear the screen or forge lines in a terminal.
/// At most [`UntrustedText::MAX_CHARS`] characters (or the limit given to
/// [`UntrustedText::with_max_chars`]) are kept; when more were there, an ellipsis `…`
/// follows them. The text is cleaned when the value is built, so a long input is never
/// kept whole.
///
/// ```
/// use registry_types::UntrustedText;
///
/// let shown = UntrustedText::new("key leak\u{1b}[31m, rotate now");
/// assert_eq!(shown.to_string(), "key leak[31m, rotate now");
/// assert_eq!(UntrustedText::with_max_chars("abcdef", 3).as_str(), "abc…");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UntrustedText(String);

impl UntrustedText {
    /// How many characters are kept by [`UntrustedText::new`].
    pub const MAX_CHARS: usize = 200;

    /// The shown form of `text`: control characters dropped, at most
    /// [`UntrustedText::MAX_CHARS`] characters kept.
    pub fn new(text: &str) -> Self {
        Self::with_max_chars(text, Self::MAX_CHARS)
    }

    /// The shown form of `text`: control characters dropped, at most `max_chars`
    /// characters kept, then `…` when some were cut.
    pub fn with_max_chars(text: &str, max_chars: usize) -> Self {
        let mut visible = text.chars().filter(|character| !character.is_control());
        let mut shown: String = visible.by_ref().take(max_chars).collect();
        if visible.next().is_some() {
            shown.push('…');
        }
        UntrustedText(shown)
    }

    /// The cleaned text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether nothing visible is left.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for UntrustedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for UntrustedText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for UntrustedText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped() {
        for (text, shown) in [
            ("plain", "plain"),
            ("\u{1b}[2Jclear", "[2Jclear"),
            ("line\nbreak\r\ttab", "linebreaktab"),
            ("del\u{7f} c1\u{9b}31m", "del c131m"),
            ("", ""),
        ] {
            assert_eq!(UntrustedText::new(text).as_str(), shown, "{text:?}");
        }
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let long = "x".repeat(UntrustedText::MAX_CHARS + 1);
        let shown = UntrustedText::new(&long);
        assert_eq!(shown.as_str().chars().count(), UntrustedText::MAX_CHARS + 1);
        assert!(shown.as_str().ends_with('…'));
        let exact = "y".repeat(UntrustedText::MAX_CHARS);
        assert_eq!(UntrustedText::new(&exact).as_str(), exact);
        // Control characters do not count towards the limit.
        assert_eq!(UntrustedText::with_max_chars("\u{1b}ab", 2), "ab");
        assert_eq!(UntrustedText::with_max_chars("ééé", 2), "éé…");
    }
}
