//! `cscomm run`: a command on many nodes through the propagation tree,
//! printed as `clush` prints it.

mod copy;
mod display;
mod settings;
mod stdin;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cscomm::tree::TreeRun;

use display::{Display, DisplayOptions, RunOutcome};

/// `cscomm run` options, named and meant as `clush`'s.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Target nodes (a node set such as `node[1-8],gw1`; repeatable; node
    /// groups `@name` are not resolved).
    #[arg(short = 'w', value_name = "NODES", required = true)]
    pub(crate) nodes: Vec<String>,
    /// Nodes to exclude (a node set; repeatable).
    #[arg(short = 'x', value_name = "NODES")]
    pub(crate) exclude: Vec<String>,
    /// The propagation tree (`topology.conf`); by default ClusterShell's
    /// (`$CLUSTERSHELL_CFGDIR`, `~/.config/clustershell/`,
    /// `/etc/clustershell/`...); without one every node is reached directly.
    #[arg(long, value_name = "FILE")]
    pub(crate) topology: Option<PathBuf>,
    /// This node's name in the topology (default: the short host name, or
    /// with --local the first source of the topology's routes).
    #[arg(long, value_name = "NAME")]
    pub(crate) root: Option<String>,
    /// At most this many direct connections at once, per gateway too.
    #[arg(short = 'f', long, value_name = "FANOUT", default_value_t = 64)]
    pub(crate) fanout: usize,
    /// ssh connection timeout, in seconds.
    #[arg(
        short = 't',
        long = "connect_timeout",
        value_name = "SECONDS",
        default_value_t = 10.0
    )]
    pub(crate) connect_timeout: f64,
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
    /// Exit with the largest return code of the nodes.
    #[arg(short = 'S', long = "maxrc")]
    pub(crate) maxrc: bool,
    /// Quieter: no node counts, no exit-code messages with -S.
    #[arg(short = 'q', long)]
    pub(crate) quiet: bool,
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
    #[arg(short = 'c', long = "copy", conflicts_with = "rcopy")]
    pub(crate) copy: bool,
    /// Copy the files or directories given as arguments back from the
    /// nodes, each as `NAME.NODE` in --dest (default: their directory here).
    #[arg(long = "rcopy")]
    pub(crate) rcopy: bool,
    /// Destination of --copy on the nodes (an existing directory, or the
    /// new name), or the local directory of --rcopy.
    #[arg(long = "dest", value_name = "PATH")]
    pub(crate) dest: Option<String>,
    /// With --copy or --rcopy: keep modification times and modes.
    #[arg(short = 'p')]
    pub(crate) preserve: bool,
    /// The command to run (its words are joined with spaces, as clush does),
    /// or with --copy/--rcopy the files to copy.
    /// Output bytes are written exactly as the nodes sent them (clush
    /// decodes them as UTF-8 with replacement characters); a last line
    /// without a newline is printed with one.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub(crate) command: Vec<String>,
}

/// Runs the command and prints what the nodes print; the exit code is
/// clush's (0, or with -S the largest return code, 255 after a timeout).
pub(crate) fn run(args: RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let targets = settings::targets(&args)?;
    let options = settings::tree_options(&args)?;
    if args.copy || args.rcopy {
        return run_copy(&args, &targets, options);
    }
    let command = args.command.join(" ");
    let forward_stdin = !args.no_stdin && !std::io::stdin().is_terminal();
    let display_options = DisplayOptions {
        gather: args.gather,
        quiet: args.quiet,
        maxrc: args.maxrc,
    };
    let mut display = Display::new(&display_options, &targets);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut run = TreeRun::start(&command, &targets, options)?;
        if forward_stdin {
            stdin::forward(run.handle());
        } else {
            run.close_stdin();
        }
        let mut ticks = tokio::time::interval(display::progress::TICK);
        loop {
            tokio::select! {
                event = run.next_event() => match event {
                    Some(event) => display.event(event)?,
                    None => break,
                },
                _ = ticks.tick() => display.tick()?,
            }
        }
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    let outcome = display.finish()?;
    Ok(ExitCode::from(exit_code(&display_options, outcome)))
}

/// `--copy`/`--rcopy`: clush's messages; the exit code 0 when every
/// node has its copy, else 1 (with -S the largest return code, 255 after
/// a timeout), where clush exits 0 without -S whatever happened.
fn run_copy(
    args: &RunArgs,
    targets: &cscomm::tree::NodeSet,
    mut options: cscomm::tree::TreeOptions,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let copy_args = copy::CopyArgs {
        direction: if args.rcopy {
            copy::Direction::Pull
        } else {
            copy::Direction::Push
        },
        sources: &args.command,
        dest: args.dest.as_deref(),
        preserve: args.preserve,
    };
    if args.rcopy {
        // As clush: rcopy output is not groomed (one message per line).
        settings::without_grooming(&mut options);
    }
    let display_options = DisplayOptions {
        gather: false,
        quiet: args.quiet,
        maxrc: args.maxrc,
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
        (true, _) => exit_code(&display_options, outcome),
        (false, true) => 1,
        (false, false) => 0,
    };
    Ok(ExitCode::from(code))
}

/// clush's exit code: 0, or with -S the largest return code (255 after a
/// timeout). A gateway that failed after set-up makes it at least 1
/// (clush stops the whole run with 1 on a gateway error).
fn exit_code(options: &DisplayOptions, outcome: RunOutcome) -> u8 {
    let code = match (options.maxrc, outcome.timeouts > 0) {
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
