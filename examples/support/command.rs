//! Timing another program for the benchmarks: wall time and peak RSS, by
//! `/usr/bin/time` where it exists, else by polling /proc. Shared by the
//! examples that print figures beside `go tool pprof`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Wall time and max RSS (bytes, when measurable) of one command run.
pub fn time_command<S: AsRef<str>>(cmd: &[S]) -> Result<(f64, Option<u64>), String> {
    let cmd: Vec<&str> = cmd.iter().map(AsRef::as_ref).collect();
    let time_bin = Path::new("/usr/bin/time");
    if time_bin.exists() {
        let tmp =
            std::env::temp_dir().join(format!("pprof-lens-bench-time-{}", std::process::id()));
        let t = Instant::now();
        let status = Command::new(time_bin)
            .arg("-o")
            .arg(&tmp)
            .args(["-f", "%M"])
            .args(&cmd)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        let wall = t.elapsed().as_secs_f64();
        let text = std::fs::read_to_string(&tmp).unwrap_or_default();
        let _ = std::fs::remove_file(&tmp);
        if !status.success() {
            return Err(format!("{} exited with {status}", cmd.join(" ")));
        }
        let kib = text
            .lines()
            .rev()
            .find_map(|l| l.trim().parse::<u64>().ok());
        return Ok((wall, kib.map(|k| k * 1024)));
    }
    // No /usr/bin/time: poll the peak RSS (VmHWM) of the child and its descendants.
    let t = Instant::now();
    let mut child = Command::new(cmd[0])
        .args(&cmd[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut peak = 0u64;
    loop {
        peak = peak.max(tree_peak_rss(child.id()));
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            if !status.success() {
                return Err(format!("{} exited with {status}", cmd.join(" ")));
            }
            return Ok((t.elapsed().as_secs_f64(), (peak > 0).then_some(peak)));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The largest VmHWM among `pid` and its descendants.
fn tree_peak_rss(pid: u32) -> u64 {
    let mut parents = BTreeMap::<u32, u32>::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(p) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
                continue;
            };
            // The field after the parenthesised command name: state, then ppid.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                parents.insert(p, ppid);
            }
        }
    }
    let descends = |mut p: u32| loop {
        if p == pid {
            return true;
        }
        match parents.get(&p) {
            Some(&pp) if pp != 0 && pp != p => p = pp,
            _ => return false,
        }
    };
    let mut peak = 0;
    for &p in parents.keys() {
        if descends(p) {
            let status = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
            let kib = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .unwrap_or(0);
            peak = peak.max(kib * 1024);
        }
    }
    peak
}

/// The flags every benchmark takes: `--runs N` (at least 1), `--no-go`, and
/// the inputs.
pub struct Args {
    pub runs: usize,
    pub with_go: bool,
    pub inputs: Vec<String>,
}

/// Reads [`Args`] from `args` (without the program name); a bad `--runs`
/// ends the program with `usage`.
pub fn parse_args(args: &[String], usage: &str) -> Args {
    let mut out = Args {
        runs: 3,
        with_go: true,
        inputs: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => match it.next().and_then(|r| r.parse::<usize>().ok()) {
                Some(n) => out.runs = n.max(1),
                None => {
                    eprintln!("{usage}");
                    std::process::exit(2);
                }
            },
            "--no-go" => out.with_go = false,
            _ => out.inputs.push(a.clone()),
        }
    }
    out
}
