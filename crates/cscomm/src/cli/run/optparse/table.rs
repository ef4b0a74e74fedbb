//! clush 1.10.1's options (`CLI/OptionParser.py` and `CLI/Clush.py`), and
//! those only `cscomm run` has, with the spelling clap reads.

/// What an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// No value.
    Flag,
    /// No value; options may follow positional words from here
    /// (`-c`, `--rcopy`).
    Copy,
    /// `-h`, `--help`.
    Help,
    /// `--version`.
    Version,
    /// Any text.
    Text,
    /// ClusterShell's `safestring`: not empty, not starting with `-`.
    Safe,
    /// A Python integer.
    Int,
    /// A Python float.
    Float,
    /// One of these words.
    Choice(&'static [&'static str]),
}

impl Kind {
    /// Whether the option takes a value.
    pub(super) fn takes_value(self) -> bool {
        !matches!(self, Kind::Flag | Kind::Copy | Kind::Help | Kind::Version)
    }
}

/// One option.
#[derive(Debug)]
pub(super) struct Opt {
    pub(super) shorts: &'static [char],
    pub(super) longs: &'static [&'static str],
    pub(super) kind: Kind,
    /// Repeatable (every value kept); else the last one wins.
    pub(super) append: bool,
    /// clush has it (its long names may be shortened); else `cscomm run`
    /// alone has it (exact names only).
    pub(super) clush: bool,
    /// How clap is given it (empty: accepted, then ignored).
    pub(super) clap: &'static str,
    /// An empty value means "not given" (clush tests these with `if
    /// options.NAME:`).
    pub(super) unset_when_empty: bool,
}

const fn opt(shorts: &'static [char], longs: &'static [&'static str], kind: Kind) -> Opt {
    Opt {
        shorts,
        longs,
        kind,
        append: false,
        clush: true,
        clap: "",
        unset_when_empty: false,
    }
}

const fn to(option: Opt, clap: &'static str) -> Opt {
    Opt { clap, ..option }
}

const fn append(option: Opt) -> Opt {
    Opt {
        append: true,
        ..option
    }
}

const fn unset_when_empty(option: Opt) -> Opt {
    Opt {
        unset_when_empty: true,
        ..option
    }
}

const fn ours(option: Opt) -> Opt {
    Opt {
        clush: false,
        ..option
    }
}

/// `--color`'s words (clush's `THREE_CHOICES`; empty: not given).
const COLORS: &[&str] = &["", "never", "always", "auto"];

/// Every option of `cscomm run`.
pub(super) const OPTIONS: &[Opt] = &[
    opt(&['h'], &["help"], Kind::Help),
    opt(&[], &["version"], Kind::Version),
    to(opt(&['s'], &["groupsource"], Kind::Safe), "--groupsource"),
    to(opt(&['n'], &["nostdin"], Kind::Flag), "--nostdin"),
    unset_when_empty(to(opt(&[], &["groupsconf"], Kind::Text), "--groupsconf")),
    unset_when_empty(to(opt(&[], &["conf"], Kind::Text), "--conf")),
    append(to(opt(&['O'], &["option"], Kind::Text), "--option")),
    append(to(opt(&['w'], &[], Kind::Safe), "-w")),
    append(to(opt(&['x'], &[], Kind::Safe), "-x")),
    to(opt(&['a'], &["all"], Kind::Flag), "--all"),
    append(to(opt(&['g'], &["group"], Kind::Safe), "--group")),
    append(to(opt(&['X'], &[], Kind::Safe), "-X")),
    opt(
        &['E'],
        &["engine"],
        Kind::Choice(&["auto", "epoll", "poll", "select"]),
    ),
    append(to(
        opt(&[], &["hostfile", "machinefile"], Kind::Text),
        "--hostfile",
    )),
    unset_when_empty(to(opt(&[], &["topology"], Kind::Text), "--topology")),
    to(opt(&[], &["pick"], Kind::Int), "--pick"),
    to(opt(&['q'], &["quiet"], Kind::Flag), "--quiet"),
    to(opt(&['v'], &["verbose"], Kind::Flag), "--verbose"),
    to(opt(&['d'], &["debug"], Kind::Flag), "--debug"),
    to(opt(&['G'], &["groupbase"], Kind::Flag), "--groupbase"),
    to(opt(&['L'], &[], Kind::Flag), "-L"),
    to(opt(&['N'], &[], Kind::Flag), "-N"),
    to(opt(&['P'], &["progress"], Kind::Flag), "--progress"),
    to(opt(&['b'], &["dshbak"], Kind::Flag), "--dshbak"),
    to(opt(&['B'], &[], Kind::Flag), "-B"),
    to(opt(&['r'], &["regroup"], Kind::Flag), "--regroup"),
    to(opt(&[], &["axis"], Kind::Text), "--axis"),
    to(opt(&['S'], &["maxrc"], Kind::Flag), "--maxrc"),
    to(opt(&[], &["color"], Kind::Choice(COLORS)), "--color"),
    to(opt(&[], &["diff"], Kind::Flag), "--diff"),
    unset_when_empty(to(opt(&[], &["outdir"], Kind::Text), "--outdir")),
    unset_when_empty(to(opt(&[], &["errdir"], Kind::Text), "--errdir")),
    to(opt(&['c'], &["copy"], Kind::Copy), "--copy"),
    to(opt(&[], &["rcopy"], Kind::Copy), "--rcopy"),
    to(opt(&[], &["dest"], Kind::Text), "--dest"),
    to(opt(&['p'], &[], Kind::Flag), "-p"),
    to(opt(&['f'], &["fanout"], Kind::Int), "--fanout"),
    opt(&[], &["grooming"], Kind::Float),
    to(opt(&['l'], &["user"], Kind::Safe), "--user"),
    to(opt(&['o'], &["options"], Kind::Text), "--options"),
    to(
        opt(&['t'], &["connect_timeout"], Kind::Float),
        "--connect_timeout",
    ),
    to(
        opt(&['u'], &["command_timeout"], Kind::Float),
        "--command_timeout",
    ),
    to(opt(&['m'], &["mode"], Kind::Text), "--mode"),
    unset_when_empty(to(opt(&['R'], &["worker"], Kind::Text), "--worker")),
    to(
        opt(&[], &["remote"], Kind::Choice(&["yes", "no"])),
        "--remote",
    ),
    ours(to(opt(&[], &["root"], Kind::Text), "--root")),
    ours(to(opt(&[], &["local"], Kind::Flag), "--local")),
    ours(to(
        opt(&[], &["gateway-command"], Kind::Text),
        "--gateway-command",
    )),
];

/// The option of `-LETTER`.
pub(super) fn match_short(letter: char) -> Option<usize> {
    OPTIONS.iter().position(|o| o.shorts.contains(&letter))
}

/// The option of `--NAME`, and its full long name: an exact name, else
/// the one clush name it begins (optparse's abbreviations); else clush's
/// `no such option` or `ambiguous option` message.
pub(super) fn match_long(name: &str) -> Result<(usize, &'static str), String> {
    let longs = || {
        OPTIONS
            .iter()
            .enumerate()
            .flat_map(|(i, o)| o.longs.iter().map(move |l| (i, o.clush, *l)))
    };
    if let Some((index, _, long)) = longs().find(|(_, _, long)| *long == name) {
        return Ok((index, long));
    }
    let mut found: Vec<(usize, &str)> = longs()
        .filter(|(_, clush, long)| *clush && long.starts_with(name))
        .map(|(index, _, long)| (index, long))
        .collect();
    match found.len() {
        0 => Err(format!("no such option: --{name}")),
        1 => Ok(found[0]),
        _ => {
            found.sort_by_key(|(_, long)| *long);
            let names: Vec<String> = found.iter().map(|(_, l)| format!("--{l}")).collect();
            Err(format!(
                "ambiguous option: --{name} ({}?)",
                names.join(", ")
            ))
        }
    }
}
