//! Reading live flows with few calls: one list call, then one export per flow that is wanted and
//! not already cached at the revision the list shows, run concurrently (the client's rate limiter
//! paces them).

use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt, stream};
use serde_json::Value;

use super::cache::FlowCache;

/// One item of the flow list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFlow {
    pub id: String,
    pub name: String,
    pub disabled: bool,
    /// Changes on every save (etag, modified time or version), when the server says it.
    pub revision: Option<String>,
}

/// What reading live flows needs from a project.
pub trait FlowSource {
    type Error;
    fn list(&self) -> impl Future<Output = Result<Vec<ListedFlow>, Self::Error>>;
    /// The v2 document of one flow.
    fn export(&self, flow_id: &str) -> impl Future<Output = Result<Value, Self::Error>>;
}

/// The live flows: every listed one, and the documents of those that were wanted and exist.
#[derive(Debug, Clone, Default)]
pub struct LiveFlows {
    pub listed: Vec<ListedFlow>,
    pub documents: BTreeMap<String, Value>,
    /// Export calls made (the rest came from the cache).
    pub exports: usize,
}

/// Lists the flows, then reads the documents of the listed flows whose id `wanted` accepts, from
/// `cache` when its revision matches, else by export (at most `concurrency` at once).
pub async fn read_live_flows<S: FlowSource>(
    source: &S,
    wanted: impl Fn(&str) -> bool,
    cache: Option<&FlowCache>,
    concurrency: usize,
) -> Result<LiveFlows, S::Error> {
    let listed = source.list().await?;
    let mut documents = BTreeMap::new();
    let mut to_export = Vec::new();
    for flow in &listed {
        if !wanted(&flow.id) {
            continue;
        }
        let cached = cache
            .zip(flow.revision.as_deref())
            .and_then(|(cache, revision)| cache.get(&flow.id, revision));
        match cached {
            Some(document) => {
                documents.insert(flow.id.clone(), document);
            }
            None => to_export.push(flow),
        }
    }
    let exported: Vec<(&ListedFlow, Value)> = stream::iter(to_export)
        .map(|flow| async move { Ok((flow, source.export(&flow.id).await?)) })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    let exports = exported.len();
    for (flow, document) in exported {
        if let (Some(cache), Some(revision)) = (cache, flow.revision.as_deref()) {
            // A cache that cannot be written only costs a later export; never fail a read for it.
            if let Err(error) = cache.put(&flow.id, revision, &document) {
                tracing::debug!(%error, "flow cache not written");
            }
        }
        documents.insert(flow.id.clone(), document);
    }
    Ok(LiveFlows {
        listed,
        documents,
        exports,
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use serde_json::json;

    use super::*;

    struct Counting {
        flows: Vec<ListedFlow>,
        exports: Cell<usize>,
    }

    impl FlowSource for Counting {
        type Error = String;
        async fn list(&self) -> Result<Vec<ListedFlow>, String> {
            Ok(self.flows.clone())
        }
        async fn export(&self, flow_id: &str) -> Result<Value, String> {
            self.exports.set(self.exports.get() + 1);
            Ok(json!({"flowId": flow_id}))
        }
    }

    fn source(revision: Option<&str>) -> Counting {
        Counting {
            flows: (0..50)
                .map(|i| ListedFlow {
                    id: format!("flow-{i}"),
                    name: String::new(),
                    disabled: false,
                    revision: revision.map(str::to_owned),
                })
                .collect(),
            exports: Cell::new(0),
        }
    }

    fn read(source: &Counting, wanted: Option<&[String]>, cache: Option<&FlowCache>) -> LiveFlows {
        let wanted = |id: &str| wanted.is_none_or(|ids| ids.iter().any(|wanted| wanted == id));
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(read_live_flows(source, wanted, cache, 4))
            .unwrap()
    }

    #[test]
    fn a_warm_cache_leaves_only_the_list_call() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FlowCache::new(dir.path(), "dev").unwrap();
        let cold = source(Some("e1"));
        assert_eq!(read(&cold, None, Some(&cache)).exports, 50);
        let warm = source(Some("e1"));
        let live = read(&warm, None, Some(&cache));
        assert_eq!((live.exports, warm.exports.get()), (0, 0));
        assert_eq!(live.documents.len(), 50);
        let changed = source(Some("e2"));
        assert_eq!(read(&changed, None, Some(&cache)).exports, 50);
    }

    #[test]
    fn without_revisions_or_cache_every_wanted_flow_is_exported() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FlowCache::new(dir.path(), "dev").unwrap();
        let unrevised = source(None);
        read(&unrevised, None, Some(&cache));
        assert_eq!(read(&unrevised, None, Some(&cache)).exports, 50);
        let wanted = ["flow-3".to_owned(), "missing".to_owned()];
        let live = read(&source(Some("e")), Some(&wanted), None);
        assert_eq!(
            (live.exports, live.documents.len(), live.listed.len()),
            (1, 1, 50)
        );
    }
}
