//! 堵点问题 (issue 5): a problem that holds a project back, raised by the unit that carries the
//! project, owned by a unit and a leader, due by a deadline. Leaders write instructions (批示) on
//! it; every change of status is kept; closing it needs the resolution; once its deadline has
//! passed unresolved it is escalated to the leader in charge of the project.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BlockerStatus {
    Open,
    InProgress,
    Resolved,
}

impl BlockerStatus {
    pub const ALL: [BlockerStatus; 3] = [
        BlockerStatus::Open,
        BlockerStatus::InProgress,
        BlockerStatus::Resolved,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BlockerStatus::Open => "待处理",
            BlockerStatus::InProgress => "处理中",
            BlockerStatus::Resolved => "已解决",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        crate::text::one_status_of(field, raw, &Self::ALL, Self::label)
    }
}

/// A blocker as raised: what is wrong, which unit and leader answer for it, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBlocker {
    pub project_code: String,
    pub description: String,
    pub category: String,
    pub raised_on: NaiveDate,
    pub owner_unit: String,
    pub leader: Option<String>,
    pub deadline: NaiveDate,
}

impl NewBlocker {
    /// Checks what a blocker needs before it can be raised on `today`; every field in error is
    /// named, not only the first.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        project_code: &str,
        description: &str,
        category: &str,
        raised_on: NaiveDate,
        owner_unit: &str,
        leader: Option<String>,
        deadline: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let description = description.trim();
        if description.is_empty() {
            errors.push(FieldError::new("问题描述", "不能为空"));
        }
        if category.trim().is_empty() {
            errors.push(FieldError::new("问题类别", "不能为空"));
        }
        if owner_unit.trim().is_empty() {
            errors.push(FieldError::new("责任单位", "不能为空"));
        }
        if raised_on > today {
            errors.push(FieldError::new("提出日期", "不能晚于今天"));
        }
        if deadline < raised_on {
            errors.push(FieldError::new(
                "办结时限",
                format!("不能早于提出日期（{raised_on}）"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewBlocker {
            project_code: project_code.to_owned(),
            description: description.to_owned(),
            category: category.trim().to_owned(),
            raised_on,
            owner_unit: owner_unit.trim().to_owned(),
            leader,
            deadline,
        })
    }
}

/// A blocker as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    pub id: i64,
    pub raised: NewBlocker,
    pub status: BlockerStatus,
    pub resolution: Option<String>,
    pub resolved_on: Option<NaiveDate>,
}

impl Blocker {
    /// Unresolved past its deadline as of `today` (the deadline day itself still counts as in
    /// time).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status != BlockerStatus::Resolved && self.raised.deadline < today
    }

    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        if self.is_overdue(today) {
            (today - self.raised.deadline).num_days()
        } else {
            0
        }
    }

    /// The leaders an overdue blocker is escalated to: the leader in charge of the project, or,
    /// where the project has none, the leaders whose 包保县区 include the project's territory.
    /// Nobody while it is in time or resolved.
    pub fn escalated_to(
        &self,
        today: NaiveDate,
        project_leader: Option<&str>,
        territory_leaders: &[String],
    ) -> Vec<String> {
        if !self.is_overdue(today) {
            return Vec::new();
        }
        match project_leader {
            Some(leader) => vec![leader.to_owned()],
            None => territory_leaders.to_vec(),
        }
    }

    /// A change of status on `on`: closing needs the resolution; a resolved blocker stays
    /// resolved; a status does not change to itself.
    pub fn change_status(
        &self,
        to: BlockerStatus,
        resolution: &str,
        on: NaiveDate,
    ) -> Result<Blocker, FieldError> {
        if self.status == BlockerStatus::Resolved {
            return Err(FieldError::new("状态", "该堵点已解决，不能再更改状态"));
        }
        if to == self.status {
            return Err(FieldError::new("状态", format!("状态已是“{}”", to.label())));
        }
        let resolution = resolution.trim();
        let mut next = self.clone();
        next.status = to;
        if to == BlockerStatus::Resolved {
            if resolution.is_empty() {
                return Err(FieldError::new("解决情况", "办结须填写解决情况"));
            }
            if on < self.raised.raised_on {
                return Err(FieldError::new("办结日期", "不能早于提出日期"));
            }
            next.resolution = Some(resolution.to_owned());
            next.resolved_on = Some(on);
        }
        Ok(next)
    }
}

/// What happened to a blocker, in its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoteKind {
    /// 登记: raised.
    Raised,
    /// 批示: a leader's instruction.
    Instruction,
    /// 状态: a change of status.
    Status,
}

impl NoteKind {
    pub fn code(self) -> &'static str {
        match self {
            NoteKind::Raised => "raised",
            NoteKind::Instruction => "instruction",
            NoteKind::Status => "status",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [NoteKind::Raised, NoteKind::Instruction, NoteKind::Status]
            .into_iter()
            .find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Raised => "登记",
            NoteKind::Instruction => "领导批示",
            NoteKind::Status => "状态变更",
        }
    }
}

/// A leader's instruction must say something.
pub fn instruction(raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        Err(FieldError::new("批示内容", "不能为空"))
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn blocker(deadline: &str) -> Blocker {
        Blocker {
            id: 1,
            raised: NewBlocker {
                project_code: "P1".into(),
                description: "用地指标未落实".into(),
                category: "土地".into(),
                raised_on: d("2022-05-01"),
                owner_unit: "市自然资源局".into(),
                leader: Some("王建国".into()),
                deadline: d(deadline),
            },
            status: BlockerStatus::Open,
            resolution: None,
            resolved_on: None,
        }
    }

    #[test]
    fn raising_names_every_field_in_error() {
        let errors = NewBlocker::new(
            "P1",
            " ",
            "土地",
            d("2022-06-02"),
            "",
            None,
            d("2022-06-01"),
            d("2022-06-01"),
        )
        .err()
        .unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["问题描述", "责任单位", "提出日期", "办结时限"]);
        assert!(
            NewBlocker::new(
                "P1",
                "缺电",
                "水电气暖",
                d("2022-06-01"),
                "市发展和改革委员会",
                None,
                d("2022-06-01"),
                d("2022-06-01")
            )
            .is_ok()
        );
    }

    #[test]
    fn an_overdue_blocker_goes_to_the_leader_in_charge() {
        let b = blocker("2022-06-30");
        let county = ["赵一".to_owned(), "钱二".to_owned()];
        assert!(!b.is_overdue(d("2022-06-30")));
        assert!(
            b.escalated_to(d("2022-06-30"), Some("孙三"), &county)
                .is_empty()
        );
        assert!(b.is_overdue(d("2022-07-01")));
        assert_eq!(b.days_overdue(d("2022-07-03")), 3);
        assert_eq!(
            b.escalated_to(d("2022-07-01"), Some("孙三"), &county),
            ["孙三"]
        );
        assert_eq!(b.escalated_to(d("2022-07-01"), None, &county), county);
        let closed = b.change_status(BlockerStatus::Resolved, "已调整指标", d("2022-06-20"));
        assert!(closed.is_ok_and(|c| {
            !c.is_overdue(d("2022-08-01"))
                && c.escalated_to(d("2022-08-01"), Some("孙三"), &county)
                    .is_empty()
        }));
    }

    #[test]
    fn closing_needs_a_resolution_and_stays_closed() {
        let b = blocker("2022-06-30");
        assert_eq!(
            b.change_status(BlockerStatus::Resolved, "  ", d("2022-06-10"))
                .map_err(|e| e.field),
            Err("解决情况".to_owned())
        );
        assert!(
            b.change_status(BlockerStatus::Open, "", d("2022-06-10"))
                .is_err()
        );
        let working = b.change_status(BlockerStatus::InProgress, "", d("2022-06-10"));
        assert!(working.as_ref().is_ok_and(|w| w.resolution.is_none()));
        let closed = working
            .and_then(|w| w.change_status(BlockerStatus::Resolved, "已供地", d("2022-06-12")));
        assert!(
            closed
                .as_ref()
                .is_ok_and(|c| c.resolved_on == Some(d("2022-06-12"))
                    && c.resolution.as_deref() == Some("已供地"))
        );
        assert!(
            closed
                .and_then(|c| c.change_status(BlockerStatus::InProgress, "", d("2022-06-13")))
                .is_err()
        );
        assert_eq!(
            instruction(" "),
            Err(FieldError::new("批示内容", "不能为空"))
        );
        assert_eq!(
            BlockerStatus::parse("状态", "处理中"),
            Ok(BlockerStatus::InProgress)
        );
    }
}
