//! Tidy rules on file and folder names: modules are named after concepts, never roles, and
//! there are no parallel copies (STYLE.md §4 and §5).

use crate::tidy::Problem;

/// File and folder stems named after a role rather than a concept (STYLE.md §4).
pub(crate) const FORBIDDEN_STEMS: &[&str] = &["utils", "helpers", "common", "misc", "manager"];

/// Stem endings that mark a parallel copy of a module.
const COPY_SUFFIXES: &[&str] = &["_next", "_v2", "_old"];

/// Stem beginnings that mark a parallel copy of a module.
const COPY_PREFIXES: &[&str] = &["old_"];

/// Checks the name of a `.rs` file (`is_dir` false) or of a folder.
pub(crate) fn check_name(path: &str, name: &str, is_dir: bool) -> Option<Problem> {
    let stem = if is_dir {
        name
    } else {
        name.strip_suffix(".rs").unwrap_or(name)
    };
    let problem = |message: String| Some(Problem::file(path, message));
    if FORBIDDEN_STEMS.contains(&stem) {
        return problem(format!(
            "`{name}` is named after a role; name the module after the concept it holds"
        ));
    }
    let is_copy = COPY_SUFFIXES.iter().any(|suffix| stem.ends_with(suffix))
        || COPY_PREFIXES.iter().any(|prefix| stem.starts_with(prefix));
    if is_copy {
        return problem(format!(
            "`{name}` looks like a parallel copy; change the code in place (git keeps the history)"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::tidy::naming::{FORBIDDEN_STEMS, check_name};

    #[test]
    fn role_names_and_parallel_copies_are_reported() {
        let bad = [
            ("src/utils.rs", "utils.rs", false),
            ("src/utils", "utils", true),
            ("src/helpers.rs", "helpers.rs", false),
            ("tests/common", "common", true),
            ("src/misc.rs", "misc.rs", false),
            ("src/manager.rs", "manager.rs", false),
            ("src/resolve_next.rs", "resolve_next.rs", false),
            ("src/verify_v2.rs", "verify_v2.rs", false),
            ("src/cache_old.rs", "cache_old.rs", false),
            ("src/old_cache.rs", "old_cache.rs", false),
            ("crates/registry_next", "registry_next", true),
        ];
        for (path, name, is_dir) in bad {
            let problem = check_name(path, name, is_dir);
            assert!(
                problem.as_ref().is_some_and(|problem| problem.path == path),
                "{path} was not reported: {problem:?}"
            );
        }
        let good = [
            ("src/envelope.rs", "envelope.rs", false),
            ("src/threshold", "threshold", true),
            ("src/next_version.rs", "next_version.rs", false),
            ("src/dsse_v1.rs", "dsse_v1.rs", false),
            ("src/holder.rs", "holder.rs", false),
            ("src/commonmark.rs", "commonmark.rs", false),
            ("src/key_management.rs", "key_management.rs", false),
        ];
        for (path, name, is_dir) in good {
            assert_eq!(check_name(path, name, is_dir), None, "{path}");
        }
    }

    #[test]
    fn the_banned_list_is_the_whole_list_of_style_md() {
        assert_eq!(
            FORBIDDEN_STEMS,
            ["utils", "helpers", "common", "misc", "manager"]
        );
    }
}
