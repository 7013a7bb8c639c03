//! Rows that grow in fixed-size chunks, for the largest arrays built
//! without knowing their final size: the stack nodes (of a file's decode
//! or of a merge) and a merge's sample values.
//!
//! Why not a `Vec`: a `Vec` that grows copies itself into a larger block,
//! and both blocks are held during the copy. On a fleet's merge the last
//! such copy of the sample values was the merge's peak (14 MB allocated on
//! top of everything else), and a grown `Vec` keeps up to half its size
//! as slack until the end. Here a full chunk is never moved: growth costs
//! one chunk, and the slack is at most one chunk (a small table holds one
//! whole chunk until it is flattened). [`Chunked::into_vec`] gives the
//! finished column as one exact block. Callers free their indexes before
//! flattening, so that the copy fits where the indexes were.
//!
//! Why by hand: the segmented vectors on crates.io (`segvec` and the like)
//! grow their segments geometrically, which brings the slack back, and
//! none gives up its chunks one at a time as it is flattened.
//!
//! The columns not worth chunks (a merge's functions, locations, lines and
//! 4-byte sample columns, a decode's stack builder) grow by half instead,
//! by the one rule here ([`half_again`], [`grow_by_half`]).

/// Rows per chunk: 2^14, so a chunk holds `width` x 2^14 values: 128 KiB of
/// stack nodes (two `u32`s each), 256 KiB of a CPU profile's sample values
/// (two `i64`s). Against 2^16, this took 1.1 MB off a fleet merge's peak,
/// and a merge's 2 million nodes take 131 chunks, whose pointers stay in
/// the CPU's first cache.
const SHIFT: u32 = 14;
const ROWS: usize = 1 << SHIFT;
const MASK: usize = ROWS - 1;

/// Rows of `width` values of `T` each, indexed from 0.
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    width: usize,
    rows: usize,
}

impl<T: Copy> Chunked<T> {
    /// No rows of `width` values yet; `width` 0 holds rows of nothing (and
    /// its rows past the end read as empty).
    pub fn new(width: usize) -> Self {
        Chunked {
            chunks: Vec::new(),
            width,
            rows: 0,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.rows
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Row `i`; panics past the end, as a slice does (every chunk holds
    /// only the rows pushed, so its own bounds check is the table's).
    #[inline(always)]
    pub fn row(&self, i: usize) -> &[T] {
        let at = (i & MASK) * self.width;
        &self.chunks[i >> SHIFT][at..at + self.width]
    }

    #[inline(always)]
    pub fn row_mut(&mut self, i: usize) -> &mut [T] {
        let at = (i & MASK) * self.width;
        &mut self.chunks[i >> SHIFT][at..at + self.width]
    }

    /// Appends a row of `width` values. Out of line: one copy per row type
    /// rather than one per caller keeps the worker's wasm small, and a
    /// call per new row costs a merge nothing measurable.
    #[inline(never)]
    pub fn push(&mut self, row: &[T]) {
        debug_assert_eq!(row.len(), self.width);
        if self.rows & MASK == 0 {
            self.chunks.push(Vec::with_capacity(self.width * ROWS));
        }
        if let Some(last) = self.chunks.last_mut() {
            last.extend_from_slice(row);
        }
        self.rows += 1;
    }

    /// Every row in order, as slices of whole rows.
    pub fn chunks(&self) -> impl Iterator<Item = &[T]> {
        self.chunks.iter().map(|c| &c[..])
    }

    /// The bytes held, growth slack included.
    #[cfg(test)]
    pub fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
            + self
                .chunks
                .iter()
                .map(|c| c.capacity() * std::mem::size_of::<T>())
                .sum::<usize>()
    }

    /// The chunks, in order, each of whole rows, to be taken apart one at
    /// a time.
    pub fn into_chunks(self) -> impl Iterator<Item = Vec<T>> {
        self.chunks.into_iter()
    }

    /// The rows as one block of exactly their size, each chunk freed once
    /// copied (the block is whole from the start).
    pub fn into_vec(self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.rows * self.width);
        for chunk in self.chunks {
            out.extend_from_slice(&chunk);
        }
        out
    }
}

/// The rows a full column of `len` rows makes room for when it grows by
/// half, not double: the other way a merge's tables grow. A doubling copy
/// holds the old block and one twice its size at once, and leaves up to
/// half the new one unused to the end; on a merge of many programs the
/// function, location and line tables reach hundreds of MB. Columns that
/// grow together (a stack node's parent and location) each take this.
pub(crate) fn half_again(len: usize) -> usize {
    len / 2 + 1024
}

/// Makes room in `v`, when it is full, by [`half_again`] its length.
#[inline]
pub(crate) fn grow_by_half<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(half_again(v.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_across_chunks_read_back_in_order() {
        let mut c = Chunked::new(3);
        let n = 2 * ROWS + 5;
        for i in 0..n as u32 {
            c.push(&[i, i + 1, i + 2]);
        }
        assert_eq!(c.len(), n);
        assert_eq!(
            c.row(ROWS - 1),
            &[ROWS as u32 - 1, ROWS as u32, ROWS as u32 + 1]
        );
        assert_eq!(c.row(ROWS)[0], ROWS as u32);
        c.row_mut(n - 1)[2] = 7;
        assert_eq!(c.row(n - 1), &[n as u32 - 1, n as u32, 7]);
        let rows: usize = c.chunks().map(|ch| ch.len() / 3).sum();
        assert_eq!(rows, n);
        let flat = c.into_vec();
        assert_eq!(flat.len(), 3 * n);
        assert_eq!(flat.capacity(), 3 * n);
        assert_eq!(
            &flat[3 * ROWS..3 * ROWS + 3],
            &[ROWS as u32, ROWS as u32 + 1, ROWS as u32 + 2]
        );
        assert_eq!(flat[3 * n - 1], 7);
    }

    #[test]
    fn slack_is_at_most_one_chunk() {
        let mut c = Chunked::new(2);
        for i in 0..(3 * ROWS + 1) as u64 {
            c.push(&[i, i]);
        }
        let exact = c.len() * 2 * 8;
        let chunk = ROWS * 2 * 8;
        assert!(
            c.heap_bytes() <= exact + chunk + 64 * 24,
            "{}",
            c.heap_bytes()
        );
        // A small table holds one chunk.
        let mut small = Chunked::new(2);
        for i in 0..100u64 {
            small.push(&[i, i]);
        }
        assert_eq!(small.heap_bytes(), chunk + 4 * 24);
    }

    #[test]
    fn rows_of_nothing_take_one_chunk_per_chunk_of_rows() {
        let mut c: Chunked<u8> = Chunked::new(0);
        for _ in 0..ROWS + 1 {
            c.push(&[]);
        }
        assert_eq!(c.len(), ROWS + 1);
        assert_eq!(c.chunks().count(), 2);
        assert!(c.row(ROWS).is_empty());
        assert!(c.into_vec().is_empty());
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn a_row_past_the_end_panics() {
        let mut c = Chunked::new(1);
        for i in 0..3u8 {
            c.push(&[i]);
        }
        let _ = c.row(3);
    }
}
