//! Importing a file: every cell checked, every row applied through the store in one
//! transaction, all or nothing.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use domain::chains::Position;
use domain::enterprise::{Enterprise, EnterpriseSize, IndustryCode};
use domain::figures::Indicator;
use domain::period::parse_date;
use domain::records::{
    CITY_TARGET_NAME, CapitalOrigin, Chain, Fund, Leader, Project, ScoreGroup, Target, Team, Unit,
    UnitKind, Visit, project_code,
};
use domain::stage::StageEvent;
use domain::text::{optional, required, yes_no};
use domain::visits::VisitPlan;
use domain::{CreditCode, Currency, EventKind, FieldError, Money};
use store::{Added, SegmentRole, Store, StoreError, Tx, Upserted};

use crate::table::{Cell, Row, Table, header_key};
use crate::{ExchangeError, Kind, Progress, columns};

/// A bad cell: its row as the spreadsheet numbers it, its column, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行 {}: {}", self.row, self.column, self.message)
    }
}

/// What an import did, or, when `errors` is not empty, why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: Kind,
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows that repeat a record already held; reported, not added again.
    pub duplicates: Vec<usize>,
    pub errors: Vec<RowError>,
    /// Bad rows left out and written to a file (enterprises imported in part).
    pub skipped: usize,
}

impl ImportReport {
    pub(crate) fn new(kind: Kind, rows: usize) -> Self {
        ImportReport {
            kind,
            rows,
            added: 0,
            updated: 0,
            unchanged: 0,
            duplicates: Vec::new(),
            errors: Vec::new(),
            skipped: 0,
        }
    }

    /// What a rolled-back import reports: nothing added, updated or left as it was.
    pub(crate) fn discard(&mut self) {
        self.added = 0;
        self.updated = 0;
        self.unchanged = 0;
        self.duplicates.clear();
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn upserted(&mut self, outcome: Upserted) {
        match outcome {
            Upserted::Inserted => self.added += 1,
            Upserted::Updated => self.updated += 1,
            Upserted::Unchanged => self.unchanged += 1,
        }
    }

    fn appended(&mut self, row: usize, outcome: Added) {
        match outcome {
            Added::Added(_) => self.added += 1,
            Added::Duplicate => self.duplicates.push(row),
        }
    }
}

/// Reads `path` and imports it as `kind` on behalf of `actor`.
pub async fn import(
    store: &Store,
    kind: Kind,
    path: &Path,
    actor: &str,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    let table = crate::table::read(path)?;
    import_table(store, kind, &table, actor, progress).await
}

/// Imports rows already read from a file (the web's upload form reads them from memory).
pub async fn import_table(
    store: &Store,
    kind: Kind,
    table: &Table,
    actor: &str,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    let mut report = ImportReport::new(kind, table.rows.len());
    let index = match column_index(kind, &table.headers) {
        Ok(index) => index,
        Err(errors) => {
            report.errors = errors;
            return Ok(report);
        }
    };
    let mut tx = store.begin(actor).await?;
    // Reading every project's history at once beats reading each when first needed as soon as
    // a file touches more than a handful of projects.
    if kind == Kind::Events && table.rows.len() > 1_000 {
        tx.preload_histories().await?;
    }
    progress.start(table.rows.len());
    for (done, row) in ordered_rows(kind, table, &index).into_iter().enumerate() {
        let mut cells = Cells {
            row,
            index: &index,
            errors: Vec::new(),
        };
        match apply_row(kind, &mut cells, &mut tx, &mut report).await {
            Ok(()) => {}
            Err(e @ (StoreError::Invalid(_) | StoreError::InvalidFields(_))) => {
                cells.errors.extend(e.field_errors().into_iter().cloned());
            }
            Err(other) => return Err(other.into()),
        }
        // Within a row, errors read left to right as the columns stand in the file.
        let position = |field: &str| index.get(field).copied().unwrap_or(usize::MAX);
        cells.errors.sort_by_key(|e| position(&e.field));
        report
            .errors
            .extend(cells.errors.into_iter().map(|e| RowError {
                row: row.number,
                column: e.field,
                message: e.message,
            }));
        progress.advance(done + 1);
    }
    progress.finish();
    report.errors.sort_by_key(|e| e.row);
    report.duplicates.sort_unstable();
    if report.is_ok() {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
        report.discard();
    }
    Ok(report)
}

/// Maps each known column to its position; a missing required column or a repeated one is an
/// error on row 1, the header row.
pub(crate) fn column_index(
    kind: Kind,
    headers: &[String],
) -> Result<HashMap<&'static str, usize>, Vec<RowError>> {
    let mut index = HashMap::new();
    let mut errors = Vec::new();
    for column in columns(kind) {
        let positions: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| header_key(h) == column.key())
            .map(|(i, _)| i)
            .collect();
        match positions.as_slice() {
            [] if column.required => errors.push(RowError {
                row: 1,
                column: column.key().to_owned(),
                message: format!("缺少必填列“{}”", column.key()),
            }),
            [] => {}
            [one] => {
                index.insert(column.key(), *one);
            }
            _ => errors.push(RowError {
                row: 1,
                column: column.key().to_owned(),
                message: "该列出现了不止一次".to_owned(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(index)
    } else {
        Err(errors)
    }
}

/// The order in which rows are applied. Events go in date order (stable within a day), so that
/// a file listing a project's history in any order is read as the history it describes; units
/// go parents first.
fn ordered_rows<'t>(
    kind: Kind,
    table: &'t Table,
    index: &HashMap<&'static str, usize>,
) -> Vec<&'t Row> {
    let mut rows: Vec<&Row> = table.rows.iter().collect();
    match kind {
        Kind::Events => {
            let date = |row: &Row| -> Option<NaiveDate> {
                let cell = index
                    .get("日期")
                    .and_then(|i| row.cells.get(*i))
                    .unwrap_or(&Cell::Empty);
                date_cell("日期", cell).ok()
            };
            rows.sort_by_cached_key(|r| date(r));
        }
        Kind::Units => {
            let text = |row: &Row, key: &str| {
                index
                    .get(key)
                    .and_then(|i| row.cells.get(*i))
                    .map(Cell::text)
                    .unwrap_or_default()
            };
            let parents: HashMap<String, String> = table
                .rows
                .iter()
                .map(|r| (text(r, "单位名称"), text(r, "上级单位")))
                .collect();
            let depth = |row: &Row| {
                let mut name = text(row, "单位名称");
                let mut depth = 0;
                while let Some(parent) = parents.get(&name).filter(|p| !p.is_empty()) {
                    depth += 1;
                    if depth > 64 {
                        break;
                    }
                    name = parent.clone();
                }
                depth
            };
            rows.sort_by_cached_key(|r| depth(r));
        }
        _ => {}
    }
    rows
}

/// One row's cells by column, collecting every bad cell rather than stopping at the first.
struct Cells<'a> {
    row: &'a Row,
    index: &'a HashMap<&'static str, usize>,
    errors: Vec<FieldError>,
}

impl Cells<'_> {
    fn cell(&self, key: &str) -> &Cell {
        self.index
            .get(key)
            .and_then(|i| self.row.cells.get(*i))
            .unwrap_or(&Cell::Empty)
    }

    /// Parses one cell, recording its error; `None` means the cell was bad.
    fn get<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&str, &Cell) -> Result<T, FieldError>,
    ) -> Option<T> {
        match parse(key, self.cell(key)) {
            Ok(value) => Some(value),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    fn text(&mut self, key: &str) -> Option<String> {
        optional(&self.cell(key).text())
    }

    fn required_text(&mut self, key: &str) -> Option<String> {
        self.get(key, |k, c| required(k, &c.text()))
    }

    fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Keeps a record built from the row if every cell was good, recording a rule it breaks.
    fn build<T>(&mut self, build: impl FnOnce() -> Result<T, FieldError>) -> Option<T> {
        if !self.ok() {
            return None;
        }
        match build() {
            Ok(value) => Some(value),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

fn date_cell(key: &str, cell: &Cell) -> Result<NaiveDate, FieldError> {
    match cell {
        Cell::Date(d) => Ok(*d),
        // A date whose cell lost its date format shows as Excel's day number.
        Cell::Number(n) if n.fract() == 0.0 && (20_000.0..=80_000.0).contains(n) => {
            let base = NaiveDate::from_ymd_opt(1899, 12, 30)
                .ok_or_else(|| FieldError::new(key, "日期无效"))?;
            base.checked_add_days(chrono::Days::new(*n as u64))
                .ok_or_else(|| FieldError::new(key, "日期无效"))
        }
        other => parse_date(key, &other.text()),
    }
}

fn money_cell(key: &str, cell: &Cell) -> Result<Option<Money>, FieldError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => Money::from_wan_f64(key, *n).map(Some),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => Money::parse_wan(key, t).map(Some),
        Cell::Date(_) | Cell::Bool(_) => Err(FieldError::new(key, "应为数字（万元）")),
    }
}

fn required_money(key: &str, cell: &Cell) -> Result<Money, FieldError> {
    money_cell(key, cell)?.ok_or_else(|| FieldError::new(key, "不能为空"))
}

/// A code cell. An 18-digit code that a spreadsheet stored as a number has lost its last
/// digits (floating point holds 15 or 16), so it is refused rather than guessed at.
fn code_text(key: &str, cell: &Cell) -> Result<Option<String>, FieldError> {
    if let Cell::Number(n) = cell
        && n.abs() >= 1e15
    {
        return Err(FieldError::new(
            key,
            "代码被表格存成了数字，末几位可能已丢失；请将该列设为文本格式后重新填写",
        ));
    }
    Ok(optional(&cell.text()))
}

fn credit_code_cell(key: &str, cell: &Cell) -> Result<Option<CreditCode>, FieldError> {
    code_text(key, cell)?
        .map(|t| CreditCode::parse(key, &t))
        .transpose()
}

fn project_code_cell(key: &str, cell: &Cell) -> Result<String, FieldError> {
    let text = code_text(key, cell)?.unwrap_or_default();
    project_code(&text)
}

fn yes_no_cell(key: &str, cell: &Cell) -> Result<bool, FieldError> {
    match cell {
        Cell::Bool(b) => Ok(*b),
        other => yes_no(key, &other.text()),
    }
}

fn whole_number(key: &str, cell: &Cell) -> Result<i64, FieldError> {
    let text = cell.text();
    let value: f64 = text
        .replace([',', '，'], "")
        .parse()
        .map_err(|_| FieldError::new(key, format!("“{text}”不是数字")))?;
    if value.fract() != 0.0 || value.abs() > 1e15 {
        return Err(FieldError::new(key, format!("“{text}”应为整数")));
    }
    Ok(value as i64)
}

async fn apply_row(
    kind: Kind,
    c: &mut Cells<'_>,
    tx: &mut Tx,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let row = c.row.number;
    match kind {
        Kind::Units => {
            let name = c.required_text("单位名称");
            let unit_kind = c.get("类型", |k, cell| UnitKind::parse(k, &cell.text()));
            let group = c.get("分组", |k, cell| {
                optional(&cell.text())
                    .map(|g| ScoreGroup::parse(k, &g))
                    .transpose()
            });
            let division = c.get("行政区划代码", code_text);
            let parent = c.text("上级单位");
            if let Some(unit) = c.build(|| {
                Unit::new(
                    &name.unwrap_or_default(),
                    unit_kind.unwrap_or(UnitKind::City),
                    group.flatten(),
                    division.flatten(),
                    parent,
                )
            }) {
                report.upserted(tx.upsert_unit(&unit).await?);
            }
        }
        Kind::Leaders => {
            let name = c.required_text("姓名");
            let title = c.text("职务");
            if let Some(leader) = c.build(|| Leader::new(&name.unwrap_or_default(), title)) {
                report.upserted(tx.upsert_leader(&leader).await?);
            }
        }
        Kind::Chains => {
            let name = c.required_text("产业链名称");
            let (industry, leader) = (c.text("主导产业"), c.text("链长"));
            if let Some(chain) = c.build(|| Chain::new(&name.unwrap_or_default(), industry, leader))
            {
                report.upserted(tx.upsert_chain(&chain).await?);
            }
        }
        Kind::Teams => {
            let name = c.required_text("专班名称");
            let leader = c.text("牵头领导");
            if let Some(team) = c.build(|| Team::new(&name.unwrap_or_default(), leader)) {
                report.upserted(tx.upsert_team(&team).await?);
            }
        }
        Kind::Enterprises => {
            if let Some(enterprise) = enterprise_from(c, tx.today()) {
                report.upserted(tx.upsert_enterprise(&enterprise).await?);
            }
        }
        Kind::Segments => {
            let chain = c.required_text("产业链");
            let name = c.required_text("环节");
            let position = c.get("位置", |k, cell| Position::parse(k, &cell.text()));
            let codes = c.get("行业代码", |k, cell| {
                IndustryCode::parse_list(k, &cell.text())
            });
            if let (Some(chain), Some(name), Some(position), Some(codes)) =
                (chain, name, position, codes)
            {
                report.upserted(tx.upsert_segment(&chain, &name, position, &codes).await?);
            }
        }
        Kind::SegmentFirms => {
            let chain = c.required_text("产业链");
            let segment = c.required_text("环节");
            let firm = c.get("企业", |k, cell| {
                code_text(k, cell)?.ok_or_else(|| FieldError::new(k, "不能为空"))
            });
            let role = c.get("类别", |k, cell| SegmentRole::parse(k, &cell.text()));
            let leader = c.get("链主企业", |k, cell| match cell.text().trim() {
                "" => Ok(false),
                _ => yes_no_cell(k, cell),
            });
            if let (Some(chain), Some(segment), Some(firm), Some(role), Some(leader)) =
                (chain, segment, firm, role, leader)
            {
                report.upserted(tx.place_firm(&chain, &segment, &firm, role, leader).await?);
            }
        }
        Kind::Projects => {
            if let Some(project) = project_from(c) {
                report.upserted(tx.upsert_project(&project).await?);
            }
        }
        Kind::ProjectSegments => {
            let code = c.get("项目编号", project_code_cell);
            let chain = c.required_text("产业链");
            let segment = c.required_text("环节");
            if let (Some(code), Some(chain), Some(segment)) = (code, chain, segment) {
                report.upserted(tx.place_project(&code, &chain, &segment).await?);
            }
        }
        Kind::Events => {
            let code = c.get("项目编号", project_code_cell);
            let event_kind = c.get("阶段", |k, cell| EventKind::parse(k, &cell.text()));
            let date = c.get("日期", date_cell);
            let amount = c.get("金额", money_cell);
            let company = c.get("落地企业信用代码", credit_code_cell);
            let parcel = c.text("地块编号");
            let note = c.text("说明");
            let event = c.build(|| {
                let (Some(kind), Some(date)) = (event_kind, date) else {
                    return Err(incomplete());
                };
                StageEvent::new(
                    kind,
                    date,
                    amount.flatten(),
                    company.flatten(),
                    parcel,
                    note,
                )
            });
            if let (Some(code), Some(event)) = (code, event) {
                report.appended(row, tx.add_event(&code, &event).await?);
            }
        }
        Kind::Funds => {
            let code = c.get("项目编号", project_code_cell);
            let date = c.get("日期", date_cell);
            let amount = c.get("金额", required_money);
            let currency = c.get("币种", |k, cell| {
                Currency::parse_for_funds(k, &cell.text())
            });
            let source = c.text("来源");
            let verified = c.get("已核实", yes_no_cell);
            let fund = c.build(|| {
                let (Some(code), Some(date), Some(amount), Some(currency)) =
                    (code, date, amount, currency)
                else {
                    return Err(incomplete());
                };
                let mut fund = Fund::new(&code, date, amount, currency)?;
                fund.source = source;
                fund.verified = verified.unwrap_or(false);
                Ok(fund)
            });
            if let Some(fund) = fund {
                report.appended(row, tx.add_fund(&fund).await?);
            }
        }
        Kind::Visits => {
            let date = c.get("日期", date_cell);
            let enterprise_code = c.get("统一社会信用代码", credit_code_cell);
            let project = c.get("项目编号", |k, cell| {
                code_text(k, cell)?.map(|t| project_code(&t)).transpose()
            });
            let mut visit = match date {
                Some(date) => Visit::new(date),
                None => return Ok(()),
            };
            visit.unit = c.text("单位");
            visit.enterprise = c.text("企业名称");
            visit.enterprise_code = enterprise_code.flatten();
            visit.leaders = c.text("带队领导");
            visit.mode = c.text("方式");
            visit.place = c.text("地点");
            visit.content = c.text("内容");
            visit.outcome = c.text("成果");
            visit.project_code = project.flatten();
            if c.ok() {
                report.appended(row, tx.add_visit(&visit).await?);
            }
        }
        Kind::VisitPlans => {
            let firm = c.required_text("目标企业");
            let code = c.get("统一社会信用代码", credit_code_cell);
            let planned = c.get("计划日期", date_cell);
            let (unit, leader, purpose) = (c.text("单位"), c.text("带队领导"), c.text("目的"));
            let plan = c.build(|| {
                let (Some(firm), Some(code), Some(planned)) = (firm, code, planned) else {
                    return Err(incomplete());
                };
                let mut plan = VisitPlan::new(&firm, planned)?;
                plan.credit_code = code;
                plan.unit = unit;
                plan.leader = leader;
                plan.purpose = purpose;
                Ok(plan)
            });
            if let Some(plan) = plan {
                report.appended(row, tx.add_visit_plan(&plan).await?);
            }
        }
        Kind::Targets => {
            let year = c.get("年度", whole_number);
            let unit = c.required_text("单位");
            let indicator = c.get("指标", |k, cell| Indicator::parse(k, &cell.text()));
            let value = match indicator {
                Some(i) if i.is_amount() => c.get("目标值", required_money).map(Money::units),
                _ => c.get("目标值", whole_number),
            };
            let target = c.build(|| {
                let (Some(year), Some(unit), Some(indicator), Some(value)) =
                    (year, unit, indicator, value)
                else {
                    return Err(incomplete());
                };
                let year =
                    i32::try_from(year).map_err(|_| FieldError::new("年度", "不是有效年度"))?;
                let unit = (unit != CITY_TARGET_NAME).then_some(unit);
                Target::new(year, unit, indicator, value)
            });
            if let Some(target) = target {
                report.upserted(tx.upsert_target(&target).await?);
            }
        }
        Kind::LeaderUnits | Kind::Elements | Kind::Blockers | Kind::Financing => {
            apply_follow_up_row(kind, c, tx, report).await?;
        }
    }
    Ok(())
}

fn optional_date(key: &str, cell: &Cell) -> Result<Option<NaiveDate>, FieldError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        other => date_cell(key, other).map(Some),
    }
}

/// The rows of issue 5's files: 包保县区, 要素保障, 堵点问题, 融资方案.
async fn apply_follow_up_row(
    kind: Kind,
    c: &mut Cells<'_>,
    tx: &mut Tx,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    use domain::blockers::{BlockerStatus, NewBlocker};
    use domain::financing::{FinancingPlan, FinancingStatus};
    use domain::responsibility::{ElementItem, ElementStatus, ElementSupport};
    let row = c.row.number;
    match kind {
        Kind::LeaderUnits => {
            let leader = c.required_text("领导");
            let units = Project::split_units(&c.cell("包保县区").text());
            if let (Some(leader), true) = (leader, c.ok()) {
                report.upserted(tx.set_leader_units(&leader, &units).await?);
            }
        }
        Kind::Elements => {
            let code = c.get("项目编号", project_code_cell);
            let item = c.get("事项", |k, cell| ElementItem::parse(k, &cell.text()));
            let status = c.get("状态", |k, cell| ElementStatus::parse(k, &cell.text()));
            let department = c.text("责任部门");
            let due = c.get("应完成日期", optional_date);
            let done = c.get("完成日期", optional_date);
            let element = c.build(|| {
                let (Some(item), Some(status), Some(due), Some(done)) = (item, status, due, done)
                else {
                    return Err(incomplete());
                };
                ElementSupport::new(item, status, department, due, done)
            });
            if let (Some(code), Some(element)) = (code, element) {
                report.upserted(tx.set_element(&code, &element).await?);
            }
        }
        Kind::Blockers => {
            let code = c.get("项目编号", project_code_cell);
            let description = c.required_text("问题描述");
            let category = c.required_text("问题类别");
            let raised_on = c.get("提出日期", date_cell);
            let owner = c.required_text("责任单位");
            let leader = c.text("责任领导");
            let deadline = c.get("办结时限", date_cell);
            let status = c.get("状态", |k, cell| match optional(&cell.text()) {
                None => Ok(BlockerStatus::Open),
                Some(text) => BlockerStatus::parse(k, &text),
            });
            let resolution = c.text("解决情况").unwrap_or_default();
            let resolved_on = c.get("办结日期", optional_date);
            let (
                Some(code),
                Some(description),
                Some(category),
                Some(raised_on),
                Some(owner),
                Some(deadline),
                Some(status),
                Some(resolved_on),
            ) = (
                code,
                description,
                category,
                raised_on,
                owner,
                deadline,
                status,
                resolved_on,
            )
            else {
                return Ok(());
            };
            if let Err(e) = tx.check_blocker_category(&category).await {
                match e {
                    StoreError::Invalid(e) => c.errors.push(e),
                    other => return Err(other),
                }
            }
            let blocker = match NewBlocker::new(
                &code,
                &description,
                &category,
                raised_on,
                &owner,
                leader,
                deadline,
                tx.today(),
            ) {
                Ok(blocker) if c.ok() => blocker,
                Ok(_) => return Ok(()),
                Err(errors) => {
                    c.errors.extend(errors);
                    return Ok(());
                }
            };
            if status == BlockerStatus::Resolved && resolved_on.is_none() {
                c.errors
                    .push(FieldError::new("办结日期", "已解决的堵点须填写办结日期"));
                return Ok(());
            }
            if tx.blocker_raised_as(&blocker).await?.is_some() {
                report.duplicates.push(row);
                return Ok(());
            }
            let id = tx.raise_blocker(&blocker).await?;
            if status != BlockerStatus::Open {
                let on = resolved_on.unwrap_or(raised_on);
                tx.change_blocker_status(id, status, &resolution, on)
                    .await?;
            }
            report.added += 1;
        }
        Kind::Financing => {
            let code = c.get("项目编号", project_code_cell);
            let need = c.get("融资需求", required_money);
            let sources = c.required_text("资金来源构成");
            let bank = c.text("合作金融机构");
            let status = c.get("状态", |k, cell| FinancingStatus::parse(k, &cell.text()));
            let (Some(code), Some(need), Some(sources), Some(status)) =
                (code, need, sources, status)
            else {
                return Ok(());
            };
            match FinancingPlan::new(need, &sources, bank, status) {
                Ok(plan) => report.upserted(tx.set_financing(&code, &plan).await?),
                Err(errors) => c.errors.extend(errors),
            }
        }
        _ => {}
    }
    Ok(())
}

/// One row of an enterprise file as a firm, or its bad cells in column order.
pub(crate) fn parse_enterprise_row(
    row: &Row,
    index: &HashMap<&'static str, usize>,
    today: NaiveDate,
) -> Result<Enterprise, Vec<RowError>> {
    let mut cells = Cells {
        row,
        index,
        errors: Vec::new(),
    };
    match enterprise_from(&mut cells, today) {
        Some(enterprise) if cells.ok() => Ok(enterprise),
        _ => {
            let position = |field: &str| index.get(field).copied().unwrap_or(usize::MAX);
            cells.errors.sort_by_key(|e| position(&e.field));
            Err(cells
                .errors
                .into_iter()
                .map(|e| RowError {
                    row: row.number,
                    column: e.field,
                    message: e.message,
                })
                .collect())
        }
    }
}

/// `Cells::build` runs only when every cell parsed, so the `Option`s it unpacks are `Some` and
/// this error is never seen; it stands in for a panic.
fn incomplete() -> FieldError {
    FieldError::new("", "内部错误：单元格未能解析")
}

fn enterprise_from(c: &mut Cells<'_>, today: NaiveDate) -> Option<Enterprise> {
    let name = c.required_text("企业名称");
    let code = c.get("统一社会信用代码", credit_code_cell);
    let industry = c.get("行业代码", |k, cell| {
        code_text(k, cell)?
            .map(|t| IndustryCode::parse(k, &t))
            .transpose()
    });
    let capital = c.get("注册资本", money_cell);
    let founded = c.get("成立日期", optional_date);
    let size = c.get("规模", |k, cell| {
        optional(&cell.text())
            .map(|s| EnterpriseSize::parse(k, &s))
            .transpose()
    });
    let (province, city) = (c.text("省份"), c.text("城市"));
    let tags = Enterprise::split_tags(&c.cell("标签").text());
    let scope = c.text("经营范围");
    c.build(|| {
        let (Some(name), Some(code), Some(industry), Some(capital), Some(founded), Some(size)) =
            (name, code, industry, capital, founded, size)
        else {
            return Err(incomplete());
        };
        let mut e = Enterprise::new(&name)?;
        e.credit_code = code;
        e.industry = industry;
        e.province = province;
        e.city = city;
        e.registered_capital = capital;
        e.founded = founded;
        e.size = size;
        e.tags = tags;
        e.scope = scope;
        e.check(today)?;
        Ok(e)
    })
}

fn project_from(c: &mut Cells<'_>) -> Option<Project> {
    let code = c.get("项目编号", project_code_cell);
    let name = c.required_text("项目名称");
    let territory = c.required_text("所在县区");
    let investor = c.text("投资企业");
    let investor_code = c.get("统一社会信用代码", credit_code_cell);
    let credited = Project::split_units(&c.cell("责任单位").text());
    let origin = c.get("资金来源", |k, cell| {
        CapitalOrigin::parse(k, &cell.text())
    });
    let currency = c.get("币种", |k, cell| Currency::parse(k, &cell.text()));
    let planned = c.get("计划总投资", money_cell);
    let signed = c.get("签约额", money_cell);
    let key_project = c.get("重点项目", yes_no_cell);
    let (chain, leader, team, source_mode) = (
        c.text("产业链"),
        c.text("分管领导"),
        c.text("工作专班"),
        c.text("招商方式"),
    );
    c.build(|| {
        let (Some(code), Some(name), Some(territory)) = (code, name, territory) else {
            return Err(incomplete());
        };
        let mut p = Project::new(&code, &name, &territory)?;
        p.investor = investor;
        p.investor_code = investor_code.flatten();
        p.chain = chain;
        p.credited = credited;
        p.leader = leader;
        p.team = team;
        p.source_mode = source_mode;
        p.capital_origin = origin.unwrap_or(CapitalOrigin::Domestic);
        p.currency = currency.unwrap_or(Currency::Cny);
        p.planned_investment = planned.flatten();
        p.signed_amount = signed.flatten();
        p.key_project = key_project.unwrap_or(false);
        p.check()?;
        Ok(p)
    })
}
