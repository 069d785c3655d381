//! Units, leaders, chains, teams and targets: the records projects refer to by name.

mod responsibility;

use domain::figures::Indicator;
use domain::records::{Chain, Leader, ScoreGroup, Target, Team, Unit, UnitKind};
use sqlx::Row;

use crate::rows::corrupt;
use crate::tx::{Named, Tx, Upserted};
use crate::{Result, Store, StoreError, now_millis};

pub use responsibility::{LeaderScope, TeamDetail};

impl Tx {
    pub async fn upsert_unit(&mut self, unit: &Unit) -> Result<Upserted> {
        let parent_id = self
            .resolve_opt(Named::Unit, "上级单位", unit.parent.as_deref())
            .await?;
        let existing = sqlx::query(
            "SELECT u.id, u.kind, u.score_group, u.division_code, p.name FROM units u \
             LEFT JOIN units p ON p.id = u.parent_id WHERE u.name = $1",
        )
        .bind(&unit.name)
        .fetch_optional(&mut *self.tx)
        .await?;
        let kind = unit.kind.code();
        let group = unit.group.map(|g| g.code());
        match existing {
            None => {
                let id: i64 = sqlx::query(
                    "INSERT INTO units (name, kind, score_group, division_code, parent_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&unit.name)
                .bind(kind)
                .bind(group)
                .bind(&unit.division_code)
                .bind(parent_id)
                .bind(now_millis())
                .fetch_one(&mut *self.tx)
                .await?
                .try_get("id")?;
                self.remember(Named::Unit, &unit.name, id).await?;
                self.log::<Unit, Unit>("unit", &unit.name, "create", None, Some(unit))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                let stored_kind: String = row.try_get("kind")?;
                let stored_group: Option<String> = row.try_get("score_group")?;
                let before = Unit {
                    name: unit.name.clone(),
                    kind: UnitKind::from_code(&stored_kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("单位类型: {stored_kind}")))?,
                    group: stored_group.as_deref().and_then(ScoreGroup::from_code),
                    division_code: row.try_get("division_code")?,
                    parent: row.try_get("name")?,
                };
                if &before == unit {
                    return Ok(Upserted::Unchanged);
                }
                if parent_id.is_some() && self.unit_is_ancestor(id, parent_id).await? {
                    return Err(StoreError::invalid(
                        "上级单位",
                        "上级单位不能是本单位的下级",
                    ));
                }
                sqlx::query(
                    "UPDATE units SET kind = $1, score_group = $2, division_code = $3, parent_id = $4 WHERE id = $5",
                )
                .bind(kind)
                .bind(group)
                .bind(&unit.division_code)
                .bind(parent_id)
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
                self.log("unit", &unit.name, "update", Some(&before), Some(unit))
                    .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    /// Whether `unit` lies on the parent chain starting at `start`, which would make a cycle.
    async fn unit_is_ancestor(&mut self, unit: i64, start: Option<i64>) -> Result<bool> {
        let mut current = start;
        let mut steps = 0;
        while let Some(id) = current {
            if id == unit {
                return Ok(true);
            }
            steps += 1;
            if steps > 64 {
                return Ok(true);
            }
            current = sqlx::query("SELECT parent_id FROM units WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?
                .map(|r| r.try_get::<Option<i64>, _>(0))
                .transpose()?
                .flatten();
        }
        Ok(false)
    }

    pub async fn upsert_leader(&mut self, leader: &Leader) -> Result<Upserted> {
        let existing = sqlx::query("SELECT id, title, illustrative FROM leaders WHERE name = $1")
            .bind(&leader.name)
            .fetch_optional(&mut *self.tx)
            .await?;
        match existing {
            None => {
                let id: i64 = sqlx::query("INSERT INTO leaders (name, title, illustrative) VALUES ($1, $2, $3) RETURNING id")
                    .bind(&leader.name)
                    .bind(&leader.title)
                    .bind(i64::from(leader.illustrative))
                    .fetch_one(&mut *self.tx)
                    .await?
                    .try_get("id")?;
                self.remember(Named::Leader, &leader.name, id).await?;
                self.log::<Leader, Leader>("leader", &leader.name, "create", None, Some(leader))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let before = Leader {
                    name: leader.name.clone(),
                    title: row.try_get("title")?,
                    illustrative: row.try_get::<i64, _>("illustrative")? != 0,
                };
                if &before == leader {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE leaders SET title = $1, illustrative = $2 WHERE id = $3")
                    .bind(&leader.title)
                    .bind(i64::from(leader.illustrative))
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log(
                    "leader",
                    &leader.name,
                    "update",
                    Some(&before),
                    Some(leader),
                )
                .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    pub async fn upsert_chain(&mut self, chain: &Chain) -> Result<Upserted> {
        let leader_id = self
            .resolve_opt(Named::Leader, "链长", chain.chain_leader.as_deref())
            .await?;
        let existing = sqlx::query(
            "SELECT c.id, c.industry, l.name FROM chains c LEFT JOIN leaders l ON l.id = c.chain_leader_id WHERE c.name = $1",
        )
        .bind(&chain.name)
        .fetch_optional(&mut *self.tx)
        .await?;
        match existing {
            None => {
                let id: i64 = sqlx::query("INSERT INTO chains (name, industry, chain_leader_id) VALUES ($1, $2, $3) RETURNING id")
                    .bind(&chain.name)
                    .bind(&chain.industry)
                    .bind(leader_id)
                    .fetch_one(&mut *self.tx)
                    .await?
                    .try_get("id")?;
                self.remember(Named::Chain, &chain.name, id).await?;
                self.log::<Chain, Chain>("chain", &chain.name, "create", None, Some(chain))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let before = Chain {
                    name: chain.name.clone(),
                    industry: row.try_get("industry")?,
                    chain_leader: row.try_get("name")?,
                };
                if &before == chain {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE chains SET industry = $1, chain_leader_id = $2 WHERE id = $3")
                    .bind(&chain.industry)
                    .bind(leader_id)
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log("chain", &chain.name, "update", Some(&before), Some(chain))
                    .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    pub async fn upsert_team(&mut self, team: &Team) -> Result<Upserted> {
        let leader_id = self
            .resolve_opt(Named::Leader, "牵头领导", team.leader.as_deref())
            .await?;
        let existing = sqlx::query(
            "SELECT t.id, l.name FROM teams t LEFT JOIN leaders l ON l.id = t.leader_id WHERE t.name = $1",
        )
        .bind(&team.name)
        .fetch_optional(&mut *self.tx)
        .await?;
        match existing {
            None => {
                let id: i64 =
                    sqlx::query("INSERT INTO teams (name, leader_id) VALUES ($1, $2) RETURNING id")
                        .bind(&team.name)
                        .bind(leader_id)
                        .fetch_one(&mut *self.tx)
                        .await?
                        .try_get("id")?;
                self.remember(Named::Team, &team.name, id).await?;
                self.log::<Team, Team>("team", &team.name, "create", None, Some(team))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let before = Team {
                    name: team.name.clone(),
                    leader: row.try_get("name")?,
                };
                if &before == team {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE teams SET leader_id = $1 WHERE id = $2")
                    .bind(leader_id)
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log("team", &team.name, "update", Some(&before), Some(team))
                    .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    /// Sets a year's target for a unit, or for the city when `target.unit` is `None`.
    pub async fn upsert_target(&mut self, target: &Target) -> Result<Upserted> {
        let unit = self
            .resolve_opt(Named::Unit, "单位", target.unit.as_deref())
            .await?;
        let key = format!(
            "{}/{}/{}",
            target.year,
            target.unit.as_deref().unwrap_or("全市"),
            target.indicator.id()
        );
        let existing = sqlx::query(
            "SELECT id, value FROM targets WHERE year = $1 AND COALESCE(unit_id, 0) = $2 AND indicator = $3",
        )
        .bind(i64::from(target.year))
        .bind(unit.unwrap_or(0))
        .bind(target.indicator.id())
        .fetch_optional(&mut *self.tx)
        .await?;
        match existing {
            None => {
                sqlx::query(
                    "INSERT INTO targets (year, unit_id, indicator, value) VALUES ($1, $2, $3, $4)",
                )
                .bind(i64::from(target.year))
                .bind(unit)
                .bind(target.indicator.id())
                .bind(target.value)
                .execute(&mut *self.tx)
                .await?;
                self.log::<(), _>("target", &key, "create", None, Some(target))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let before: i64 = row.try_get("value")?;
                if before == target.value {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE targets SET value = $1 WHERE id = $2")
                    .bind(target.value)
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log("target", &key, "update", Some(&before), Some(target))
                    .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    /// Adds an entry to an editable value list (招商方式, 资金来源, 对接方式), at its end.
    pub async fn add_list_value(&mut self, list: &'static str, value: &str) -> Result<Upserted> {
        let value = domain::text::required("取值", value)?;
        let exists = sqlx::query("SELECT 1 FROM value_lists WHERE list = $1 AND value = $2")
            .bind(list)
            .bind(&value)
            .fetch_optional(self.conn())
            .await?;
        if exists.is_some() {
            return Ok(Upserted::Unchanged);
        }
        sqlx::query(
            "INSERT INTO value_lists (list, value, position) \
             SELECT $1, $2, COALESCE(MAX(position), 0) + 1 FROM value_lists WHERE list = $1",
        )
        .bind(list)
        .bind(&value)
        .execute(self.conn())
        .await?;
        self.value_lists.remove(list);
        self.log::<(), _>("value_list", list, "add", None, Some(&value))
            .await?;
        Ok(Upserted::Inserted)
    }

    /// Removes an entry; records that already hold it keep it as written.
    pub async fn remove_list_value(&mut self, list: &'static str, value: &str) -> Result<()> {
        let removed = sqlx::query("DELETE FROM value_lists WHERE list = $1 AND value = $2")
            .bind(list)
            .bind(value)
            .execute(self.conn())
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound(format!("“{value}”不在该列表中")));
        }
        self.value_lists.remove(list);
        self.log::<_, ()>("value_list", list, "remove", Some(&value), None)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Every unit, parents before children, then by id.
    pub async fn units(&self) -> Result<Vec<Unit>> {
        let rows = sqlx::query(
            "SELECT u.name AS name, u.kind, u.score_group, u.division_code, p.name AS parent FROM units u \
             LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let group: Option<String> = row.try_get("score_group")?;
                Ok(Unit {
                    name: row.try_get("name")?,
                    kind: UnitKind::from_code(&kind).ok_or_else(|| corrupt("类型", &kind))?,
                    group: group
                        .map(|g| ScoreGroup::from_code(&g).ok_or_else(|| corrupt("分组", &g)))
                        .transpose()?,
                    division_code: row.try_get("division_code")?,
                    parent: row.try_get("parent")?,
                })
            })
            .collect()
    }

    pub async fn leaders(&self) -> Result<Vec<Leader>> {
        let rows = sqlx::query("SELECT name, title, illustrative FROM leaders ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Leader {
                    name: row.try_get("name")?,
                    title: row.try_get("title")?,
                    illustrative: row.try_get::<i64, _>("illustrative")? != 0,
                })
            })
            .collect()
    }

    pub async fn chains(&self) -> Result<Vec<Chain>> {
        let rows = sqlx::query(
            "SELECT c.name AS name, c.industry, l.name AS chain_leader FROM chains c LEFT JOIN leaders l ON l.id = c.chain_leader_id ORDER BY c.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Chain {
                    name: row.try_get("name")?,
                    industry: row.try_get("industry")?,
                    chain_leader: row.try_get("chain_leader")?,
                })
            })
            .collect()
    }

    pub async fn teams(&self) -> Result<Vec<Team>> {
        let rows =
            sqlx::query("SELECT t.name AS name, l.name AS leader FROM teams t LEFT JOIN leaders l ON l.id = t.leader_id ORDER BY t.id")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                Ok(Team {
                    name: row.try_get("name")?,
                    leader: row.try_get("leader")?,
                })
            })
            .collect()
    }

    /// Every target, by year, unit (the city's own first) and indicator.
    pub async fn targets(&self) -> Result<Vec<Target>> {
        let rows = sqlx::query(
            "SELECT t.year, u.name, t.indicator, t.value FROM targets t LEFT JOIN units u ON u.id = t.unit_id \
             ORDER BY t.year, COALESCE(t.unit_id, 0), t.indicator",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let indicator: String = row.try_get("indicator")?;
                let year: i64 = row.try_get("year")?;
                Ok(Target {
                    year: i32::try_from(year).map_err(|_| corrupt("年度", &year.to_string()))?,
                    unit: row.try_get("name")?,
                    indicator: Indicator::from_id(&indicator)
                        .ok_or_else(|| corrupt("指标", &indicator))?,
                    value: row.try_get("value")?,
                })
            })
            .collect()
    }

    /// The names of the units of one kind (the departments a 要素保障 item may be with), in
    /// the order they were entered, as `units` lists them.
    pub async fn unit_names_of_kind(&self, kind: UnitKind) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT name FROM units WHERE kind = $1 ORDER BY id")
            .bind(kind.code())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
    }

    /// The kind of the unit with this name, if there is one.
    pub async fn unit_kind(&self, name: &str) -> Result<Option<domain::records::UnitKind>> {
        let row = sqlx::query("SELECT kind FROM units WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => {
                let kind: String = row.try_get("kind")?;
                Ok(Some(
                    domain::records::UnitKind::from_code(&kind)
                        .ok_or_else(|| corrupt("单位类型", &kind))?,
                ))
            }
            None => Ok(None),
        }
    }

    /// The entries of an editable value list, in their order.
    pub async fn value_list(&self, list: &str) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT value FROM value_lists WHERE list = $1 ORDER BY position, value")
                .bind(list)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|r| Ok(r.try_get("value")?)).collect()
    }
}
