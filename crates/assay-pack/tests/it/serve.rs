//! `assay-pack serve` as a child process: the announced URL, a pack fetched over a raw HTTP/1.1 socket, and a graceful stop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::cli::workspace;

/// A running `assay-pack serve`, killed if the test fails before stopping it.
pub(crate) struct Served {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay-pack"))
        .args(["serve", "testdata/registry", "--addr", "127.0.0.1:0"])
        .args(extra)
        .current_dir(workspace())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start assay-pack serve");
    let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    Served { child, stdout }
}

impl Served {
    pub(crate) fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read stdout");
        line.trim_end().to_owned()
    }
}

/// One HTTP/1.1 exchange with `Connection: close`: the head (status line and headers) and body.
fn get(addr: &str, path: &str, headers: &[&str]) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("set timeout");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let end = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8(response[..end].to_vec()).expect("head is text");
    (head.to_ascii_lowercase(), response[end + 4..].to_vec())
}

#[test]
fn serve_announces_its_url_serves_packs_and_stops_on_sigterm() {
    let mut served = serve(&["--token", "cli-token"]);
    let first = served.line();
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line is {first:?}"));
    let authority = url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix("/v1"))
        .unwrap_or_else(|| panic!("unexpected URL {url}"));
    assert!(authority.starts_with("127.0.0.1:"), "{authority}");
    let second = served.line();
    let root = second
        .strip_prefix("root key id: sha256:")
        .expect("root key id line");
    assert_eq!(root.len(), 64);

    let pack = std::fs::read(
        workspace().join("testdata/registry/packs/eu-ai-act-baseline/1.0.0/pack.yaml"),
    )
    .expect("read pack");
    let digest = registry_canon::CanonicalPack::from_yaml(&pack, &Default::default())
        .expect("canonical")
        .digest()
        .to_string();
    let (head, body) = get(authority, "/v1/packs/eu-ai-act-baseline/1.0.0", &[]);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains(&format!("\r\nx-pack-digest: {digest}")),
        "{head}"
    );
    assert!(head.contains(&format!("\r\netag: \"{digest}\"")), "{head}");
    assert!(head.contains("\r\nx-pack-policy: open"), "{head}");
    assert!(head.contains("\r\nx-pack-signature: "), "{head}");
    assert_eq!(body, pack);

    let commercial = "/v1/packs/eu-ai-act-pro/1.2.0";
    let (head, _) = get(authority, commercial, &[]);
    assert!(head.starts_with("http/1.1 401"), "{head}");
    let (head, _) = get(authority, commercial, &["Authorization: Bearer cli-token"]);
    assert!(head.starts_with("http/1.1 200"), "{head}");

    let status = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let exit = served.child.wait().expect("wait for serve");
    assert_eq!(exit.code(), Some(0), "graceful exit on SIGTERM");
    let mut stderr = String::new();
    served
        .child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert!(
        stderr.contains("signing and root keys generated"),
        "{stderr}"
    );
    assert!(stderr.contains("warning: not served: "), "{stderr}");
    assert!(stderr.contains("broken-float"), "{stderr}");
}

#[test]
fn serve_with_given_keys_prints_that_root_and_reports_a_bad_folder() {
    let dir = crate::cli::scratch("serve-keys");
    let prefix = dir.join("root");
    let keygen = crate::cli::run(&["keygen", "--out", prefix.to_str().expect("utf-8")], b"");
    assert_eq!(keygen.code, 0, "{}", keygen.stderr);
    let root_id = keygen.stdout_text().trim().to_owned();
    let key = dir.join("root.key");
    let key = key.to_str().expect("utf-8");
    let mut served = serve(&["--key", key, "--root-key", key]);
    assert!(served.line().starts_with("listening on http://127.0.0.1:"));
    assert_eq!(served.line(), format!("root key id: {root_id}"));
    drop(served);

    let missing = crate::cli::run(
        &[
            "serve",
            "testdata/no-such-registry",
            "--addr",
            "127.0.0.1:0",
        ],
        b"",
    );
    assert_eq!(missing.code, 2);
    missing.assert_clean_error();
    assert!(
        missing
            .stderr
            .contains("cannot serve testdata/no-such-registry"),
        "{}",
        missing.stderr
    );
}

/// A client that acts the moment it reads `listening on …` finds the whole CA file, and
/// a SIGTERM sent right then stops the server gracefully instead of killing it. Run many
/// times in a shell (its builtins react within microseconds), since both were races.
#[test]
fn the_announced_server_is_ready_for_a_client_that_acts_at_once() {
    let dir = crate::cli::scratch("serve-ready");
    let script = r#"
        fifo="$DIR/stdout"; mkfifo "$fifo" || exit 1
        for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            ca="$DIR/ca-$i.pem"
            "$BIN" serve testdata/registry --addr 127.0.0.1:0 --self-signed --ca-out "$ca" \
                >"$fifo" 2>/dev/null &
            pid=$!
            exec 3<"$fifo"
            read -r line <&3
            pem=""; [ -f "$ca" ] && pem=$(<"$ca")
            kill -TERM "$pid"
            wait "$pid"; code=$?
            exec 3<&-
            case "$line" in "listening on https://127.0.0.1:"*) ;; *) echo "run $i: first line $line";; esac
            case "$pem" in *"END CERTIFICATE"*) ;; *) echo "run $i: CA file incomplete";; esac
            [ "$code" -eq 0 ] || echo "run $i: exit status $code"
        done
        echo done
    "#;
    let output = Command::new("bash")
        .args(["-c", script])
        .env("BIN", env!("CARGO_BIN_EXE_assay-pack"))
        .env("DIR", &dir)
        .current_dir(workspace())
        .stdin(Stdio::null())
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "done\n",
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// The README's `serve … --self-signed --ca-out ca.pem` works on a second run too: the CA
/// is new on every run, so the file of the earlier run is replaced, not refused.
#[test]
fn ca_out_replaces_the_ca_file_of_an_earlier_run() {
    let dir = crate::cli::scratch("serve-ca-again");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, "the CA of an earlier run\n").expect("write old CA");
    let ca_arg = ca.to_str().expect("utf-8");
    let mut served = serve(&["--self-signed", "--ca-out", ca_arg]);
    let first = served.line();
    assert!(
        first.starts_with("listening on https://127.0.0.1:"),
        "{first:?}"
    );
    let pem = std::fs::read_to_string(&ca).expect("read CA");
    assert!(
        pem.starts_with("-----BEGIN CERTIFICATE-----") && pem.contains("END CERTIFICATE"),
        "{pem}"
    );
    drop(served);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
