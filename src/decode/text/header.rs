//! The goroutine header line, every form Go 1.19 to 1.27 prints
//! (runtime `goroutineheader`):
//!
//! ```text
//! goroutine 18 [chan receive, 5 minutes, locked to thread]:
//! goroutine 1 gp=0xc000002380 m=nil [chan receive]:                       (GOTRACEBACK=system, 1.23+)
//! goroutine 5 [select (synctest), synctest group 8]:                      (1.24)
//! goroutine 8 [chan receive (nil chan) (durable), synctest bubble 2]:     (1.25+)
//! goroutine 28 [chan send (leaked)]:                                      (1.26+, after leak detection)
//! goroutine 8 [running labels:{"foobar": "baz"}]:                         (1.26, GODEBUG=tracebacklabels=1)
//! goroutine 11 [chan send, 1 minutes] {pool: export, tenant: "acme-eu"}:  (1.27)
//! ```
//!
//! Inside the bracket: the wait reason (or status), then ` (flag)` marks the
//! runtime appends for the moment (`(scan)`, `(leaked)`, `(durable)`, and
//! Go 1.24's `(synctest)`), then `, `-separated attributes. A parenthesised
//! part that belongs to the wait reason stays in it: `chan receive (nil
//! chan)`, `select (no cases)`, `GC worker (idle)` are states. The labels are
//! a set in either of two places (see [`super::labels`]); their quoted
//! strings may hold `]` or `:`, so the bracket and the header end where they
//! end outside quotes.

use super::labels::{quoted_end, set_end};
use super::{is_space, parse_u64, trim, trim_end, trim_start};

/// A goroutine header line, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    pub id: u64,
    /// The wait reason or status without the runtime's flags, trimmed:
    /// `chan receive`, `chan receive (nil chan)`, `running`.
    pub state: &'a [u8],
    /// `, N minutes`.
    pub wait_minutes: Option<u32>,
    pub locked_to_thread: bool,
    /// ` (leaked)`: the last goroutineleak detection cycle found it blocked
    /// on something no other goroutine can reach (Go 1.26+).
    pub leaked: bool,
    /// ` (durable)` (Go 1.25+), or Go 1.24's ` (synctest)`: durably blocked
    /// inside a synctest bubble, which is what lets the bubble go idle.
    pub durable: bool,
    /// ` (scan)`: the garbage collector was scanning its stack.
    pub scan: bool,
    /// `, synctest bubble K` (Go 1.25+) or `, synctest group K` (Go 1.24,
    /// where K is the id of the group's root goroutine).
    pub bubble: Option<u64>,
    /// The bracket's text without the labels, for [`Header::extras`].
    pub bracket: &'a [u8],
    /// The label set as printed, braces included, wherever it was; read it
    /// with [`super::labels::parse_set`].
    pub labels: Option<&'a [u8]>,
}

impl<'a> Header<'a> {
    /// Bracket attributes after the state that this parser does not know
    /// (neither the wait time, `locked to thread`, nor a synctest bubble),
    /// trimmed.
    pub fn extras(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut parts = self.bracket.split(|&b| b == b',');
        parts.next();
        parts.map(trim).filter(|p| {
            !p.is_empty()
                && minutes(p).is_none()
                && *p != b"locked to thread"
                && bubble(p).is_none()
        })
    }
}

fn minutes(part: &[u8]) -> Option<u32> {
    let n = part
        .strip_suffix(b" minutes")
        .or_else(|| part.strip_suffix(b" minute"))?;
    parse_u64(n).map(|v| u32::try_from(v).unwrap_or(u32::MAX))
}

fn bubble(part: &[u8]) -> Option<u64> {
    let id = part
        .strip_prefix(b"synctest bubble ")
        .or_else(|| part.strip_prefix(b"synctest group "))?;
    parse_u64(id)
}

/// Marks the runtime appends to the wait reason; anything else in
/// parentheses is part of the reason.
const FLAGS: [&[u8]; 4] = [b"leaked", b"durable", b"scan", b"synctest"];

/// Parses a goroutine header in any of the forms in the module docs. The
/// header must start at column 0, as Go prints it.
pub fn parse_header(line: &[u8]) -> Option<Header<'_>> {
    let rest = line.strip_prefix(b"goroutine ")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let id = parse_u64(&rest[..digits])?;
    let mut rest = &rest[digits..];
    if rest.first() != Some(&b' ') {
        return None;
    }
    rest = trim_start(rest);
    // `gp=0x.. m=.. mp=..` attributes before the bracket.
    while !rest.starts_with(b"[") {
        let end = rest.iter().position(|&b| is_space(b)).unwrap_or(rest.len());
        if !rest[..end].contains(&b'=') {
            return None;
        }
        rest = trim_start(&rest[end..]);
    }
    let close = bracket_end(rest)?;
    let mut bracket = &rest[1..close];
    let mut after = trim_start(&rest[close + 1..]);
    let mut labels = None;
    if after.first() == Some(&b'{') {
        let end = set_end(after)?;
        labels = Some(&after[..end]);
        after = trim_start(&after[end..]);
    }
    if trim_end(after) != b":" {
        return None;
    }
    if let Some(at) = find(bracket, b"labels:{") {
        // Go 1.26: ` labels:{...}` closes the bracket.
        let set = &bracket[at + b"labels:".len()..];
        let end = set_end(set)?;
        if !trim(&set[end..]).is_empty() || labels.is_some() {
            return None;
        }
        labels = Some(&set[..end]);
        bracket = &bracket[..at];
    }

    let mut parts = bracket.split(|&b| b == b',');
    let mut h = Header {
        id,
        state: b"",
        wait_minutes: None,
        locked_to_thread: false,
        leaked: false,
        durable: false,
        scan: false,
        bubble: None,
        bracket,
        labels,
    };
    h.state = split_flags(trim(parts.next().unwrap_or_default()), &mut h);
    for part in parts {
        let part = trim(part);
        if let Some(m) = minutes(part) {
            h.wait_minutes = Some(m);
        } else if part == b"locked to thread" {
            h.locked_to_thread = true;
        } else if let Some(b) = bubble(part) {
            h.bubble = Some(b);
        }
    }
    Some(h)
}

/// The index of the `]` that closes the bracket opening at `s[0]`, outside
/// quoted label strings.
fn bracket_end(s: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'"' => i = quoted_end(s, i)?,
            b']' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn find(h: &[u8], needle: &[u8]) -> Option<usize> {
    h.windows(needle.len()).position(|w| w == needle)
}

/// Strips trailing ` (flag)` marks from `state` into `h`, innermost last as
/// printed (`chan receive (nil chan) (durable)` keeps `(nil chan)`).
fn split_flags<'a>(mut state: &'a [u8], h: &mut Header<'_>) -> &'a [u8] {
    while let Some(body) = state.strip_suffix(b")") {
        let Some(open) = body.iter().rposition(|&b| b == b'(') else {
            break;
        };
        let flag = &body[open + 1..];
        if !FLAGS.contains(&flag) || (open > 0 && body[open - 1] != b' ') {
            break;
        }
        match flag {
            b"leaked" => h.leaked = true,
            b"scan" => h.scan = true,
            _ => h.durable = true,
        }
        state = trim_end(&body[..open]);
    }
    state
}
