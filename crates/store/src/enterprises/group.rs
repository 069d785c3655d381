//! A firm's place in its group (集团 → 子公司 → …): its parent is set by the bureau; the group is
//! read from the parents up and the subsidiaries down.

use std::collections::HashMap;

use sqlx::Row;

use crate::{Result, Store, StoreError, Tx};

/// A group can be no deeper than this: deeper is a mistake in the records, and stops a walk.
const DEPTH: usize = 16;

/// A firm of a group, as the 画像 lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFirm {
    pub id: i64,
    pub name: String,
    /// Steps below the group's head (0 for the head).
    pub depth: usize,
}

/// The group a firm belongs to: its parents from the head down, and everything below the head.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// From the group's head to the firm's own parent.
    pub parents: Vec<GroupFirm>,
    /// Every firm under the group's head, depth first in name order (the firm itself
    /// included, the head not).
    pub members: Vec<GroupFirm>,
}

impl Group {
    /// The ids of `firm`'s whole group, from its head down, depth first.
    pub fn ids(&self, firm: i64) -> Vec<i64> {
        let mut ids: Vec<i64> = self.parents.iter().map(|f| f.id).collect();
        if ids.is_empty() {
            ids.push(firm);
        }
        ids.extend(self.members.iter().map(|f| f.id));
        ids
    }
}

async fn parent_of(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Option<(Option<i64>, String)>> {
    let row = sqlx::query("SELECT parent_id, name FROM enterprises WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

impl Tx {
    /// Sets (or with `None` clears) the firm's parent in its group. A firm cannot sit under
    /// itself or under one of its own subsidiaries.
    pub async fn set_parent(&mut self, firm: i64, parent: Option<i64>) -> Result<()> {
        self.live_firm(firm).await?;
        if let Some(parent) = parent {
            self.live_firm(parent).await?;
        }
        let (before, name) = parent_of(self.conn(), firm)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("企业库中没有编号为{firm}的企业")))?;
        if let Some(parent) = parent {
            let mut at = Some(parent);
            let mut steps = 0;
            while let Some(id) = at {
                if id == firm {
                    return Err(StoreError::Invalid(domain::FieldError::new(
                        "上级企业",
                        "不能是本企业或其下属企业",
                    )));
                }
                steps += 1;
                if steps > DEPTH {
                    break;
                }
                at = match parent_of(self.conn(), id).await? {
                    Some((up, _)) => up,
                    None => {
                        return Err(StoreError::Invalid(domain::FieldError::new(
                            "上级企业",
                            "企业库中没有这家企业",
                        )));
                    }
                };
            }
        }
        if before == parent {
            return Ok(());
        }
        let revision = self.enterprise_revision().await?;
        sqlx::query("UPDATE enterprises SET parent_id = $2, revision = $3 WHERE id = $1")
            .bind(firm)
            .bind(parent)
            .bind(revision)
            .execute(self.conn())
            .await?;
        self.log(
            "enterprise",
            &name,
            "set_parent",
            Some(&before),
            Some(&parent),
        )
        .await
    }
}

impl Store {
    /// The group `firm` belongs to.
    pub async fn group(&self, firm: i64) -> Result<Group> {
        let mut conn = self.pool().acquire().await?;
        let mut parents = Vec::new();
        let mut at = parent_of(&mut conn, firm).await?.and_then(|(up, _)| up);
        while let Some(id) = at {
            if parents.len() >= DEPTH || id == firm {
                break;
            }
            let Some((up, name)) = parent_of(&mut conn, id).await? else {
                break;
            };
            parents.push(GroupFirm { id, name, depth: 0 });
            at = up;
        }
        parents.reverse();
        for (depth, p) in parents.iter_mut().enumerate() {
            p.depth = depth;
        }
        let head = parents.first().map_or(firm, |p| p.id);
        // Each firm's subsidiaries, level by level, then laid out depth first.
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut level = vec![head];
        for _ in 0..DEPTH {
            let mut next = Vec::new();
            for id in level {
                let rows = sqlx::query(
                    "SELECT id, name FROM enterprises WHERE parent_id = $1 AND merged_into IS NULL \
                     ORDER BY name",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                let mut below = Vec::with_capacity(rows.len());
                for row in rows {
                    let child: i64 = row.try_get("id")?;
                    if child != head && !names.contains_key(&child) {
                        names.insert(child, row.try_get("name")?);
                        below.push(child);
                        next.push(child);
                    }
                }
                children.insert(id, below);
            }
            if next.is_empty() {
                break;
            }
            level = next;
        }
        let mut members = Vec::new();
        let mut stack: Vec<(i64, usize)> = vec![(head, 0)];
        while let Some((id, depth)) = stack.pop() {
            if let Some(below) = children.get(&id) {
                for child in below.iter().rev() {
                    stack.push((*child, depth + 1));
                }
            }
            if id != head {
                let name = names.get(&id).cloned().unwrap_or_default();
                members.push(GroupFirm { id, name, depth });
            }
        }
        Ok(Group { parents, members })
    }
}
