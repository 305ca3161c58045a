//! Unit tests for version parsing and precedence.

use std::cmp::Ordering;

use crate::{CoreNumber, Error, Version, VersionFault, VersionSection};

fn version(text: &str) -> Version {
    match Version::parse(text) {
        Ok(version) => version,
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

fn reason(text: &str) -> VersionFault {
    match Version::parse(text) {
        Err(Error::InvalidVersion { version, reason }) => {
            assert_eq!(version, text);
            reason
        }
        other => panic!("expected InvalidVersion for {text:?}, got {other:?}"),
    }
}

#[test]
fn accepts_protocol_examples_and_keeps_their_parts() {
    let plain = version("1.2.0");
    assert_eq!((plain.major(), plain.minor(), plain.patch()), (1, 2, 0));
    assert_eq!((plain.pre_release(), plain.build()), (None, None));

    let candidate = version("1.2.0-rc.1");
    assert_eq!(candidate.pre_release(), Some("rc.1"));
    assert_eq!(candidate.build(), None);

    let built = version("1.2.0+build.5");
    assert_eq!(built.pre_release(), None);
    assert_eq!(built.build(), Some("build.5"));

    let both = version("0.0.0-alpha-1.x-y+exp.sha.5114f85-x");
    assert_eq!(both.pre_release(), Some("alpha-1.x-y"));
    assert_eq!(both.build(), Some("exp.sha.5114f85-x"));
}

#[test]
fn display_is_the_original_text() {
    for text in [
        "0.0.0",
        "1.2.3-0a",
        "1.2.3-0",
        "10.20.30+001",
        "1.0.0-x.7.z.92",
    ] {
        assert_eq!(version(text).to_string(), text);
        assert_eq!(version(text).as_str(), text);
    }
}

#[test]
fn accepts_u64_max_and_rejects_overflow() {
    let max = u64::MAX;
    assert_eq!(version(&format!("{max}.0.0")).major(), max);
    assert_eq!(
        reason("0.18446744073709551616.0"),
        VersionFault::Overflow {
            number: CoreNumber::Minor,
            text: "18446744073709551616".into()
        }
    );
}

#[test]
fn accepts_alphanumeric_pre_release_starting_with_zero() {
    assert_eq!(version("1.2.3-0a").pre_release(), Some("0a"));
    // Build metadata may have leading zeros; only pre-release numbers may not.
    assert_eq!(version("1.2.3+01").build(), Some("01"));
}

#[test]
fn rejects_leading_zeros() {
    assert_eq!(
        reason("01.2.3"),
        VersionFault::LeadingZero {
            number: CoreNumber::Major,
            text: "01".into()
        }
    );
    assert_eq!(
        reason("1.2.00"),
        VersionFault::LeadingZero {
            number: CoreNumber::Patch,
            text: "00".into()
        }
    );
    assert_eq!(
        reason("1.2.3-01"),
        VersionFault::NumericLeadingZero {
            identifier: "01".into()
        }
    );
    assert_eq!(
        reason("1.2.3-rc.007"),
        VersionFault::NumericLeadingZero {
            identifier: "007".into()
        }
    );
}

#[test]
fn rejects_wrong_core_shape() {
    assert_eq!(reason("1.2"), VersionFault::WrongCoreCount { found: 2 });
    assert_eq!(reason("1"), VersionFault::WrongCoreCount { found: 1 });
    assert_eq!(reason("1.2.3.4"), VersionFault::WrongCoreCount { found: 4 });
    assert_eq!(
        reason("1..3"),
        VersionFault::EmptyCoreNumber {
            number: CoreNumber::Minor
        }
    );
    assert_eq!(
        reason("1.2.x"),
        VersionFault::NotANumber {
            number: CoreNumber::Patch,
            text: "x".into()
        }
    );
    assert_eq!(
        reason("-1.2.3"),
        VersionFault::EmptyCoreNumber {
            number: CoreNumber::Major
        }
    );
}

#[test]
fn rejects_latest_ranges_and_leading_v() {
    assert_eq!(reason("latest"), VersionFault::Latest);
    assert_eq!(reason("LATEST"), VersionFault::Latest);
    assert_eq!(reason("^1.2.3"), VersionFault::Range { operator: '^' });
    assert_eq!(reason("~1.2"), VersionFault::Range { operator: '~' });
    assert_eq!(reason(">=1.0.0"), VersionFault::Range { operator: '>' });
    assert_eq!(reason("=1.0.0"), VersionFault::Range { operator: '=' });
    assert_eq!(reason("*"), VersionFault::Range { operator: '*' });
    assert_eq!(reason("v1.2.3"), VersionFault::LeadingV { letter: 'v' });
    assert_eq!(reason("V1.2.3"), VersionFault::LeadingV { letter: 'V' });
}

#[test]
fn rejects_whitespace_anywhere() {
    assert_eq!(reason("1.2.3 "), VersionFault::Whitespace { position: 6 });
    assert_eq!(reason(" 1.2.3"), VersionFault::Whitespace { position: 1 });
    assert_eq!(reason("1.2.3\n"), VersionFault::Whitespace { position: 6 });
    assert_eq!(
        reason("1.2.3 - 2.0.0"),
        VersionFault::Whitespace { position: 6 }
    );
}

#[test]
fn rejects_bad_identifiers_with_positions() {
    assert_eq!(reason(""), VersionFault::Empty);
    assert_eq!(
        reason("1.2.3-"),
        VersionFault::EmptyIdentifier {
            section: VersionSection::PreRelease
        }
    );
    assert_eq!(
        reason("1.2.3-a..b"),
        VersionFault::EmptyIdentifier {
            section: VersionSection::PreRelease
        }
    );
    assert_eq!(
        reason("1.2.3+"),
        VersionFault::EmptyIdentifier {
            section: VersionSection::Build
        }
    );
    assert_eq!(
        reason("1.2.3-a_b"),
        VersionFault::InvalidCharacter {
            section: VersionSection::PreRelease,
            character: '_',
            position: 8
        }
    );
    assert_eq!(
        reason("1.2.3-rc.1+b.é"),
        VersionFault::InvalidCharacter {
            section: VersionSection::Build,
            character: 'é',
            position: 14
        }
    );
    assert_eq!(
        reason("1.2.3+a+b"),
        VersionFault::InvalidCharacter {
            section: VersionSection::Build,
            character: '+',
            position: 8
        }
    );
    assert_eq!(
        reason("1.2.3-a\0"),
        VersionFault::InvalidCharacter {
            section: VersionSection::PreRelease,
            character: '\0',
            position: 8
        }
    );
    assert!(matches!(
        reason("1.2.3@x"),
        VersionFault::NotANumber {
            number: CoreNumber::Patch,
            ..
        }
    ));
}

#[test]
fn messages_name_the_text_and_the_rule() {
    let message = |text: &str| match Version::parse(text) {
        Err(err) => err.to_string(),
        Ok(version) => panic!("{version} should not parse"),
    };
    assert_eq!(
        message("01.2.3"),
        "version \"01.2.3\" has a major number \"01\" with a leading zero"
    );
    assert_eq!(
        message("latest"),
        "version \"latest\" is not a version: there is no `latest`; \
         name an exact version such as 1.2.0"
    );
    assert_eq!(
        message("^1.2.3"),
        "version \"^1.2.3\" is a range (starts with '^'); a reference names one exact version"
    );
    assert_eq!(
        message("1.2"),
        "version \"1.2\" does not have three dot-separated core numbers \
         (major.minor.patch); it has 2"
    );
}

#[test]
fn precedence_follows_the_semver_example_chain() {
    let chain = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
        "10.0.0",
    ];
    for pair in chain.windows(2) {
        let (low, high) = (version(pair[0]), version(pair[1]));
        assert_eq!(low.cmp_precedence(&high), Ordering::Less, "{low} < {high}");
        assert!(low < high, "{low} < {high}");
    }
}

#[test]
fn numeric_pre_release_identifiers_compare_as_numbers_of_any_length() {
    let small = version("1.0.0-99999999999999999999");
    let large = version("1.0.0-100000000000000000000");
    assert!(small < large);
    assert!(version("1.0.0-99999999999999999999") < version("1.0.0-a"));
}

#[test]
fn build_metadata_is_ignored_for_precedence_but_breaks_ties() {
    let bare = version("1.0.0");
    let a = version("1.0.0+a");
    let b = version("1.0.0+b");
    assert_eq!(a.cmp_precedence(&b), Ordering::Equal);
    assert_eq!(bare.cmp_precedence(&a), Ordering::Equal);
    assert_ne!(a, b);
    assert!(bare < a && a < b);
    assert_eq!(a.cmp(&version("1.0.0+a")), Ordering::Equal);
    assert!(version("1.0.0-rc.1+zzz") < version("1.0.0+aaa"));
}

#[test]
fn conversions_agree() {
    let parsed: Version = "1.2.3".parse().expect("valid");
    assert_eq!(Version::try_from("1.2.3").expect("valid"), parsed);
    assert_eq!(
        Version::try_from(String::from("1.2.3")).expect("valid"),
        parsed
    );
    assert_eq!(parsed.as_ref(), "1.2.3");
    assert_eq!(String::from(parsed), "1.2.3");
}
