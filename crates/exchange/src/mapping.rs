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

/// Headers offices use for each of a kind's columns, besides the column's own name.
fn synonyms(kind: Kind, key: &str) -> &'static [&'static str] {
    match (kind, key) {
        (Kind::Projects, "项目编号") => &["编号", "项目代码", "项目编码"],
        (Kind::Projects, "项目名称") => &["项目", "名称", "招商项目", "项目名"],
        (Kind::Projects, "投资企业") => &[
            "投资主体",
            "投资方",
            "投资单位",
            "企业名称",
            "签约企业",
            "建设单位",
            "项目单位",
            "投资商",
        ],
        (Kind::Projects, "所在县区") => &[
            "县区",
            "所在地",
            "建设地点",
            "项目地点",
            "地点",
            "属地",
            "落地县区",
            "所属县区",
        ],
        (Kind::Projects, "计划总投资") => &["总投资", "投资总额", "投资额", "计划投资"],
        (Kind::Projects, "签约额") => {
            &["签约金额", "签约投资", "合同额", "协议投资额", "合同金额"]
        }
        (Kind::Projects, "产业链") => &["所属产业链", "产业", "所属产业", "行业"],
        (Kind::Projects, "分管领导") => &["包保领导", "责任领导", "包联领导"],
        (Kind::Projects, "招商方式") => &["引进方式"],
        (Kind::Projects, "资金来源") => &["内外资", "资金性质"],
        (Kind::Projects, "重点项目") => &["是否重点项目", "是否重点"],
        (Kind::Funds, "日期") => &["到位日期", "到账日期", "时间"],
        (Kind::Funds, "金额") => &["到位资金", "到位金额", "到账金额"],
        (Kind::Visits, "日期") => &["对接日期", "拜访日期", "时间"],
        (Kind::Visits, "企业名称") => &["企业", "对接企业", "拜访企业"],
        (Kind::Visits, "带队领导") => &["带队", "领导"],
        _ => &[],
    }
}

/// Headers that number rows and are never data.
fn is_row_number(header: &str) -> bool {
    matches!(
        header_key(header),
        "序号" | "序" | "No" | "No." | "NO" | "NO." | "编排序号" | "行号"
    )
}

/// Whether a kind's column holds an amount in 万元.
pub fn is_amount(kind: Kind, key: &str) -> bool {
    columns(kind)
        .iter()
        .any(|c| c.key() == key && c.header.contains("万元"))
}

/// A mapping suggested for `table` as `kind`, with a sentence for each guess worth checking.
pub fn suggest(kind: Kind, table: &Table, name: &str) -> (Mapping, Vec<String>) {
    let mut notes = Vec::new();
    let mut taken: HashSet<&'static str> = HashSet::new();
    let mut mapped = Vec::with_capacity(table.headers.len());
    for (at, header) in table.headers.iter().enumerate() {
        let key = header_key(header);
        let target = if key.is_empty() || is_row_number(header) {
            None
        } else {
            columns(kind)
                .iter()
                .map(|c| c.key())
                .find(|k| *k == key)
                .or_else(|| {
                    columns(kind)
                        .iter()
                        .map(|c| c.key())
                        .find(|k| synonyms(kind, k).contains(&key))
                })
        };
        let target = match target {
            Some(t) if !taken.insert(t) => {
                notes.push(format!(
                    "“{header}”也像“{t}”，已有前面的列对应“{t}”，此列不导入"
                ));
                None
            }
            other => other,
        };
        let scale = match target {
            Some(t) if is_amount(kind, t) => {
                let (scale, why) = scale_of(header, table, at);
                if let Some(why) = why {
                    notes.push(format!("“{header}”{why}"));
                }
                scale
            }
            _ => Scale::Wan,
        };
        mapped.push(ColumnMap {
            source: header.clone(),
            target: target.map(str::to_owned),
            scale,
        });
    }
    let mapping = Mapping {
        kind: kind.name().to_owned(),
        name: name.to_owned(),
        unit: None,
        columns: mapped,
        code_prefix: String::new(),
    };
    (mapping, notes)
}

/// An amount column's unit: from its header when it says (亿元, 万元, 元); otherwise guessed
/// from its values, and said so.
fn scale_of(header: &str, table: &Table, at: usize) -> (Scale, Option<String>) {
    let said = header.replace(' ', "");
    if said.contains("亿") {
        return (Scale::Yi, None);
    }
    if said.contains("万") {
        return (Scale::Wan, None);
    }
    if said.contains("(元)") || said.contains("（元）") || said.ends_with('元') {
        return (Scale::Yuan, None);
    }
    let values: Vec<f64> = table
        .rows
        .iter()
        .filter_map(|r| r.cells.get(at))
        .filter_map(|c| match c {
            Cell::Number(n) => Some(*n),
            other => domain::money::plain_number(&other.text())
                .ok()
                .and_then(|t| t.parse().ok()),
        })
        .collect();
    if values.is_empty() {
        return (Scale::Wan, None);
    }
    if values.iter().all(|v| *v < 1_000.0) && values.iter().any(|v| v.fract() != 0.0) {
        return (
            Scale::Yi,
            Some("未注明单位，数值都小于1000且有小数，按亿元理解，请核对".to_owned()),
        );
    }
    if values.iter().all(|v| *v >= 1_000_000.0) {
        return (
            Scale::Yuan,
            Some("未注明单位，数值都在百万以上，按元理解，请核对".to_owned()),
        );
    }
    (
        Scale::Wan,
        Some("未注明单位，按万元理解，请核对".to_owned()),
    )
}

/// A ledger cell written in `scale` as the text of its amount in 万元, exactly: the decimal
/// point moves, nothing is rounded (a fraction of a yuan stays and is refused by the import).
fn to_wan(cell: &Cell, scale: Scale) -> Result<Cell, String> {
    if cell.is_empty() || (scale == Scale::Wan && !matches!(cell, Cell::Text(_))) {
        return Ok(cell.clone());
    }
    let (text, scale) = match cell {
        // The shortest decimal that reads back as the number: what the sheet shows.
        Cell::Number(n) => (format!("{n}"), scale),
        other => {
            // A unit written in the cell ("1.25亿元", "3500万") says more than the column's.
            let raw = other.text();
            let raw = raw.trim();
            let (number, said) = [
                ("亿元", Scale::Yi),
                ("亿", Scale::Yi),
                ("万元", Scale::Wan),
                ("万", Scale::Wan),
                ("元", Scale::Yuan),
            ]
            .iter()
            .find_map(|(suffix, s)| raw.strip_suffix(suffix).map(|n| (n, *s)))
            .unwrap_or((raw, scale));
            (domain::money::plain_number(number)?, said)
        }
    };
    if scale == Scale::Wan {
        return Ok(Cell::Text(text));
    }
    shift_decimal(&text, scale.shift())
        .map(Cell::Text)
        .ok_or_else(|| format!("“{}”不是数字", cell.text()))
}

/// `digits` (a plain decimal: `123.45`) with its point moved `by` places right (left when
/// negative), as text without needless zeros.
fn shift_decimal(digits: &str, by: i32) -> Option<String> {
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let all: String = format!("{whole}{fraction}");
    let point = i64::try_from(whole.len()).ok()? + i64::from(by);
    let (int_part, frac_part) = if point <= 0 {
        let zeros = usize::try_from(-point).ok()?;
        (String::new(), format!("{}{all}", "0".repeat(zeros)))
    } else {
        let point = usize::try_from(point).ok()?;
        if point >= all.len() {
            (
                format!("{all}{}", "0".repeat(point - all.len())),
                String::new(),
            )
        } else {
            (all[..point].to_owned(), all[point..].to_owned())
        }
    };
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let sign = if negative { "-" } else { "" };
    Some(if frac_part.is_empty() {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    })
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
mod tests {
    use super::*;

    fn ledger(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Row {
                    number: i + 2,
                    cells: r
                        .iter()
                        .map(|c| {
                            if c.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text((*c).to_owned())
                            }
                        })
                        .collect(),
                })
                .collect(),
            notes: Vec::new(),
            hidden: Vec::new(),
            filtered: Vec::new(),
            unevaluated: std::collections::BTreeSet::new(),
        }
    }

    #[test]
    fn decimals_move_exactly() {
        assert_eq!(shift_decimal("1.5", 4).as_deref(), Some("15000"));
        assert_eq!(shift_decimal("0.000123456", 4).as_deref(), Some("1.23456"));
        assert_eq!(shift_decimal("12345678", -4).as_deref(), Some("1234.5678"));
        assert_eq!(shift_decimal("5", -4).as_deref(), Some("0.0005"));
        assert_eq!(shift_decimal("120", 0).as_deref(), Some("120"));
        assert_eq!(shift_decimal("1.2.3", 4), None);
        assert_eq!(shift_decimal("", 4), None);
    }

    #[test]
    fn a_county_ledger_is_mapped_by_its_headers_and_values() {
        let table = ledger(
            &[
                "序号",
                "项目名称",
                "建设地点",
                "总投资（亿元）",
                "签约额",
                "备注",
            ],
            &[
                &["1", "秸秆综合利用项目", "集贤县福利镇", "1.25", "1.2", ""],
                &["2", "光伏农业项目", "集贤", "0.8", "0.75", "续建"],
            ],
        );
        let (mapping, notes) = suggest(Kind::Projects, &table, "集贤台账");
        let target = |source: &str| {
            mapping
                .columns
                .iter()
                .find(|c| c.source == source)
                .and_then(|c| c.target.clone())
        };
        assert_eq!(target("序号"), None);
        assert_eq!(target("项目名称").as_deref(), Some("项目名称"));
        assert_eq!(target("建设地点").as_deref(), Some("所在县区"));
        assert_eq!(target("总投资（亿元）").as_deref(), Some("计划总投资"));
        assert_eq!(target("备注"), None);
        assert_eq!(mapping.columns[3].scale, Scale::Yi);
        // No unit in the header: small numbers with decimals read as 亿元, and said so.
        assert_eq!(mapping.columns[4].scale, Scale::Yi);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("签约额") && n.contains("亿元"))
        );

        let held = Held {
            units: vec![
                ("集贤县".into(), Some("230521".into())),
                ("宝清县".into(), Some("230523".into())),
            ],
            projects: HashMap::from([(
                ("集贤县".to_owned(), "光伏农业项目".to_owned()),
                "JX-7".to_owned(),
            )]),
            codes: HashSet::from(["230521-0001".to_owned()]),
            parents: HashMap::new(),
        };
        let (table, errors) = apply(Kind::Projects, &mapping, &table, &held);
        assert!(errors.is_empty(), "{errors:?}");
        let column = |key: &str| {
            table
                .headers
                .iter()
                .position(|h| header_key(h) == key)
                .unwrap()
        };
        let cell = |row: usize, key: &str| table.rows[row].cells[column(key)].text();
        assert_eq!(cell(0, "所在县区"), "集贤县");
        assert_eq!(cell(1, "所在县区"), "集贤县");
        assert_eq!(cell(0, "计划总投资"), "12500");
        assert_eq!(cell(1, "签约额"), "7500");
        // A new project gets the next free code after the county's prefix; one held keeps its.
        assert_eq!(cell(0, "项目编号"), "230521-0002");
        assert_eq!(cell(1, "项目编号"), "JX-7");
    }

    #[test]
    fn a_place_that_names_no_unit_is_refused_naming_the_ledgers_column() {
        let table = ledger(&["项目名称", "项目地点"], &[&["冷链项目", "哈尔滨"]]);
        let (mapping, _) = suggest(Kind::Projects, &table, "x");
        let held = Held {
            units: vec![("集贤县".into(), None)],
            ..Held::default()
        };
        let (_, errors) = apply(Kind::Projects, &mapping, &table, &held);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column, "项目地点");
        assert!(errors[0].message.contains("哈尔滨"));
    }

    #[test]
    fn a_unit_in_the_cell_says_more_than_the_columns() {
        for (text, wan) in [
            ("1.25亿元", "12500"),
            ("3500万", "3500"),
            ("500元", "0.05"),
            ("1.2亿", "12000"),
        ] {
            assert_eq!(
                to_wan(&Cell::Text(text.into()), Scale::Yi).unwrap().text(),
                wan,
                "{text}"
            );
        }
        assert_eq!(
            to_wan(&Cell::Text("12".into()), Scale::Yi).unwrap().text(),
            "120000"
        );
        assert!(to_wan(&Cell::Text("1,2亿".into()), Scale::Wan).is_err());
    }

    #[test]
    fn a_countys_ledger_may_not_place_a_row_in_another_county() {
        let table = ledger(
            &["项目名称", "建设地点"],
            &[
                &["冷链项目", "饶河县西林子乡"],
                &["园区项目", "宝清经济开发区"],
            ],
        );
        let (mut mapping, _) = suggest(Kind::Projects, &table, "x");
        mapping.unit = Some("宝清县".into());
        let held = Held {
            units: vec![
                ("宝清县".into(), None),
                ("饶河县".into(), None),
                ("宝清经济开发区".into(), None),
            ],
            parents: HashMap::from([("宝清经济开发区".to_owned(), "宝清县".to_owned())]),
            ..Held::default()
        };
        let (mapped, errors) = apply(Kind::Projects, &mapping, &table, &held);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .message
                .contains("在饶河县，不是本台账所属的宝清县")
        );
        let place = mapped.headers.iter().position(|h| h == "所在县区").unwrap();
        assert_eq!(
            mapped.rows[1].cells[place].text(),
            "宝清经济开发区",
            "a zone of the county is its own"
        );
    }

    #[test]
    fn a_mapping_travels_as_json() {
        let table = ledger(&["项目名称", "总投资（元）"], &[&["a", "100"]]);
        let (mapping, _) = suggest(Kind::Projects, &table, "台账");
        let json = serde_json::to_string(&mapping).unwrap();
        assert!(json.contains("\"元\""), "{json}");
        let back: Mapping = serde_json::from_str(&json).unwrap();
        assert_eq!(back, mapping);
    }
}
