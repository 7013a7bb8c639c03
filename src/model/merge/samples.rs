//! The merged samples, found by (stack, canonical label set) as pprof's
//! merge keys them.

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

use crate::model::chunked::Chunked;
use crate::model::id_index::pair_hash;
use crate::model::{LabelSetId, LabelSets, Samples, StackId};

/// The merged samples' columns as they grow, and their ids by (stack,
/// canonical label set).
///
/// The columns grow in chunks ([`Chunked`]) and become the profile's
/// [`Samples`] at the end: as `Vec`s, the last growth of the values column
/// copied it while holding both blocks, which was a fleet merge's peak.
pub(super) struct SampleIndex {
    /// 5 bytes a bucket, where a fleet's million samples are the largest
    /// index after the stack nodes'. A candidate's key is read back from
    /// `stack` and `sets`.
    ids: HashTable<u32>,
    /// Each sample's leaf node + 1, 0 for a sample with no locations.
    stack: Chunked<u32>,
    values: Chunked<i64>,
    labels: Chunked<LabelSetId>,
    /// The canonical label set of each merged sample, but empty until a
    /// sample has labels: CPU fleets mostly have none, and a sample past
    /// its end has none ([`LabelSets::EMPTY`]).
    sets: Chunked<LabelSetId>,
}

impl SampleIndex {
    /// No samples yet, each to have `types` values.
    pub fn new(types: usize) -> Self {
        SampleIndex {
            ids: HashTable::new(),
            stack: Chunked::new(1),
            values: Chunked::new(types),
            labels: Chunked::new(1),
            sets: Chunked::new(1),
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
            let i = i as usize;
            let set = if i < sets.len() {
                sets.row(i)[0]
            } else {
                LabelSets::EMPTY
            };
            (stacks.row(i)[0], set)
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
                self.stack.push(&[key.0]);
                self.values.push(values);
                self.labels.push(&[stored]);
                if canonical != LabelSets::EMPTY || !self.sets.is_empty() {
                    while self.sets.len() < len {
                        self.sets.push(&[LabelSets::EMPTY]);
                    }
                    self.sets.push(&[canonical]);
                }
            }
        }
    }

    /// The samples as the profile's columns, each of exactly its size. The
    /// index goes first, then each column as it is copied out.
    pub fn finish(self) -> Samples {
        let SampleIndex {
            ids,
            stack,
            values,
            labels,
            sets,
        } = self;
        drop((ids, sets));
        Samples {
            stack: stack.into_vec_with(|s| s.checked_sub(1).map(StackId::new)),
            values: values.into_vec(),
            labels: labels.into_vec(),
        }
    }
}
