//! Records mended by their reporters after a return (issue 22.2): a visit's or a fund's fields
//! replaced, checked as a new record is, logged with before and after. Their review state is
//! the caller's to move (a resubmission, in the same transaction).

use domain::records::{Fund, Visit, value_lists};
use domain::{CreditCode, FieldError};

use crate::activity::{FUND_SELECT, VISIT_SELECT, fund_from_row, visit_from_row};
use crate::tx::Tx;
use crate::{Result, StoreError};

impl Tx {
    /// Amends a visit record as its reporter mends it after a return: every field replaced,
    /// checked as a new record is, logged with before and after. Its review state is the
    /// caller's to move (a resubmission).
    pub async fn amend_visit(&mut self, id: i64, visit: &Visit) -> Result<()> {
        self.flush().await?;
        let sql = sqlx::AssertSqlSafe(format!("{VISIT_SELECT} AND v.id = $1"));
        let before = sqlx::query(sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("对接记录{id}不存在")))?;
        let before = visit_from_row(&before)?;
        let visit = &self.visit_firm(visit).await?;
        let (unit, project, contact) = self.visit_references(visit).await?;
        sqlx::query(
            "UPDATE visits SET visit_date = $1, unit_id = $2, enterprise_name = $3, credit_code = $4, \
             leaders = $5, mode = $6, place = $7, content = $8, outcome = $9, project_id = $10, \
             contact_id = $12 WHERE id = $11",
        )
        .bind(visit.date.format("%Y-%m-%d").to_string())
        .bind(unit)
        .bind(&visit.enterprise)
        .bind(visit.enterprise_code.as_ref().map(CreditCode::as_str))
        .bind(&visit.leaders)
        .bind(&visit.mode)
        .bind(&visit.place)
        .bind(&visit.content)
        .bind(&visit.outcome)
        .bind(project)
        .bind(id)
        .bind(contact)
        .execute(&mut *self.tx)
        .await?;
        self.log(
            "visit",
            &id.to_string(),
            "amend",
            Some(&before),
            Some(visit),
        )
        .await
    }

    /// Amends a fund in place as its reporter mends it after a return: date, amount, currency
    /// and source (its project stays); a verified fund is not amended.
    pub async fn amend_fund(&mut self, id: i64, fund: &Fund) -> Result<()> {
        self.flush().await?;
        let sql = sqlx::AssertSqlSafe(format!("{FUND_SELECT} AND f.id = $1"));
        let before = sqlx::query(sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("到位资金{id}不存在")))?;
        let (_, before) = fund_from_row(&before)?;
        if before.verified {
            return Err(StoreError::Invalid(FieldError::new(
                "核实",
                "已核实的到位资金不能修改，须撤回后重新登记",
            )));
        }
        self.check_listed(value_lists::FUND_SOURCE, "来源", fund.source.as_deref())
            .await?;
        self.check_window(fund.date).await?;
        if fund.date > self.today {
            return Err(StoreError::Invalid(FieldError::new(
                "日期",
                format!("不能晚于今天（{}）", self.today),
            )));
        }
        sqlx::query(
            "UPDATE funds SET fund_date = $1, amount = $2, currency = $3, source = $4 WHERE id = $5",
        )
        .bind(fund.date.format("%Y-%m-%d").to_string())
        .bind(fund.amount.units())
        .bind(fund.currency.code())
        .bind(&fund.source)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = Fund {
            project_code: before.project_code.clone(),
            ..fund.clone()
        };
        self.log(
            "fund",
            &id.to_string(),
            "amend",
            Some(&before),
            Some(&after),
        )
        .await
    }
}
