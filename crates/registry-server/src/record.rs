//! What the server saw: counters and a log of requests, for tests to assert on.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use http::header::{AUTHORIZATION, PROXY_AUTHORIZATION};
use http::{HeaderMap, Method, Request, Version};

/// The most requests kept in the log; older ones are dropped (the counters go on).
pub const MAX_RECORDED_REQUESTS: usize = 100_000;

/// The most bytes of paths and headers kept in the log ([`RecordedRequest::size`] summed);
/// older requests are dropped to stay under it, so huge headers cannot fill the memory.
pub const MAX_RECORDED_BYTES: usize = 32 * 1024 * 1024;

/// How many distinct paths [`ServerStats::paths`] counts; requests for further paths are
/// still counted in [`ServerStats::requests`].
pub const MAX_COUNTED_PATHS: usize = 10_000;

/// The longest path [`ServerStats::paths`] counts, in bytes.
pub const MAX_COUNTED_PATH_BYTES: usize = 1024;

/// Counters since start-up (or the last [`crate::RunningServer::reset_stats`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// Requests received (each HTTP/2 stream counts once).
    pub requests: u64,
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// Requests per path (without the query), for up to [`MAX_COUNTED_PATHS`] paths of at
    /// most [`MAX_COUNTED_PATH_BYTES`].
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
    /// Every header, `Authorization` included, exactly as received (credentials are marked
    /// sensitive, so that `Debug` does not show them).
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

    /// The bytes this request holds in the log: its path and query, and every header
    /// name and value.
    pub fn size(&self) -> usize {
        self.path_and_query.len()
            + self
                .headers
                .iter()
                .map(|(name, value)| name.as_str().len() + value.len())
                .sum::<usize>()
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
    requests: VecDeque<RecordedRequest>,
    /// The sum of the [`RecordedRequest::size`] of `requests`.
    bytes: usize,
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
        let mut headers = request.headers().clone();
        for name in [AUTHORIZATION, PROXY_AUTHORIZATION] {
            if let http::header::Entry::Occupied(mut entry) = headers.entry(name) {
                entry.iter_mut().for_each(|value| value.set_sensitive(true));
            }
        }
        let recorded = RecordedRequest {
            method: request.method().clone(),
            path_and_query,
            headers,
            version: request.version(),
            connection,
        };
        let size = recorded.size();
        let mut inner = self.lock();
        let inner = &mut *inner;
        inner.stats.requests += 1;
        let path = recorded.path();
        let paths = &mut inner.stats.paths;
        if let Some(count) = paths.get_mut(path) {
            *count += 1;
        } else if paths.len() < MAX_COUNTED_PATHS && path.len() <= MAX_COUNTED_PATH_BYTES {
            paths.insert(path.to_owned(), 1);
        }
        *inner
            .stats
            .http_versions
            .entry(format!("{:?}", recorded.version))
            .or_default() += 1;
        while inner.requests.len() >= MAX_RECORDED_REQUESTS
            || (!inner.requests.is_empty() && inner.bytes + size > MAX_RECORDED_BYTES)
        {
            if let Some(oldest) = inner.requests.pop_front() {
                inner.bytes -= oldest.size();
            }
        }
        inner.bytes += size;
        inner.requests.push_back(recorded);
    }

    pub(crate) fn stats(&self) -> ServerStats {
        self.lock().stats.clone()
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.iter().cloned().collect()
    }

    /// Clears the counters and the log (connection numbers keep counting).
    pub(crate) fn reset(&self) {
        let mut inner = self.lock();
        inner.stats = ServerStats::default();
        inner.requests.clear();
        inner.bytes = 0;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        // Nothing panics while the lock is held; a poisoned lock still holds valid counters.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_paths_are_counted_up_to_a_limit() {
        let recorder = Recorder::default();
        for index in 0..MAX_COUNTED_PATHS + 10 {
            let request = Request::get(format!("/v1/p{index}")).body(()).unwrap();
            recorder.request(&request, 1);
        }
        let long = Request::get(format!("/v1/{}", "x".repeat(MAX_COUNTED_PATH_BYTES)))
            .body(())
            .unwrap();
        recorder.request(&long, 1);
        let again = Request::get("/v1/p0").body(()).unwrap();
        recorder.request(&again, 1);
        let stats = recorder.stats();
        assert_eq!(stats.requests, MAX_COUNTED_PATHS as u64 + 12);
        assert_eq!(stats.paths.len(), MAX_COUNTED_PATHS);
        assert_eq!(stats.path_count("/v1/p0"), 2);
        assert_eq!(stats.path_count(&format!("/v1/p{MAX_COUNTED_PATHS}")), 0);
    }
}
