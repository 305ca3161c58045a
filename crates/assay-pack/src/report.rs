//! How an error and its causes are shown to the user: the message, then each cause on its
//! own line, without repeating a cause that a message already ends with.

use std::error::Error as StdError;
use std::fmt;

/// An error and its chain of causes, for standard error (what `snafu::Report` prints, but
/// without its note about removed redundancy, which only confuses users).
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn StdError + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut messages = Vec::new();
        let mut current: Option<&(dyn StdError + 'static)> = Some(self.0);
        while let Some(error) = current {
            messages.push(error.to_string());
            current = error.source();
        }
        // A message that ends with its cause's text (`"{pack}: {source}"`) says it once.
        for index in (0..messages.len().saturating_sub(1)).rev() {
            let (parent, child) = (&messages[index], &messages[index + 1]);
            if !child.is_empty() && parent.ends_with(child.as_str()) {
                let kept = parent[..parent.len() - child.len()]
                    .trim_end_matches([':', ' '])
                    .to_owned();
                messages[index] = kept;
            }
        }
        messages.retain(|message| !message.is_empty());
        let Some((first, causes)) = messages.split_first() else {
            return Ok(());
        };
        f.write_str(first)?;
        match causes.len() {
            0 => {}
            1 => write!(f, "\n\nCaused by this error:\n  1: {}", causes[0])?,
            _ => {
                f.write_str("\n\nCaused by these errors (recent errors listed first):")?;
                for (number, cause) in causes.iter().enumerate() {
                    write!(f, "\n  {}: {cause}", number + 1)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use snafu::Snafu;

    use super::Chain;

    #[derive(Debug, Snafu)]
    enum Inner {
        #[snafu(display("the disk is full"))]
        Full,
    }

    #[derive(Debug, Snafu)]
    enum Outer {
        #[snafu(display("cannot write {what}"))]
        Write { what: &'static str, source: Inner },
        #[snafu(display("{source}"))]
        Transparent { source: Inner },
        #[snafu(display("pack x: {source}"))]
        Repeating { source: Inner },
    }

    #[test]
    fn causes_are_numbered_and_never_repeated_and_there_is_no_note() {
        let write = Outer::Write {
            what: "the lockfile",
            source: Inner::Full,
        };
        assert_eq!(
            Chain(&write).to_string(),
            "cannot write the lockfile\n\nCaused by this error:\n  1: the disk is full"
        );
        let transparent = Outer::Transparent {
            source: Inner::Full,
        };
        assert_eq!(Chain(&transparent).to_string(), "the disk is full");
        let repeating = Outer::Repeating {
            source: Inner::Full,
        };
        assert_eq!(
            Chain(&repeating).to_string(),
            "pack x\n\nCaused by this error:\n  1: the disk is full"
        );
        assert!(!Chain(&write).to_string().contains("NOTE"));
    }
}
