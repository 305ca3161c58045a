//! `Retry-After` in both forms, retries counted at the server, and the cap.

use std::time::{Duration, Instant};

use registry_http::{Error, RequestFault};
use registry_server::{Faults, RetryAfter};

use crate::support::{assert_names_pack, client_with, count, start_with};

const BASELINE: &str = "/v1/packs/eu-ai-act-baseline/1.0.0";

async fn fetch_after(faults: Faults, max_retries: u32) -> (Result<(), Error>, u64, Duration) {
    let server = start_with(|config| config.faults = faults).await;
    let client = client_with(&server, |config| config.retry.max_retries = max_retries);
    let started = Instant::now();
    let outcome = client
        .fetch_pack("eu-ai-act-baseline", "1.0.0", None)
        .await
        .map(|result| assert!(result.is_some()));
    if let Err(error) = &outcome {
        assert_names_pack(error, "eu-ai-act-baseline@1.0.0", &server.base_url());
    }
    (outcome, count(&server, BASELINE), started.elapsed())
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let faults = Faults {
        too_many_requests: 1,
        retry_after: RetryAfter::Seconds(1),
        ..Faults::default()
    };
    let (outcome, asked, elapsed) = fetch_after(faults, 3).await;
    outcome.unwrap();
    assert_eq!(asked, 2);
    assert!(elapsed >= Duration::from_secs(1), "waited {elapsed:?}");
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let faults = Faults {
        too_many_requests: 1,
        retry_after: RetryAfter::HttpDate(Duration::from_millis(500)),
        ..Faults::default()
    };
    let (outcome, asked, elapsed) = fetch_after(faults, 3).await;
    outcome.unwrap();
    assert_eq!(asked, 2);
    // The date is rounded up to a whole second and read back with one-second precision.
    assert!(elapsed <= Duration::from_secs(3), "waited {elapsed:?}");
}

#[tokio::test]
async fn rate_limits_and_unavailability_until_the_retries_run_out() {
    let faults = Faults {
        too_many_requests: 2,
        service_unavailable: 1,
        ..Faults::default()
    };
    let (outcome, asked, _) = fetch_after(faults.clone(), 3).await;
    outcome.unwrap();
    assert_eq!(asked, 4, "two 429s, one 503, then the pack");

    let (outcome, asked, _) = fetch_after(faults, 1).await;
    let error = outcome.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Request {
                attempts: 2,
                source: RequestFault::RateLimited { retry_after: Some(wait) },
                ..
            } if wait.is_zero()
        ),
        "{error:?}"
    );
    assert_eq!(asked, 2);

    let faults = Faults {
        too_many_requests: 5,
        retry_after: RetryAfter::Absent,
        ..Faults::default()
    };
    let (outcome, asked, _) = fetch_after(faults, 2).await;
    assert!(matches!(
        outcome,
        Err(Error::Request {
            attempts: 3,
            source: RequestFault::RateLimited { retry_after: None },
            ..
        })
    ));
    assert_eq!(asked, 3);
}

#[tokio::test]
async fn retry_after_past_the_cap_fails_at_once() {
    for retry_after in [
        RetryAfter::Seconds(61),
        RetryAfter::HttpDate(Duration::from_secs(120)),
    ] {
        let faults = Faults {
            too_many_requests: 1,
            retry_after,
            ..Faults::default()
        };
        let (outcome, asked, elapsed) = fetch_after(faults, 3).await;
        let error = outcome.unwrap_err();
        let Some(RequestFault::RetryAfterTooLong { wait, cap }) = error.fault() else {
            panic!("{error:?}")
        };
        assert!(*wait > Duration::from_secs(60), "{wait:?}");
        assert_eq!(*cap, Duration::from_secs(60));
        let text = crate::support::report(&error);
        assert!(text.contains("more than the 60s cap"), "{text}");
        assert_eq!(asked, 1);
        assert!(elapsed < Duration::from_secs(5));
    }
}
