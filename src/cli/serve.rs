//! `lanyard serve`: the dev server, optionally rebuilding and reloading on every save.

use std::net::IpAddr;

use clap::Args;

use super::{print_diagnostics, RootArg};
use crate::serve::{self, Options};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Rebuild when a source file changes and reload open pages
    #[arg(long)]
    pub watch: bool,
    /// Port to listen on (0: any free port; the URL is printed)
    #[arg(long, value_name = "N", default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on; the default keeps the server private to this machine
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Include posts marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Include posts dated in the future
    #[arg(long)]
    pub future: bool,
    /// Poll for changes instead of using the system's file events (network drives, some containers)
    #[arg(long, requires = "watch")]
    pub poll: bool,
    /// Also answer requests for this host name (repeatable; localhost and IP addresses always are)
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
}

pub fn run(args: &ServeArgs) -> i32 {
    let opts = Options {
        root: args.root.root.clone(),
        bind: args.bind,
        port: args.port,
        watch: args.watch,
        poll: args.poll,
        drafts: args.drafts,
        future: args.future,
        allow_hosts: args.allow_hosts.clone(),
    };
    match serve::run(&opts) {
        Ok(()) => 0,
        Err(err) => {
            print_diagnostics(&err.diagnostics);
            1
        }
    }
}
