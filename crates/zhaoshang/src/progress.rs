//! A progress bar on stderr for long imports and reindexing, shown only on a terminal.

use std::io::IsTerminal;

use exchange::Progress;
use indicatif::{ProgressBar, ProgressStyle};

pub struct TerminalProgress(ProgressBar);

impl TerminalProgress {
    /// A bar, or `None` when stderr is not a terminal (a script's log stays clean).
    pub fn new() -> Option<Self> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} 行 {elapsed_precise}")
        {
            bar.set_style(style);
        }
        Some(TerminalProgress(bar))
    }
}

impl Progress for TerminalProgress {
    fn start(&self, total: usize) {
        self.0.set_length(total as u64);
    }

    fn advance(&self, done: usize) {
        self.0.set_position(done as u64);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
