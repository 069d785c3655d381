//! Writing records back out with the same columns an import reads, so that an export imported
//! into an empty database gives the same records.

use std::collections::HashSet;
use std::path::Path;

use chrono::NaiveDate;
use domain::Money;
use domain::records::CITY_TARGET_NAME;
use domain::stage::effective_events;
use domain::text::yes_no_text;
use rust_xlsxwriter::{Format, Workbook};
use store::Store;

use crate::{ExchangeError, Kind, columns};

/// A value to write: text, an amount in 万 (written as a number), or a date.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    Empty,
    Text(String),
    Wan(Money),
    Count(i64),
    Date(NaiveDate),
}

fn text(value: &Option<String>) -> Out {
    value.as_ref().map_or(Out::Empty, |v| Out::Text(v.clone()))
}

fn wan(value: Option<Money>) -> Out {
    value.map_or(Out::Empty, Out::Wan)
}

/// Writes every record of `kind` to `path` (`.xlsx` or `.csv`); returns the number of rows.
///
/// Events are written as they count: each original as amended by its latest correction,
/// withdrawn ones left out. Corrections themselves are history, kept in the database and its
/// change log, not in the exchange file.
pub async fn export(store: &Store, kind: Kind, path: &Path) -> Result<usize, ExchangeError> {
    let format = FileFormat::of(&path.display().to_string())?;
    let rows = rows(store, kind).await?;
    let bytes = encode(format, &headers(kind), &rows)?;
    std::fs::write(path, bytes).map_err(|e| ExchangeError::Io(path.display().to_string(), e))?;
    Ok(rows.len())
}

/// Every record of `kind`, with the import columns, as the bytes of a file.
pub async fn export_bytes(
    store: &Store,
    kind: Kind,
    format: FileFormat,
) -> Result<Vec<u8>, ExchangeError> {
    encode(format, &headers(kind), &rows(store, kind).await?)
}

/// The projects with these 项目编号 (what a filtered list shows), with the import columns, as
/// the bytes of a file.
pub async fn export_projects(
    store: &Store,
    codes: &HashSet<String>,
    format: FileFormat,
) -> Result<Vec<u8>, ExchangeError> {
    let rows: Vec<Vec<Out>> = rows(store, Kind::Projects)
        .await?
        .into_iter()
        .filter(|row| matches!(row.first(), Some(Out::Text(code)) if codes.contains(code)))
        .collect();
    encode(format, &headers(Kind::Projects), &rows)
}

fn headers(kind: Kind) -> Vec<&'static str> {
    columns(kind).iter().map(|c| c.header).collect()
}

/// The two file types offices exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    /// By a file name's extension.
    pub fn of(name: &str) -> Result<Self, ExchangeError> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xlsx") {
            Ok(FileFormat::Xlsx)
        } else if lower.ends_with(".csv") {
            Ok(FileFormat::Csv)
        } else {
            Err(ExchangeError::Format(format!(
                "{name}: 只能导出为 .xlsx 或 .csv 文件"
            )))
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Csv => "csv",
        }
    }
}

async fn rows(store: &Store, kind: Kind) -> Result<Vec<Vec<Out>>, ExchangeError> {
    Ok(match kind {
        Kind::Units => store
            .units()
            .await?
            .into_iter()
            .map(|u| {
                vec![
                    Out::Text(u.name),
                    Out::Text(u.kind.label().to_owned()),
                    u.group
                        .map_or(Out::Empty, |g| Out::Text(g.label().to_owned())),
                    text(&u.division_code),
                    text(&u.parent),
                ]
            })
            .collect(),
        Kind::Leaders => store
            .leaders()
            .await?
            .into_iter()
            .map(|l| vec![Out::Text(l.name), text(&l.title)])
            .collect(),
        Kind::Chains => store
            .chains()
            .await?
            .into_iter()
            .map(|c| vec![Out::Text(c.name), text(&c.industry), text(&c.chain_leader)])
            .collect(),
        Kind::Teams => store
            .teams()
            .await?
            .into_iter()
            .map(|t| vec![Out::Text(t.name), text(&t.leader)])
            .collect(),
        Kind::Enterprises => store
            .enterprises()
            .await?
            .into_iter()
            .map(|e| {
                vec![
                    Out::Text(e.name),
                    e.credit_code
                        .map_or(Out::Empty, |c| Out::Text(c.as_str().to_owned())),
                    e.industry
                        .map_or(Out::Empty, |c| Out::Text(c.as_str().to_owned())),
                    text(&e.province),
                    text(&e.city),
                    wan(e.registered_capital),
                    date(e.founded),
                    e.size
                        .map_or(Out::Empty, |s| Out::Text(s.label().to_owned())),
                    if e.tags.is_empty() {
                        Out::Empty
                    } else {
                        Out::Text(e.tags.join("、"))
                    },
                    text(&e.scope),
                ]
            })
            .collect(),
        Kind::Segments => store
            .all_segments()
            .await?
            .into_iter()
            .map(|(chain, name, position, codes)| {
                vec![
                    Out::Text(chain),
                    Out::Text(name),
                    Out::Text(position),
                    text(&codes),
                ]
            })
            .collect(),
        Kind::SegmentFirms => store
            .all_segment_firms()
            .await?
            .into_iter()
            .map(|(chain, segment, firm, role, leader)| {
                vec![
                    Out::Text(chain),
                    Out::Text(segment),
                    Out::Text(firm),
                    Out::Text(role.label().to_owned()),
                    Out::Text(yes_no_text(leader).to_owned()),
                ]
            })
            .collect(),
        Kind::Projects => store
            .projects()
            .await?
            .into_iter()
            .map(|p| {
                vec![
                    Out::Text(p.code),
                    Out::Text(p.name),
                    text(&p.investor),
                    p.investor_code
                        .map_or(Out::Empty, |c| Out::Text(c.as_str().to_owned())),
                    text(&p.chain),
                    Out::Text(p.territory),
                    if p.credited.is_empty() {
                        Out::Empty
                    } else {
                        Out::Text(p.credited.join("、"))
                    },
                    text(&p.leader),
                    text(&p.team),
                    text(&p.source_mode),
                    Out::Text(p.capital_origin.label().to_owned()),
                    Out::Text(p.currency.label().to_owned()),
                    wan(p.planned_investment),
                    wan(p.signed_amount),
                    Out::Text(yes_no_text(p.key_project).to_owned()),
                ]
            })
            .collect(),
        Kind::ProjectSegments => store
            .all_project_segments()
            .await?
            .into_iter()
            .map(|(code, chain, segment)| {
                vec![Out::Text(code), Out::Text(chain), Out::Text(segment)]
            })
            .collect(),
        Kind::Events => {
            let all = store.all_events().await?;
            let mut out = Vec::new();
            let mut start = 0;
            while start < all.len() {
                let code = &all[start].0;
                let end = start + all[start..].iter().take_while(|(c, _)| c == code).count();
                let recorded: Vec<_> = all[start..end].iter().map(|(_, r)| r.clone()).collect();
                for (_, e) in effective_events(&recorded) {
                    out.push(vec![
                        Out::Text(code.clone()),
                        Out::Text(e.kind.label().to_owned()),
                        Out::Date(e.date),
                        wan(e.amount),
                        e.company
                            .as_ref()
                            .map_or(Out::Empty, |c| Out::Text(c.as_str().to_owned())),
                        text(&e.parcel),
                        text(&e.note),
                    ]);
                }
                start = end;
            }
            out
        }
        Kind::Funds => store
            .funds()
            .await?
            .into_iter()
            .map(|(_, f)| {
                vec![
                    Out::Text(f.project_code),
                    Out::Date(f.date),
                    Out::Wan(f.amount),
                    Out::Text(f.currency.label().to_owned()),
                    text(&f.source),
                    Out::Text(yes_no_text(f.verified).to_owned()),
                ]
            })
            .collect(),
        Kind::Visits => store
            .visits()
            .await?
            .into_iter()
            .map(|v| {
                vec![
                    Out::Date(v.date),
                    text(&v.unit),
                    text(&v.enterprise),
                    v.enterprise_code
                        .map_or(Out::Empty, |c| Out::Text(c.as_str().to_owned())),
                    text(&v.leaders),
                    text(&v.mode),
                    text(&v.place),
                    text(&v.content),
                    text(&v.outcome),
                    text(&v.project_code),
                ]
            })
            .collect(),
        Kind::VisitPlans => store
            .visit_plans(None)
            .await?
            .into_iter()
            .map(|p| {
                vec![
                    Out::Text(p.enterprise),
                    p.credit_code
                        .map_or(Out::Empty, |c| Out::Text(c.as_str().to_owned())),
                    text(&p.unit),
                    text(&p.leader),
                    Out::Date(p.planned),
                    text(&p.purpose),
                ]
            })
            .collect(),
        Kind::Targets => store
            .targets()
            .await?
            .into_iter()
            .map(|t| {
                let value = if t.indicator.is_amount() {
                    Money::from_units("目标值", t.value).map_or(Out::Count(t.value), Out::Wan)
                } else {
                    Out::Count(t.value)
                };
                vec![
                    Out::Count(i64::from(t.year)),
                    Out::Text(t.unit.unwrap_or_else(|| CITY_TARGET_NAME.to_owned())),
                    Out::Text(t.indicator.label().to_owned()),
                    value,
                ]
            })
            .collect(),
        Kind::LeaderUnits => store
            .all_leader_units()
            .await?
            .into_iter()
            .map(|(leader, units)| vec![Out::Text(leader), Out::Text(units.join("、"))])
            .collect(),
        Kind::Elements => store
            .all_elements()
            .await?
            .into_iter()
            .map(|(code, e)| {
                vec![
                    Out::Text(code),
                    Out::Text(e.item.label().to_owned()),
                    Out::Text(e.status.label().to_owned()),
                    text(&e.department),
                    date(e.due),
                    date(e.done),
                ]
            })
            .collect(),
        Kind::Blockers => store
            .blockers(&store::BlockerFilter::default())
            .await?
            .into_iter()
            .map(|v| {
                let b = v.blocker;
                vec![
                    Out::Text(b.raised.project_code),
                    Out::Text(b.raised.description),
                    Out::Text(b.raised.category),
                    Out::Date(b.raised.raised_on),
                    Out::Text(b.raised.owner_unit),
                    text(&b.raised.leader),
                    Out::Date(b.raised.deadline),
                    Out::Text(b.status.label().to_owned()),
                    text(&b.resolution),
                    date(b.resolved_on),
                ]
            })
            .collect(),
        Kind::Financing => store
            .all_financing()
            .await?
            .into_iter()
            .map(|(code, f)| {
                vec![
                    Out::Text(code),
                    Out::Wan(f.need),
                    Out::Text(f.sources),
                    text(&f.bank),
                    Out::Text(f.status.label().to_owned()),
                ]
            })
            .collect(),
    })
}

fn date(value: Option<NaiveDate>) -> Out {
    value.map_or(Out::Empty, Out::Date)
}

fn encode(
    format: FileFormat,
    headers: &[&str],
    rows: &[Vec<Out>],
) -> Result<Vec<u8>, ExchangeError> {
    match format {
        FileFormat::Csv => encode_csv(headers, rows),
        FileFormat::Xlsx => encode_xlsx(headers, rows),
    }
}

fn out_text(value: &Out) -> String {
    match value {
        Out::Empty => String::new(),
        Out::Text(t) => t.clone(),
        Out::Wan(m) => m.to_wan_exact(),
        Out::Count(n) => n.to_string(),
        Out::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

fn encode_csv(headers: &[&str], rows: &[Vec<Out>]) -> Result<Vec<u8>, ExchangeError> {
    // The byte-order mark tells Excel the file is UTF-8; without it Chinese shows garbled.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer.write_record(headers)?;
        for row in rows {
            writer.write_record(row.iter().map(|value| match value {
                Out::Text(text) => crate::table::guarded(text).into_owned(),
                other => out_text(other),
            }))?;
        }
        writer
            .flush()
            .map_err(|e| ExchangeError::Io("CSV".into(), e))?;
    }
    Ok(bytes)
}

fn encode_xlsx(headers: &[&str], rows: &[Vec<Out>]) -> Result<Vec<u8>, ExchangeError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("数据")?;
    let bold = Format::new().set_bold().set_background_color("#DCE6F2");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let text_format = Format::new().set_num_format("@");
    for (col, header) in headers.iter().enumerate() {
        let col = u16::try_from(col).map_err(|_| ExchangeError::Format("列数过多".into()))?;
        sheet.write_string_with_format(0, col, *header, &bold)?;
        sheet.set_column_width(col, (header.chars().count() as f64 * 2.2).clamp(10.0, 40.0))?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| ExchangeError::Format("行数过多".into()))?;
        for (col, value) in row.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| ExchangeError::Format("列数过多".into()))?;
            match value {
                Out::Empty => {}
                Out::Text(t) => {
                    sheet.write_string_with_format(r, col, t, &text_format)?;
                }
                // Whole 元 over 10,000 have at most four decimals and few enough digits for a
                // double to hold exactly; the import reads the cell back through its shortest
                // decimal form, so the amount survives the trip unchanged.
                Out::Wan(m) => {
                    sheet.write_number(r, col, m.units() as f64 / 10_000.0)?;
                }
                Out::Count(n) => {
                    sheet.write_number(r, col, *n as f64)?;
                }
                Out::Date(d) => {
                    sheet.write_datetime_with_format(r, col, d, &date)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}
