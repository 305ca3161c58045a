//! Parsing never panics, and whatever it accepts displays back unchanged.

use std::fmt::Display;
use std::str::FromStr;

use proptest::prelude::*;
use registry_types::{Digest, Namespace, PackName, PackRef, Policy, Version};

use crate::valid_values::version_text;

/// Parses `text` as `T`: an accepted text must display unchanged (and so
/// reparse to the same value); a rejected one must be quoted in the message.
fn check<T>(text: &str) -> Result<(), TestCaseError>
where
    T: FromStr<Err = registry_types::Error> + Display + PartialEq + std::fmt::Debug,
{
    match text.parse::<T>() {
        Ok(value) => {
            prop_assert_eq!(value.to_string(), text);
            prop_assert_eq!(value.to_string().parse::<T>().expect("reparse"), value);
        }
        Err(err) => {
            let quoted = format!("{text:?}");
            prop_assert!(
                err.to_string().contains(&quoted),
                "{} lacks {}",
                err,
                quoted
            );
        }
    }
    Ok(())
}

fn check_all(text: &str) -> Result<(), TestCaseError> {
    check::<PackName>(text)?;
    check::<Namespace>(text)?;
    check::<Version>(text)?;
    check::<Digest>(text)?;
    check::<Policy>(text)?;
    check::<PackRef>(text)
}

/// Near-valid texts that reach deep into the reference and version parsers.
fn reference_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9@/#:.+^~ _\\\\-]{0,40}",
        "([a-z]{1,3}/)?[a-z-]{0,4}@[0-9.]{0,8}(-[0-9a-zA-Z.]{0,6})?(\\+[0-9a-z.]{0,4})?\
         (#sha[0-9]{3}:[0-9a-fA-F]{0,66})?",
        "(s3|gs|az|azure|oci|http|S3)://[a-z/#]{0,6}(#sha256:[0-9a-f]{0,66})?",
        "[0-9v^~]{0,2}[0-9]{0,21}\\.[0-9]{0,21}\\.[0-9x]{0,21}(-[0-9a-z.]{0,8})?",
        version_text().prop_map(|text| format!("name@{text}")),
        "sha256:[0-9a-fA-F]{60,68}",
    ]
}

proptest! {
    #[test]
    fn arbitrary_unicode(text in any::<String>()) {
        check_all(&text)?;
    }

    #[test]
    fn printable_unicode(text in "\\PC*") {
        check_all(&text)?;
    }

    #[test]
    fn near_valid_text(text in reference_like()) {
        check_all(&text)?;
    }

    #[test]
    fn version_order_is_total_and_agrees_with_eq(
        a in "[0-2]\\.[0-1]\\.0(-[0-2a-b]{1,2}(\\.[0-2a]{1,2})?)?(\\+[ab])?",
        b in "[0-2]\\.[0-1]\\.0(-[0-2a-b]{1,2}(\\.[0-2a]{1,2})?)?(\\+[ab])?",
    ) {
        if let (Ok(a), Ok(b)) = (Version::parse(&a), Version::parse(&b)) {
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            prop_assert_eq!(a.cmp(&b).is_eq(), a == b);
            prop_assert_eq!(a.partial_cmp(&b), Some(a.cmp(&b)));
            if a.build() == b.build() {
                prop_assert_eq!(a.cmp(&b), a.cmp_precedence(&b));
            }
        }
    }
}

#[test]
fn very_long_inputs_are_rejected_without_trouble() {
    let long = "a".repeat(1 << 20);
    assert!(PackName::parse(&long).is_err());
    assert!(matches!(PackRef::parse(&long), Ok(PackRef::Path(_))));
    assert!(Version::parse(&format!("1.0.0-{long}")).is_ok());
    assert!(Digest::parse(&format!("sha256:{long}")).is_err());
}
