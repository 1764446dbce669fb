//! A global allocator for tests that searches every block, before it is
//! freed, for a few registered 16-byte patterns (key material), and counts
//! the hits. A copy of a key left in freed memory is what a later
//! allocation, a core dump or a heap-reading bug could hand out.
//!
//! Install it with `#[global_allocator] static A: scan_alloc::Scanning =
//! scan_alloc::Scanning;`, then [`arm`], run the code under test, [`disarm`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::RwLock;

/// Length of one searched pattern; 16 bytes cannot match by chance.
pub const NEEDLE_LEN: usize = 16;
/// The most patterns searched at once.
pub const MAX_NEEDLES: usize = 256;

/// The allocator: the system allocator, plus the search in `dealloc`.
pub struct Scanning;

static ARMED: AtomicBool = AtomicBool::new(false);
static NEEDLES: RwLock<([[u8; NEEDLE_LEN]; MAX_NEEDLES], usize)> =
    RwLock::new(([[0; NEEDLE_LEN]; MAX_NEEDLES], 0));
static HITS: [AtomicUsize; MAX_NEEDLES] = [const { AtomicUsize::new(0) }; MAX_NEEDLES];

unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Acquire) {
            // SAFETY: `ptr` points to a live block of `layout.size()`
            // bytes that its owner has finished with; it is only read.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            search(block);
        }
        // Every freed block is wiped, armed or not, so the uninitialized
        // capacity of a later allocation never holds stale bytes from
        // before: a hit is always a block that held the pattern when freed.
        // SAFETY: the block is live and `layout.size()` bytes long.
        unsafe { std::ptr::write_bytes(ptr, 0, layout.size()) };
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    // No `realloc`: the default one allocates, copies and frees through
    // `dealloc`, so the old block of every growing buffer is searched.
}

/// Counts each needle found in `block`. Allocates nothing, so it may run
/// inside the allocator. Readers share the lock; only [`arm`] writes it,
/// before searching starts.
fn search(block: &[u8]) {
    let Ok(guard) = NEEDLES.try_read() else {
        return;
    };
    let (needles, count) = &*guard;
    if block.len() < NEEDLE_LEN {
        return;
    }
    for window in block.windows(NEEDLE_LEN) {
        for (index, needle) in needles[..*count].iter().enumerate() {
            if window == needle {
                HITS[index].fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Starts searching freed blocks for `needles` (at most `MAX_NEEDLES`).
pub fn arm(needles: &[[u8; NEEDLE_LEN]]) {
    assert!(needles.len() <= MAX_NEEDLES);
    ARMED.store(false, Ordering::Release);
    let mut guard = NEEDLES.write().unwrap_or_else(|e| e.into_inner());
    guard.0[..needles.len()].copy_from_slice(needles);
    guard.1 = needles.len();
    for hit in &HITS {
        hit.store(0, Ordering::Relaxed);
    }
    drop(guard);
    ARMED.store(true, Ordering::Release);
}

/// Stops searching and returns how often each needle was found.
pub fn disarm() -> Vec<usize> {
    ARMED.store(false, Ordering::Release);
    let count = NEEDLES.read().unwrap_or_else(|e| e.into_inner()).1;
    HITS[..count]
        .iter()
        .map(|hit| hit.load(Ordering::Relaxed))
        .collect()
}
