//! What the page calls each kind of goroutine hint, for `data-kind`.

use crate::analysis::goroutines::HintKind;

/// The symptoms of the reading guide get its words (`netpoll`, `mutex`,
/// `dominant-group`); the other kinds their snake_case serde names, so a
/// test can find any hint without reading its prose.
pub fn hint_kind_name(kind: HintKind) -> &'static str {
    match kind {
        HintKind::NetworkWait => "netpoll",
        HintKind::LockContention => "mutex",
        HintKind::DominantGroup => "dominant-group",
        HintKind::Panic => "panic",
        HintKind::FatalError => "fatal_error",
        HintKind::Signal => "signal",
        HintKind::Deadlock => "deadlock",
        HintKind::ConcurrentMap => "concurrent_map",
        HintKind::StackOverflow => "stack_overflow",
        HintKind::DeepRecursion => "deep_recursion",
        HintKind::Leaked => "leaked",
        HintKind::PossibleLeak => "possible_leak",
        HintKind::BlockedForever => "blocked_forever",
        HintKind::ManyGoroutines => "many_goroutines",
        HintKind::WaitGroupWait => "wait_group_wait",
        HintKind::CondWait => "cond_wait",
        HintKind::Syscall => "syscall",
        HintKind::LockedToThread => "locked_to_thread",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_name() {
        let kinds = [
            HintKind::Panic,
            HintKind::FatalError,
            HintKind::Signal,
            HintKind::Deadlock,
            HintKind::ConcurrentMap,
            HintKind::StackOverflow,
            HintKind::DeepRecursion,
            HintKind::LockContention,
            HintKind::NetworkWait,
            HintKind::Leaked,
            HintKind::PossibleLeak,
            HintKind::BlockedForever,
            HintKind::ManyGoroutines,
            HintKind::DominantGroup,
            HintKind::WaitGroupWait,
            HintKind::CondWait,
            HintKind::Syscall,
            HintKind::LockedToThread,
        ];
        let mut names: Vec<&str> = kinds.iter().map(|&k| hint_kind_name(k)).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), kinds.len());
        assert!(names.iter().all(|n| n
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-')));
    }
}
