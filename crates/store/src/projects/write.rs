//! Projects and the enterprises that invest in them.

use domain::CreditCode;
use domain::records::{Project, value_lists};
use sqlx::Row;

use crate::batch::Value;
use crate::projects::project_by_code;
use crate::tx::{Named, Tx, Upserted};
use crate::{Result, StoreError, now_millis};

/// How `firm_ids` keys a firm: by credit code, or by name when it has none.
fn firm_key(name: &str, code: Option<&str>) -> String {
    match code {
        Some(code) if !code.is_empty() => format!("code:{code}"),
        _ => format!("name:{name}"),
    }
}

impl Tx {
    /// Reads every firm's key once, for an import that names investors on many rows: each row
    /// then finds its firm, or learns there is none, without a query of its own (a query costs
    /// a round trip to the database's thread, which a ledger of a million rows pays a million
    /// times). Uncoded firms of one name: the first made, as the lookup takes it.
    pub async fn preload_firms(&mut self) -> Result<()> {
        let rows = sqlx::query(
            "SELECT COALESCE(merged_into, id) AS id, name, credit_code FROM enterprises ORDER BY id",
        )
            .fetch_all(&mut *self.tx)
            .await?;
        for row in rows {
            let code: Option<String> = row.try_get("credit_code")?;
            let name: String = row.try_get("name")?;
            let id: i64 = row.try_get("id")?;
            self.firm_ids
                .entry(firm_key(&name, code.as_deref()))
                .or_insert(id);
            // A coded firm is also found by its exact name, when it is the only one of that
            // name (-1 marks a name several coded firms share).
            if code.is_some_and(|c| !c.is_empty()) {
                self.firm_ids
                    .entry(format!("coded:{name}"))
                    .and_modify(|held| *held = -1)
                    .or_insert(id);
            }
        }
        self.firms_loaded = true;
        Ok(())
    }

    /// The enterprise with this credit code, or (without one) this name — the firm entered by
    /// that name alone, else the one coded firm of exactly that name, so that a ledger naming
    /// its investor without a code does not make a twin — created if missing.
    async fn enterprise_id(&mut self, name: &str, code: Option<&CreditCode>) -> Result<i64> {
        let key = firm_key(name, code.map(CreditCode::as_str));
        if let Some(id) = self.firm_ids.get(&key) {
            return Ok(*id);
        }
        if code.is_none()
            && let Some(&id) = self.firm_ids.get(&format!("coded:{name}"))
            && id > 0
        {
            return Ok(id);
        }
        let id = self.find_or_create_firm(name, code).await?;
        self.firm_ids.insert(key, id);
        Ok(id)
    }

    async fn find_or_create_firm(&mut self, name: &str, code: Option<&CreditCode>) -> Result<i64> {
        let found = match code {
            _ if self.firms_loaded => None,
            Some(code) => {
                sqlx::query("SELECT id, name FROM enterprises WHERE credit_code = $1")
                    .bind(code.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await?
            }
            None => {
                // By name alone (the name's index, never the credit code's, where every
                // uncoded firm shares the key NULL — an import grew with its square): the
                // uncoded firm of that name, else the only coded one.
                let rows = sqlx::query(
                    "SELECT COALESCE(merged_into, id) AS id, credit_code FROM enterprises \
                     WHERE name = $1 ORDER BY id LIMIT 3",
                )
                .bind(name)
                .fetch_all(&mut *self.tx)
                .await?;
                let mut uncoded = None;
                let mut coded = Vec::new();
                for row in &rows {
                    let id: i64 = row.try_get("id")?;
                    let code: Option<String> = row.try_get("credit_code")?;
                    match code.filter(|c| !c.is_empty()) {
                        None => {
                            uncoded.get_or_insert(id);
                        }
                        Some(_) => coded.push(id),
                    }
                }
                if let Some(id) = uncoded.or((coded.len() == 1).then(|| coded[0])) {
                    return Ok(id);
                }
                None
            }
        };
        if let Some(row) = found {
            return Ok(row.try_get(0)?);
        }
        let revision = self.enterprise_revision().await?;
        let id: i64 = sqlx::query("INSERT INTO enterprises (name, credit_code, created_at, revision) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(name)
            .bind(code.map(CreditCode::as_str))
            .bind(now_millis())
            .bind(revision)
            .fetch_one(&mut *self.tx)
            .await?
            .try_get(0)?;
        self.fresh_firms.insert(id);
        let key = code.map_or_else(|| name.to_owned(), |c| c.as_str().to_owned());
        self.log::<(), _>("enterprise", &key, "create", None, Some(&(name, code)))
            .await?;
        Ok(id)
    }

    /// Updates an existing project to match `project`, as an edit that started from version
    /// `seen` of its record: if another change came first, nothing is written and the error
    /// carries the record as it now stands. (Writers take turns — see `Store::begin` — so
    /// the check and the write see the same record.)
    pub async fn update_project_from(&mut self, project: &Project, seen: i64) -> Result<Upserted> {
        self.flush().await?;
        let current = project_by_code(&mut self.tx, &project.code)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("项目“{}”不存在", project.code)))?;
        if current.version != seen {
            return Err(StoreError::Stale(Box::new(current)));
        }
        self.upsert_project(project).await
    }

    /// Creates the project with this 项目编号, or updates it to match `project`.
    pub async fn upsert_project(&mut self, project: &Project) -> Result<Upserted> {
        project.check()?;
        // Every reference is resolved before failing, so that a form or a file row learns of
        // all its unknown names at once.
        let mut errors = Vec::new();
        let mut collect =
            |result: Result<Option<i64>>| crate::error::keep_refusal(&mut errors, result);
        let territory = collect(
            self.resolve(Named::Unit, "所在县区", &project.territory)
                .await
                .map(Some),
        )?;
        let mut credited = Vec::with_capacity(project.credited.len());
        for unit in &project.credited {
            credited.push(collect(
                self.resolve(Named::Unit, "责任单位", unit).await.map(Some),
            )?);
        }
        let chain = collect(
            self.resolve_opt(Named::Chain, "产业链", project.chain.as_deref())
                .await,
        )?;
        let leader = collect(
            self.resolve_opt(Named::Leader, "分管领导", project.leader.as_deref())
                .await,
        )?;
        let team = collect(
            self.resolve_opt(Named::Team, "工作专班", project.team.as_deref())
                .await,
        )?;
        collect(
            self.check_listed(
                value_lists::SOURCE_MODE,
                "招商方式",
                project.source_mode.as_deref(),
            )
            .await
            .map(|()| None),
        )?;
        let (Some(territory), true) = (territory, errors.is_empty()) else {
            return Err(match errors.len() {
                1 => StoreError::Invalid(errors.remove(0)),
                _ => StoreError::InvalidFields(errors),
            });
        };
        let credited: Vec<i64> = credited.into_iter().flatten().collect();
        let existing = match self.find(Named::Project, &project.code).await? {
            Some(_) => {
                self.flush().await?;
                project_by_code(&mut self.tx, &project.code).await?
            }
            None => None,
        };
        if let Some(existing) = &existing
            && &existing.project == project
        {
            return Ok(Upserted::Unchanged);
        }
        let enterprise = match &project.investor {
            Some(name) => Some(
                self.enterprise_id(name, project.investor_code.as_ref())
                    .await?,
            ),
            None => None,
        };
        let now = now_millis();
        // 重复研判: a new project with the same investor and county as one held already, and a
        // name alike, waits for the bureau instead of counting twice. So does a project edited
        // into one (its investor, county or name changed), unless it was ever held: the bureau's
        // judgement stands through later edits.
        let original = match (&existing, enterprise) {
            (None, Some(firm)) => {
                self.suspected_original(project, firm, territory, None)
                    .await?
            }
            (Some(old), Some(firm))
                if (
                    &old.project.name,
                    &old.project.territory,
                    &old.project.investor,
                    &old.project.investor_code,
                ) != (
                    &project.name,
                    &project.territory,
                    &project.investor,
                    &project.investor_code,
                ) && self.duplicate_state(old.id).await?.is_none() =>
            {
                self.suspected_original(project, firm, territory, Some(old.id))
                    .await?
            }
            _ => None,
        };
        let id = match &existing {
            None => {
                let id = self.reserve_id("projects").await?;
                if let Some(fresh) = enterprise {
                    self.fresh_projects
                        .entry((fresh, territory))
                        .or_default()
                        .push((id, project.name.clone()));
                }
                self.projects.push(vec![
                    Value::from(id),
                    Value::from(project.code.as_str()),
                    Value::from(project.name.as_str()),
                    Value::from(enterprise),
                    Value::from(chain),
                    Value::from(territory),
                    Value::from(leader),
                    Value::from(team),
                    Value::from(project.source_mode.clone()),
                    Value::from(project.capital_origin.code()),
                    Value::from(project.currency.code()),
                    Value::from(project.planned_investment.map(|m| m.units())),
                    Value::from(project.signed_amount.map(|m| m.units())),
                    Value::from(i64::from(project.key_project)),
                    Value::from(i64::from(project.illustrative)),
                    Value::from(now),
                    Value::from(now),
                ]);
                self.remember(Named::Project, &project.code, id).await?;
                id
            }
            Some(existing) => {
                sqlx::query(
                    "UPDATE projects SET name = $1, enterprise_id = $2, chain_id = $3, territory_unit_id = $4, \
                     leader_id = $5, team_id = $6, source_mode = $7, capital_origin = $8, currency = $9, \
                     planned_investment = $10, signed_amount = $11, key_project = $12, illustrative = $13, \
                     updated_at = $14, version = version + 1 WHERE id = $15",
                )
                .bind(&project.name)
                .bind(enterprise)
                .bind(chain)
                .bind(territory)
                .bind(leader)
                .bind(team)
                .bind(&project.source_mode)
                .bind(project.capital_origin.code())
                .bind(project.currency.code())
                .bind(project.planned_investment.map(|m| m.units()))
                .bind(project.signed_amount.map(|m| m.units()))
                .bind(i64::from(project.key_project))
                .bind(i64::from(project.illustrative))
                .bind(now)
                .bind(existing.id)
                .execute(&mut *self.tx)
                .await?;
                // The signed amount the stage rules read may have changed, and with it the state.
                self.histories.remove(&existing.id);
                self.dirty.insert(existing.id);
                sqlx::query("DELETE FROM project_credits WHERE project_id = $1")
                    .bind(existing.id)
                    .execute(&mut *self.tx)
                    .await?;
                // A project moved to a firm made in this transaction is one of its fresh
                // projects: the duplicate check of a later row looks only there for such a firm.
                if let Some(firm) = enterprise.filter(|f| self.fresh_firms.contains(f)) {
                    self.fresh_projects
                        .entry((firm, territory))
                        .or_default()
                        .push((existing.id, project.name.clone()));
                }
                existing.id
            }
        };
        if let Some(original) = original {
            self.held_duplicates.push((id, original));
        }
        for (position, unit) in credited.iter().enumerate() {
            self.credits.push(vec![
                Value::from(id),
                Value::from(*unit),
                Value::from(position as i64),
            ]);
        }
        if self.projects.is_full() || self.credits.is_full() {
            self.flush().await?;
        }
        let before = existing.as_ref().map(|e| &e.project);
        let action = if before.is_some() { "update" } else { "create" };
        self.log("project", &project.code, action, before, Some(project))
            .await?;
        Ok(if existing.is_some() {
            Upserted::Updated
        } else {
            Upserted::Inserted
        })
    }
}
