//! Node groups as ClusterShell 1.10 resolves them, and `clush.conf`.
//!
//! - [`GroupResolver`]: sources read from `groups.conf` (found where
//!   ClusterShell looks, with `groups.conf.d/*.conf` through `confdir`,
//!   YAML files through `autodir`, `[Main] default`), upcall sources
//!   (`map`, `mapall`, `all`, `list`, `reverse`, `cache_time`, with
//!   `$GROUP`, `$NODE`, `$CFGDIR`, `$SOURCE`) and node set expressions
//!   with groups: `@group`, `@source:group`, `@*`, `@source:*`,
//!   `@@source`, node wildcards, and the `,` `!` `&` `^` operators;
//! - [`ClushConfig`]: `clush.conf` (`[Main]`, `clush.conf.d/*.conf`,
//!   `[mode:NAME]`) as typed settings, command-line overrides applied;
//! - [`Error::message`]: each error as clush prints it.
//!
//! ```no_run
//! use cscomm_groups::GroupResolver;
//!
//! // groups.conf from $CLUSTERSHELL_CFGDIR, ~/.config/clustershell, ...
//! let mut resolver = GroupResolver::from_default_config();
//! let nodes = resolver.parse("@compute!@rack3")?;
//! println!("{nodes} ({} nodes)", nodes.len());
//! # Ok::<(), cscomm_groups::Error>(())
//! ```

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

mod clush_conf;
mod config;
mod error;
mod ini;
mod resolver;
mod source;
mod template;
mod yaml;

pub use clush_conf::{ClushConfig, ClushOverrides, ClushSettings, Color};
pub use error::Error;
pub use ini::{Ini, Section};
pub use resolver::GroupResolver;
pub use source::{DEFAULT_CACHE_TIME, FileSource, Source, UpcallSource, Upcalls};
pub use yaml::{load_file as load_yaml_file, load_str as load_yaml_str};
