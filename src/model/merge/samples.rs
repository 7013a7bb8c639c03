//! The merged samples, found by (stack, canonical label set) as pprof's
//! merge keys them.

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

use crate::model::chunked::{half_again, Chunked};
use crate::model::id_index::pair_hash;
use crate::model::{LabelSetId, LabelSets, Samples, StackId};

/// The merged samples' columns as they grow, and their ids by (stack,
/// canonical label set).
///
/// The values, 8 bytes a value and the widest column, grow in chunks
/// ([`Chunked`]): as a `Vec`, their last growth copied them while holding
/// both blocks, which was a fleet merge's peak. The 4-byte columns grow by
/// half as `Vec`s; chunked too, they would cost the worker's wasm more
/// than the single-file build's budget leaves.
pub(super) struct SampleIndex {
    /// 5 bytes a bucket, where a fleet's million samples are the largest
    /// index after the stack nodes'. A candidate's key is read back from
    /// `stack` and `sets`.
    ids: HashTable<u32>,
    stack: Vec<Option<StackId>>,
    values: Chunked<i64>,
    labels: Vec<LabelSetId>,
    /// The canonical label set of each merged sample, but empty until a
    /// sample has labels: CPU fleets mostly have none, and a sample past
    /// its end has none ([`LabelSets::EMPTY`]).
    sets: Vec<LabelSetId>,
}

impl SampleIndex {
    /// No samples yet, each to have `types` values.
    pub fn new(types: usize) -> Self {
        SampleIndex {
            ids: HashTable::new(),
            stack: Vec::new(),
            values: Chunked::new(types),
            labels: Vec::new(),
            sets: Vec::new(),
        }
    }

    /// Adds `values` to the sample keyed (`stack`, `canonical`), or appends
    /// one with its label set as `stored`.
    pub fn add(
        &mut self,
        stack: Option<StackId>,
        stored: LabelSetId,
        canonical: LabelSetId,
        values: &[i64],
    ) {
        let key = (stack.map_or(0, |s| s.index() as u32 + 1), canonical);
        let (stacks, sets) = (&self.stack, &self.sets);
        let key_of = |i: u32| {
            let stack = stacks[i as usize].map_or(0, |s| s.index() as u32 + 1);
            let set = sets.get(i as usize).copied().unwrap_or(LabelSets::EMPTY);
            (stack, set)
        };
        let entry = self.ids.entry(
            pair_hash(key.0, key.1 .0),
            |&i| key_of(i) == key,
            |&i| {
                let (stack, set) = key_of(i);
                pair_hash(stack, set.0)
            },
        );
        match entry {
            Entry::Occupied(e) => {
                let sums = self.values.row_mut(*e.get() as usize);
                for (sum, v) in sums.iter_mut().zip(values) {
                    *sum = sum.wrapping_add(*v);
                }
            }
            Entry::Vacant(e) => {
                let len = self.stack.len();
                e.insert(len as u32);
                if len == self.stack.capacity() {
                    let more = half_again(len);
                    self.stack.reserve_exact(more);
                    self.labels.reserve_exact(more);
                }
                self.stack.push(stack);
                self.values.push(values);
                self.labels.push(stored);
                if canonical != LabelSets::EMPTY || !self.sets.is_empty() {
                    // As long as the columns, which grow by half.
                    self.sets
                        .reserve_exact(self.stack.capacity() - self.sets.len());
                    self.sets.resize(len, LabelSets::EMPTY);
                    self.sets.push(canonical);
                }
            }
        }
    }

    /// The samples as the profile's columns, each of exactly its size. The
    /// index goes first, then the values as they are copied out.
    pub fn finish(self) -> Samples {
        let SampleIndex {
            ids,
            mut stack,
            values,
            mut labels,
            sets,
        } = self;
        drop((ids, sets));
        stack.shrink_to_fit();
        labels.shrink_to_fit();
        Samples {
            stack,
            values: values.into_vec(),
            labels,
        }
    }
}
