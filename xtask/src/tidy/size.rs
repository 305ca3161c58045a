//! The tidy rule on file size: at most [`MAX_CODE_LINES`] lines of non-test code per file
//! (STYLE.md §5).
//!
//! Test code does not count: files under a `tests/` or `benches/` folder, sibling
//! `tests.rs` files, and every `#[cfg(test)]` module written inline (from its attribute to
//! the `}` that closes it at the start of a line, as rustfmt writes it).

use crate::tidy::Problem;

/// The most lines of non-test code a file may have.
pub(crate) const MAX_CODE_LINES: usize = 800;

/// Files allowed over the limit for now, each with a FIXME naming the work that brings it
/// under. Empty: registry-http's `error.rs`, the last entry, left when its errors were
/// nested (issue 8).
const OVER_LIMIT_ALLOWED: &[&str] = &[];

/// Whether the file at `path` (relative, `/`-separated) is test code as a whole.
fn is_test_file(path: &str) -> bool {
    let mut components = path.split('/');
    let name = components.next_back();
    name == Some("tests.rs") || components.any(|dir| dir == "tests" || dir == "benches")
}

/// How many lines of `text` are not part of an inline `#[cfg(test)]` module.
pub(crate) fn code_lines(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mut count = 0;
    let mut index = 0;
    while index < lines.len() {
        let opens_test_module = lines[index].trim() == "#[cfg(test)]"
            && lines[index + 1..]
                .iter()
                .find(|line| !line.trim().is_empty())
                .is_some_and(|line| is_inline_module(line));
        if opens_test_module {
            // Skip to the closing brace at the start of a line.
            index += lines[index..]
                .iter()
                .position(|line| *line == "}")
                .map_or(lines.len() - index, |end| end + 1);
        } else {
            count += 1;
            index += 1;
        }
    }
    count
}

/// Whether `line` opens a module written inline (`mod tests {`, `pub(crate) mod x {`).
fn is_inline_module(line: &str) -> bool {
    let line = line.trim();
    let line = line
        .strip_prefix("pub(crate) ")
        .or_else(|| line.strip_prefix("pub "))
        .unwrap_or(line);
    line.starts_with("mod ") && line.ends_with('{')
}

/// Checks the size rule for one `.rs` file.
pub(crate) fn check_size(path: &str, text: &str) -> Option<Problem> {
    check_size_allowing(path, text, OVER_LIMIT_ALLOWED)
}

/// Checks the size rule for one `.rs` file, with `allowed` as the files allowed over the
/// limit (a stale allowance is a problem too).
fn check_size_allowing(path: &str, text: &str, allowed: &[&str]) -> Option<Problem> {
    if is_test_file(path) {
        return None;
    }
    let lines = code_lines(text);
    let allowed = allowed.contains(&path);
    match (lines > MAX_CODE_LINES, allowed) {
        (true, false) => Some(Problem::file(
            path,
            format!(
                "{lines} lines of non-test code, more than {MAX_CODE_LINES}; split it by concept"
            ),
        )),
        (false, true) => Some(Problem::file(
            path,
            format!(
                "{lines} lines of non-test code, within the limit: remove it from \
                 OVER_LIMIT_ALLOWED in xtask/src/tidy/size.rs"
            ),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::tidy::size::{MAX_CODE_LINES, check_size, check_size_allowing, code_lines};

    #[test]
    fn inline_test_modules_do_not_count() {
        let text = "//! A.\nfn a() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\nfn b() {}\n";
        assert_eq!(code_lines(text), 4);
        let text = "//! A.\n#[cfg(test)]\nmod tests;\nfn a() {}\n";
        assert_eq!(code_lines(text), 4, "an out-of-line module hides nothing");
        let text = "//! A.\n#[cfg(test)]\npub(crate) mod tests {\n}\n";
        assert_eq!(code_lines(text), 1);
    }

    #[test]
    fn long_files_are_reported_unless_they_are_tests() {
        let long = format!("//! Long.\n{}", "fn f() {}\n".repeat(MAX_CODE_LINES));
        let problem = check_size("crates/a/src/big.rs", &long).expect("over the limit");
        assert_eq!(
            problem.to_string(),
            "crates/a/src/big.rs: 801 lines of non-test code, more than 800; split it by concept"
        );
        assert_eq!(check_size("crates/a/tests/it/big.rs", &long), None);
        assert_eq!(check_size("crates/a/benches/big.rs", &long), None);
        assert_eq!(check_size("crates/a/src/big/tests.rs", &long), None);
        let with_tests = format!(
            "//! Long.\n{}#[cfg(test)]\nmod tests {{\n{}}}\n",
            "fn f() {}\n".repeat(MAX_CODE_LINES - 1),
            "    fn t() {}\n".repeat(500)
        );
        assert_eq!(check_size("crates/a/src/big.rs", &with_tests), None);
    }

    #[test]
    fn an_allowed_file_within_the_limit_must_leave_the_list() {
        let allowed = ["crates/a/src/big.rs"];
        let problem = check_size_allowing("crates/a/src/big.rs", "//! Short.\n", &allowed)
            .expect("a stale allowance");
        assert!(problem.message.contains("remove it from"), "{problem}");
        let long = format!("//! Long.\n{}", "fn f() {}\n".repeat(MAX_CODE_LINES));
        assert_eq!(
            check_size_allowing("crates/a/src/big.rs", &long, &allowed),
            None
        );
    }
}
