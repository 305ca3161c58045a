//! Tidy rules on the text of every `.rs` file: a `//!` first line, no placeholder or
//! debugging macros, and no files, sockets or clock in the pure crates (STYLE.md §2, §7, §8).

use crate::tidy::Problem;

/// Macros that must not be left in the source. The names are split so that this
/// file does not match itself.
const FORBIDDEN_MACROS: &[&str] = &[
    concat!("to", "do"),
    concat!("d", "bg"),
    concat!("unimple", "mented"),
];

/// The pure crates' library sources (STYLE.md §2): they never touch files or sockets and
/// never read the clock; time is passed in.
const PURE_SOURCE_DIRS: &[&str] = &[
    "crates/registry-types/src/",
    "crates/registry-canon/src/",
    "crates/registry-verify/src/",
];

/// What a pure crate's library source must not name. Split so that this file does not
/// match itself.
const IMPURE_APIS: &[&str] = &[
    concat!("std::", "fs"),
    concat!("std::", "net"),
    concat!("SystemTime::", "now"),
    concat!("Instant::", "now"),
    concat!("now_", "utc"),
];

/// Checks the header, the macros and (in pure crates) the APIs named in one `.rs` file.
pub(crate) fn check_text(path: &str, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let first = text
        .lines()
        .enumerate()
        .find(|(_, line)| !line.trim().is_empty());
    match first {
        Some((_, line)) if line.trim_start().starts_with("//!") => {}
        Some((index, _)) => problems.push(Problem {
            path: path.to_owned(),
            line: Some(index + 1),
            message: "the first line must be a `//!` comment saying what the file holds".into(),
        }),
        None => problems.push(Problem::file(
            path,
            "the file is empty; it needs at least a `//!` line".into(),
        )),
    }
    let pure = PURE_SOURCE_DIRS.iter().any(|dir| path.starts_with(dir));
    for (index, line) in text.lines().enumerate() {
        // Comments may name what the code must not use.
        if pure && !line.trim_start().starts_with("//") {
            for api in IMPURE_APIS.iter().filter(|api| line.contains(*api)) {
                problems.push(Problem {
                    path: path.to_owned(),
                    line: Some(index + 1),
                    message: format!(
                        "`{api}` in a pure crate: no files, sockets or clock (pass them in)"
                    ),
                });
            }
        }
        for name in FORBIDDEN_MACROS {
            if calls_macro(line, name) {
                problems.push(Problem {
                    path: path.to_owned(),
                    line: Some(index + 1),
                    message: format!("`{name}!` must not be left in the source"),
                });
            }
        }
    }
    problems
}

/// Whether `line` invokes the macro `name` (`name!(`, `name![` or `name!{`, with
/// optional spaces before the bracket, and not as the tail of a longer name).
fn calls_macro(line: &str, name: &str) -> bool {
    let needle = format!("{name}!");
    line.match_indices(&needle).any(|(start, _)| {
        let before = line[..start].chars().next_back();
        let is_tail = before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let after = line[start + needle.len()..].trim_start().chars().next();
        !is_tail && matches!(after, Some('(' | '[' | '{'))
    })
}
