//! `zhaoshang mapping`: an office's own ledger mapped to an import kind's columns — suggested
//! from a ledger, saved by name for a unit, printed as JSON to keep or send — and the mapping an
//! `import --mapping` uses.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use exchange::Kind;
use exchange::mapping::Mapping;

use crate::context::{Context, actor};

#[derive(clap::Subcommand)]
pub enum MappingCommand {
    /// Suggests how LEDGER's columns map to KIND's, from its headers and values: prints the
    /// mapping as JSON (to save with `mapping save`, after checking it), then on stderr what
    /// was guessed and the first rows as they would be imported.
    Suggest {
        kind: String,
        ledger: PathBuf,
        /// The name to save it under.
        #[arg(long, default_value = "台账")]
        name: String,
    },
    /// Saves the mapping in FILE (JSON, as `suggest` or `export` print it) under its name, for
    /// --unit (default: the city's).
    Save {
        file: PathBuf,
        #[arg(long)]
        unit: Option<String>,
    },
    /// Prints the saved mapping NAME of KIND as JSON.
    Export {
        kind: String,
        name: String,
        #[arg(long)]
        unit: Option<String>,
    },
    /// Lists the saved mappings: unit, kind, name.
    List,
}

fn kind_of(name: &str) -> Result<Kind> {
    Kind::from_name(name).with_context(|| format!("不支持的数据类型“{name}”"))
}

pub async fn run(cx: &Context, command: MappingCommand) -> Result<ExitCode> {
    match command {
        MappingCommand::Suggest { kind, ledger, name } => {
            let kind = kind_of(&kind)?;
            let table = exchange::table::read(&ledger)?;
            let (mapping, notes) = exchange::mapping::suggest(kind, &table, &name);
            println!("{}", serde_json::to_string_pretty(&mapping)?);
            for note in notes {
                eprintln!("{note}");
            }
            let store = cx.open().await?;
            let held = exchange::mapping::held(&store).await?;
            let (mapped, errors) = exchange::mapping::apply(kind, &mapping, &table, &held);
            eprintln!("前5行按此映射为：{}", mapped.headers.join(" | "));
            for row in mapped.rows.iter().take(5) {
                let cells: Vec<String> = row.cells.iter().map(|c| c.text()).collect();
                eprintln!("第{}行：{}", row.number, cells.join(" | "));
            }
            for e in errors {
                eprintln!("{e}");
            }
            Ok(ExitCode::SUCCESS)
        }
        MappingCommand::Save { file, unit } => {
            let mapping = read_file(&file)?;
            kind_of(&mapping.kind)?;
            let store = cx.open().await?;
            if let Some(unit) = &unit
                && store.unit_kind(unit).await?.is_none()
            {
                bail!("单位“{unit}”不存在");
            }
            let body = serde_json::to_string(&Mapping {
                unit: unit.clone(),
                ..mapping.clone()
            })?;
            let mut tx = store.begin(&actor(None)).await?;
            tx.save_mapping(unit.as_deref(), &mapping.kind, &mapping.name, &body)
                .await?;
            tx.commit().await?;
            println!(
                "已保存映射“{}”（{}，{}）。",
                mapping.name,
                mapping.kind,
                unit.as_deref().unwrap_or("全市")
            );
            Ok(ExitCode::SUCCESS)
        }
        MappingCommand::Export { kind, name, unit } => {
            let store = cx.open().await?;
            let saved = store
                .mapping(unit.as_deref(), kind_of(&kind)?.name(), &name)
                .await?
                .with_context(|| format!("没有名为“{name}”的{kind}映射"))?;
            let mapping: Mapping = serde_json::from_str(&saved.body)?;
            println!("{}", serde_json::to_string_pretty(&mapping)?);
            Ok(ExitCode::SUCCESS)
        }
        MappingCommand::List => {
            let store = cx.open().await?;
            for m in store.mappings(None).await? {
                println!(
                    "{}\t{}\t{}",
                    m.unit.as_deref().unwrap_or("全市"),
                    m.kind,
                    m.name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A mapping file (JSON), refused in Chinese when it is not one.
pub fn read_file(path: &Path) -> Result<Mapping> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} 不是映射文件（JSON）", path.display()))
}

/// The mapping `--mapping` names for KIND: a file, or a saved mapping's name (with the unit it
/// is for when several units saved one of that name).
pub async fn named(
    store: &store::Store,
    kind: Kind,
    name: &str,
    unit: Option<&str>,
) -> Result<Mapping> {
    let path = Path::new(name);
    if name.ends_with(".json") && path.exists() {
        let mapping = read_file(path)?;
        if mapping.kind != kind.name() {
            bail!("映射文件是{}的，不是{}的", mapping.kind, kind.name());
        }
        return Ok(mapping);
    }
    let saved = match unit {
        Some(unit) => store
            .mapping(Some(unit), kind.name(), name)
            .await?
            .into_iter()
            .collect(),
        None => store.mappings_named(kind.name(), name).await?,
    };
    match saved.as_slice() {
        [] => bail!("没有名为“{name}”的{}映射", kind.label()),
        [one] => Ok(serde_json::from_str(&one.body)?),
        _ => {
            let units: Vec<String> = saved
                .iter()
                .map(|m| m.unit.clone().unwrap_or_else(|| "全市".into()))
                .collect();
            bail!(
                "有多个名为“{name}”的映射（{}），请用 --mapping-unit 指明单位",
                units.join("、")
            )
        }
    }
}
