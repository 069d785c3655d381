//! The process's log: what the server's requests did, and every server error with its cause,
//! on stderr. Human-readable text by default (coloured on a terminal); one JSON object a line
//! with `--log-format json`, for a collector. `ZHAOSHANG_LOG` takes a filter such as `debug` or
//! `web=debug,info`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Installs the subscriber; called once, before any command runs.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("ZHAOSHANG_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tantivy=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}
