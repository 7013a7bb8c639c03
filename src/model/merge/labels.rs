//! A merged sample's label sets: the set stored on it (the input's order)
//! and the canonical set that keys it, as pprof's merge keys samples by
//! their labels sorted by key.

use super::{Merger, SourceMaps, BASE_LABEL_KEY, BASE_LABEL_VALUE};
use crate::model::{Label, LabelSetId, Profile, Strings};

impl Merger {
    /// The label set as stored (input order, `pprof::base` last when set)
    /// and its canonical form (the sample key).
    pub(super) fn map_labels(
        &mut self,
        maps: &mut SourceMaps,
        src: &Profile,
        set: LabelSetId,
        base_label: bool,
    ) -> (LabelSetId, LabelSetId) {
        if let Some(done) = maps.label_sets.get(set.index()).copied().flatten() {
            return done;
        }
        let mut labels: Vec<Label> = Vec::new();
        for l in src.label_sets.get(set) {
            // `SetLabel` replaces any string values the key had.
            if base_label && l.str.is_some() && src.str(l.key) == BASE_LABEL_KEY {
                continue;
            }
            let key = self.str(maps, src, l.key);
            labels.push(match l.str {
                Some(v) => Label {
                    key,
                    str: Some(self.str(maps, src, v)),
                    num: 0,
                    num_unit: Strings::EMPTY,
                },
                None => Label {
                    key,
                    str: None,
                    num: l.num,
                    num_unit: self.str(maps, src, l.num_unit),
                },
            });
        }
        if base_label {
            labels.push(Label {
                key: self.out.strings.intern(BASE_LABEL_KEY),
                str: Some(self.out.strings.intern(BASE_LABEL_VALUE)),
                num: 0,
                num_unit: Strings::EMPTY,
            });
        }
        let stored = self.out.label_sets.intern(&labels);
        let strings = &self.out.strings;
        // Stable: the values of one key keep their order, as in pprof's map.
        labels.sort_by(|a, b| {
            (a.str.is_none(), strings.get(a.key)).cmp(&(b.str.is_none(), strings.get(b.key)))
        });
        let canonical = self.canonical.intern(&labels);
        if let Some(slot) = maps.label_sets.get_mut(set.index()) {
            *slot = Some((stored, canonical));
        }
        (stored, canonical)
    }
}
