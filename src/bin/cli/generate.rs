//! `siegel generate --man DIR --completions DIR` (hidden, for packagers): the man pages
//! (`siegel.1`, `siegel-verify.1`, ...) and the bash, zsh and fish completions, made from the
//! same clap definitions that parse the command line, so they never drift from it.

use std::path::Path;

use anyhow::{Context, Result};
use clap_complete::Shell;

use crate::args::GenerateArgs;

pub fn write(args: &GenerateArgs) -> Result<()> {
    if let Some(dir) = &args.man {
        man_pages(dir)?;
    }
    if let Some(dir) = &args.completions {
        completions(dir)?;
    }
    Ok(())
}

/// `siegel.1` and one page per visible subcommand, named as `man siegel-verify` finds them.
fn man_pages(dir: &Path) -> Result<()> {
    create(dir)?;
    let mut command = crate::command();
    // Global options (-v, -q, --color) reach the subcommands' pages only once built.
    command.build();
    render(dir, "siegel", command.clone())?;
    let documented = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help");
    for sub in documented {
        let name = format!("siegel-{}", sub.get_name());
        let page = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("siegel {}", sub.get_name()))
            .version(command.get_version().unwrap_or_default().to_owned());
        render(dir, &name, page)?;
    }
    Ok(())
}

fn render(dir: &Path, name: &str, command: clap::Command) -> Result<()> {
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .manual("Siegel Manual")
        .source(format!("Siegel {}", env!("CARGO_PKG_VERSION")))
        .render(&mut page)
        .with_context(|| format!("cannot render {name}.1"))?;
    std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))
}

/// `siegel.bash`, `_siegel` and `siegel.fish`: the names bash-completion, zsh's fpath and fish
/// expect once installed (bash-completion drops the `.bash`).
fn completions(dir: &Path) -> Result<()> {
    create(dir)?;
    let mut command = crate::command();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut command, "siegel", dir)
            .with_context(|| format!("cannot write the {shell} completion to {}", dir.display()))?;
    }
    Ok(())
}

fn create(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}
