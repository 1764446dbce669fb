//! The in-process store: records in a map behind a mutex, with TTLs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{Record, SessionStore, StoreFuture, Write, WriteMode, Written};
use crate::session::{SessionId, SESSION_ID_LEN};

/// How long [`MemoryStore`] remembers a revocation by default (30 days).
const DEFAULT_REVOCATION_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);
/// Expired records are swept on a write once this many writes have passed
/// since the last sweep, so memory stays bounded without a background task.
const SWEEP_EVERY: u32 = 1024;

type Id = [u8; SESSION_ID_LEN];

/// An in-process [`SessionStore`]: for development, tests and single-process
/// apps. Records live in this process's memory (lost on restart, not shared
/// between instances) and honour their TTLs; cloning shares the records.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use cookie_seal::store::{MemoryStore, SessionStore, Write, Written};
/// use cookie_seal::SessionId;
///
/// let store = MemoryStore::new();
/// let id = SessionId::generate()?;
/// let write = Write::create(Vec::new(), Duration::from_secs(60)).set("n", vec![0x01]);
/// // Any executor drives the futures; the store's own are always ready.
/// assert_eq!(pollster::block_on(store.write(&id, &write))?, Written::Stored);
/// let record = pollster::block_on(store.load(&id))?.expect("stored");
/// assert_eq!(record.values, vec![("n".to_owned(), vec![0x01])]);
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
    revocation_window: Option<Duration>,
}

#[derive(Default)]
struct Inner {
    records: HashMap<Id, Stored>,
    /// User -> IDs of the records bound to them.
    users: HashMap<String, HashSet<Id>>,
    /// User -> (revoked at, Unix seconds; forgotten at).
    revoked: HashMap<String, (u64, Instant)>,
    writes_since_sweep: u32,
}

struct Stored {
    meta: Vec<u8>,
    values: BTreeMap<String, Vec<u8>>,
    expires_at: Instant,
    user: Option<String>,
}

impl MemoryStore {
    /// An empty store; revocations are remembered for 30 days.
    #[must_use]
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// How long [`SessionStore::revoked_at`] remembers a revocation: keep it
    /// at least the layer's idle lifetime, so that a session riding in a
    /// cookie cannot outlive its user's revocation.
    #[must_use]
    pub fn revocation_window(mut self, window: Duration) -> MemoryStore {
        self.revocation_window = Some(window);
        self
    }

    /// How many live (unexpired) records the store holds.
    #[must_use]
    pub fn len(&self) -> usize {
        let now = Instant::now();
        self.lock()
            .records
            .values()
            .filter(|stored| stored.expires_at > now)
            .count()
    }

    /// Whether the store holds no live record.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update below leaves the maps consistent at each step.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn load_now(&self, id: &SessionId) -> Option<Record> {
        let inner = self.lock();
        let stored = inner.records.get(id.as_bytes())?;
        (stored.expires_at > Instant::now()).then(|| Record {
            meta: stored.meta.clone(),
            values: stored
                .values
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        })
    }

    fn write_now(&self, id: &SessionId, write: &Write) -> Written {
        let now = Instant::now();
        let expires_at = now.checked_add(write.ttl).unwrap_or(now);
        let mut inner = self.lock();
        inner.sweep_now_and_then(now);
        if let Some(old) = &write.replaces {
            inner.delete(old.as_bytes());
        }
        let key = *id.as_bytes();
        match write.mode {
            WriteMode::Create => {
                inner.delete(&key);
                inner.records.insert(
                    key,
                    Stored {
                        meta: Vec::new(),
                        values: BTreeMap::new(),
                        expires_at,
                        user: None,
                    },
                );
            }
            WriteMode::Update => {
                let live = inner
                    .records
                    .get(&key)
                    .is_some_and(|stored| stored.expires_at > now);
                if !live {
                    inner.delete(&key);
                    return Written::Gone;
                }
            }
        }
        let Some(stored) = inner.records.get_mut(&key) else {
            return Written::Gone;
        };
        stored.meta.clone_from(&write.meta);
        stored.expires_at = expires_at;
        for key in &write.remove {
            stored.values.remove(key);
        }
        for (key, value) in &write.set {
            stored.values.insert(key.clone(), value.clone());
        }
        let previous_user = std::mem::replace(&mut stored.user, write.user.clone());
        if previous_user != write.user {
            if let Some(user) = previous_user {
                inner.unindex(&user, &key);
            }
            if let Some(user) = &write.user {
                inner.users.entry(user.clone()).or_default().insert(key);
            }
        }
        Written::Stored
    }

    fn revoke_now(&self, user: &str) -> u64 {
        let window = self.revocation_window.unwrap_or(DEFAULT_REVOCATION_WINDOW);
        let now = Instant::now();
        let mut inner = self.lock();
        let ids = inner.users.remove(user).unwrap_or_default();
        let mut ended = 0;
        for id in ids {
            if let Some(stored) = inner.records.remove(&id) {
                if stored.expires_at > now {
                    ended += 1;
                }
            }
        }
        inner.revoked.insert(
            user.to_owned(),
            (unix_now(), now.checked_add(window).unwrap_or(now)),
        );
        ended
    }

    fn revoked_at_now(&self, user: &str) -> Option<u64> {
        let inner = self.lock();
        let (at, forget_at) = inner.revoked.get(user)?;
        (*forget_at > Instant::now()).then_some(*at)
    }
}

impl Inner {
    fn delete(&mut self, id: &Id) {
        if let Some(stored) = self.records.remove(id) {
            if let Some(user) = stored.user {
                self.unindex(&user, id);
            }
        }
    }

    fn unindex(&mut self, user: &str, id: &Id) {
        if let Some(ids) = self.users.get_mut(user) {
            ids.remove(id);
            if ids.is_empty() {
                self.users.remove(user);
            }
        }
    }

    /// Drops expired records and revocations every [`SWEEP_EVERY`] writes.
    fn sweep_now_and_then(&mut self, now: Instant) {
        self.writes_since_sweep += 1;
        if self.writes_since_sweep < SWEEP_EVERY {
            return;
        }
        self.writes_since_sweep = 0;
        let expired: Vec<Id> = self
            .records
            .iter()
            .filter(|(_, stored)| stored.expires_at <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in &expired {
            self.delete(id);
        }
        self.revoked.retain(|_, (_, forget_at)| *forget_at > now);
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

impl fmt::Debug for MemoryStore {
    /// Counts only: records hold session values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.lock();
        f.debug_struct("MemoryStore")
            .field("records", &inner.records.len())
            .field("users", &inner.users.len())
            .field("revoked", &inner.revoked.len())
            .finish()
    }
}

impl SessionStore for MemoryStore {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>> {
        Box::pin(async move { Ok(self.load_now(id)) })
    }

    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written> {
        Box::pin(async move { Ok(self.write_now(id, write)) })
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.lock().delete(id.as_bytes());
            Ok(())
        })
    }

    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64> {
        Box::pin(async move { Ok(self.revoke_now(user)) })
    }

    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>> {
        Box::pin(async move { Ok(self.revoked_at_now(user)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;
    use pollster::block_on;

    fn id() -> SessionId {
        SessionId::generate().unwrap()
    }

    fn values(record: &Record) -> Vec<(&str, &[u8])> {
        record
            .values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect()
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn updates_merge_key_by_key_and_the_later_write_wins() -> Result<(), StoreError> {
        let store = MemoryStore::new();
        let id = id();
        block_on(store.write(&id, &Write::create(vec![1], MINUTE).set("a", [1u8])))?;
        block_on(store.write(&id, &Write::update(vec![2], MINUTE).set("b", [2u8])))?;
        block_on(store.write(&id, &Write::update(vec![3], MINUTE).set("a", [3u8])))?;
        let record = block_on(store.load(&id))?.unwrap();
        assert_eq!(values(&record), [("a", &[3u8][..]), ("b", &[2u8][..])]);
        assert_eq!(record.meta, [3]);
        block_on(store.write(&id, &Write::update(vec![4], MINUTE).remove("a")))?;
        let record = block_on(store.load(&id))?.unwrap();
        assert_eq!(values(&record), [("b", &[2u8][..])]);
        Ok(())
    }

    #[test]
    fn an_update_never_brings_back_a_deleted_record() -> Result<(), StoreError> {
        let store = MemoryStore::new();
        let id = id();
        block_on(store.write(&id, &Write::create(vec![], MINUTE).set("a", [1u8])))?;
        block_on(store.delete(&id))?;
        let late = Write::update(vec![], MINUTE).set("b", [2u8]);
        assert_eq!(block_on(store.write(&id, &late))?, Written::Gone);
        assert_eq!(block_on(store.load(&id))?, None);
        Ok(())
    }

    #[test]
    fn a_record_is_gone_past_its_ttl() -> Result<(), StoreError> {
        let store = MemoryStore::new();
        let id = id();
        let short = Duration::from_millis(30);
        block_on(store.write(&id, &Write::create(vec![], short).set("a", [1u8])))?;
        assert!(block_on(store.load(&id))?.is_some());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(block_on(store.load(&id))?, None);
        let late = Write::update(vec![], MINUTE);
        assert_eq!(block_on(store.write(&id, &late))?, Written::Gone);
        assert!(store.is_empty());
        Ok(())
    }

    #[test]
    fn a_create_replacing_an_old_record_deletes_it() -> Result<(), StoreError> {
        let store = MemoryStore::new();
        let (old, new) = (id(), id());
        block_on(store.write(&old, &Write::create(vec![], MINUTE).set("a", [1u8])))?;
        let login = Write::create(vec![], MINUTE)
            .set("a", [1u8])
            .replacing(old.clone());
        block_on(store.write(&new, &login))?;
        assert_eq!(block_on(store.load(&old))?, None);
        assert!(block_on(store.load(&new))?.is_some());
        Ok(())
    }

    #[test]
    fn revoking_a_user_ends_their_records_only_and_is_remembered() -> Result<(), StoreError> {
        let store = MemoryStore::new();
        let (a, b, other) = (id(), id(), id());
        for id in [&a, &b] {
            block_on(store.write(id, &Write::create(vec![], MINUTE).user("42")))?;
        }
        block_on(store.write(&other, &Write::create(vec![], MINUTE).user("7")))?;
        assert_eq!(block_on(store.revoked_at("42"))?, None);
        assert_eq!(block_on(store.revoke_user("42"))?, 2);
        assert_eq!(block_on(store.load(&a))?, None);
        assert_eq!(block_on(store.load(&b))?, None);
        assert!(block_on(store.load(&other))?.is_some());
        assert!(block_on(store.revoked_at("42"))?.is_some_and(|at| at <= unix_now()));
        assert_eq!(block_on(store.revoke_user("42"))?, 0);
        Ok(())
    }

    #[test]
    fn a_revocation_is_forgotten_after_its_window() -> Result<(), StoreError> {
        let store = MemoryStore::new().revocation_window(Duration::from_millis(30));
        block_on(store.revoke_user("42"))?;
        assert!(block_on(store.revoked_at("42"))?.is_some());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(block_on(store.revoked_at("42"))?, None);
        Ok(())
    }

    #[test]
    fn rebinding_a_record_moves_it_between_user_indexes() -> Result<(), StoreError> {
        let store = MemoryStore::new();
        let id = id();
        block_on(store.write(&id, &Write::create(vec![], MINUTE).user("1")))?;
        block_on(store.write(&id, &Write::update(vec![], MINUTE).user("2")))?;
        assert_eq!(block_on(store.revoke_user("1"))?, 0);
        assert!(block_on(store.load(&id))?.is_some());
        assert_eq!(block_on(store.revoke_user("2"))?, 1);
        Ok(())
    }

    #[test]
    fn debug_shows_counts_not_values() -> Result<(), StoreError> {
        let store = MemoryStore::new();
        let id = id();
        let write = Write::create(b"secret-meta".to_vec(), MINUTE).set("k", *b"secret-value");
        assert!(!format!("{write:?}").contains("secret"));
        block_on(store.write(&id, &write))?;
        let record = block_on(store.load(&id))?.unwrap();
        assert!(!format!("{record:?}{store:?}").contains("secret"));
        Ok(())
    }
}
