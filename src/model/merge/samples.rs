//! The merged samples, found by (stack, canonical label set) as pprof's
//! merge keys them.

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

use crate::model::id_index::pair_hash;
use crate::model::{LabelSetId, LabelSets, Samples, StackId};

/// Merged sample ids by (stack, canonical label set): 5 bytes a bucket,
/// where a fleet's million samples are the largest index after the stack
/// nodes'. A candidate's key is read back from the stack column (4 bytes a
/// sample, within the CPU's last cache at a million samples) and from
/// `sets`.
#[derive(Default)]
pub(super) struct SampleIndex {
    ids: HashTable<u32>,
    /// The canonical label set of each merged sample, but empty until a
    /// sample has labels: CPU fleets mostly have none, and a sample past
    /// its end has none ([`LabelSets::EMPTY`]).
    sets: Vec<LabelSetId>,
}

impl SampleIndex {
    /// Adds `values` to the sample of `samples` keyed (`stack`,
    /// `canonical`), or appends it with its label set as `stored`.
    pub fn add(
        &mut self,
        samples: &mut Samples,
        stack: Option<StackId>,
        stored: LabelSetId,
        canonical: LabelSetId,
        values: &[i64],
    ) {
        let nt = values.len();
        let key = (stack.map_or(0, |s| s.index() as u32 + 1), canonical);
        let (columns, sets) = (&*samples, &self.sets);
        let key_of = |i: u32| {
            let stack = columns.stack[i as usize].map_or(0, |s| s.index() as u32 + 1);
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
                let at = *e.get() as usize * nt;
                for (sum, v) in samples.values[at..at + nt].iter_mut().zip(values) {
                    *sum = sum.wrapping_add(*v);
                }
            }
            Entry::Vacant(e) => {
                let len = samples.stack.len();
                e.insert(len as u32);
                if len == samples.stack.capacity() {
                    // Grow by half, not double (see `StackBuilder::push`).
                    let more = len / 2 + 1024;
                    samples.stack.reserve_exact(more);
                    samples.labels.reserve_exact(more);
                    samples.values.reserve_exact(more * nt);
                }
                samples.stack.push(stack);
                samples.values.extend_from_slice(values);
                samples.labels.push(stored);
                if canonical != LabelSets::EMPTY || !self.sets.is_empty() {
                    // As long as the columns, which grow by half.
                    self.sets
                        .reserve_exact(samples.stack.capacity() - self.sets.len());
                    self.sets.resize(len, LabelSets::EMPTY);
                    self.sets.push(canonical);
                }
            }
        }
    }
}
