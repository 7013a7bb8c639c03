//! A global allocator that counts the heap in use and its peak, for the
//! big-dump and merge benchmarks and the 4 GB dump test: the figure they
//! report is the heap the code holds, not the process's RSS, which the
//! allocator's caching blurs. It counts a block's whole size, pages never
//! written included, as a wasm heap holds them. A realloc that moves
//! holds both blocks for a moment, and counts them both; one that grows
//! or shrinks in place counts the difference.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(true);

fn grew(by: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

fn shrank(by: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE.fetch_sub(by, Ordering::Relaxed);
    }
}

/// Stops counting for the rest of the process, for a run that is timed:
/// counting costs two atomic operations an allocation. (Blocks counted
/// before stay counted; the figures are not read after.)
#[allow(dead_code)] // Only the merge benchmark times a process that counts.
pub fn stop_counting() {
    COUNTING.store(false, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        let old = layout.size();
        if p.is_null() {
            // Failed: the old block stays as it was.
        } else if p == ptr {
            if new_size >= old {
                grew(new_size - old);
            } else {
                shrank(old - new_size);
            }
        } else {
            grew(new_size);
            shrank(old);
        }
        p
    }
}

/// Runs `f` and returns its result with the peak heap it added over what
/// was in use when it started, in bytes.
#[allow(dead_code)] // Each benchmark uses one of the two ways.
pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = start_peak();
    let out = f();
    (out, peak_since(base))
}

/// Starts measuring a peak: returns the heap in use now, for [`peak_since`].
pub fn start_peak() -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    base
}

/// The peak heap since [`start_peak`] returned `base`, over `base`, in
/// bytes.
pub fn peak_since(base: usize) -> usize {
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}
