//! The demo's temporary folder: created private and empty, removed when the demo ends,
//! whether it succeeded, failed or panicked.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use snafu::ResultExt;

use crate::error::{CreateScratchSnafu, RemoveScratchSnafu, Result};

/// How many names are tried before giving up (another process holding all of them would
/// be an attack on the temporary folder, not bad luck).
const ATTEMPTS: u32 = 64;

/// A new folder below the system's temporary folder (`TMPDIR`), removed on drop.
pub(crate) struct Scratch {
    path: PathBuf,
    keep: Keep,
}

/// Whether the folder outlives the demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Removed at the end (the default).
    Remove,
    /// Left in place for inspection (`--keep`).
    Keep,
}

impl Scratch {
    /// Creates `assay-pack-demo-{pid}-{n}` below the temporary folder, readable by its
    /// owner only, never reusing a folder that exists.
    ///
    /// # Errors
    /// [`crate::error::Error::CreateScratch`] when no folder could be created.
    pub(crate) fn create(keep: Keep) -> Result<Scratch> {
        let base = std::env::temp_dir();
        let mut attempt = 0;
        loop {
            let path = base.join(format!(
                "assay-pack-demo-{}-{}",
                std::process::id(),
                unique_suffix(attempt)
            ));
            match create_private_dir(&path) {
                Ok(()) => return Ok(Scratch { path, keep }),
                Err(error) if error.kind() == ErrorKind::AlreadyExists && attempt < ATTEMPTS => {
                    attempt += 1;
                }
                Err(source) => return Err(source).context(CreateScratchSnafu { path }),
            }
        }
    }

    /// The folder.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Ends the demo's use of the folder: removes it (reporting a failure), or leaves it
    /// when kept and returns its path.
    ///
    /// # Errors
    /// [`crate::error::Error::RemoveScratch`] when the folder could not be removed.
    pub(crate) fn finish(mut self) -> Result<Option<PathBuf>> {
        let path = std::mem::take(&mut self.path);
        match self.keep {
            Keep::Keep => Ok(Some(path)),
            Keep::Remove => std::fs::remove_dir_all(&path)
                .context(RemoveScratchSnafu { path })
                .map(|()| None),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // After `finish` the path is empty: nothing is left to do. Otherwise the demo
        // stopped early; its error is being reported, and a folder that cannot be removed
        // now has nobody left to tell.
        if self.keep == Keep::Remove && !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A suffix that differs between attempts and, most likely, between runs.
fn unique_suffix(attempt: u32) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    format!("{nanos:09}{attempt:02}")
}

/// Creates one folder (not its parents), mode 0700 on Unix.
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

#[cfg(test)]
mod tests {
    use crate::commands::demo::scratch::{Keep, Scratch};

    #[test]
    fn the_folder_is_removed_on_finish_and_on_drop_unless_kept() {
        let finished = Scratch::create(Keep::Remove).expect("create");
        let path = finished.path().to_path_buf();
        std::fs::write(path.join("file"), b"x").expect("write");
        assert_eq!(finished.finish().expect("finish"), None);
        assert!(!path.exists());

        let dropped = Scratch::create(Keep::Remove).expect("create");
        let path = dropped.path().to_path_buf();
        std::fs::create_dir(path.join("sub")).expect("mkdir");
        drop(dropped);
        assert!(!path.exists());

        let kept = Scratch::create(Keep::Keep).expect("create");
        let path = kept.path().to_path_buf();
        assert_eq!(kept.finish().expect("finish"), Some(path.clone()));
        assert!(path.is_dir());
        std::fs::remove_dir_all(&path).expect("clean up");
    }
}
