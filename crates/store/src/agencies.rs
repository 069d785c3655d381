//! 委托招商机构 (issue 23.4): agencies, their contracts with scope and fee rule, the projects
//! attributed to a contract and the fees paid. What is due is not stored: the web computes it
//! with `domain::agencies::fees` from what is read here.

use std::collections::HashMap;

use domain::agencies::{
    Agency, Contract, FeeBasis, FeeInputs, FeePayment, FeeRule, FeeTrigger, Rate,
};
use domain::{CreditCode, Money};
use sqlx::Row;

use crate::rows::{corrupt, parse_day};
use crate::tx::{Named, Tx, Upserted};
use crate::{Result, Store, StoreError, now_millis};

/// An agency as held, with its contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRecord {
    pub id: i64,
    pub agency: Agency,
    pub contracts: Vec<ContractRecord>,
}

/// A contract, the projects attributed to it and the fees paid under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRecord {
    pub id: i64,
    pub contract: Contract,
    pub projects: Vec<AttributedProject>,
    pub payments: Vec<FeePayment>,
}

/// A project attributed to a contract: what its fee is computed from, and how it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributedProject {
    pub inputs: FeeInputs,
    pub territory: String,
    pub source_mode: Option<String>,
}

fn opt_money(row: &sqlx::any::AnyRow, column: &str, field: &str) -> Result<Option<Money>> {
    row.try_get::<Option<i64>, _>(column)?
        .map(|v| Money::from_units(field, v).map_err(StoreError::from))
        .transpose()
}

fn contract_from_row(row: &sqlx::any::AnyRow) -> Result<(i64, Contract)> {
    let number: String = row.try_get("number")?;
    let basis: String = row.try_get("basis")?;
    let trigger: String = row.try_get("fee_trigger")?;
    let rule = FeeRule {
        basis: FeeBasis::from_code(&basis).ok_or_else(|| corrupt("计费方式", &basis))?,
        fixed: opt_money(row, "fixed_fee", "固定金额")?,
        rate: row
            .try_get::<Option<i64>, _>("rate_bp")?
            .map(|bp| Rate::from_basis_points("比例", bp))
            .transpose()?,
        trigger: FeeTrigger::from_code(&trigger).ok_or_else(|| corrupt("计付时点", &trigger))?,
        project_cap: opt_money(row, "project_cap", "单项封顶")?,
        total_cap: opt_money(row, "total_cap", "合同封顶")?,
    };
    let mut contract = Contract::new(
        &number,
        &row.try_get::<String, _>("agency")?,
        parse_day(&row.try_get::<String, _>("starts_on")?)?,
        parse_day(&row.try_get::<String, _>("ends_on")?)?,
        rule,
    )
    .map_err(|_| corrupt("委托招商合同", &number))?;
    contract.note = row.try_get("note")?;
    Ok((row.try_get("id")?, contract))
}

const CONTRACTS: &str = "SELECT c.id, c.number, a.name AS agency, c.starts_on, c.ends_on, c.basis, \
     c.fixed_fee, c.rate_bp, c.fee_trigger, c.project_cap, c.total_cap, c.note, c.agency_id \
     FROM agency_contracts c JOIN agencies a ON a.id = c.agency_id";

/// Contracts with their scope, by id; `number` narrows to one.
async fn contracts(
    conn: &mut sqlx::AnyConnection,
    number: Option<&str>,
) -> Result<Vec<(i64, i64, Contract)>> {
    let sql = match number {
        Some(_) => format!("{CONTRACTS} WHERE c.number = $1"),
        None => format!("{CONTRACTS} ORDER BY c.starts_on, c.number"),
    };
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(number) = number {
        query = query.bind(number);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut index = HashMap::new();
    for row in &rows {
        let (id, contract) = contract_from_row(row)?;
        index.insert(id, out.len());
        out.push((id, row.try_get::<i64, _>("agency_id")?, contract));
    }
    for (sql, is_unit) in [
        (
            "SELECT s.contract_id, u.name FROM agency_contract_units s JOIN units u ON u.id = s.unit_id \
             ORDER BY u.id",
            true,
        ),
        (
            "SELECT s.contract_id, c.name FROM agency_contract_chains s JOIN chains c ON c.id = s.chain_id \
             ORDER BY c.id",
            false,
        ),
    ] {
        for row in sqlx::query(sql).fetch_all(&mut *conn).await? {
            let Some(&i) = index.get(&row.try_get::<i64, _>(0)?) else {
                continue;
            };
            let name: String = row.try_get(1)?;
            let scope = &mut out[i].2;
            if is_unit {
                scope.units.push(name);
            } else {
                scope.chains.push(name);
            }
        }
    }
    Ok(out)
}

impl Store {
    /// Every agency with its contracts, their attributed projects (the records fees are
    /// computed from: approved milestones, verified 人民币 funds) and payments; `only` narrows to
    /// one agency's id.
    pub async fn agencies(&self, only: Option<i64>) -> Result<Vec<AgencyRecord>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT id, name, credit_code, contact, phone, note FROM agencies ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut agencies = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            if only.is_some_and(|o| o != id) {
                continue;
            }
            let name: String = row.try_get("name")?;
            let mut agency = Agency::new(&name).map_err(|_| corrupt("委托招商机构", &name))?;
            agency.credit_code = row
                .try_get::<Option<String>, _>("credit_code")?
                .map(|c| CreditCode::parse("统一社会信用代码", &c))
                .transpose()?;
            agency.contact = row.try_get("contact")?;
            agency.phone = row.try_get("phone")?;
            agency.note = row.try_get("note")?;
            agencies.push(AgencyRecord {
                id,
                agency,
                contracts: Vec::new(),
            });
        }
        let mut by_contract: HashMap<i64, (usize, usize)> = HashMap::new();
        for (id, agency_id, contract) in contracts(&mut conn, None).await? {
            if let Some(a) = agencies.iter().position(|a| a.id == agency_id) {
                by_contract.insert(id, (a, agencies[a].contracts.len()));
                agencies[a].contracts.push(ContractRecord {
                    id,
                    contract,
                    projects: Vec::new(),
                    payments: Vec::new(),
                });
            }
        }
        let rows = sqlx::query(
            "SELECT ap.contract_id, p.id, p.code, p.name, u.name AS territory, p.source_mode, \
             p.approved_signed_on, p.approved_signed_value, p.approved_started_on \
             FROM agency_projects ap JOIN projects p ON p.id = ap.project_id \
             JOIN units u ON u.id = p.territory_unit_id ORDER BY p.code",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut by_project: HashMap<i64, (usize, usize, usize)> = HashMap::new();
        for row in &rows {
            let Some(&(a, c)) = by_contract.get(&row.try_get::<i64, _>("contract_id")?) else {
                continue;
            };
            let signed_on: Option<String> = row.try_get("approved_signed_on")?;
            let signed = match signed_on {
                Some(d) => Some((
                    parse_day(&d)?,
                    opt_money(row, "approved_signed_value", "签约额")?.unwrap_or(Money::ZERO),
                )),
                None => None,
            };
            let projects = &mut agencies[a].contracts[c].projects;
            by_project.insert(row.try_get("id")?, (a, c, projects.len()));
            projects.push(AttributedProject {
                inputs: FeeInputs {
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    signed,
                    started_on: row
                        .try_get::<Option<String>, _>("approved_started_on")?
                        .map(|d| parse_day(&d))
                        .transpose()?,
                    funds: Vec::new(),
                },
                territory: row.try_get("territory")?,
                source_mode: row.try_get("source_mode")?,
            });
        }
        let rows = sqlx::query(
            "SELECT f.project_id, f.fund_date, f.amount FROM funds f \
             JOIN agency_projects ap ON ap.project_id = f.project_id \
             WHERE f.currency = 'CNY' AND f.verified = 1 AND f.review = 'approved' \
             AND f.withdrawn_at IS NULL ORDER BY f.fund_date, f.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            if let Some(&(a, c, p)) = by_project.get(&row.try_get::<i64, _>("project_id")?) {
                let amount = Money::from_units("到位资金", row.try_get("amount")?)?;
                let date = parse_day(&row.try_get::<String, _>("fund_date")?)?;
                agencies[a].contracts[c].projects[p]
                    .inputs
                    .funds
                    .push((date, amount));
            }
        }
        let rows = sqlx::query(
            "SELECT y.contract_id, c.number, p.code, y.paid_on, y.amount, y.note \
             FROM agency_payments y JOIN agency_contracts c ON c.id = y.contract_id \
             LEFT JOIN projects p ON p.id = y.project_id ORDER BY y.paid_on, y.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            if let Some(&(a, c)) = by_contract.get(&row.try_get::<i64, _>("contract_id")?) {
                agencies[a].contracts[c].payments.push(FeePayment {
                    contract: row.try_get("number")?,
                    project: row.try_get("code")?,
                    paid_on: parse_day(&row.try_get::<String, _>("paid_on")?)?,
                    amount: Money::from_units("支付金额", row.try_get("amount")?)?,
                    note: row.try_get("note")?,
                });
            }
        }
        Ok(agencies)
    }

    /// The agency a project is attributed to, and the contract: (机构, 合同编号).
    pub async fn agency_of(&self, project_code: &str) -> Result<Option<(String, String)>> {
        let row = sqlx::query(
            "SELECT a.name, c.number FROM agency_projects ap JOIN projects p ON p.id = ap.project_id \
             JOIN agency_contracts c ON c.id = ap.contract_id JOIN agencies a ON a.id = c.agency_id \
             WHERE p.code = $1",
        )
        .bind(project_code)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }
}

impl Tx {
    /// Whether an agency of this exact name is held.
    pub async fn agency_exists(&mut self, name: &str) -> Result<bool> {
        Ok(sqlx::query("SELECT id FROM agencies WHERE name = $1")
            .bind(name)
            .fetch_optional(self.conn())
            .await?
            .is_some())
    }

    /// Adds an agency, or updates the one of that name.
    pub async fn upsert_agency(&mut self, agency: &Agency) -> Result<Upserted> {
        let before = sqlx::query(
            "SELECT name, credit_code, contact, phone, note FROM agencies WHERE name = $1",
        )
        .bind(&agency.name)
        .fetch_optional(self.conn())
        .await?;
        let same = match &before {
            None => false,
            Some(row) => {
                (
                    row.try_get::<Option<String>, _>("credit_code")?,
                    row.try_get::<Option<String>, _>("contact")?,
                    row.try_get::<Option<String>, _>("phone")?,
                    row.try_get::<Option<String>, _>("note")?,
                ) == (
                    agency.credit_code.as_ref().map(|c| c.as_str().to_owned()),
                    agency.contact.clone(),
                    agency.phone.clone(),
                    agency.note.clone(),
                )
            }
        };
        if same {
            return Ok(Upserted::Unchanged);
        }
        sqlx::query(
            "INSERT INTO agencies (name, credit_code, contact, phone, note) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET credit_code = excluded.credit_code, \
             contact = excluded.contact, phone = excluded.phone, note = excluded.note",
        )
        .bind(&agency.name)
        .bind(agency.credit_code.as_ref().map(|c| c.as_str().to_owned()))
        .bind(&agency.contact)
        .bind(&agency.phone)
        .bind(&agency.note)
        .execute(self.conn())
        .await?;
        let action = if before.is_some() { "update" } else { "create" };
        self.log("agency", &agency.name, action, None::<&()>, Some(agency))
            .await?;
        Ok(if before.is_some() {
            Upserted::Updated
        } else {
            Upserted::Inserted
        })
    }

    /// Adds a contract, or updates the one with its 合同编号: the agency, the units and chains of
    /// its scope must exist (every unknown name refused at once).
    pub async fn upsert_contract(&mut self, contract: &Contract) -> Result<Upserted> {
        let mut errors = Vec::new();
        let agency = sqlx::query("SELECT id FROM agencies WHERE name = $1")
            .bind(&contract.agency)
            .fetch_optional(self.conn())
            .await?;
        if agency.is_none() {
            errors.push(domain::FieldError::new(
                "机构名称",
                format!("委托招商机构“{}”不存在，请先添加机构", contract.agency),
            ));
        }
        let mut units = Vec::new();
        for unit in &contract.units {
            let found = self.resolve(Named::Unit, "约定区域", unit).await;
            if let Some(id) = crate::error::keep_refusal(&mut errors, found.map(Some))? {
                units.push(id);
            }
        }
        let mut chains = Vec::new();
        for chain in &contract.chains {
            let found = self.resolve(Named::Chain, "约定产业链", chain).await;
            if let Some(id) = crate::error::keep_refusal(&mut errors, found.map(Some))? {
                chains.push(id);
            }
        }
        let Some(agency) = agency.filter(|_| errors.is_empty()) else {
            return Err(StoreError::InvalidFields(errors));
        };
        let agency_id: i64 = agency.try_get(0)?;
        let before = contracts(self.conn(), Some(&contract.number)).await?.pop();
        let rule = &contract.rule;
        let id: i64 = sqlx::query(
            "INSERT INTO agency_contracts (agency_id, number, starts_on, ends_on, basis, fixed_fee, \
             rate_bp, fee_trigger, project_cap, total_cap, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (number) DO UPDATE SET agency_id = excluded.agency_id, \
             starts_on = excluded.starts_on, ends_on = excluded.ends_on, basis = excluded.basis, \
             fixed_fee = excluded.fixed_fee, rate_bp = excluded.rate_bp, \
             fee_trigger = excluded.fee_trigger, project_cap = excluded.project_cap, \
             total_cap = excluded.total_cap, note = excluded.note RETURNING id",
        )
        .bind(agency_id)
        .bind(&contract.number)
        .bind(contract.starts_on.to_string())
        .bind(contract.ends_on.to_string())
        .bind(rule.basis.code())
        .bind(rule.fixed.map(Money::units))
        .bind(rule.rate.map(|r| i64::from(r.basis_points())))
        .bind(rule.trigger.code())
        .bind(rule.project_cap.map(Money::units))
        .bind(rule.total_cap.map(Money::units))
        .bind(&contract.note)
        .fetch_one(self.conn())
        .await?
        .try_get(0)?;
        for table in ["agency_contract_units", "agency_contract_chains"] {
            let sql = format!("DELETE FROM {table} WHERE contract_id = $1");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        units.sort_unstable();
        units.dedup();
        chains.sort_unstable();
        chains.dedup();
        for (sql, ids) in [
            (
                "INSERT INTO agency_contract_units (contract_id, unit_id) VALUES ($1, $2)",
                units,
            ),
            (
                "INSERT INTO agency_contract_chains (contract_id, chain_id) VALUES ($1, $2)",
                chains,
            ),
        ] {
            for other in ids {
                sqlx::query(sql)
                    .bind(id)
                    .bind(other)
                    .execute(self.conn())
                    .await?;
            }
        }
        let outcome = match &before {
            None => Upserted::Inserted,
            Some(b) if &b.2 == contract => return Ok(Upserted::Unchanged),
            Some(_) => Upserted::Updated,
        };
        let action = if before.is_some() { "update" } else { "create" };
        self.log(
            "agency_contract",
            &contract.number,
            action,
            before.as_ref().map(|b| &b.2),
            Some(contract),
        )
        .await?;
        Ok(outcome)
    }

    /// The contract `number`, or an error naming the field.
    async fn contract(&mut self, number: &str) -> Result<(i64, Contract)> {
        contracts(self.conn(), Some(number))
            .await?
            .pop()
            .map(|(id, _, c)| (id, c))
            .ok_or_else(|| StoreError::invalid("合同编号", format!("合同“{number}”不存在")))
    }

    /// Attributes project `code` to contract `number` (moving it from another contract, if it
    /// had one: one agency per project): the project must be within the contract's scope.
    pub async fn attribute_project(&mut self, code: &str, number: &str) -> Result<()> {
        self.flush().await?;
        let (contract_id, contract) = self.contract(number).await?;
        let project = crate::projects::project_by_code(self.conn(), code)
            .await?
            .ok_or_else(|| StoreError::invalid("项目编号", format!("项目“{code}”不存在")))?;
        contract
            .covers(
                &project.project.territory,
                &project.project.credited,
                project.project.chain.as_deref(),
            )
            .map_err(StoreError::from)?;
        let project_id = project.id;
        let before = sqlx::query(
            "SELECT c.number FROM agency_projects ap JOIN agency_contracts c ON c.id = ap.contract_id \
             WHERE ap.project_id = $1",
        )
        .bind(project_id)
        .fetch_optional(self.conn())
        .await?
        .map(|r| r.try_get::<String, _>(0))
        .transpose()?;
        if before.as_deref() == Some(number) {
            return Ok(());
        }
        // Fees paid for it under its contract stay with that contract: moving it would leave
        // them paid for a project the contract no longer holds.
        let paid = sqlx::query("SELECT COUNT(*) FROM agency_payments WHERE project_id = $1")
            .bind(project_id)
            .fetch_one(self.conn())
            .await?
            .try_get::<i64, _>(0)?;
        if let (Some(old), true) = (&before, paid > 0) {
            return Err(StoreError::Refused(format!(
                "项目{code}在合同{old}下已有支付记录，不能改归其他合同"
            )));
        }
        sqlx::query("DELETE FROM agency_projects WHERE project_id = $1")
            .bind(project_id)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO agency_projects (project_id, contract_id) VALUES ($1, $2)")
            .bind(project_id)
            .bind(contract_id)
            .execute(self.conn())
            .await?;
        self.log(
            "agency_project",
            code,
            "attribute",
            before.as_ref(),
            Some(&number),
        )
        .await
    }

    /// Records a fee paid under a contract; a project named must be attributed to it.
    pub async fn add_fee_payment(&mut self, payment: &FeePayment) -> Result<()> {
        let (contract_id, _) = self.contract(&payment.contract).await?;
        if payment.amount == Money::ZERO {
            return Err(StoreError::invalid("支付金额", "应大于0"));
        }
        let project_id = match &payment.project {
            None => None,
            Some(code) => {
                let row = sqlx::query(
                    "SELECT p.id FROM projects p JOIN agency_projects ap ON ap.project_id = p.id \
                     WHERE p.code = $1 AND ap.contract_id = $2",
                )
                .bind(code)
                .bind(contract_id)
                .fetch_optional(self.conn())
                .await?
                .ok_or_else(|| {
                    StoreError::invalid(
                        "项目编号",
                        format!("项目“{code}”未归属合同{}", payment.contract),
                    )
                })?;
                Some(row.try_get::<i64, _>(0)?)
            }
        };
        sqlx::query(
            "INSERT INTO agency_payments (contract_id, project_id, paid_on, amount, note, created_at, \
             created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(contract_id)
        .bind(project_id)
        .bind(payment.paid_on.to_string())
        .bind(payment.amount.units())
        .bind(&payment.note)
        .bind(now_millis())
        .bind(self.actor_name().to_owned())
        .execute(self.conn())
        .await?;
        self.log(
            "agency_payment",
            &payment.contract,
            "pay",
            None::<&()>,
            Some(payment),
        )
        .await
    }
}
