//! The exit statuses of `assay-pack`: the one place that says which number means what.

use std::fmt;
use std::process::ExitCode;

/// How a run of `assay-pack` ended. The numbers are a contract with scripts: they never
/// change meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// 0: the command did what was asked (`--help` and `--version` included).
    Success,
    /// 1: an integrity, signature or policy failure, a strict-YAML rejection included.
    IntegrityFailure,
    /// 2: a usage error, or a local input that cannot be read.
    Usage,
    /// 3: the network or the registry is unavailable.
    Unavailable,
    /// 4: not found, or access denied.
    NotFound,
}

impl ExitStatus {
    /// Every status, in the order of their numbers.
    pub(crate) const ALL: [ExitStatus; 5] = [
        ExitStatus::Success,
        ExitStatus::IntegrityFailure,
        ExitStatus::Usage,
        ExitStatus::Unavailable,
        ExitStatus::NotFound,
    ];

    /// The number the process exits with.
    pub(crate) fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::IntegrityFailure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Unavailable => 3,
            ExitStatus::NotFound => 4,
        }
    }

    /// The more severe of two failure statuses, so that a command with several failures
    /// exits the same way whatever the order of its arguments: integrity first, then not
    /// found or denied, then unavailable, then usage.
    pub(crate) fn most_severe(self, other: ExitStatus) -> ExitStatus {
        let rank = |status: ExitStatus| match status {
            ExitStatus::IntegrityFailure => 4,
            ExitStatus::NotFound => 3,
            ExitStatus::Unavailable => 2,
            ExitStatus::Usage => 1,
            ExitStatus::Success => 0,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// What the status means, as `--help` shows it.
    fn meaning(self) -> &'static str {
        match self {
            ExitStatus::Success => "success",
            ExitStatus::IntegrityFailure => {
                "integrity, signature or policy failure (a strict-YAML rejection included)"
            }
            ExitStatus::Usage => "usage error or unreadable local input",
            ExitStatus::Unavailable => "network or registry unavailable",
            ExitStatus::NotFound => "not found or access denied",
        }
    }

    /// The table of exit statuses for the end of `--help`.
    pub(crate) fn help_table() -> String {
        let mut text = String::from("Exit status:\n");
        for status in ExitStatus::ALL {
            text.push_str(&format!("  {status}  {}\n", status.meaning()));
        }
        text
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use crate::exit::ExitStatus;

    #[test]
    fn the_numbers_are_the_documented_contract() {
        let codes: Vec<u8> = ExitStatus::ALL.iter().map(|status| status.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4]);
    }
}
