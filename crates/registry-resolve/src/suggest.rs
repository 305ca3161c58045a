//! "Did you mean …?": the closest known pack name to one that was not found.

/// The candidate closest to `wanted` by edit distance, when it is close enough to be a
/// plausible typo (at most a third of the longer name's length, and at least 1 allowed).
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter(|candidate| *candidate != wanted)
        .map(|candidate| (edit_distance(wanted, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (wanted.len().max(candidate.len()) / 3).max(1))
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over bytes (pack names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &left) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &right) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(left != right);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("eu-ai-act", "eu-ai-act"), 0);
    }

    #[test]
    fn a_typo_finds_the_name_and_a_stranger_finds_nothing() {
        let names = ["eu-ai-act-baseline", "soc2-core", "gdpr-basics"];
        assert_eq!(
            closest("eu-ai-act-baselin", names),
            Some("eu-ai-act-baseline")
        );
        assert_eq!(closest("soc2-cor", names), Some("soc2-core"));
        assert_eq!(closest("something-else", names), None);
        assert_eq!(closest("x", ["y"]), Some("y"));
    }
}
