//! What the server saw: counters and a log of requests, for tests to assert on.

use std::collections::BTreeMap;
use std::sync::Mutex;

use http::{HeaderMap, Method, Request, Version};

/// The most requests kept in the log; older ones are dropped (the counters go on).
pub const MAX_RECORDED_REQUESTS: usize = 100_000;

/// Counters since start-up (or the last [`crate::RunningServer::reset_stats`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// Requests received (each HTTP/2 stream counts once).
    pub requests: u64,
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// Requests per path (without the query).
    pub paths: BTreeMap<String, u64>,
    /// Requests per HTTP version, keyed `HTTP/1.1`, `HTTP/2.0`, ….
    pub http_versions: BTreeMap<String, u64>,
}

impl ServerStats {
    /// Requests for `path` (without the query).
    pub fn path_count(&self, path: &str) -> u64 {
        self.paths.get(path).copied().unwrap_or(0)
    }

    /// Requests made with `version`.
    pub fn version_count(&self, version: Version) -> u64 {
        self.http_versions
            .get(&format!("{version:?}"))
            .copied()
            .unwrap_or(0)
    }
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The path and the query (`/v1/packs?limit=2`).
    pub path_and_query: String,
    /// Every header, `Authorization` included, exactly as received.
    pub headers: HeaderMap,
    /// The HTTP version.
    pub version: Version,
    /// Which connection carried it, numbered from 1 in order of acceptance.
    pub connection: u64,
}

impl RecordedRequest {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(path, _)| path)
    }

    /// The first value of header `name`, when it is present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The `Authorization` header.
    pub fn authorization(&self) -> Option<&str> {
        self.header("authorization")
    }
}

/// The counters and the log behind a lock.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    inner: Mutex<Recorded>,
}

#[derive(Debug, Default)]
struct Recorded {
    stats: ServerStats,
    requests: Vec<RecordedRequest>,
    next_connection: u64,
}

impl Recorder {
    /// Counts an accepted connection; returns its number.
    pub(crate) fn connection(&self) -> u64 {
        let mut inner = self.lock();
        inner.stats.connections_accepted += 1;
        inner.next_connection += 1;
        inner.next_connection
    }

    /// Logs a request.
    pub(crate) fn request<B>(&self, request: &Request<B>, connection: u64) {
        let path_and_query = request.uri().path_and_query().map_or_else(
            || request.uri().path().to_owned(),
            |pq| pq.as_str().to_owned(),
        );
        let recorded = RecordedRequest {
            method: request.method().clone(),
            path_and_query,
            headers: request.headers().clone(),
            version: request.version(),
            connection,
        };
        let mut inner = self.lock();
        inner.stats.requests += 1;
        *inner
            .stats
            .paths
            .entry(recorded.path().to_owned())
            .or_default() += 1;
        *inner
            .stats
            .http_versions
            .entry(format!("{:?}", recorded.version))
            .or_default() += 1;
        if inner.requests.len() >= MAX_RECORDED_REQUESTS {
            inner.requests.remove(0);
        }
        inner.requests.push(recorded);
    }

    pub(crate) fn stats(&self) -> ServerStats {
        self.lock().stats.clone()
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// Clears the counters and the log (connection numbers keep counting).
    pub(crate) fn reset(&self) {
        let mut inner = self.lock();
        inner.stats = ServerStats::default();
        inner.requests.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        // Nothing panics while the lock is held; a poisoned lock still holds valid counters.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
