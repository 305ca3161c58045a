//! Version lists and the paginated pack list, read page by page through their cursors.

use std::collections::{HashSet, VecDeque};

use http::Method;
use registry_types::wire::{PackPage, PackSummary};
use registry_types::{Namespace, UntrustedText};

use crate::body::SizeLimit;
use crate::client::RegistryClient;
use crate::endpoint::listing_path;
use crate::error::Result;
use crate::request_fault::RequestFault;
use crate::target::{Target, TargetKind};

/// The page size asked for (the protocol's default; the maximum is 100).
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The pack list of a namespace, fetched one page at a time as it is read.
///
/// Pages are requested with `limit` = [`DEFAULT_PAGE_SIZE`] (or [`PackPages::with_page_size`])
/// and the previous page's `next_cursor`; the list ends when a page says `has_more: false`
/// or gives no cursor. A cursor that comes back a second time is an error, and so is a
/// listing longer than [`crate::Limits::max_list_pages`], so a broken or hostile registry
/// cannot make a reader loop forever.
#[derive(Debug)]
pub struct PackPages {
    client: RegistryClient,
    target: Target,
    namespace: Option<Namespace>,
    page_size: u32,
    cursor: Option<String>,
    seen: HashSet<String>,
    pages: usize,
    buffered: VecDeque<PackSummary>,
    finished: bool,
}

impl RegistryClient {
    /// The pack list of the global namespace.
    pub fn list_packs(&self) -> PackPages {
        self.list_packs_in(None)
    }

    /// The pack list of `namespace` (`/orgs/{org}/packs`), or of the global namespace.
    pub fn list_packs_in(&self, namespace: Option<&Namespace>) -> PackPages {
        PackPages {
            client: self.clone(),
            target: Target::new(TargetKind::Listing {
                namespace: namespace.cloned(),
            }),
            namespace: namespace.cloned(),
            page_size: DEFAULT_PAGE_SIZE,
            cursor: None,
            seen: HashSet::new(),
            pages: 0,
            buffered: VecDeque::new(),
            finished: false,
        }
    }
}

impl PackPages {
    /// Asks for pages of `size` packs (1 to 100).
    pub fn with_page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, 100);
        self
    }

    /// The next page, or `None` after the last one.
    ///
    /// # Errors
    /// The §11 error of a refused request, a malformed page, a repeated cursor, or
    /// [`crate::RequestFault::TooLarge`] past [`crate::Limits::max_list_pages`].
    pub async fn next_page(&mut self) -> Result<Option<Vec<PackSummary>>> {
        if self.finished {
            return Ok(None);
        }
        let max = self.client.config().limits.max_list_pages;
        if self.pages >= max {
            self.finished = true;
            let fault = RequestFault::TooLarge {
                limit: SizeLimit::ListPages { max },
            };
            return Err(fault.at(&self.target, &self.client.transport().registry, 0));
        }
        self.pages += 1;
        let path = listing_path(
            self.namespace.as_ref(),
            self.page_size,
            self.cursor.as_deref(),
        );
        let call = self.client.call(Method::GET, &path, &self.target);
        let page: PackPage = self.client.json(&call).await?;
        match page.next_cursor.filter(|_| page.has_more) {
            Some(cursor) => {
                if !self.seen.insert(cursor.clone()) {
                    self.finished = true;
                    let fault = RequestFault::CursorLoop {
                        cursor: UntrustedText::new(&cursor),
                    };
                    return Err(fault.at(&self.target, call.registry, 1));
                }
                self.cursor = Some(cursor);
            }
            None => self.finished = true,
        }
        Ok(Some(page.packs))
    }

    /// The next pack, fetching the next page when needed; `None` at the end.
    ///
    /// # Errors
    /// As [`PackPages::next_page`].
    pub async fn next(&mut self) -> Result<Option<PackSummary>> {
        while self.buffered.is_empty() {
            match self.next_page().await? {
                Some(page) => self.buffered.extend(page),
                None => return Ok(None),
            }
        }
        Ok(self.buffered.pop_front())
    }

    /// Every remaining pack.
    ///
    /// # Errors
    /// As [`PackPages::next_page`].
    pub async fn collect_all(mut self) -> Result<Vec<PackSummary>> {
        let mut packs: Vec<PackSummary> = self.buffered.drain(..).collect();
        while let Some(page) = self.next_page().await? {
            packs.extend(page);
        }
        Ok(packs)
    }
}
