//! The tidy rule on crate roots: a `lib.rs` holds only docs, attributes, `mod` lines and
//! re-exports (STYLE.md §5); everything else lives in a module named after its concept.

use crate::tidy::Problem;

/// Whether `path` is a library crate root (`…/src/lib.rs`).
pub(crate) fn is_crate_root(path: &str) -> bool {
    path == "src/lib.rs" || path.ends_with("/src/lib.rs")
}

/// Checks that the crate root `text` holds only comments, attributes, `mod NAME;` lines and
/// `use` / `pub use` items; reports the first line of anything else (of each run of
/// other lines up to a blank line or a comment).
pub(crate) fn check_crate_root(path: &str, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    // Whether the line before belonged to a reported item: an item is reported once, at
    // its first line, not at every line of its body.
    let mut in_reported_item = false;
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            in_reported_item = false;
            continue;
        }
        if line.starts_with("#[") || line.starts_with("#![") {
            // An attribute runs until its brackets balance.
            let mut depth = bracket_depth(line);
            while depth > 0 {
                let Some((_, next)) = lines.next() else { break };
                depth += bracket_depth(next);
            }
            continue;
        }
        if is_mod_line(line) {
            continue;
        }
        if is_use_item(line) {
            // A `use` item runs until its `;`.
            let mut ended = line.ends_with(';');
            while !ended {
                let Some((_, next)) = lines.next() else { break };
                ended = next.trim_end().ends_with(';');
            }
            continue;
        }
        if in_reported_item {
            continue;
        }
        in_reported_item = true;
        problems.push(Problem {
            path: path.to_owned(),
            line: Some(index + 1),
            message: "lib.rs holds only docs, `mod` lines and re-exports; move this into a \
                      module named after its concept"
                .into(),
        });
    }
    problems
}

/// `[` minus `]` on a line.
fn bracket_depth(line: &str) -> i32 {
    line.chars()
        .map(|c| match c {
            '[' => 1,
            ']' => -1,
            _ => 0,
        })
        .sum()
}

/// The item after an optional visibility: `pub`, `pub(crate)`, `pub(super)`, `pub(in …)`.
fn without_visibility(line: &str) -> &str {
    let Some(rest) = line.strip_prefix("pub") else {
        return line;
    };
    match rest.strip_prefix('(') {
        Some(scoped) => scoped
            .split_once(')')
            .map_or(line, |(_, item)| item.trim_start()),
        None if rest.starts_with(' ') => rest.trim_start(),
        None => line,
    }
}

/// `mod NAME;` with any visibility (an inline `mod NAME { … }` is not a `mod` line).
fn is_mod_line(line: &str) -> bool {
    without_visibility(line)
        .strip_prefix("mod ")
        .and_then(|rest| rest.strip_suffix(';'))
        .is_some_and(|name| {
            !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// The start of a `use` item with any visibility.
fn is_use_item(line: &str) -> bool {
    without_visibility(line).starts_with("use ")
}

#[cfg(test)]
mod tests {
    use crate::tidy::crate_root::{check_crate_root, is_crate_root};

    fn lines(text: &str) -> Vec<Option<usize>> {
        check_crate_root("crates/a/src/lib.rs", text)
            .iter()
            .map(|problem| problem.line)
            .collect()
    }

    #[test]
    fn docs_mod_lines_and_re_exports_pass() {
        let text = "\
//! The crate.
//!
//! ```
//! fn example() {}
//! ```
#![forbid(unsafe_code)]

mod a;
pub mod b;
#[cfg(test)]
pub(crate) mod c;
#[doc(hidden)]
#[allow(
    deprecated, // Kept for one release.
)]
pub use crate::a::{
    One,
    Two,
};
use crate::b::Three;
pub(crate) use crate::b::Four;
";
        assert_eq!(lines(text), Vec::<Option<usize>>::new());
    }

    #[test]
    fn items_and_inline_modules_are_reported() {
        let text = "\
//! The crate.
mod a;
pub fn helper() {
    let _ = 1;
}

const LIMIT: usize = 1;

mod inline {
}
/// A thing.
pub struct Thing;
";
        assert_eq!(lines(text), [Some(3), Some(7), Some(9), Some(12)]);
    }

    #[test]
    fn only_library_roots_are_crate_roots() {
        assert!(is_crate_root("crates/registry-types/src/lib.rs"));
        assert!(is_crate_root("src/lib.rs"));
        assert!(!is_crate_root("crates/assay-pack/src/main.rs"));
        assert!(!is_crate_root("crates/a/src/lib/lib.rs.bak"));
        assert!(!is_crate_root("crates/a/tests/lib.rs"));
    }
}
