//! Store decorators for the suite: [`CountingStore`] counts every call (the
//! round-trip properties are asserted with it, for every store), and
//! [`FailingStore`] fails every call while its switch is on.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cookie_seal::store::{
    Record, SessionStore, StoreError, StoreFuture, Write, WriteMode, Written,
};
use cookie_seal::SessionId;

/// How many calls of each kind a [`CountingStore`] saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    pub load: usize,
    pub write: usize,
    pub delete: usize,
    pub revoke_user: usize,
    pub revoked_at: usize,
}

impl Calls {
    pub fn total(&self) -> usize {
        self.load + self.write + self.delete + self.revoke_user + self.revoked_at
    }
}

/// One write as the store saw it (no values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenWrite {
    pub mode: WriteMode,
    pub set: Vec<String>,
    pub remove: Vec<String>,
    pub user: Option<String>,
    pub replaces: bool,
    pub ttl: std::time::Duration,
}

/// Counts each method call, then forwards it.
pub struct CountingStore<S> {
    inner: S,
    load: AtomicUsize,
    write: AtomicUsize,
    delete: AtomicUsize,
    revoke_user: AtomicUsize,
    revoked_at: AtomicUsize,
    writes: Mutex<Vec<SeenWrite>>,
}

impl<S> CountingStore<S> {
    pub fn new(inner: S) -> CountingStore<S> {
        CountingStore {
            inner,
            load: AtomicUsize::new(0),
            write: AtomicUsize::new(0),
            delete: AtomicUsize::new(0),
            revoke_user: AtomicUsize::new(0),
            revoked_at: AtomicUsize::new(0),
            writes: Mutex::new(Vec::new()),
        }
    }

    /// The calls so far.
    pub fn calls(&self) -> Calls {
        Calls {
            load: self.load.load(Ordering::SeqCst),
            write: self.write.load(Ordering::SeqCst),
            delete: self.delete.load(Ordering::SeqCst),
            revoke_user: self.revoke_user.load(Ordering::SeqCst),
            revoked_at: self.revoked_at.load(Ordering::SeqCst),
        }
    }

    /// The writes so far, oldest first.
    pub fn writes(&self) -> Vec<SeenWrite> {
        self.writes.lock().unwrap().clone()
    }
}

impl<S> fmt::Debug for CountingStore<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountingStore")
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl<S: SessionStore> SessionStore for CountingStore<S> {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>> {
        self.load.fetch_add(1, Ordering::SeqCst);
        self.inner.load(id)
    }

    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written> {
        self.write.fetch_add(1, Ordering::SeqCst);
        self.writes.lock().unwrap().push(SeenWrite {
            mode: write.mode,
            set: write.set.iter().map(|(key, _)| key.clone()).collect(),
            remove: write.remove.clone(),
            user: write.user.clone(),
            replaces: write.replaces.is_some(),
            ttl: write.ttl,
        });
        self.inner.write(id, write)
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        self.delete.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(id)
    }

    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64> {
        self.revoke_user.fetch_add(1, Ordering::SeqCst);
        self.inner.revoke_user(user)
    }

    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>> {
        self.revoked_at.fetch_add(1, Ordering::SeqCst);
        self.inner.revoked_at(user)
    }
}

/// Fails every call with [`StoreError::Unavailable`] while switched on.
pub struct FailingStore<S> {
    inner: S,
    failing: Arc<AtomicBool>,
}

/// The switch of a [`FailingStore`].
#[derive(Clone)]
pub struct Switch(Arc<AtomicBool>);

impl Switch {
    pub fn fail(&self, failing: bool) {
        self.0.store(failing, Ordering::SeqCst);
    }
}

impl<S> FailingStore<S> {
    pub fn new(inner: S) -> (FailingStore<S>, Switch) {
        let failing = Arc::new(AtomicBool::new(false));
        let switch = Switch(Arc::clone(&failing));
        (FailingStore { inner, failing }, switch)
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::unavailable(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "store switched off by the test",
            )));
        }
        Ok(())
    }
}

impl<S> fmt::Debug for FailingStore<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FailingStore").finish_non_exhaustive()
    }
}

impl<S: SessionStore> SessionStore for FailingStore<S> {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>> {
        match self.check() {
            Ok(()) => self.inner.load(id),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }

    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written> {
        match self.check() {
            Ok(()) => self.inner.write(id, write),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        match self.check() {
            Ok(()) => self.inner.delete(id),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }

    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64> {
        match self.check() {
            Ok(()) => self.inner.revoke_user(user),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }

    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>> {
        match self.check() {
            Ok(()) => self.inner.revoked_at(user),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }
}
