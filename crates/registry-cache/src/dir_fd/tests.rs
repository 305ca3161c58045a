//! Unit tests of directory handles, and the scratch helpers the other modules' tests share.

use std::io;

use camino::{Utf8Path, Utf8PathBuf};

use crate::dir_fd::{Child, DirFd, is_symlink_refusal};
use crate::untrusted::{FileFault, FileKind, FileRead, Found};

/// A fresh, empty directory under the system temp dir for a unit test of `module`,
/// named after the process, the module and `name`.
pub(crate) fn scratch_dir(module: &str, name: &str) -> Utf8PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "registry-cache-{module}-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    Utf8PathBuf::from_path_buf(dir).expect("UTF-8 temp dir")
}

/// The names and contents below `dir`, links not followed (for "nothing changed").
pub(crate) fn snapshot(dir: &Utf8Path) -> Vec<(Utf8PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in dir.read_dir_utf8().expect("list") {
        let path = entry.expect("entry").into_path();
        let metadata = path.symlink_metadata().expect("metadata");
        if metadata.is_dir() {
            found.push((path.clone(), b"directory".to_vec()));
            found.extend(snapshot(&path));
        } else if metadata.is_file() {
            let bytes = std::fs::read(&path).expect("read");
            found.push((path, bytes));
        } else {
            found.push((path, b"other".to_vec()));
        }
    }
    found.sort();
    found
}

fn scratch(name: &str) -> Utf8PathBuf {
    scratch_dir("dir-fd", name)
}

#[test]
fn reads_regular_files_within_the_limit() {
    let path = scratch("regular");
    let dir = DirFd::create_root(&path).expect("open");
    dir.write_new_file("f", b"hello").expect("write");
    assert_eq!(
        dir.write_new_file("f", b"again").map_err(|e| e.kind()),
        Err(io::ErrorKind::AlreadyExists),
        "must not exist"
    );
    assert!(matches!(dir.read_file("f", 5), Ok(FileRead::Bytes(b)) if b == b"hello"));
    assert!(matches!(
        dir.read_file("f", 4),
        Ok(FileRead::Fault(FileFault::TooLarge(5)))
    ));
    assert!(matches!(dir.read_file("none", 5), Ok(FileRead::Missing)));
    dir.create_dir("sub").expect("mkdir");
    assert!(matches!(
        dir.read_file("sub", 5),
        Ok(FileRead::Fault(FileFault::WrongKind(FileKind::Directory)))
    ));
    assert_eq!(dir.look("f").expect("look"), Found::Kind(FileKind::File));
    assert_eq!(dir.look("none").expect("look"), Found::Nothing);
    assert_eq!(dir.file_len("f"), 5);
    let mut children = dir.children().expect("list");
    children.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        children,
        [
            ("f".to_owned(), FileKind::File),
            ("sub".to_owned(), FileKind::Directory)
        ]
    );
    std::fs::remove_dir_all(&path).expect("clean up");
}

#[test]
fn never_follows_a_symlink() {
    let path = scratch("symlink");
    let outside = path.join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    std::fs::write(outside.join("secret"), b"secret").expect("write");
    let root = DirFd::create_root(&path.join("root")).expect("root");
    std::os::unix::fs::symlink(outside.join("secret"), root.join("file")).expect("link");
    std::os::unix::fs::symlink(&outside, root.join("dir")).expect("link");
    assert!(matches!(
        root.read_file("file", 100),
        Ok(FileRead::Fault(FileFault::WrongKind(FileKind::Symlink)))
    ));
    let error = root
        .open_lock_file("file", true)
        .expect_err("O_NOFOLLOW refuses links");
    assert!(is_symlink_refusal(&error), "{error}");
    assert!(matches!(
        root.open_dir("dir"),
        Ok(Child::Other(FileKind::Symlink))
    ));
    assert!(matches!(
        root.open_dir("file"),
        Ok(Child::Other(FileKind::Symlink))
    ));
    assert_eq!(
        root.create_dir("dir").map(|_| ()).map_err(|e| e.kind()),
        Err(io::ErrorKind::AlreadyExists),
        "a link is not a directory"
    );
    root.remove_tree("dir").expect("removes the link only");
    root.remove_tree("file").expect("removes the link only");
    assert!(root.children().expect("list").is_empty());
    assert_eq!(
        std::fs::read(outside.join("secret")).expect("outside"),
        b"secret"
    );
    std::fs::remove_dir_all(&path).expect("clean up");
}

#[test]
fn removing_a_tree_never_leaves_it() {
    let path = scratch("tree");
    let outside = path.join("outside");
    std::fs::create_dir_all(outside.join("1.0.0")).expect("mkdir");
    std::fs::write(outside.join("1.0.0/pack.yaml"), b"keep").expect("write");
    let root = DirFd::create_root(&path.join("root")).expect("root");
    let tree = root.create_dir("tree").expect("mkdir");
    let deep = tree
        .create_dir("a")
        .expect("mkdir")
        .create_dir("b")
        .expect("mkdir");
    deep.write_new_file("f", b"x").expect("write");
    std::os::unix::fs::symlink(&outside, deep.join("link")).expect("link");
    std::os::unix::fs::symlink(outside.join("1.0.0"), tree.join("1.0.0")).expect("link");
    root.remove_tree("tree").expect("remove");
    assert_eq!(root.look("tree").expect("look"), Found::Nothing);
    assert_eq!(
        std::fs::read(outside.join("1.0.0/pack.yaml")).expect("outside"),
        b"keep"
    );
    root.remove_tree("tree").expect("already gone is fine");
    std::fs::remove_dir_all(&path).expect("clean up");
}

#[test]
fn removing_a_tree_removes_names_that_are_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    // Anything may have written to the cache, names that are not UTF-8 included: a
    // tree holding them must still go (as `remove_dir_all` made it go before).
    let path = scratch("non-utf8");
    let root = DirFd::create_root(&path).expect("root");
    root.create_dir("tree").expect("mkdir");
    let tree = path.join("tree").into_std_path_buf();
    let odd_dir = tree.join(OsStr::from_bytes(b"dir-\xfe"));
    std::fs::create_dir(&odd_dir).expect("mkdir");
    std::fs::write(odd_dir.join(OsStr::from_bytes(b"file-\xff")), b"x").expect("write");
    std::fs::write(tree.join(OsStr::from_bytes(b"file-\xff")), b"x").expect("write");
    root.remove_tree("tree").expect("remove");
    assert_eq!(root.look("tree").expect("look"), Found::Nothing);
    std::fs::remove_dir_all(&path).expect("clean up");
}

#[test]
fn an_open_directory_is_used_even_when_its_path_is_swapped_for_a_link() {
    // The race this module closes: a directory checked, then replaced by a symlink
    // before it is used. Operations on the handle stay in the directory opened.
    let path = scratch("swap");
    let outside = path.join("outside");
    std::fs::create_dir_all(outside.join("1.0.0")).expect("mkdir");
    std::fs::write(outside.join("1.0.0/pack.yaml"), b"keep").expect("write");
    let root = DirFd::create_root(&path.join("root")).expect("root");
    let name = root.create_dir("name").expect("mkdir");
    name.create_dir("1.0.0").expect("mkdir");
    std::fs::rename(root.join("name"), root.join("moved")).expect("move away");
    std::os::unix::fs::symlink(&outside, root.join("name")).expect("swap in a link");

    let before = snapshot(&outside);
    name.remove_tree("1.0.0").expect("remove");
    name.write_new_file(".lock-1.0.0", b"").expect("write");
    name.create_dir("1.0.0").expect("mkdir");
    name.rename("1.0.0", ".old-1-1.0.0").expect("rename");
    name.sync().expect("sync");
    assert_eq!(snapshot(&outside), before);
    assert!(root.join("moved/.lock-1.0.0").is_file());
    assert!(root.join("moved/.old-1-1.0.0").is_dir());
    std::fs::remove_dir_all(&path).expect("clean up");
}
