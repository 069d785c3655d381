//! Taking over an office's own ledger: its columns (序号 / 项目名称 / 建设地点 / 总投资（亿元）…)
//! mapped to a kind's, a mapping suggested from the headers and the values under them, the
//! amounts brought to 万元 exactly, a place named inside a longer text (建设地点
//! "集贤县福利镇") taken as the unit it names, and 项目编号 made by a stated rule where the ledger
//! has none. The mapped ledger becomes a [`Table`] in the kind's own columns, which the import
//! checks and writes like any file. A mapping is saved by name per unit and travels as JSON.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::table::{Cell, Row, Table, header_key};
use crate::{Kind, columns};

mod amounts;
mod suggest;

use amounts::to_wan;
pub use suggest::{is_amount, suggest};

/// The unit a ledger's amounts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Scale {
    #[serde(rename = "元")]
    Yuan,
    #[default]
    #[serde(rename = "万元")]
    Wan,
    #[serde(rename = "亿元")]
    Yi,
}

impl Scale {
    pub const ALL: [Scale; 3] = [Scale::Yuan, Scale::Wan, Scale::Yi];

    pub fn label(self) -> &'static str {
        match self {
            Scale::Yuan => "元",
            Scale::Wan => "万元",
            Scale::Yi => "亿元",
        }
    }

    pub fn from_label(label: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|s| s.label() == label)
    }

    /// Powers of ten from this unit to 万元.
    fn shift(self) -> i32 {
        match self {
            Scale::Yuan => -4,
            Scale::Wan => 0,
            Scale::Yi => 4,
        }
    }
}

/// Where one of the ledger's columns goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap {
    /// The ledger's header as written.
    pub source: String,
    /// The kind's column (its key, as 签约额); none: the column is not imported.
    #[serde(default)]
    pub target: Option<String>,
    /// For an amount: the unit the ledger writes it in.
    #[serde(default)]
    pub scale: Scale,
}

/// A ledger's columns mapped to a kind's, saved by name for a unit (none: the city's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The kind's name (`projects`).
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub unit: Option<String>,
    pub columns: Vec<ColumnMap>,
    /// For projects without a 项目编号 column: what the made codes start with (empty: the
    /// county's 行政区划代码, else its name).
    #[serde(default)]
    pub code_prefix: String,
}

/// What the import needs to know of the records held to map a ledger: the units (name,
/// 行政区划代码), the projects held (所在县区, 项目名称 → 项目编号), every 项目编号 held.
#[derive(Debug, Clone, Default)]
pub struct Held {
    pub units: Vec<(String, Option<String>)>,
    /// Each unit's parent unit, by name.
    pub parents: HashMap<String, String>,
    pub projects: HashMap<(String, String), String>,
    pub codes: HashSet<String>,
}

/// The unit a place names: the unit whose full name stands in the text ("集贤县福利镇"), else
/// the one whose name without its last character does ("集贤" for 集贤县), the longest first.
fn unit_named(text: &str, units: &[(String, Option<String>)]) -> Option<String> {
    let text = text.trim();
    let mut by_length: Vec<&String> = units.iter().map(|(n, _)| n).collect();
    by_length.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    if let Some(full) = by_length.iter().find(|n| text.contains(n.as_str())) {
        return Some((*full).clone());
    }
    by_length
        .iter()
        .filter(|n| n.chars().count() >= 3)
        .find(|n| {
            let short: String = {
                let mut chars: Vec<char> = n.chars().collect();
                chars.pop();
                chars.into_iter().collect()
            };
            text.contains(&short)
        })
        .map(|n| (*n).clone())
}

/// A bad cell of the ledger: its row, the ledger's header, why.
pub type LedgerError = crate::RowError;

/// The ledger as a table in `kind`'s columns, through `mapping`: amounts in 万元, places as the
/// units they name, 项目编号 made where the ledger has none (see [`Mapping::code_prefix`]). Cells
/// that cannot be carried over are named with the ledger's row and header; the import reports
/// them with its own.
pub fn apply(
    kind: Kind,
    mapping: &Mapping,
    ledger: &Table,
    held: &Held,
) -> (Table, Vec<LedgerError>) {
    let targets: Vec<&'static str> = columns(kind).iter().map(|c| c.key()).collect();
    // Each kind column: the ledger column that fills it and its scale.
    let mut sources: Vec<Option<(usize, Scale)>> = vec![None; targets.len()];
    for (at, column) in mapping.columns.iter().enumerate() {
        let Some(target) = column.target.as_deref() else {
            continue;
        };
        let Some(position) = ledger.headers.iter().position(|h| *h == column.source) else {
            continue;
        };
        if let Some(t) = targets.iter().position(|k| *k == target)
            && sources[t].is_none()
        {
            sources[t] = Some((position, mapping.columns[at].scale));
        }
    }
    let code_at = targets.iter().position(|k| *k == "项目编号");
    let make_codes = kind == Kind::Projects && code_at.is_some_and(|t| sources[t].is_none());
    let territory_at = targets.iter().position(|k| *k == "所在县区");
    let name_at = targets.iter().position(|k| *k == "项目名称");
    let mut errors = Vec::new();
    let mut given: HashSet<String> = HashSet::new();
    let mut next: HashMap<String, u32> = HashMap::new();
    let mut rows = Vec::with_capacity(ledger.rows.len());
    let mut totals = Vec::new();
    for row in &ledger.rows {
        // A ledger ends with its 合计 row as it begins with its title: passed over and said.
        if crate::import::total_row(row, &ledger.headers).is_some() {
            totals.push(row.number);
            continue;
        }
        let failed_before = errors.len();
        let mut cells = vec![Cell::Empty; targets.len()];
        for (t, source) in sources.iter().enumerate() {
            let Some((at, scale)) = source else { continue };
            let cell = row.cells.get(*at).cloned().unwrap_or(Cell::Empty);
            let header = &ledger.headers[*at];
            cells[t] = if is_amount(kind, targets[t]) {
                match to_wan(&cell, *scale) {
                    Ok(cell) => cell,
                    Err(why) => {
                        errors.push(crate::RowError {
                            row: row.number,
                            column: header.clone(),
                            message: why,
                        });
                        Cell::Empty
                    }
                }
            } else if Some(t) == territory_at && !cell.is_empty() {
                match unit_named(&cell.text(), &held.units) {
                    // A county's ledger lists its own projects: a row placed in another unit
                    // (not one of its zones) is a slip to see, not a move to make.
                    Some(unit)
                        if mapping.unit.as_ref().is_some_and(|own| {
                            *own != unit && held.parents.get(&unit) != Some(own)
                        }) =>
                    {
                        errors.push(crate::RowError {
                            row: row.number,
                            column: header.clone(),
                            message: format!(
                                "“{}”在{unit}，不是本台账所属的{}；请核对，或按{unit}的台账导入",
                                cell.text(),
                                mapping.unit.as_deref().unwrap_or_default()
                            ),
                        });
                        Cell::Empty
                    }
                    Some(unit) => Cell::Text(unit),
                    None => {
                        errors.push(crate::RowError {
                            row: row.number,
                            column: header.clone(),
                            message: format!(
                                "“{}”中没有可识别的县区或单位名称，请改为已录入的单位",
                                cell.text()
                            ),
                        });
                        Cell::Empty
                    }
                }
            } else {
                cell
            };
        }
        // A row already refused is left out of the import: it takes no number.
        if make_codes
            && errors.len() == failed_before
            && let (Some(code_at), Some(territory_at), Some(name_at)) =
                (code_at, territory_at, name_at)
        {
            let territory = cells[territory_at].text();
            let name = cells[name_at].text();
            if !territory.is_empty() && !name.is_empty() {
                cells[code_at] = Cell::Text(made_code(
                    &mapping.code_prefix,
                    &territory,
                    &name,
                    held,
                    &mut given,
                    &mut next,
                ));
            }
        }
        rows.push(Row {
            number: row.number,
            cells,
        });
    }
    let headers = columns(kind).iter().map(|c| c.header.to_owned()).collect();
    let mut notes = ledger.notes.clone();
    if !totals.is_empty() {
        let named: Vec<String> = totals.iter().map(|r| format!("第{r}行")).collect();
        notes.push(format!("{}是合计行，已跳过。", named.join("、")));
    }
    let table = Table {
        headers,
        rows,
        notes,
        hidden: ledger.hidden.clone(),
        filtered: ledger.filtered.clone(),
        // A formula without a result is named by the ledger's column, in its own place.
        unevaluated: std::collections::BTreeSet::new(),
    };
    for &(row, column) in &ledger.unevaluated {
        if let Some(header) = ledger.headers.get(column)
            && mapping
                .columns
                .iter()
                .any(|c| c.source == *header && c.target.is_some())
        {
            errors.push(crate::RowError {
                row,
                column: header.clone(),
                message: crate::import::UNEVALUATED.to_owned(),
            });
        }
    }
    errors.sort_by_key(|e| e.row);
    (table, errors)
}

/// The 项目编号 of a ledger row without one: the code of the project held with the same name in
/// the same 所在县区 (so a ledger imported again updates its projects), else the prefix (the
/// mapping's, or the county's 行政区划代码, or its name), a dash and the next number not yet
/// used with it, four digits: 230521-0001.
fn made_code(
    prefix: &str,
    territory: &str,
    name: &str,
    held: &Held,
    given: &mut HashSet<String>,
    next: &mut HashMap<String, u32>,
) -> String {
    if let Some(code) = held.projects.get(&(territory.to_owned(), name.to_owned()))
        && given.insert(code.clone())
    {
        return code.clone();
    }
    let prefix = if prefix.trim().is_empty() {
        held.units
            .iter()
            .find(|(n, _)| n == territory)
            .and_then(|(_, code)| code.clone())
            .unwrap_or_else(|| territory.to_owned())
    } else {
        prefix.trim().to_owned()
    };
    let counter = next.entry(prefix.clone()).or_insert(0);
    loop {
        *counter += 1;
        let code = format!("{prefix}-{:04}", *counter);
        if !held.codes.contains(&code) && given.insert(code.clone()) {
            return code;
        }
    }
}

/// What the records held say for mapping a ledger: units, projects by county and name, codes.
pub async fn held(store: &store::Store) -> Result<Held, crate::ExchangeError> {
    let mut held = Held::default();
    for u in store.units().await? {
        if let Some(parent) = u.parent {
            held.parents.insert(u.name.clone(), parent);
        }
        held.units.push((u.name, u.division_code));
    }
    for p in store.projects().await? {
        held.codes.insert(p.code.clone());
        held.projects.insert((p.territory, p.name), p.code);
    }
    Ok(held)
}

/// The kind's column `key` as the ledger names it: "建设地点（所在县区）".
fn as_ledger_names(mapping: &Mapping, key: &str) -> String {
    match mapping
        .columns
        .iter()
        .find(|c| c.target.as_deref() == Some(key))
    {
        Some(c) if header_key(&c.source) != key => format!("{}（{key}）", c.source),
        _ => key.to_owned(),
    }
}

/// A ledger mapped and imported: the table in the kind's columns (for a preview) and the
/// report, whose bad cells name the ledger's columns. With a cell that could not be carried
/// over, nothing is imported unless `on_bad` leaves such rows out.
pub async fn import_ledger(
    store: &store::Store,
    kind: Kind,
    ledger: &Table,
    mapping: &Mapping,
    actor: &str,
    progress: &dyn crate::Progress,
    on_bad: crate::OnBadRows,
) -> Result<(Table, crate::ImportReport), crate::ExchangeError> {
    let held = held(store).await?;
    let (mut table, carried) = apply(kind, mapping, ledger, &held);
    let refused: HashSet<usize> = carried.iter().map(|e| e.row).collect();
    let preview = table.clone();
    table.rows.retain(|r| !refused.contains(&r.number));
    let on_bad = match on_bad {
        crate::OnBadRows::ImportNothing if !carried.is_empty() => crate::OnBadRows::CheckOnly,
        other => other,
    };
    let mut report =
        crate::import::import_table_keeping(store, kind, &table, actor, progress, on_bad).await?;
    report.rows = preview.rows.len();
    for e in &mut report.errors {
        e.column = as_ledger_names(mapping, &e.column);
    }
    if on_bad == crate::OnBadRows::ImportTheRest {
        report.skipped += refused.len();
    }
    report.errors.extend(carried);
    report.errors.sort_by_key(|e| e.row);
    Ok((preview, report))
}

#[cfg(test)]
mod tests;
