//! What the series view draws, on a 0..1 scale: a group's counts as small
//! bars, and the goroutines per state across snapshots as stacked columns.
//! The page turns fractions into pixels; colours are CSS classes, one per
//! state slot, so the light and dark themes each pick their own.

use serde::{Deserialize, Serialize};

use crate::analysis::goroutines::series::SeriesSummary;

/// States drawn in their own colour; the rest share the last slot.
pub const STATE_SLOTS: usize = 6;

/// Said for the goroutines of snapshots whose format records no state.
pub const NO_STATE: &str = "state not recorded";

/// Each count as a fraction of the largest (all 0 when every count is 0).
pub fn bar_heights(counts: &[u64]) -> Vec<f64> {
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&c| if max == 0 { 0.0 } else { c as f64 / max as f64 })
        .collect()
}

/// One state's part of a snapshot's column: `y0..y1` from the bottom, as
/// fractions of the tallest column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub slot: usize,
    pub state: String,
    pub count: u64,
    pub y0: f64,
    pub y1: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub total: u64,
    /// Bottom to top, in legend order.
    pub segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LegendEntry {
    pub slot: usize,
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StateChart {
    pub columns: Vec<Column>,
    pub legend: Vec<LegendEntry>,
    pub max_total: u64,
}

/// The stacked columns of goroutines per state, one per snapshot, largest
/// states at the bottom.
pub fn state_chart(s: &SeriesSummary) -> StateChart {
    let name = |state: &str| {
        if state.is_empty() {
            NO_STATE.to_string()
        } else {
            state.to_string()
        }
    };
    let slot = |k: usize| k.min(STATE_SLOTS - 1);
    let max_total = s
        .snapshots
        .iter()
        .map(|x| x.total)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut legend: Vec<LegendEntry> = Vec::new();
    for (k, st) in s.states.iter().enumerate() {
        if k < STATE_SLOTS - 1 || s.states.len() == STATE_SLOTS {
            legend.push(LegendEntry {
                slot: slot(k),
                state: name(&st.state),
            });
        } else if k == STATE_SLOTS - 1 {
            legend.push(LegendEntry {
                slot: slot(k),
                state: "other states".into(),
            });
        }
    }
    let columns = s
        .snapshots
        .iter()
        .enumerate()
        .map(|(i, snap)| {
            let mut y = 0.0;
            let mut segments: Vec<Segment> = Vec::new();
            for (k, st) in s.states.iter().enumerate() {
                let count = st.counts.get(i).copied().unwrap_or(0);
                if count == 0 {
                    continue;
                }
                let h = count as f64 / max_total as f64;
                match segments.last_mut() {
                    Some(last) if last.slot == slot(k) && k >= STATE_SLOTS - 1 => {
                        last.count += count;
                        last.y1 += h;
                        last.state = "other states".into();
                    }
                    _ => segments.push(Segment {
                        slot: slot(k),
                        state: name(&st.state),
                        count,
                        y0: y,
                        y1: y + h,
                    }),
                }
                y += h;
            }
            Column {
                name: snap.name.clone(),
                total: snap.total,
                segments,
            }
        })
        .collect();
    StateChart {
        columns,
        legend,
        max_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::goroutines::series::{SnapshotInfo, StateSeries};

    fn summary(states: &[(&str, &[u64])]) -> SeriesSummary {
        let n = states[0].1.len();
        SeriesSummary {
            snapshots: (0..n)
                .map(|i| SnapshotInfo {
                    name: format!("s{i}"),
                    total: states.iter().map(|(_, c)| c[i]).sum(),
                    ..SnapshotInfo::default()
                })
                .collect(),
            states: states
                .iter()
                .map(|(s, c)| StateSeries {
                    state: s.to_string(),
                    counts: c.to_vec(),
                })
                .collect(),
            ..SeriesSummary::default()
        }
    }

    #[test]
    fn bars_are_fractions_of_the_largest_count() {
        assert_eq!(bar_heights(&[1, 2, 4]), [0.25, 0.5, 1.0]);
        assert_eq!(bar_heights(&[0, 0]), [0.0, 0.0]);
        assert!(bar_heights(&[]).is_empty());
    }

    #[test]
    fn columns_stack_states_against_the_tallest_snapshot() {
        let c = state_chart(&summary(&[
            ("chan send", &[101, 451]),
            ("chan receive", &[16, 16]),
            ("", &[0, 0]),
            ("running", &[1, 1]),
        ]));
        assert_eq!(c.max_total, 468);
        let last = &c.columns[1];
        assert_eq!(last.total, 468);
        assert_eq!(
            last.segments
                .iter()
                .map(|s| (s.slot, s.state.as_str(), s.count))
                .collect::<Vec<_>>(),
            [
                (0, "chan send", 451),
                (1, "chan receive", 16),
                (3, "running", 1)
            ]
        );
        assert!((last.segments[2].y1 - 1.0).abs() < 1e-12);
        assert_eq!(last.segments[1].y0, last.segments[0].y1);
        assert!((c.columns[0].segments.last().unwrap().y1 - 118.0 / 468.0).abs() < 1e-12);
        assert_eq!(c.legend[2].state, NO_STATE);
    }

    #[test]
    fn states_beyond_the_slots_share_the_last_one() {
        let many: Vec<(String, Vec<u64>)> = (0..8)
            .map(|k| (format!("s{k}"), vec![8 - k as u64]))
            .collect();
        let refs: Vec<(&str, &[u64])> = many
            .iter()
            .map(|(s, c)| (s.as_str(), c.as_slice()))
            .collect();
        let c = state_chart(&summary(&refs));
        assert_eq!(c.legend.len(), STATE_SLOTS);
        assert_eq!(c.legend[STATE_SLOTS - 1].state, "other states");
        let segs = &c.columns[0].segments;
        assert_eq!(segs.len(), STATE_SLOTS);
        assert_eq!(segs[STATE_SLOTS - 1].count, 3 + 2 + 1);
        assert!((segs[STATE_SLOTS - 1].y1 - 1.0).abs() < 1e-12);
    }
}
