//! The blessable CLI cases under `testdata/cli/<case>/`: each folder's `cmd` script is run
//! against the built binary in a scratch copy of the folder, and the transcript (every
//! command with its exit status, standard output and standard error, normalised) must
//! equal the folder's `expected.txt`. `UPDATE_EXPECT=1` (what `cargo xtask bless` sets)
//! rewrites `expected.txt` instead. `testdata/cli/README.md` describes the script language
//! and the normalisation.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use camino::Utf8PathBuf;
use registry_cache::{EntryKey, NewEntry, PackCache, ttl};
use registry_types::{Namespace, PackName, Policy, Timestamp, Version};
use registry_verify::{PackPayloadType, PrivateKey, compute_digest, sign_pack};

use crate::cli::{scratch, workspace};

/// Text that must never reach a user: a panic, a backtrace hint or a `Debug` dump.
const NEVER_PRINTED: &[&str] = &["panicked", "RUST_BACKTRACE", "Error {", "Some(", "source:"];

#[test]
fn every_cli_case_matches_its_expected_transcript() {
    let cases_dir = workspace().join("testdata/cli");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .expect("testdata/cli")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.join("cmd").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "only {} cases found", cases.len());
    let bless = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().expect("a name").to_string_lossy();
        let transcript = run_case(case, &name);
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &transcript).expect("write expected.txt");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != transcript {
            failures.push(format!(
                "--- testdata/cli/{name}/expected.txt (run `cargo xtask bless` to accept)\n\
                 {}",
                line_diff(&expected, &transcript)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} CLI cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The state of one case while its script runs.
struct Case {
    /// The scratch copy of the case folder: the working directory of every command.
    dir: PathBuf,
    /// Generated key ids and the names they are shown as.
    key_ids: BTreeMap<String, String>,
}

/// Runs the script of the case folder `source` in a scratch copy and returns the transcript.
fn run_case(source: &Path, name: &str) -> String {
    let dir = scratch(&format!("case-{name}"));
    copy_inputs(source, &dir);
    let script = std::fs::read_to_string(source.join("cmd")).expect("read cmd");
    let mut case = Case {
        dir,
        key_ids: BTreeMap::new(),
    };
    let mut transcript = String::new();
    for line in script.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        transcript.push_str(&format!("$ {line}\n"));
        let step = case.run_line(line);
        transcript.push_str(&case.render(&step));
        transcript.push('\n');
    }
    std::fs::remove_dir_all(&case.dir).expect("clean up");
    transcript
}

/// Copies the inputs of a case (everything but `cmd` and `expected.txt`) into `dir`.
fn copy_inputs(source: &Path, dir: &Path) {
    for entry in std::fs::read_dir(source).expect("case folder") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "cmd" || name == "expected.txt" {
            continue;
        }
        let target = dir.join(&name);
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir(&target).expect("mkdir");
            copy_inputs(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy input");
            // A checkout's modes depend on the umask: every input starts as rw-r--r--.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::Permissions::from_mode(0o644);
                std::fs::set_permissions(&target, mode).expect("chmod input");
            }
        }
    }
}

/// What one line of a script did.
struct Step {
    /// The exit status, or `None` when the process was killed by a signal.
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Step {
    fn builtin(stdout: Vec<u8>) -> Step {
        Step {
            code: Some(0),
            stdout,
            stderr: Vec::new(),
        }
    }
}

/// One line of a script, split into words.
struct Line {
    /// `NAME=VALUE` before the command, or `env -u NAME` (value `None`).
    env: Vec<(String, Option<String>)>,
    /// The command and its arguments.
    words: Vec<String>,
    /// The file after `<`, fed to standard input.
    stdin: Option<String>,
}

impl Case {
    fn run_line(&mut self, text: &str) -> Step {
        let line = self.parse(text);
        let Some((command, args)) = line.words.split_first() else {
            panic!("{text}: no command");
        };
        match command.as_str() {
            "assay-pack" => self.run_binary(&line, args),
            "cat" => Step::builtin(self.read(single(args, text))),
            "ls" => Step::builtin(self.list().into_bytes()),
            "rm" => {
                std::fs::remove_file(self.resolve(single(args, text))).expect("rm");
                Step::builtin(Vec::new())
            }
            "fill-cache" => {
                fill_cache(&self.dir.join(single(args, text)));
                Step::builtin(Vec::new())
            }
            other => panic!("{text}: unknown command {other:?}"),
        }
    }

    fn run_binary(&mut self, line: &Line, args: &[String]) -> Step {
        let mut command = Command::new(env!("CARGO_BIN_EXE_assay-pack"));
        command
            .args(args)
            .current_dir(&self.dir)
            .env("HOME", &self.dir)
            .env_remove("ASSAY_CACHE_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in &line.env {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        let mut child = command.spawn().expect("start assay-pack");
        let input = line.stdin.as_deref().map(|file| self.read(file));
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin
            .write_all(&input.unwrap_or_default())
            .expect("write stdin");
        drop(stdin);
        let output = child.wait_with_output().expect("wait for assay-pack");
        let step = Step {
            code: output.status.code(),
            stdout: output.stdout,
            stderr: output.stderr,
        };
        if args.first().is_some_and(|arg| arg == "keygen") && step.code == Some(0) {
            self.remember_key_id(args, &step.stdout);
        }
        step
    }

    /// After `keygen --out PREFIX`: the key id it printed is shown as `<key id of PREFIX>`
    /// from now on (only a well-formed id is; anything else is shown as printed).
    fn remember_key_id(&mut self, args: &[String], stdout: &[u8]) {
        let prefix = args
            .iter()
            .position(|arg| arg == "--out")
            .and_then(|index| args.get(index + 1))
            .expect("keygen --out PREFIX");
        let text = String::from_utf8_lossy(stdout);
        let Some(id) = text.strip_suffix('\n') else {
            return;
        };
        let well_formed = id.strip_prefix("sha256:").is_some_and(|hex| {
            hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        });
        if well_formed {
            self.key_ids
                .insert(id.to_owned(), format!("<key id of {prefix}>"));
        }
    }

    /// The path of `file` in the case folder, where a component `PREFIX*` stands for the
    /// one name in its folder that starts with `PREFIX` (a registry id, say, which the
    /// script need not spell out).
    fn resolve(&self, file: &str) -> PathBuf {
        let mut path = self.dir.clone();
        for component in file.split('/') {
            let Some(prefix) = component.strip_suffix('*') else {
                path.push(component);
                continue;
            };
            let names: Vec<_> = std::fs::read_dir(&path)
                .expect("list for *")
                .map(|entry| entry.expect("entry").file_name())
                .filter(|name| name.to_string_lossy().starts_with(prefix))
                .collect();
            match names.as_slice() {
                [name] => path.push(name),
                _ => panic!("{file}: `*` matches {names:?} in {}", path.display()),
            }
        }
        path
    }

    /// The bytes of `file` (relative to the case, or below `$ROOT`).
    fn read(&self, file: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    /// Every file below the case folder, sorted, marked when only its owner may read it.
    fn list(&self) -> String {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("list") {
                let entry = entry.expect("entry");
                let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
                let metadata = entry.metadata().expect("metadata");
                if metadata.is_dir() {
                    walk(&entry.path(), &format!("{name}/"), out);
                } else {
                    out.push(format!("{name}{}", owner_only_mark(&metadata)));
                }
            }
        }
        let mut files = Vec::new();
        walk(&self.dir, "", &mut files);
        files.sort();
        files.iter().map(|file| format!("{file}\n")).collect()
    }

    /// Splits a script line into environment, words and a standard input file.
    fn parse(&self, text: &str) -> Line {
        let mut tokens = tokenize(text, &self.dir)
            .unwrap_or_else(|problem| panic!("{text}: {problem}"))
            .into_iter();
        let mut line = Line {
            env: Vec::new(),
            words: Vec::new(),
            stdin: None,
        };
        while let Some(token) = tokens.next() {
            if token == "<" {
                line.stdin = Some(tokens.next().expect("a file after <"));
            } else if !line.words.is_empty() {
                line.words.push(token);
            } else if token == "env" {
                let flag = tokens.next();
                assert_eq!(flag.as_deref(), Some("-u"), "{text}: only `env -u NAME`");
                line.env.push((tokens.next().expect("a name"), None));
            } else if let Some((name, value)) = token.split_once('=') {
                line.env.push((name.to_owned(), Some(value.to_owned())));
            } else {
                line.words.push(token);
            }
        }
        line
    }

    /// The transcript of one step, normalised.
    fn render(&self, step: &Step) -> String {
        let mut text = match step.code {
            Some(code) => format!("exit {code}\n"),
            None => "killed by a signal\n".to_owned(),
        };
        for (name, bytes) in [("stdout", &step.stdout), ("stderr", &step.stderr)] {
            let shown = self.normalise(&String::from_utf8_lossy(bytes));
            if name == "stderr" {
                for banned in NEVER_PRINTED {
                    assert!(!shown.contains(banned), "{banned:?} in {shown}");
                }
            }
            if shown.is_empty() {
                text.push_str(&format!("{name}: (empty)\n"));
                continue;
            }
            text.push_str(&format!("{name}:\n"));
            for line in shown.lines() {
                if line.is_empty() {
                    text.push('\n');
                } else {
                    text.push_str(&format!("  {line}\n"));
                }
            }
            if !shown.ends_with('\n') {
                text.push_str("(no newline at end)\n");
            }
        }
        text
    }

    /// Replaces the scratch folder by `$CASE`, the workspace by `$ROOT`, and generated key
    /// ids by `<key id of PREFIX>`.
    fn normalise(&self, text: &str) -> String {
        let mut text = text.replace(&self.dir.display().to_string(), "$CASE");
        let root = workspace().canonicalize().expect("workspace");
        text = text.replace(&root.display().to_string(), "$ROOT");
        for (id, shown) in &self.key_ids {
            text = text.replace(id, shown);
        }
        text
    }
}

/// The one argument of a builtin command.
fn single<'a>(args: &'a [String], text: &str) -> &'a str {
    match args {
        [arg] => arg,
        _ => panic!("{text}: expected one argument"),
    }
}

/// ` (owner only)` when neither group nor others may access the file (Unix).
fn owner_only_mark(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o077 == 0 {
            return " (owner only)";
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    ""
}

/// Splits `text` into words as a shell would, for the little a script needs: spaces
/// separate words; `'…'` is literal; `"…"` may be `"$(cat FILE)"`, which stands for the
/// file's content without its final newlines; `$ROOT` is the workspace root.
fn tokenize(text: &str, dir: &Path) -> Result<Vec<String>, String> {
    let root = workspace().canonicalize().expect("workspace");
    let root = root.display().to_string();
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let piece = match c {
            ' ' | '\t' => {
                words.extend(word.take());
                continue;
            }
            '\'' => chars.by_ref().take_while(|&c| c != '\'').collect(),
            '"' => {
                let quoted: String = chars.by_ref().take_while(|&c| c != '"').collect();
                match quoted
                    .strip_prefix("$(cat ")
                    .and_then(|rest| rest.strip_suffix(')'))
                {
                    Some(file) => {
                        let path = dir.join(file.replace("$ROOT", &root));
                        let content = std::fs::read_to_string(&path)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        content.trim_end_matches('\n').to_owned()
                    }
                    None => quoted.replace("$ROOT", &root),
                }
            }
            other => {
                // Unquoted text runs to the next space or quote.
                let mut plain = String::from(other);
                let rest = chars.as_str();
                let end = rest.find([' ', '\t', '\'', '"']).unwrap_or(rest.len());
                plain.push_str(&rest[..end]);
                chars = rest[end..].chars();
                plain.replace("$ROOT", &root)
            }
        };
        word.get_or_insert_with(String::new).push_str(&piece);
    }
    words.extend(word);
    Ok(words)
}

/// Fills a pack cache at `root` as a registry client would: a signed commercial pack and
/// an open one in registry `https://one.example/v1`, an open one in
/// `https://two.example/v1`, signed with the test-only key in `testdata/cli/keys/`,
/// fetched on 2026-01-29 (stale ever since).
fn fill_cache(root: &Path) {
    let root = Utf8PathBuf::from_path_buf(root.to_owned()).expect("UTF-8 path");
    let cache = PackCache::new(root);
    let pem = std::fs::read_to_string(workspace().join("testdata/cli/keys/test-only-signer.key"))
        .expect("test key");
    let key = PrivateKey::from_pkcs8_pem(&pem).expect("a PKCS#8 key");
    let fetched_at = Timestamp::parse("2026-01-29T10:00:00Z").expect("valid time");
    for (registry, namespace, name, signed) in [
        ("https://one.example/v1", None, "signed-pack", true),
        ("https://one.example/v1", Some("acme"), "open-pack", false),
        ("https://two.example/v1", None, "open-pack", false),
    ] {
        let pack = format!("name: {name}\nversion: \"1.0.0\"\nkind: compliance\n").into_bytes();
        let envelope =
            signed.then(|| sign_pack(&pack, &[&key], PackPayloadType::Jcs).expect("signing"));
        let key_for_entry = EntryKey::new(
            registry,
            namespace.map(|org| Namespace::parse(org).expect("valid org")),
            PackName::parse(name).expect("valid name"),
            Version::parse("1.0.0").expect("valid version"),
        )
        .expect("valid key");
        let entry = NewEntry {
            pack: &pack,
            envelope: envelope.as_ref(),
            digest: compute_digest(&pack).expect("digest"),
            policy: if signed {
                Policy::Commercial
            } else {
                Policy::Open
            },
            key_id: signed.then(|| key.key_id().clone()),
            etag: None,
            fetched_at,
            expires_at: ttl::expires_at(fetched_at, None),
        };
        cache.write(&key_for_entry, &entry).expect("write");
    }
}

/// A line diff of `expected` against `actual`, for the failure message.
fn line_diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for index in 0..expected.len().max(actual.len()) {
        match (expected.get(index), actual.get(index)) {
            (Some(want), Some(got)) if want == got => {}
            (want, got) => {
                out.push_str(&format!(
                    "line {}:\n  - {}\n  + {}\n",
                    index + 1,
                    want.unwrap_or(&"(none)"),
                    got.unwrap_or(&"(none)")
                ));
            }
        }
    }
    out
}
