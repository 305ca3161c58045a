//! The yaml-test-suite (data-2022-01-17) through the strict profile: every case is rejected with
//! the rule listed in `testdata/canon/yaml-test-suite-expectations.json`, or accepted with the
//! suite's `in.json` (or, where the profile dictates other JSON, with the listed JSON).
//!
//! The expectations file lists every case we do not accept with the suite's own JSON, each
//! with a reviewed reason. `UPDATE_EXPECT=1` (`cargo xtask bless`) rewrites it from the current
//! behaviour, keeping the reasons of unchanged entries and marking new ones `TODO: review`;
//! an ordinary run fails until every such reason is written. Entries with a `known_bug` state
//! the correct behaviour; a mismatch on them is printed, not failed, until the library is
//! fixed.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use registry_canon::{CanonicalizeError, Value, parse_yaml_strict, to_canonical_jcs_bytes};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::testdata::vectors;

/// The number of cases in the suite release (README of `yaml-test-suite/`).
const CASE_COUNT: usize = 402;

/// How long the whole suite may take before the test reports a hang.
const SUITE_TIMEOUT: Duration = Duration::from_secs(60);

/// The reason bless gives a new entry; an ordinary run rejects it.
const REVIEW_MARK: &str = "TODO: review";

/// What the expectations file says about the document as a whole.
const ABOUT: &str = "Strict-profile outcome of every yaml-test-suite case that is not \
    accepted with exactly the suite's in.json. Written by UPDATE_EXPECT=1 (cargo xtask \
    bless) and reviewed by hand: every reason says why the profile (PROTOCOL §3) gives this \
    outcome. expect = reject (with our rule), accept_differs (accepted, but the profile's \
    plain-scalar table or empty-stream rule gives other JSON than the suite: json is our JCS \
    output), accept_no_json (accepted; the suite has no in.json: json is our JCS output), \
    accept (only with known_bug: the case should be accepted with the suite's in.json). \
    known_bug entries state the correct behaviour; the test prints, and does not fail on, a \
    mismatch with them.";

/// One case of the suite, read from `data/<ID>/` or `data/<ID>/<NN>/`.
struct Case {
    id: String,
    name: String,
    yaml: Vec<u8>,
    /// The documents of `in.json`, when the file exists.
    json: Option<Vec<Json>>,
    /// Whether the suite marks the input invalid YAML.
    error: bool,
    /// The suite's event stream (`test.event`).
    events: String,
}

/// What the strict parser did with a case.
#[derive(Clone, Debug)]
enum Outcome {
    Accepted { json: Json, jcs: String },
    Rejected { rule: String, message: String },
    Panicked(String),
}

impl Outcome {
    fn describe(&self) -> String {
        match self {
            Outcome::Accepted { jcs, .. } => format!("accepted as {jcs}"),
            Outcome::Rejected { rule, message } => format!("rejected with {rule}: {message}"),
            Outcome::Panicked(message) => format!("panicked: {message}"),
        }
    }
}

/// The kinds of listed expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Expect {
    Reject,
    AcceptDiffers,
    AcceptNoJson,
    Accept,
}

/// One entry of the expectations file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// The suite's test name (`===`), for the reader; checked against the suite.
    name: String,
    expect: Expect,
    /// Our rule, for `reject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    reason: String,
    /// Our canonical JCS output, for `accept_differs` and `accept_no_json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    json: Option<String>,
    /// A library bug this case shows; the entry states the correct behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    known_bug: Option<String>,
    /// The known bug is a hang: the case is not run, so that the rest of the suite can be.
    #[serde(default, skip_serializing_if = "is_false")]
    hangs: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectations {
    about: String,
    cases: BTreeMap<String, Entry>,
}

fn expectations_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/canon/yaml-test-suite-expectations.json")
}

fn read_text(path: &Path) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => panic!("cannot read {}: {error}", path.display()),
    }
}

/// Every case of the suite, in id order.
fn load_cases() -> Vec<Case> {
    let root = vectors("yaml-test-suite/data");
    let mut dirs = Vec::new();
    for entry in sorted_dirs(&root) {
        if entry.join("in.yaml").is_file() {
            dirs.push(entry);
        } else {
            dirs.extend(sorted_dirs(&entry));
        }
    }
    dirs.iter()
        .map(|dir| {
            let id = dir
                .strip_prefix(&root)
                .expect("case folders lie under data/")
                .to_string_lossy()
                .replace('\\', "/");
            let yaml = std::fs::read(dir.join("in.yaml"))
                .unwrap_or_else(|e| panic!("{id}: cannot read in.yaml: {e}"));
            let name = read_text(&dir.join("==="))
                .unwrap_or_else(|| panic!("{id}: no === file"))
                .trim_end()
                .to_owned();
            let json = read_text(&dir.join("in.json")).map(|text| {
                serde_json::Deserializer::from_str(&text)
                    .into_iter::<Json>()
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap_or_else(|e| panic!("{id}: in.json is not JSON: {e}"))
            });
            let events = read_text(&dir.join("test.event"))
                .unwrap_or_else(|| panic!("{id}: no test.event file"));
            Case {
                id,
                name,
                yaml,
                json,
                error: dir.join("error").is_file(),
                events,
            }
        })
        .collect()
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The parser under test; the guard test swaps in one that panics or hangs.
type Parse = fn(&str) -> Result<Value, CanonicalizeError>;

/// Runs one case, turning a panic into an outcome.
fn run(case: &Case, parse: Parse) -> Outcome {
    let Ok(text) = std::str::from_utf8(&case.yaml) else {
        return Outcome::Rejected {
            rule: "Utf8".to_owned(),
            message: "in.yaml is not UTF-8".to_owned(),
        };
    };
    let result = catch_unwind(AssertUnwindSafe(|| parse(text)));
    match result {
        Ok(Ok(value)) => Outcome::Accepted {
            json: serde_json::to_value(&value).expect("a Value always serializes"),
            jcs: String::from_utf8(to_canonical_jcs_bytes(&value)).expect("JCS is UTF-8"),
        },
        Ok(Err(error)) => Outcome::Rejected {
            rule: format!("{:?}", error.rule()),
            message: error.to_string(),
        },
        Err(payload) => Outcome::Panicked(
            payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".to_owned()),
        ),
    }
}

/// The cases and, for each one that was run, its outcome.
type Run = (Vec<Case>, Vec<Option<Outcome>>);

/// Runs every case but those in `skip` (known hangs) on a worker thread; fails naming the case
/// in progress when the whole run takes longer than `timeout`.
fn run_all(
    cases: Vec<Case>,
    skip: Vec<String>,
    parse: Parse,
    timeout: Duration,
) -> Result<Run, String> {
    let current = Arc::new(Mutex::new(String::new()));
    let (sender, receiver) = mpsc::channel();
    let worker_current = Arc::clone(&current);
    std::thread::spawn(move || {
        let outcomes: Vec<Option<Outcome>> = cases
            .iter()
            .map(|case| {
                if skip.contains(&case.id) {
                    return None;
                }
                *worker_current.lock().unwrap_or_else(|e| e.into_inner()) = case.id.clone();
                Some(run(case, parse))
            })
            .collect();
        // The receiver only goes away after a timeout, which has already failed the test.
        let _ = sender.send((cases, outcomes));
    });
    receiver.recv_timeout(timeout).map_err(|_| {
        format!(
            "the yaml-test-suite did not finish within {timeout:?}; case {} seems to hang",
            current.lock().unwrap_or_else(|e| e.into_inner())
        )
    })
}

/// The suite's JSON when the case has exactly one document.
fn single_document(case: &Case) -> Option<&Json> {
    match case.json.as_deref() {
        Some([document]) => Some(document),
        _ => None,
    }
}

/// The entry current behaviour calls for, or `None` when the case needs no entry.
fn entry_for(case: &Case, outcome: &Outcome, old: Option<&Entry>) -> Option<Entry> {
    let (expect, rule, json) = match outcome {
        Outcome::Accepted { json, .. } if single_document(case) == Some(json) => return None,
        Outcome::Accepted { jcs, .. } if case.json.is_some() => {
            (Expect::AcceptDiffers, None, Some(jcs.clone()))
        }
        Outcome::Accepted { jcs, .. } => (Expect::AcceptNoJson, None, Some(jcs.clone())),
        Outcome::Rejected { rule, .. } => (Expect::Reject, Some(rule.clone()), None),
        // A panic is always a failure; keep whatever was listed.
        Outcome::Panicked(_) => return old.cloned(),
    };
    let reason = old
        .filter(|old| old.expect == expect && old.rule == rule)
        .map_or_else(|| REVIEW_MARK.to_owned(), |old| old.reason.clone());
    Some(Entry {
        name: case.name.clone(),
        expect,
        rule,
        reason,
        json,
        known_bug: None,
        hangs: false,
    })
}

/// The constructs of the profile's reject list that the suite's event stream shows: anchors,
/// aliases, tags, explicit document markers and a second document. A stray `...` outside any
/// document leaves no event, and directives only show as the `---` they require.
fn forbidden_in_events(events: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut documents = 0;
    for line in events.lines() {
        let mut tokens = line.split(' ');
        let what = match tokens.next() {
            Some("+DOC") => {
                documents += 1;
                (line == "+DOC ---").then_some("an explicit `---`")
            }
            Some("-DOC") => (line == "-DOC ...").then_some("an explicit `...`"),
            Some("=ALI") => Some("an alias"),
            Some("+MAP" | "+SEQ" | "=VAL") => tokens
                .filter(|token| !matches!(*token, "{}" | "[]"))
                .map_while(|token| match token.as_bytes().first() {
                    Some(b'&') => Some("an anchor"),
                    Some(b'<') => Some("a tag"),
                    _ => None,
                })
                .next(),
            _ => None,
        };
        if documents > 1 && !found.contains(&"a second document") {
            found.push("a second document");
        }
        if let Some(what) = what.filter(|what| !found.contains(what)) {
            found.push(what);
        }
    }
    found
}

/// Why `outcome` does not match what `entry` (or, without one, the suite) expects.
fn mismatch(case: &Case, entry: Option<&Entry>, outcome: &Outcome) -> Option<String> {
    let expect = entry.map_or(Expect::Accept, |e| e.expect);
    if matches!(outcome, Outcome::Accepted { .. }) {
        let forbidden = forbidden_in_events(&case.events);
        if !forbidden.is_empty() {
            return Some(format!(
                "{}, but the suite's events show {}, which the profile rejects",
                outcome.describe(),
                forbidden.join(", ")
            ));
        }
    }
    match (expect, outcome) {
        (_, Outcome::Panicked(_)) => Some(format!("expected no panic, {}", outcome.describe())),
        (Expect::Reject, Outcome::Rejected { rule, .. }) => {
            let listed = entry.and_then(|e| e.rule.as_deref()).unwrap_or("no rule");
            (listed != rule).then(|| {
                format!(
                    "listed as rejected with {listed}, but {} (update the entry's rule and reason)",
                    outcome.describe()
                )
            })
        }
        (Expect::Reject, Outcome::Accepted { .. }) => Some(format!(
            "listed as rejected with {}, but {}",
            entry.and_then(|e| e.rule.as_deref()).unwrap_or("no rule"),
            outcome.describe()
        )),
        (Expect::Accept, Outcome::Accepted { json, .. }) => match single_document(case) {
            Some(suite) if suite == json => None,
            Some(suite) => Some(format!(
                "{}, but the suite's in.json is {suite} (list it as accept_differs with the \
                 reason, or fix the library)",
                outcome.describe()
            )),
            None if case.json.is_some() => Some(format!(
                "{}, but the suite's in.json has {} documents",
                outcome.describe(),
                case.json.as_ref().map_or(0, Vec::len)
            )),
            None => Some(format!(
                "{} and the suite has no in.json: list it as accept_no_json with the reason",
                outcome.describe()
            )),
        },
        (Expect::AcceptDiffers | Expect::AcceptNoJson, Outcome::Accepted { json, jcs }) => {
            let listed = entry.and_then(|e| e.json.as_deref());
            if listed != Some(jcs.as_str()) {
                Some(format!(
                    "listed as accepted as {}, but {}",
                    listed.unwrap_or("(no json)"),
                    outcome.describe()
                ))
            } else if expect == Expect::AcceptNoJson && case.json.is_some() {
                Some("listed as accept_no_json, but the suite has an in.json".to_owned())
            } else if expect == Expect::AcceptDiffers && case.json.is_none() {
                Some("listed as accept_differs, but the suite has no in.json".to_owned())
            } else if expect == Expect::AcceptDiffers && single_document(case) == Some(json) {
                Some(
                    "listed as accept_differs, but our JSON equals in.json: remove the entry"
                        .into(),
                )
            } else {
                None
            }
        }
        (Expect::Accept, Outcome::Rejected { .. }) if entry.is_none() => Some(format!(
            "not listed, so it must be accepted with the suite's in.json, but {} (if the \
             profile forbids what it uses, list it as reject with the reason)",
            outcome.describe()
        )),
        (_, Outcome::Rejected { .. }) => {
            Some(format!("listed as {expect:?}, but {}", outcome.describe()))
        }
    }
}

/// Problems of an entry that do not depend on running the case.
fn entry_problems(case: &Case, entry: &Entry, blessing: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if entry.name != case.name {
        problems.push(format!(
            "entry name {:?} is not the suite's name",
            entry.name
        ));
    }
    let reason = entry.reason.trim();
    if !blessing && (reason.is_empty() || reason.starts_with("TODO")) {
        problems.push(format!("reason {:?} has not been reviewed", entry.reason));
    }
    if case.error && entry.expect != Expect::Reject && entry.known_bug.is_none() {
        problems.push(format!(
            "the suite marks it invalid, but it is listed as {:?}",
            entry.expect
        ));
    }
    if entry.expect == Expect::Accept && entry.known_bug.is_none() {
        problems.push(
            "expect accept is only for known_bug entries; otherwise leave the case out".into(),
        );
    }
    if (entry.expect == Expect::Reject) != entry.rule.is_some() {
        problems.push("a rule is given exactly for reject entries".into());
    }
    let wants_json = matches!(entry.expect, Expect::AcceptDiffers | Expect::AcceptNoJson);
    if wants_json != entry.json.is_some() {
        problems.push("json is given exactly for accept_differs and accept_no_json".into());
    }
    if entry
        .known_bug
        .as_deref()
        .is_some_and(|b| b.trim().is_empty())
    {
        problems.push("known_bug is empty".into());
    }
    if entry.hangs && entry.known_bug.is_none() {
        problems.push("hangs is only for known_bug entries".into());
    }
    problems
}

fn read_expectations() -> Expectations {
    let path = expectations_path();
    match read_text(&path) {
        Some(text) => serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is malformed: {e}", path.display())),
        None => Expectations {
            about: ABOUT.to_owned(),
            cases: BTreeMap::new(),
        },
    }
}

fn write_expectations(expectations: &Expectations) {
    let path = expectations_path();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    let mut text = serde_json::to_string_pretty(expectations).expect("expectations serialize");
    text.push('\n');
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Rewrites the expectations from `outcomes`, keeping `known_bug` entries and the reasons of
/// unchanged entries.
fn bless(old: &Expectations, cases: &[Case], outcomes: &[Option<Outcome>]) -> Expectations {
    let mut entries = BTreeMap::new();
    for (case, outcome) in cases.iter().zip(outcomes) {
        let previous = old.cases.get(&case.id);
        let entry = match (previous, outcome) {
            (Some(entry), _) if entry.known_bug.is_some() => Some(entry.clone()),
            (_, Some(outcome)) => entry_for(case, outcome, previous),
            (_, None) => previous.cloned(),
        };
        if let Some(entry) = entry {
            entries.insert(case.id.clone(), entry);
        }
    }
    let to_review = entries
        .values()
        .filter(|e| e.reason.starts_with("TODO"))
        .count();
    println!("yaml-test-suite: blessed; {to_review} entries need a reviewed reason");
    Expectations {
        about: ABOUT.to_owned(),
        cases: entries,
    }
}

#[test]
fn every_case_is_rejected_with_the_listed_rule_or_accepted_with_the_suite_json() {
    let started = Instant::now();
    let blessing = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut expectations = read_expectations();
    let cases = load_cases();
    assert_eq!(cases.len(), CASE_COUNT, "the suite release has 402 cases");
    let hanging = expectations
        .cases
        .iter()
        .filter(|(_, e)| e.hangs)
        .map(|(id, _)| id.clone())
        .collect();
    let (cases, outcomes) = run_all(cases, hanging, parse_yaml_strict, SUITE_TIMEOUT)
        .unwrap_or_else(|message| panic!("{message}"));
    if blessing {
        expectations = bless(&expectations, &cases, &outcomes);
        write_expectations(&expectations);
    }

    let mut failures = Vec::new();
    let mut known = Vec::new();
    for id in expectations.cases.keys() {
        if !cases.iter().any(|case| &case.id == id) {
            failures.push(format!("{id}: listed, but the suite has no such case"));
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (case, outcome) in cases.iter().zip(&outcomes) {
        let entry = expectations.cases.get(&case.id);
        let label = format!("{} ({:?})", case.id, case.name);
        if let Some(entry) = entry {
            for problem in entry_problems(case, entry, blessing) {
                failures.push(format!("{label}: {problem}"));
            }
        }
        let Some(outcome) = outcome else {
            known.push(format!(
                "{label}: not run (hangs): {}",
                entry
                    .and_then(|e| e.known_bug.as_deref())
                    .unwrap_or_default()
            ));
            continue;
        };
        let counted = match outcome {
            Outcome::Rejected { rule, .. } => format!("rejected {rule}"),
            Outcome::Panicked(_) => "panicked".to_owned(),
            Outcome::Accepted { .. } if entry.is_some_and(|e| e.known_bug.is_some()) => {
                "accepted, known bug".to_owned()
            }
            Outcome::Accepted { json, .. } if single_document(case) == Some(json) => {
                "accepted, JSON equals in.json".to_owned()
            }
            Outcome::Accepted { .. } if case.json.is_some() => {
                "accepted, JSON differs from in.json".to_owned()
            }
            Outcome::Accepted { .. } => "accepted, suite has no in.json".to_owned(),
        };
        *counts.entry(counted).or_default() += 1;
        let problem = mismatch(case, entry, outcome);
        match (entry.and_then(|e| e.known_bug.as_deref()), problem) {
            (Some(bug), Some(problem)) => known.push(format!("{label}: {bug}; now: {problem}")),
            (Some(bug), None) => known.push(format!(
                "{label}: known bug {bug:?} seems fixed: remove known_bug from the entry"
            )),
            (None, Some(problem)) => failures.push(format!("{label}: {problem}")),
            (None, None) => {}
        }
    }

    println!(
        "yaml-test-suite: {} cases in {:.2?}",
        cases.len(),
        started.elapsed()
    );
    for (what, count) in &counts {
        println!("  {count:4}  {what}");
    }
    for line in &known {
        println!("known bug: {line}");
    }
    assert!(
        failures.is_empty(),
        "{} yaml-test-suite case(s) differ from {}:\n{}",
        failures.len(),
        expectations_path().display(),
        failures.join("\n")
    );
}

/// A parser that panics on `229Q` and hangs on `2JQS`, to show that the guards work.
fn misbehaving_parse(text: &str) -> Result<Value, CanonicalizeError> {
    if text.starts_with("-\n  name: Mark McGwire\n") {
        panic!("injected panic");
    }
    if text == ": a\n: b\n" {
        std::thread::sleep(Duration::from_secs(30));
    }
    parse_yaml_strict(text)
}

#[test]
fn panics_and_hangs_are_caught_and_named() {
    let (cases, outcomes) = run_all(
        load_cases(),
        vec!["2JQS".to_owned()],
        misbehaving_parse,
        SUITE_TIMEOUT,
    )
    .expect("2JQS is skipped, so nothing hangs");
    let panics: Vec<String> = cases
        .iter()
        .zip(&outcomes)
        .filter_map(|(case, outcome)| Some((case, outcome.as_ref()?)))
        .filter_map(|(case, outcome)| {
            mismatch(case, None, outcome)
                .filter(|_| matches!(outcome, Outcome::Panicked(_)))
                .map(|m| format!("{}: {m}", case.id))
        })
        .collect();
    assert_eq!(
        panics,
        ["229Q: expected no panic, panicked: injected panic"]
    );

    let error = run_all(
        load_cases(),
        Vec::new(),
        misbehaving_parse,
        Duration::from_secs(2),
    )
    .err()
    .expect("2JQS hangs for longer than the timeout");
    assert!(error.ends_with("case 2JQS seems to hang"), "{error}");
}
