//! `assay-pack canon` on inputs over the size limit, which are made rather than stored (the
//! other canon checks are cases under `testdata/cli/canon-*`).

use crate::cli::{run, scratch};

#[test]
fn oversized_input_exits_1_without_being_read_whole() {
    let dir = scratch("canon-size");
    let big = dir.join("big.yaml");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(10 * 1024 * 1024 + 1).expect("sparse file");
    let out = run(&["canon", big.to_str().expect("UTF-8 path")], b"");
    assert_eq!(out.code, 1);
    out.assert_clean_error();
    assert!(
        out.stderr.contains(&format!(
            "{} is 10485761 bytes, more than the limit of 10485760 bytes for a pack",
            big.display()
        )),
        "{}",
        out.stderr
    );

    let piped = run(&["canon", "-"], &vec![b' '; 10 * 1024 * 1024 + 1]);
    assert_eq!(piped.code, 1);
    piped.assert_clean_error();
    assert!(
        piped.stderr.contains(
            "- is more than 10485760 bytes, more than the limit of 10485760 bytes for a pack"
        ),
        "{}",
        piped.stderr
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}
