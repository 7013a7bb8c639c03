//! The views of one function and of inverted stacks: the untrimmed node
//! graph the sandwich reads its callers and callees from (as `-peek`
//! does), and profiles reshaped bottom-up or cut at a function, with their
//! flame trees, kept for the few options last asked for.

use std::rc::Rc;

use super::Session;
use crate::analysis::flame::{FlameOptions, FlameTree};
use crate::analysis::graph::Graph;
use crate::analysis::options::ReportOptions;
use crate::analysis::reshape::{reshape, Reshape};
use crate::model::Profile;

/// A reshaped profile and its flame tree, for the options it was made for.
pub(super) struct Reshaped {
    how: Reshape,
    key: ReportOptions,
    profile: Rc<Profile>,
    tree: Rc<FlameTree>,
}

impl Session {
    /// The node graph for `opts` with nothing trimmed, as `-peek` uses it.
    pub(super) fn graph(&mut self, opts: &ReportOptions) -> Result<Rc<Graph>, String> {
        if let Some((o, g)) = &self.graph {
            if o == opts {
                return Ok(g.clone());
            }
        }
        let profile = self.with_samples()?;
        let g = Rc::new(Graph::build(&profile, opts).map_err(|e| e.to_string())?);
        self.graph = Some((opts.clone(), g.clone()));
        Ok(g)
    }

    /// The profile reshaped as `how` says, and its flame tree.
    pub(super) fn reshaped(
        &mut self,
        how: &Reshape,
        opts: &ReportOptions,
    ) -> Result<(Rc<Profile>, Rc<FlameTree>), String> {
        let source = self.flame_profile();
        let key = opts.tree_key(source.default_sample_index());
        if let Some(r) = self.reshaped.iter().find(|r| r.how == *how && r.key == key) {
            return Ok((r.profile.clone(), r.tree.clone()));
        }
        let profile = Rc::new(reshape(&source, &key, how).map_err(|e| e.to_string())?);
        let tree = Rc::new(FlameTree::build_filtered(
            &profile,
            &FlameOptions::default(),
            &(),
        ));
        if self.reshaped.len() >= 3 {
            self.reshaped.remove(0);
        }
        self.reshaped.push(Reshaped {
            how: how.clone(),
            key,
            profile: profile.clone(),
            tree: tree.clone(),
        });
        Ok((profile, tree))
    }
}
