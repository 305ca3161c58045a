//! The `tidy` task: house rules for every `.rs` file of the repository (STYLE.md §4, §5, §8).
//!
//! The rules, one module each:
//! - `text`: the first non-empty line of every `.rs` file starts with `//!`; no
//!   placeholder or debugging macros (the to-do, debug-print and not-implemented macros of
//!   std); the pure crates name no file, socket or clock API;
//! - `naming`: no module named after a role (`utils`, `helpers`, `common`, `misc`,
//!   `manager`, as a file or a folder); no parallel copies (a stem ending in `_next`,
//!   `_v2` or `_old`, or starting with `old_`);
//! - `size`: at most 800 lines of non-test code per file;
//! - `crate_root`: a `lib.rs` holds only docs, attributes, `mod` lines and re-exports.
//!
//! Folders named `target`, `.git` or `testdata` are skipped at any depth.

mod crate_root;
mod naming;
mod size;
mod text;

use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

/// Folder names that are never walked.
const SKIPPED_DIRS: &[&str] = &["target", ".git", "testdata"];

/// One breach of the house rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The path relative to the repository root, with `/` separators.
    pub(crate) path: String,
    /// The 1-based line, when the problem is on one line.
    pub(crate) line: Option<usize>,
    /// What is wrong.
    pub(crate) message: String,
}

impl Problem {
    /// A problem with the file (or folder) as a whole.
    pub(crate) fn file(path: &str, message: String) -> Problem {
        Problem {
            path: path.to_owned(),
            line: None,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Checks the text of one `.rs` file at `path` (relative, `/`-separated) against every
/// rule that reads text.
pub(crate) fn check_source(path: &str, text: &str) -> Vec<Problem> {
    let mut problems = text::check_text(path, text);
    problems.extend(size::check_size(path, text));
    if crate_root::is_crate_root(path) {
        problems.extend(crate_root::check_crate_root(path, text));
    }
    problems
}

/// The outcome of walking a tree.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// How many `.rs` files were read.
    pub(crate) files: usize,
    /// Every problem found, in walk order.
    pub(crate) problems: Vec<Problem>,
}

/// Walks the tree under `root` and checks every `.rs` file and every folder name.
///
/// # Errors
///
/// Returns the first I/O error met while reading a folder or a file.
pub(crate) fn check_tree(root: &Path) -> io::Result<Report> {
    let mut report = Report::default();
    walk(root, "", &mut report)?;
    Ok(report)
}

fn walk(dir: &Path, relative: &str, report: &mut Report) -> io::Result<()> {
    let mut entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if relative.is_empty() {
            name.clone()
        } else {
            format!("{relative}/{name}")
        };
        // The entry's own type: symbolic links are neither followed nor checked.
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            if SKIPPED_DIRS.contains(&name.as_str()) {
                continue;
            }
            report
                .problems
                .extend(naming::check_name(&path, &name, true));
            walk(&entry.path(), &path, report)?;
        } else if file_type.is_file() && name.ends_with(".rs") {
            report
                .problems
                .extend(naming::check_name(&path, &name, false));
            let text = fs::read_to_string(entry.path())?;
            report.problems.extend(check_source(&path, &text));
            report.files += 1;
        }
    }
    Ok(())
}

/// Runs the task: prints every problem and returns whether there were none.
pub(crate) fn run(root: &Path) -> bool {
    match check_tree(root) {
        Ok(report) if report.problems.is_empty() => {
            println!("tidy: ok ({} .rs files)", report.files);
            true
        }
        Ok(report) => {
            for problem in &report.problems {
                eprintln!("{problem}");
            }
            eprintln!(
                "tidy: {} problem(s) in {} .rs files",
                report.problems.len(),
                report.files
            );
            false
        }
        Err(error) => {
            eprintln!("tidy: could not walk {}: {error}", root.display());
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tidy::{check_source, check_tree};

    fn rendered(path: &str, text: &str) -> Vec<String> {
        check_source(path, text)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_file_with_a_header_and_no_macros_passes() {
        let text = "\n//! Envelopes.\n\nfn f() -> u8 { 1 }\n";
        assert_eq!(rendered("src/envelope.rs", text), Vec::<String>::new());
    }

    #[test]
    fn a_missing_header_is_reported_on_the_first_non_empty_line() {
        let text = "\n\n/// Not a module doc.\nfn f() {}\n";
        assert_eq!(
            rendered("src/a.rs", text),
            ["src/a.rs:3: the first line must be a `//!` comment saying what the file holds"]
        );
        let text = "#![forbid(unsafe_code)]\n//! Too late.\n";
        assert_eq!(rendered("src/b.rs", text).len(), 1);
        assert_eq!(
            rendered("src/c.rs", " \n"),
            ["src/c.rs: the file is empty; it needs at least a `//!` line"]
        );
    }

    #[test]
    fn forbidden_macros_are_reported_with_their_lines() {
        let text = concat!(
            "//! Header.\n",
            "fn a() { to",
            "do!() }\n",
            "fn b() { let x = d",
            "bg!(1); }\n",
            "fn c() { std::unimple",
            "mented! { } }\n",
            "fn d() { to",
            "do! [] }\n",
        );
        let problems = check_source("src/macros.rs", text);
        let lines: Vec<Option<usize>> = problems.iter().map(|problem| problem.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4), Some(5)]);
        assert_eq!(
            problems[1].to_string(),
            concat!("src/macros.rs:3: `d", "bg!` must not be left in the source")
        );
    }

    #[test]
    fn pure_crates_may_not_touch_files_sockets_or_the_clock() {
        let text = concat!(
            "//! Verify.\n",
            "use std::f",
            "s::read;\n",
            "let now = std::time::SystemTime::n",
            "ow();\n",
        );
        let problems = rendered("crates/registry-verify/src/pack.rs", text);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("crates/registry-verify/src/pack.rs:2:"));
        assert!(problems[1].starts_with("crates/registry-verify/src/pack.rs:3:"));
        // Tests and shell crates may.
        assert!(rendered("crates/registry-verify/tests/it/main.rs", text).is_empty());
        assert!(rendered("crates/assay-pack/src/main.rs", text).is_empty());
    }

    #[test]
    fn similar_names_are_not_macros() {
        let text = concat!(
            "//! Header.\n",
            "fn a() { my_to",
            "do!(); }\n",
            "// The to",
            "do! macro is banned.\n",
            "fn todo() {}\n",
            "fn b() { to",
            "do(); }\n",
        );
        assert_eq!(rendered("src/names.rs", text), Vec::<String>::new());
    }

    #[test]
    fn the_walk_skips_target_and_testdata_and_reports_paths() {
        let root = std::env::temp_dir().join(format!("xtask-tidy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for dir in ["src/verify_v2", "target/debug", "testdata/case", "src/ok"] {
            std::fs::create_dir_all(root.join(dir)).expect("create a folder");
        }
        let files = [
            ("src/ok/lib.rs", "//! Fine.\n"),
            ("src/ok/utils.rs", "//! Named after a role.\n"),
            ("src/ok/bad.rs", "fn f() {}\n"),
            ("target/debug/build.rs", "fn f() {}\n"),
            ("testdata/case/input.rs", "fn f() {}\n"),
            ("src/ok/notes.txt", "no header\n"),
        ];
        for (path, text) in files {
            std::fs::write(root.join(path), text).expect("write a file");
        }
        let report = check_tree(&root).expect("walk the tree");
        std::fs::remove_dir_all(&root).expect("clean up");
        let paths: Vec<(&str, Option<usize>)> = report
            .problems
            .iter()
            .map(|problem| (problem.path.as_str(), problem.line))
            .collect();
        assert_eq!(
            paths,
            [
                ("src/ok/bad.rs", Some(1)),
                ("src/ok/utils.rs", None),
                ("src/verify_v2", None),
            ]
        );
        assert_eq!(report.files, 3);
    }

    #[test]
    fn every_rule_runs_on_every_file() {
        let long = format!("//! Long.\n{}", "fn f() {}\n".repeat(801));
        assert_eq!(rendered("crates/a/src/long.rs", &long).len(), 1);
        assert_eq!(
            rendered("crates/a/src/lib.rs", "//! A.\nfn f() {}\n").len(),
            1
        );
        assert!(rendered("crates/a/src/main.rs", "//! A.\nfn f() {}\n").is_empty());
    }

    /// The real repository is tidy (`cargo xtask tidy` as a test).
    #[test]
    fn the_repository_is_tidy() {
        let report = check_tree(&crate::workspace_root()).expect("walk the repository");
        assert!(
            report.files > 0,
            "no .rs files were found; is the root wrong?"
        );
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert!(
            problems.is_empty(),
            "tidy problems (run `cargo xtask tidy`):\n{}",
            problems.join("\n")
        );
    }
}
