//! Documents (rule sets, scoring models, CLV models) compiled once per
//! process and kept by their JSON text, so that a model given as a literal
//! in a query is compiled on each executor the first time it is used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A process-wide cache of compiled documents of one kind, by JSON text.
pub(crate) struct CompiledCache<T>(OnceLock<Mutex<HashMap<String, Arc<T>>>>);

impl<T> CompiledCache<T> {
    /// An empty cache (for a `static`).
    pub(crate) const fn new() -> Self {
        CompiledCache(OnceLock::new())
    }

    /// The compiled document for `json`: from the cache, or compiled by
    /// `compile` and kept. A compile error is returned and nothing is kept.
    pub(crate) fn get_or_compile<E>(
        &self,
        json: &str,
        compile: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        let map = self.0.get_or_init(|| Mutex::new(HashMap::new()));
        if let Ok(map) = map.lock()
            && let Some(compiled) = map.get(json)
        {
            return Ok(Arc::clone(compiled));
        }
        let compiled = Arc::new(compile(json)?);
        if let Ok(mut map) = map.lock() {
            map.insert(json.to_string(), Arc::clone(&compiled));
        }
        Ok(compiled)
    }
}
