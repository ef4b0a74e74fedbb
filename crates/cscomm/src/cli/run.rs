//! `cscomm run`: a command on many nodes through the propagation tree,
//! printed as `clush` prints it.

mod config;
mod copy;
mod display;
mod fdlimit;
mod interactive;
pub(super) mod optparse;
mod password;
mod pattern;
mod prefix;
mod regroup;
mod selection;
mod settings;
mod stdin;
mod verbose;
mod worker;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cscomm::tree::TreeRun;

use cscomm_groups::{ClushSettings, Color};
use display::labels::Axis;
use display::{Display, DisplayOptions, Labels, PROG, RunOutcome, Verbosity};

/// `cscomm run` options, named and meant as `clush`'s.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Target nodes (a node set such as `node[1-8],gw1`, with node groups
    /// `@group`, `@source:group`, `@*` and the `,` `!` `&` `^` operators;
    /// repeatable).
    #[arg(short = 'w', value_name = "NODES")]
    pub(crate) nodes: Vec<String>,
    /// Nodes to exclude (a node set, groups allowed; repeatable).
    #[arg(short = 'x', value_name = "NODES")]
    pub(crate) exclude: Vec<String>,
    /// Every node of the group source (its `all` upcall).
    #[arg(short = 'a', long = "all")]
    pub(crate) all: bool,
    /// The nodes of a group (repeatable).
    #[arg(short = 'g', long = "group", value_name = "GROUP")]
    pub(crate) groups: Vec<String>,
    /// Exclude the nodes of a group (repeatable).
    #[arg(short = 'X', value_name = "GROUP")]
    pub(crate) exclude_groups: Vec<String>,
    /// A file of target nodes, whitespace separated (repeatable).
    #[arg(
        long = "hostfile",
        visible_alias = "machinefile",
        value_name = "FILE",
        // An empty name is read too, and fails as clush's `open('')` does.
        value_parser = clap::builder::TypedValueParser::map(clap::builder::OsStringValueParser::new(), PathBuf::from)
    )]
    pub(crate) hostfile: Vec<PathBuf>,
    /// The group source of `@group`, `-g`, `-X` and `-a` (default: the
    /// `groups.conf` default).
    #[arg(short = 's', long = "groupsource", value_name = "GROUPSOURCE")]
    pub(crate) groupsource: Option<String>,
    /// Another `groups.conf` than ClusterShell's.
    #[arg(long = "groupsconf", value_name = "FILE")]
    pub(crate) groupsconf: Option<PathBuf>,
    /// Another `clush.conf` than ClusterShell's.
    #[arg(long = "conf", value_name = "FILE")]
    pub(crate) conf: Option<PathBuf>,
    /// Override a `clush.conf` key (`KEY=VALUE`; repeatable).
    #[arg(short = 'O', long = "option", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
    /// The run mode: a `[mode:NAME]` section of `clush.conf`.
    #[arg(short = 'm', long = "mode", value_name = "MODE")]
    pub(crate) mode: Option<String>,
    /// Pick N of the target nodes at random.
    #[arg(long = "pick", value_name = "N", allow_negative_numbers = true)]
    pub(crate) pick: Option<i64>,
    /// The propagation tree (`topology.conf`); by default ClusterShell's
    /// (`$CLUSTERSHELL_CFGDIR`, `~/.config/clustershell/`,
    /// `/etc/clustershell/`...); without one every node is reached directly.
    #[arg(long, value_name = "FILE")]
    pub(crate) topology: Option<PathBuf>,
    /// This node's name in the topology (default: the short host name, or
    /// with --local the first source of the topology's routes).
    #[arg(long, value_name = "NAME")]
    pub(crate) root: Option<String>,
    /// At most this many direct connections at once, per gateway too
    /// (default: `clush.conf`'s `fanout`, 64).
    #[arg(
        short = 'f',
        long,
        value_name = "FANOUT",
        allow_negative_numbers = true
    )]
    pub(crate) fanout: Option<i64>,
    /// ssh connection timeout, in seconds (default: `clush.conf`'s
    /// `connect_timeout`, 10).
    #[arg(short = 't', long = "connect_timeout", value_name = "SECONDS")]
    pub(crate) connect_timeout: Option<f64>,
    /// Command timeout, in seconds (per node).
    #[arg(short = 'u', long = "command_timeout", value_name = "SECONDS")]
    pub(crate) command_timeout: Option<f64>,
    /// Remote user (ssh `-l`).
    #[arg(short = 'l', long, value_name = "USER")]
    pub(crate) user: Option<String>,
    /// Extra ssh options.
    #[arg(short = 'o', long, value_name = "OPTIONS", allow_hyphen_values = true)]
    pub(crate) options: Option<String>,
    /// Gather nodes with the same output, shown under a node set header.
    #[arg(short = 'b', long = "dshbak")]
    pub(crate) gather: bool,
    /// Like -b, standard error included (merged into standard output).
    #[arg(short = 'B')]
    pub(crate) gather_all: bool,
    /// No header blocks; output ordered by node (with -b: gathered line
    /// by line as it comes).
    #[arg(short = 'L')]
    pub(crate) line_mode: bool,
    /// No node name in front of lines nor header blocks.
    #[arg(short = 'N')]
    pub(crate) no_label: bool,
    /// Show the gathered outputs as unified diffs against the first one.
    #[arg(long)]
    pub(crate) diff: bool,
    /// ANSI colours: never, always, or auto (on a terminal).
    #[arg(long, value_name = "WHENCOLOR", value_parser = ["never", "always", "auto"])]
    pub(crate) color: Option<String>,
    /// Write each node's standard output to DIR/NODE too.
    #[arg(long, value_name = "DIR")]
    pub(crate) outdir: Option<PathBuf>,
    /// Write each node's standard error to DIR/NODE too.
    #[arg(long, value_name = "DIR")]
    pub(crate) errdir: Option<PathBuf>,
    /// Exit with the largest return code of the nodes.
    #[arg(short = 'S', long = "maxrc")]
    pub(crate) maxrc: bool,
    /// Quieter: no node counts, no exit-code messages with -S.
    #[arg(short = 'q', long)]
    pub(crate) quiet: bool,
    /// Verbose: with -b, lines are also shown as they come.
    #[arg(short = 'v', long)]
    pub(crate) verbose: bool,
    /// Debug messages (on standard output the run's settings, as clush).
    #[arg(short = 'd', long)]
    pub(crate) debug: bool,
    /// Do not forward standard input to the nodes.
    #[arg(short = 'n', long = "nostdin")]
    pub(crate) no_stdin: bool,
    /// The embedded demo: gateways are `cscomm-gateway` processes and nodes
    /// are commands run on this machine (`%h` is the node name).
    #[arg(long)]
    pub(crate) local: bool,
    /// The command that starts a gateway on a gateway host (default, as
    /// ClusterShell: `$CLUSTERSHELL_GW_PYTHON_EXECUTABLE` or `python3`, then
    /// `-m ClusterShell.Gateway -Bu`). `PYTHONPATH` and the
    /// `CLUSTERSHELL_GW_*` variables set here are passed in front of it.
    /// With --local it replaces this program's gateway and runs here
    /// (`%h` is the gateway's name).
    #[arg(long, value_name = "COMMAND")]
    pub(crate) gateway_command: Option<String>,
    /// Copy the files or directories given as arguments to the nodes
    /// (recursively), to --dest or to their own directory.
    #[arg(short = 'c', long = "copy")]
    pub(crate) copy: bool,
    /// Copy the files or directories given as arguments back from the
    /// nodes, each as `NAME.NODE` in --dest (default: their directory here).
    /// With --copy too, as clush: a copy of them all to the nodes.
    #[arg(long = "rcopy")]
    pub(crate) rcopy: bool,
    /// Destination of --copy on the nodes (an existing directory, or the
    /// new name), or the local directory of --rcopy.
    #[arg(long = "dest", value_name = "PATH")]
    pub(crate) dest: Option<String>,
    /// With --copy or --rcopy: keep modification times and modes.
    #[arg(short = 'p')]
    pub(crate) preserve: bool,
    /// Write gathered headers with the node groups that fold their nodes
    /// (of the `-s` source, else the default one), as `@group`.
    #[arg(short = 'r', long = "regroup", overrides_with = "regroup")]
    pub(crate) regroup: bool,
    /// With -r -s: groups as `@group`, without the `@source:` prefix.
    #[arg(short = 'G', long = "groupbase", overrides_with = "groupbase")]
    pub(crate) groupbase: bool,
    /// Fold nD node sets along these axes only when writing them (a range
    /// set of 1-indexed axes such as `2` or `1-2`, or one negative index
    /// such as `-1`, the last axis).
    #[arg(
        long,
        value_name = "RANGESET",
        allow_hyphen_values = true,
        overrides_with = "axis"
    )]
    pub(crate) axis: Option<String>,
    /// Show the progress line (`cscomm: done/total`) on standard error in
    /// every output mode, even when standard error is not a terminal.
    #[arg(short = 'P', long = "progress", overrides_with = "progress")]
    pub(crate) progress: bool,
    /// How commands run: `ssh` (default) or `exec` (each node's command run
    /// here, `%h`/`%host` the node, `%n`/`%rank` its index, `%hosts` all
    /// of them in one command). A worker turns the topology off, as in
    /// clush.
    #[arg(
        short = 'R',
        long = "worker",
        value_name = "WORKER",
        overrides_with = "worker"
    )]
    pub(crate) worker: Option<String>,
    /// `yes` (default): commands run on the nodes; `no`: each node's
    /// command runs where the node is reached from (here, or in tree mode
    /// on its gateway) with `%h` the node.
    #[arg(long = "remote", value_name = "yes|no", overrides_with = "remote")]
    pub(crate) remote: Option<String>,
    /// The command to run (its words are joined with spaces, as clush does),
    /// or with --copy/--rcopy the files to copy.
    /// Output bytes are written exactly as the nodes sent them (clush
    /// decodes them as UTF-8 with replacement characters); a last line
    /// without a newline is printed with one. With none: on a terminal
    /// clush's interactive mode, else the empty command with standard
    /// input forwarded (the remote shell reads it).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub(crate) command: Vec<String>,
}

/// Runs the command and prints what the nodes print; the exit code is
/// clush's (0, or with -S the largest return code, 255 after a timeout).
pub(crate) fn run(args: RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if let Err(e) = worker::remote(&args) {
        return Ok(e.exit());
    }
    let mut resolver = selection::resolver(&args);
    let mut clush_conf = match config::load(&args) {
        Ok(conf) => conf,
        Err(e) => return Ok(selection::SelectionError::from(e).exit()),
    };
    // clush's display refuses it once `clush.conf` is read.
    if args.diff && args.line_mode {
        let message = "option mismatch (diff not supported in line_mode)".to_owned();
        return Ok(selection::SelectionError::Usage(message).exit());
    }
    let targets = match selection::targets(&args, &mut resolver, clush_conf.verbosity()) {
        Ok(targets) => targets,
        Err(e) => return Ok(e.exit()),
    };
    let axis = match args.axis.as_deref().map(Axis::parse).transpose() {
        Ok(axis) => axis.unwrap_or_default(),
        Err(e) => return Ok(selection::SelectionError::from(e).exit()),
    };
    let mut conf = match config::settings(&mut clush_conf, &args) {
        Ok(conf) => conf,
        Err(e) => return Ok(selection::SelectionError::from(e).exit()),
    };
    fdlimit::apply(conf.fd_max, display_options(&args, &conf).verbosity);
    let terminal = std::io::stdin().is_terminal();
    let interactive = args.command.is_empty() && !(args.copy || args.rcopy) && terminal;
    if let Some(code) = no_command_checks(&args, interactive, &mut conf) {
        return Ok(code);
    }
    let execution = match worker::execution(&args) {
        Ok(execution) => execution,
        Err(e) => return Ok(e.exit()),
    };
    let options = settings::tree_options(&args, &conf, execution)?;
    verbose::setup_lines(&args, &options, display_options(&args, &conf).verbosity);
    // The headers' resolver (-r); the session keeps its own for `+`/`-`/`@`.
    let labels = labels(&args, selection::resolver(&args), axis);
    if args.copy || args.rcopy {
        return run_copy(&args, &conf, &targets, options, labels);
    }
    let command = match prefix::command_line(&args, &conf, &display_options(&args, &conf)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("{PROG}: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let display_options = DisplayOptions {
        labels,
        ..display_options(&args, &conf)
    };
    let password = match password_prompt(&args, &conf, display_options.verbosity) {
        Ok(password) => password,
        Err(message) => {
            eprintln!("{PROG}: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if display_options.verbosity >= Verbosity::Debug {
        println!(
            "{PROG}: nodeset={} fanout={} [timeout conn={:.1} cmd={:.1}] command=\"{command}\"",
            display_options.labels.plain(&targets),
            conf.fanout,
            conf.connect_timeout,
            conf.command_timeout
        );
    }
    if interactive {
        let session = interactive::Session {
            options,
            display: display_options,
            targets,
            resolver: &mut resolver,
            history_size: conf.history_size,
        };
        let input = Input {
            forward: false,
            password,
        };
        let mut execute = |command: &str, targets: &_, options, display: &_, runtime: &_| {
            execute(command, targets, options, display, runtime, &input)
        };
        return Ok(match session.run(&mut execute)? {
            interactive::End::Done(None) => ExitCode::SUCCESS,
            interactive::End::Done(Some(outcome)) => ExitCode::from(exit_code(conf.maxrc, outcome)),
            interactive::End::Interrupted(code) => ExitCode::from(code),
        });
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let input = Input {
        forward: !args.no_stdin && !terminal,
        password,
    };
    let outcome = execute(
        &command,
        &targets,
        options,
        &display_options,
        &runtime,
        &input,
    )?;
    Ok(ExitCode::from(exit_code(conf.maxrc, outcome)))
}

/// With `password_prompt`, clush's -v line and the password asked on the
/// terminal.
fn password_prompt(
    args: &RunArgs,
    conf: &ClushSettings,
    verbosity: Verbosity,
) -> Result<Option<String>, String> {
    if !conf.password_prompt {
        return Ok(None);
    }
    if verbosity >= Verbosity::Verbose {
        let mode = args.mode.as_deref().unwrap_or("None");
        println!("[{mode}] password prompt enabled");
    }
    password::ask().map(Some)
}

/// clush's checks when no command is given: a copy needs sources; the
/// interactive mode takes no -n and needs a terminal for output too; with
/// standard input not a terminal, ssh gets `-T` (no pseudo-terminal).
fn no_command_checks(
    args: &RunArgs,
    interactive: bool,
    conf: &mut ClushSettings,
) -> Option<ExitCode> {
    if !args.command.is_empty() {
        return None;
    }
    let usage = |message: &str| Some(selection::SelectionError::Usage(message.to_owned()).exit());
    if args.copy || args.rcopy {
        return usage("--[r]copy option requires at least one argument");
    }
    if !interactive {
        let options = conf.ssh_options.take().unwrap_or_default();
        conf.ssh_options = Some(format!("{options} -T"));
        return None;
    }
    if args.no_stdin {
        return usage("illegal option `--nostdin' in that case");
    }
    if !std::io::stdout().is_terminal() {
        eprintln!("ERROR: interactive mode requires a tty");
        return Some(ExitCode::FAILURE);
    }
    None
}

/// What the nodes read on their standard input.
struct Input {
    /// Our standard input is forwarded (else theirs ends at once).
    forward: bool,
    /// `password_prompt`'s password, sent first as a line.
    password: Option<String>,
}

/// Runs `command` on `targets` and shows it, the nodes' input as `input`
/// says.
fn execute(
    command: &str,
    targets: &cscomm::tree::NodeSet,
    options: cscomm::tree::TreeOptions,
    display_options: &DisplayOptions,
    runtime: &tokio::runtime::Runtime,
    input: &Input,
) -> Result<RunOutcome, Box<dyn std::error::Error>> {
    let mut display = Display::new(display_options, targets)?;
    runtime.block_on(async {
        let mut run = TreeRun::start(command, targets, options)
            .map_err(|e| pattern::clush_error(e, command))?;
        if let Some(password) = &input.password {
            run.write(format!("{password}\n").into_bytes());
        }
        if input.forward {
            stdin::forward(run.handle());
        } else {
            run.close_stdin();
        }
        display.show(&mut run).await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    Ok(display.finish()?)
}

/// How node sets are written: `--axis`, and `-r` with the resolver the
/// targets were chosen with.
fn labels(args: &RunArgs, resolver: cscomm_groups::GroupResolver, axis: Axis) -> Labels {
    let regroup = args.regroup.then(|| {
        let regroup = regroup::Regroup::new(resolver, args.groupsource.clone(), args.groupbase);
        std::sync::Arc::new(std::sync::Mutex::new(regroup)) as _
    });
    Labels { axis, regroup }
}

/// What the command line and `clush.conf` ask of the display, as clush
/// resolves them (the command line wins).
fn display_options(args: &RunArgs, conf: &ClushSettings) -> DisplayOptions {
    // The last of -q, -v, -d wins in clush; here the strongest.
    let verbosity = if args.debug {
        Verbosity::Debug
    } else if args.verbose {
        Verbosity::Verbose
    } else if args.quiet {
        Verbosity::Quiet
    } else {
        match conf.verbosity {
            ..=0 => Verbosity::Quiet,
            1 => Verbosity::Std,
            2 => Verbosity::Verbose,
            _ => Verbosity::Debug,
        }
    };
    // No `color` at all: `auto`, as ClusterShell's packaged `clush.conf`.
    let color = args.color.as_deref().or(match conf.color {
        Color::Unset => Some("auto"),
        Color::Never => Some("never"),
        Color::Always => Some("always"),
        Color::Auto => Some("auto"),
    });
    DisplayOptions {
        gather: args.gather || args.gather_all || args.diff,
        line_mode: args.line_mode,
        diff: args.diff,
        label: !args.no_label,
        verbosity,
        node_count: conf.node_count,
        // clush's display follows -S only; its exit code follows `maxrc`
        // (which -S sets, and clush.conf or -O maxrc=yes too).
        maxrc: args.maxrc,
        color: use_color(color, args.gather_all),
        outdir: args.outdir.clone(),
        errdir: args.errdir.clone(),
        progress: args.progress,
        labels: Labels::default(),
    }
}

/// clush's `--color`: `auto` colours when standard output is a terminal
/// and standard error too (unless -B merges it).
fn use_color(when: Option<&str>, gather_all: bool) -> bool {
    match when {
        Some("always") => true,
        Some("auto") => {
            std::io::stdout().is_terminal() && (gather_all || std::io::stderr().is_terminal())
        }
        _ => false,
    }
}

/// `--copy`/`--rcopy`: clush's messages; the exit code 0 when every
/// node has its copy, else 1 (with -S the largest return code, 255 after
/// a timeout), where clush exits 0 without -S whatever happened.
fn run_copy(
    args: &RunArgs,
    conf: &ClushSettings,
    targets: &cscomm::tree::NodeSet,
    mut options: cscomm::tree::TreeOptions,
    labels: Labels,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    // With both flags clush copies to the nodes.
    let pull = args.rcopy && !args.copy;
    let copy_args = copy::CopyArgs {
        direction: if pull {
            copy::Direction::Pull
        } else {
            copy::Direction::Push
        },
        sources: &args.command,
        dest: args.dest.as_deref(),
        preserve: args.preserve,
    };
    if pull {
        // As clush: rcopy output is not groomed (one message per line).
        settings::without_grooming(&mut options);
    }
    // Copies print as line mode does (clush's copy handler).
    let display_options = DisplayOptions {
        gather: false,
        line_mode: false,
        diff: false,
        labels,
        ..display_options(args, conf)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(copy::run(&copy_args, targets, &options, &display_options));
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("{error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let failed = outcome.max_rc != 0 || outcome.timeouts > 0 || outcome.gateway_failures > 0;
    let code = match (args.maxrc, failed) {
        (true, _) => exit_code(conf.maxrc, outcome),
        (false, true) => 1,
        (false, false) => 0,
    };
    Ok(ExitCode::from(code))
}

/// clush's exit code: 0, or with -S the largest return code (255 after a
/// timeout). A gateway that failed after set-up makes it at least 1
/// (clush stops the whole run with 1 on a gateway error).
fn exit_code(maxrc: bool, outcome: RunOutcome) -> u8 {
    let code = match (maxrc, outcome.timeouts > 0) {
        (false, _) => 0,
        (true, true) => 255,
        (true, false) => u8::try_from(outcome.max_rc.clamp(0, 255)).unwrap_or(255),
    };
    if outcome.gateway_failures > 0 {
        code.max(1)
    } else {
        code
    }
}
