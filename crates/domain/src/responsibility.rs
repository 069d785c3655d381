//! Who answers for a project and by when (issue 5): the schedule plan (计划进度: planned dates
//! of 签约, 落地, 开工, 投产, 达效) against what happened, and the "六个一" — one project, one leader
//! in charge, one responsible unit, one work team, one schedule plan, followed to the end.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::figures::Milestones;
use crate::{FieldError, Stage};

/// The milestones a schedule plan dates.
pub const PLAN_STAGES: [Stage; 5] = [
    Stage::Signed,
    Stage::Landed,
    Stage::Started,
    Stage::Production,
    Stage::Capacity,
];

/// The form field (and file column) of a milestone's planned date: 计划开工日期.
pub fn plan_field(stage: Stage) -> String {
    format!("计划{}日期", stage.label())
}

/// Planned dates, in milestone order; a milestone may be left unplanned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulePlan {
    pub entries: Vec<(Stage, NaiveDate)>,
}

impl SchedulePlan {
    /// Checks that only the plan's milestones are dated, each once, and that no milestone is
    /// planned before an earlier one.
    pub fn new(mut entries: Vec<(Stage, NaiveDate)>) -> Result<Self, FieldError> {
        for (stage, _) in &entries {
            if !PLAN_STAGES.contains(stage) {
                return Err(FieldError::new(
                    "阶段",
                    format!("“{}”不是计划进度中的节点", stage.label()),
                ));
            }
        }
        entries.sort_by_key(|(stage, _)| *stage);
        for pair in entries.windows(2) {
            let ((a, a_on), (b, b_on)) = (pair[0], pair[1]);
            if a == b {
                return Err(FieldError::new(plan_field(b), "重复"));
            }
            if b_on < a_on {
                return Err(FieldError::new(
                    plan_field(b),
                    format!("不能早于计划{}日期（{a_on}）", a.label()),
                ));
            }
        }
        Ok(SchedulePlan { entries })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn planned(&self, stage: Stage) -> Option<NaiveDate> {
        self.entries
            .iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, d)| *d)
    }
}

/// Where a planned milestone stands against what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PlanStatus {
    /// Reached; positive days are days late, negative early.
    Reached { days_late: i64 },
    /// Not reached, and its date has not come.
    Pending,
    /// Not reached, and its date has passed by this many days.
    Overdue { days: i64 },
    /// Reached without a planned date.
    Unplanned,
}

impl PlanStatus {
    pub fn label(self) -> String {
        match self {
            PlanStatus::Reached { days_late } if days_late > 0 => {
                format!("已完成，晚{days_late}天")
            }
            PlanStatus::Reached { days_late } if days_late < 0 => {
                format!("已完成，提前{}天", -days_late)
            }
            PlanStatus::Reached { .. } => "按期完成".to_owned(),
            PlanStatus::Pending => "未到期".to_owned(),
            PlanStatus::Overdue { days } => format!("逾期{days}天"),
            PlanStatus::Unplanned => "已完成（无计划日期）".to_owned(),
        }
    }

    pub fn is_late(self) -> bool {
        matches!(
            self,
            PlanStatus::Overdue { .. } | PlanStatus::Reached { days_late: 1.. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanLine {
    pub stage: Stage,
    pub planned: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
    pub status: Option<PlanStatus>,
}

fn actual(milestones: &Milestones, stage: Stage) -> Option<NaiveDate> {
    match stage {
        Stage::Signed => milestones.signed.map(|(d, _)| d),
        Stage::Landed => milestones.landed_on,
        Stage::Started => milestones.started_on,
        Stage::Production => milestones.production_on,
        Stage::Capacity => milestones.capacity_on,
        Stage::Lead | Stage::Negotiating => None,
    }
}

/// Each milestone of the plan beside what happened, as of `today`.
pub fn plan_against_actual(
    plan: &SchedulePlan,
    milestones: &Milestones,
    today: NaiveDate,
) -> Vec<PlanLine> {
    PLAN_STAGES
        .into_iter()
        .map(|stage| {
            let planned = plan.planned(stage);
            let actual = actual(milestones, stage);
            let status = match (planned, actual) {
                (Some(p), Some(a)) => Some(PlanStatus::Reached {
                    days_late: (a - p).num_days(),
                }),
                (Some(p), None) if p < today => Some(PlanStatus::Overdue {
                    days: (today - p).num_days(),
                }),
                (Some(_), None) => Some(PlanStatus::Pending),
                (None, Some(_)) => Some(PlanStatus::Unplanned),
                (None, None) => None,
            };
            PlanLine {
                stage,
                planned,
                actual,
                status,
            }
        })
        .collect()
}

/// What a project has of the 六个一.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SixOnes {
    pub leader: bool,
    pub unit: bool,
    pub team: bool,
    pub plan: bool,
}

impl SixOnes {
    /// The 六个一 hold a signed project to the end: a lead or a project in talks has nothing
    /// yet to push through, so it lacks none of them.
    pub fn apply(stage: Option<crate::Stage>) -> bool {
        stage.is_some_and(|s| s >= crate::Stage::Signed)
    }

    /// A schedule plan dates the milestones still ahead; a project at 达效 has none left, so
    /// it no longer lacks one.
    pub fn plan_needed(stage: Option<crate::Stage>) -> bool {
        SixOnes::apply(stage) && stage != Some(crate::Stage::Capacity)
    }

    /// The names of what is missing, in the order the 六个一 lists them.
    pub fn missing(self) -> Vec<&'static str> {
        [
            (self.leader, "包保领导"),
            (self.unit, "责任单位"),
            (self.team, "工作专班"),
            (self.plan, "进度计划"),
        ]
        .into_iter()
        .filter(|(has, _)| !has)
        .map(|(_, name)| name)
        .collect()
    }
}

/// A member of a 工作专班: who, from which unit, doing what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub name: String,
    pub unit: Option<String>,
    pub duty: Option<String>,
}

impl TeamMember {
    /// Members as typed, one a line: `姓名，单位，职责` (commas of either width; unit and duty
    /// may be left out). Blank lines are skipped; a line without a name is refused by number.
    pub fn parse_lines(text: &str) -> Result<Vec<TeamMember>, FieldError> {
        let mut members = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split([',', '，']).map(str::trim);
            let name = parts.next().unwrap_or_default();
            if name.is_empty() {
                return Err(FieldError::new(
                    "专班成员",
                    format!("第{}行没有姓名", i + 1),
                ));
            }
            let mut next = || parts.next().filter(|p| !p.is_empty()).map(str::to_owned);
            let (unit, duty) = (next(), next());
            if members.iter().any(|m: &TeamMember| m.name == name) {
                return Err(FieldError::new(
                    "专班成员",
                    format!("第{}行：“{name}”重复", i + 1),
                ));
            }
            members.push(TeamMember {
                name: name.to_owned(),
                unit,
                duty,
            });
        }
        Ok(members)
    }

    /// The line [`TeamMember::parse_lines`] reads back.
    pub fn line(&self) -> String {
        [
            Some(self.name.as_str()),
            self.unit.as_deref(),
            self.duty.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("，")
    }
}

/// The thirteen items of 要素保障 (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ElementItem {
    Approval,
    Feasibility,
    LandQuota,
    PlanningPermit,
    EnvironmentalAssessment,
    EnergyAssessment,
    ConstructionPermit,
    Financing,
    Labour,
    Water,
    Electricity,
    Gas,
    Transport,
}

impl ElementItem {
    pub const ALL: [ElementItem; 13] = [
        ElementItem::Approval,
        ElementItem::Feasibility,
        ElementItem::LandQuota,
        ElementItem::PlanningPermit,
        ElementItem::EnvironmentalAssessment,
        ElementItem::EnergyAssessment,
        ElementItem::ConstructionPermit,
        ElementItem::Financing,
        ElementItem::Labour,
        ElementItem::Water,
        ElementItem::Electricity,
        ElementItem::Gas,
        ElementItem::Transport,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ElementItem::Approval => "立项",
            ElementItem::Feasibility => "可研批复",
            ElementItem::LandQuota => "用地指标",
            ElementItem::PlanningPermit => "规划许可",
            ElementItem::EnvironmentalAssessment => "环评",
            ElementItem::EnergyAssessment => "能评",
            ElementItem::ConstructionPermit => "施工许可",
            ElementItem::Financing => "资金/融资",
            ElementItem::Labour => "用工",
            ElementItem::Water => "水",
            ElementItem::Electricity => "电",
            ElementItem::Gas => "气",
            ElementItem::Transport => "运输",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        Self::ALL
            .into_iter()
            .find(|i| i.label() == value)
            .ok_or_else(|| FieldError::new(field, format!("“{value}”不是要素保障事项")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ElementStatus {
    NotApplicable,
    NotStarted,
    InProgress,
    Done,
}

impl ElementStatus {
    pub const ALL: [ElementStatus; 4] = [
        ElementStatus::NotApplicable,
        ElementStatus::NotStarted,
        ElementStatus::InProgress,
        ElementStatus::Done,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ElementStatus::NotApplicable => "不涉及",
            ElementStatus::NotStarted => "未启动",
            ElementStatus::InProgress => "办理中",
            ElementStatus::Done => "已完成",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        crate::text::one_status_of(field, raw, &Self::ALL, Self::label)
    }
}

/// One item of a project's 要素保障: its state, the department that handles it, when it is due
/// and when it was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementSupport {
    pub item: ElementItem,
    pub status: ElementStatus,
    pub department: Option<String>,
    pub due: Option<NaiveDate>,
    pub done: Option<NaiveDate>,
}

impl ElementSupport {
    /// Checks that a done date goes with 已完成 and only with it, and that an open item that
    /// applies has a department to handle it.
    pub fn new(
        item: ElementItem,
        status: ElementStatus,
        department: Option<String>,
        due: Option<NaiveDate>,
        done: Option<NaiveDate>,
    ) -> Result<Self, FieldError> {
        match (status, done) {
            (ElementStatus::Done, None) => {
                return Err(FieldError::new("完成日期", "已完成的事项须填写完成日期"));
            }
            (ElementStatus::Done, Some(_)) => {}
            (_, Some(_)) => {
                return Err(FieldError::new("完成日期", "只有已完成的事项才有完成日期"));
            }
            (_, None) => {}
        }
        if matches!(
            status,
            ElementStatus::NotStarted | ElementStatus::InProgress
        ) && department.is_none()
        {
            return Err(FieldError::new("责任部门", "未完成的事项须指定责任部门"));
        }
        Ok(ElementSupport {
            item,
            status,
            department,
            due,
            done,
        })
    }

    /// Still to be done (it applies and is not done).
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            ElementStatus::NotStarted | ElementStatus::InProgress
        )
    }

    /// Open and past its due date as of `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due.is_some_and(|due| due < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_plan_dates_only_its_milestones_in_order() {
        let plan = SchedulePlan::new(vec![
            (Stage::Started, d("2022-09-01")),
            (Stage::Signed, d("2022-03-01")),
        ]);
        assert_eq!(
            plan.map(|p| p.entries),
            Ok(vec![
                (Stage::Signed, d("2022-03-01")),
                (Stage::Started, d("2022-09-01"))
            ])
        );
        let backwards = SchedulePlan::new(vec![
            (Stage::Landed, d("2022-05-01")),
            (Stage::Started, d("2022-04-01")),
        ]);
        assert_eq!(
            backwards,
            Err(FieldError::new(
                "计划开工日期",
                "不能早于计划落地日期（2022-05-01）"
            ))
        );
        assert!(SchedulePlan::new(vec![(Stage::Lead, d("2022-01-01"))]).is_err());
        assert!(
            SchedulePlan::new(vec![
                (Stage::Signed, d("2022-01-01")),
                (Stage::Signed, d("2022-01-02"))
            ])
            .is_err()
        );
    }

    #[test]
    fn each_milestone_is_judged_against_its_planned_date() {
        let plan = SchedulePlan::new(vec![
            (Stage::Signed, d("2022-03-01")),
            (Stage::Landed, d("2022-04-01")),
            (Stage::Started, d("2022-06-01")),
            (Stage::Production, d("2023-01-01")),
        ])
        .unwrap_or_default();
        let milestones = Milestones {
            signed: Some((d("2022-03-05"), 1)),
            landed_on: Some(d("2022-03-25")),
            ..Milestones::default()
        };
        let lines = plan_against_actual(&plan, &milestones, d("2022-07-01"));
        let status: Vec<Option<PlanStatus>> = lines.iter().map(|l| l.status).collect();
        assert_eq!(
            status,
            [
                Some(PlanStatus::Reached { days_late: 4 }),
                Some(PlanStatus::Reached { days_late: -7 }),
                Some(PlanStatus::Overdue { days: 30 }),
                Some(PlanStatus::Pending),
                None,
            ]
        );
        assert_eq!(
            status[0].map(PlanStatus::label),
            Some("已完成，晚4天".into())
        );
        assert_eq!(status[2].map(PlanStatus::label), Some("逾期30天".into()));
        assert!(status[2].is_some_and(PlanStatus::is_late));
        assert!(!status[1].is_some_and(PlanStatus::is_late));
    }

    #[test]
    fn six_ones_apply_from_signing_and_a_plan_until_capacity() {
        use crate::Stage;
        assert!(!SixOnes::apply(None) && !SixOnes::apply(Some(Stage::Negotiating)));
        assert!(SixOnes::apply(Some(Stage::Signed)) && SixOnes::apply(Some(Stage::Capacity)));
        assert!(SixOnes::plan_needed(Some(Stage::Production)));
        assert!(!SixOnes::plan_needed(Some(Stage::Capacity)));
        assert!(!SixOnes::plan_needed(Some(Stage::Lead)));
    }

    #[test]
    fn six_ones_name_what_is_missing() {
        let all = SixOnes {
            leader: true,
            unit: true,
            team: true,
            plan: true,
        };
        assert!(all.missing().is_empty());
        let some = SixOnes {
            leader: false,
            plan: false,
            ..all
        };
        assert_eq!(some.missing(), ["包保领导", "进度计划"]);
    }

    #[test]
    fn team_members_are_read_one_a_line_and_written_back_the_same() {
        let members =
            TeamMember::parse_lines("张三，集贤县，专班办公室主任\n\n李四, 市自然资源局\n王五");
        let members = members.unwrap_or_default();
        assert_eq!(members.len(), 3);
        assert_eq!(members[1].unit.as_deref(), Some("市自然资源局"));
        assert_eq!(members[1].duty, None);
        let text: Vec<String> = members.iter().map(TeamMember::line).collect();
        assert_eq!(TeamMember::parse_lines(&text.join("\n")), Ok(members));
        assert_eq!(
            TeamMember::parse_lines("张三\n，集贤县"),
            Err(FieldError::new("专班成员", "第2行没有姓名"))
        );
        assert!(TeamMember::parse_lines("张三\n张三，集贤县").is_err());
    }

    #[test]
    fn an_element_item_is_done_with_a_date_and_open_with_a_department() {
        let done = ElementSupport::new(
            ElementItem::LandQuota,
            ElementStatus::Done,
            Some("市自然资源局".into()),
            Some(d("2022-05-01")),
            Some(d("2022-04-20")),
        );
        assert!(
            done.as_ref()
                .is_ok_and(|e| !e.is_open() && !e.is_overdue(d("2022-06-01")))
        );
        assert_eq!(
            ElementSupport::new(ElementItem::Water, ElementStatus::Done, None, None, None)
                .map_err(|e| e.field),
            Err("完成日期".to_owned())
        );
        assert_eq!(
            ElementSupport::new(
                ElementItem::Water,
                ElementStatus::InProgress,
                None,
                None,
                None
            )
            .map_err(|e| e.field),
            Err("责任部门".to_owned())
        );
        let open = ElementSupport::new(
            ElementItem::ConstructionPermit,
            ElementStatus::InProgress,
            Some("市住房和城乡建设局".into()),
            Some(d("2022-05-01")),
            None,
        );
        assert!(open.as_ref().is_ok_and(|e| e.is_overdue(d("2022-05-02"))));
        assert!(open.is_ok_and(|e| !e.is_overdue(d("2022-05-01"))));
        assert_eq!(ElementItem::ALL.len(), 13);
        assert_eq!(
            ElementItem::parse("事项", "资金/融资"),
            Ok(ElementItem::Financing)
        );
        assert!(ElementStatus::parse("状态", "搁置").is_err());
    }
}
