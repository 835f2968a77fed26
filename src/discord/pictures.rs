//! Pictures off the runtime: drawing one takes tens of milliseconds of CPU, which on an async
//! worker would hold up every other interaction queued there. So every picture the bot sends
//! is drawn through [`draw_off_runtime`], and skill maps are kept in a [`PictureCache`] with
//! the bot's data, since the same progress always gives the same picture.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::BotError;
use crate::render::map_picture::{MapPicture, PictureError};
use crate::study::SkillMap;

/// Draws a picture on tokio's blocking pool and waits for it without holding up the runtime.
///
/// The one way the Discord adapter draws: the skill map (through [`PictureCache::png`]), the
/// activity chart of `/stats` and the `/group` picture all go through here. The test
/// `drawing_a_map_lets_other_tasks_run` in tests/map_picture.rs shows it for the skill map.
pub(crate) async fn draw_off_runtime<T, F>(draw: F) -> Result<T, BotError>
where
    F: FnOnce() -> Result<T, PictureError> + Send + 'static,
    T: Send + 'static,
{
    Ok(tokio::task::spawn_blocking(draw).await??)
}

/// Rendered PNGs by (track id, learned topic numbers): the picture depends on nothing else.
pub struct PictureCache {
    picture: MapPicture,
    capacity: usize,
    inner: Mutex<CacheInner>,
}

type Key = (String, Vec<u32>);

#[derive(Default)]
struct CacheInner {
    entries: HashMap<Key, CacheEntry>,
    clock: u64,
}

struct CacheEntry {
    png: Arc<Vec<u8>>,
    last_used: u64,
}

impl PictureCache {
    /// How many pictures [`PictureCache::new`] keeps before evicting the least recently used.
    pub const CAPACITY: usize = 512;

    pub fn new(picture: MapPicture) -> Self {
        Self::with_capacity(picture, Self::CAPACITY)
    }

    pub fn with_capacity(picture: MapPicture, capacity: usize) -> Self {
        Self {
            picture,
            capacity: capacity.max(1),
            inner: Mutex::new(CacheInner::default()),
        }
    }

    pub fn picture(&self) -> &MapPicture {
        &self.picture
    }

    /// The map's PNG, drawn off the runtime at most once per (track, learned set) while it
    /// stays cached. No lock is held while drawing, so one slow picture never blocks lookups.
    pub async fn png(&self, map: &SkillMap) -> Result<Arc<Vec<u8>>, BotError> {
        let key = (map.track.id.clone(), map.learned_numbers());
        if let Some(png) = self.lookup(&key) {
            return Ok(png);
        }
        let (picture, map) = (self.picture, map.clone());
        let png = Arc::new(draw_off_runtime(move || picture.png(&map)).await?);
        Ok(self.keep(key, png))
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lookup(&self, key: &Key) -> Option<Arc<Vec<u8>>> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let entry = inner.entries.get_mut(key)?;
        entry.last_used = now;
        Some(Arc::clone(&entry.png))
    }

    /// Keeps `png`, evicting the least recently used beyond capacity; if someone drew the same
    /// picture meanwhile, theirs is kept and shared.
    fn keep(&self, key: Key, png: Arc<Vec<u8>>) -> Arc<Vec<u8>> {
        if let Some(theirs) = self.lookup(&key) {
            return theirs;
        }
        let mut inner = self.lock();
        while inner.entries.len() >= self.capacity {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(key, _)| key.clone());
            match oldest {
                Some(oldest) => inner.entries.remove(&oldest),
                None => break,
            };
        }
        let last_used = inner.clock;
        inner.entries.insert(
            key,
            CacheEntry {
                png: Arc::clone(&png),
                last_used,
            },
        );
        png
    }

    fn lock(&self) -> MutexGuard<'_, CacheInner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<PictureCache>();
    }
}
