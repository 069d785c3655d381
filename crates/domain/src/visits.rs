//! 对接记录 counted by unit and by leader, and 敲门计划 (knock-door plans): a visit planned to a
//! firm, by a unit and a leader, by a date, held against the visits made.

use chrono::NaiveDate;
use serde::Serialize;

use crate::records::Visit;
use crate::{CreditCode, FieldError};

/// A plan counts as carried out by a visit made up to this many days before its date.
pub const EARLY_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitPlan {
    pub enterprise: String,
    pub credit_code: Option<CreditCode>,
    /// The unit that is to visit; none for the city's own plans.
    pub unit: Option<String>,
    pub leader: Option<String>,
    pub planned: NaiveDate,
    pub purpose: Option<String>,
}

impl VisitPlan {
    pub fn new(enterprise: &str, planned: NaiveDate) -> Result<Self, FieldError> {
        Ok(VisitPlan {
            enterprise: crate::text::required("目标企业", enterprise)?,
            credit_code: None,
            unit: None,
            leader: None,
            planned,
            purpose: None,
        })
    }

    /// Whether `visit` went to this plan's firm: by credit code when both have one, else by name.
    fn same_firm(&self, visit: &Visit) -> bool {
        match (&self.credit_code, &visit.enterprise_code) {
            (Some(a), Some(b)) => a == b,
            _ => visit.enterprise.as_deref().map(str::trim) == Some(self.enterprise.trim()),
        }
    }

    /// Where the plan stands on `today` given the visits recorded: carried out by the earliest
    /// visit of its unit (any unit for a city plan) to its firm no more than [`EARLY_DAYS`]
    /// before its date; otherwise due, or overdue once its date has passed.
    pub fn status(&self, visits: &[Visit], today: NaiveDate) -> PlanStatus {
        let from = self.planned - chrono::Days::new(EARLY_DAYS as u64);
        let done = visits
            .iter()
            .filter(|v| self.unit.is_none() || v.unit == self.unit)
            .filter(|v| v.date >= from && v.date <= today && self.same_firm(v))
            .map(|v| v.date)
            .min();
        match done {
            Some(date) => PlanStatus::Done(date),
            None if self.planned < today => PlanStatus::Overdue((today - self.planned).num_days()),
            None => PlanStatus::Due,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PlanStatus {
    Done(NaiveDate),
    Due,
    /// Days past the planned date.
    Overdue(i64),
}

impl PlanStatus {
    pub fn label(&self) -> String {
        match self {
            PlanStatus::Done(d) => format!("已对接（{d}）"),
            PlanStatus::Due => "未到期".to_owned(),
            PlanStatus::Overdue(n) => format!("逾期{n}天未对接"),
        }
    }
}

/// The leaders named on a visit (带队领导, written 张三、李四 or 张三,李四), each once.
pub fn leaders_of(visit: &Visit) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in visit
        .leaders
        .as_deref()
        .unwrap_or("")
        .split(['、', '，', ',', ';', '；', ' ', '\u{3000}'])
    {
        let name = name.trim();
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// (name, visits), most first.
pub type Tally = Vec<(String, usize)>;

/// Visits counted three ways, each most first, then by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitCounts {
    /// Per unit (市本级 for the city's own).
    pub units: Tally,
    /// Per leader on the leaders' list.
    pub leaders: Tally,
    /// Per other name written as 带队领导 (an office, a person off the list): shown, but not
    /// counted as a leader's.
    pub others: Tally,
}

/// Visits per unit and per 带队领导, where `is_leader` says which names are on the leaders'
/// list.
pub fn counts(visits: &[Visit], is_leader: impl Fn(&str) -> bool) -> VisitCounts {
    let mut units: std::collections::BTreeMap<String, usize> = Default::default();
    let mut leaders: std::collections::BTreeMap<String, usize> = Default::default();
    let mut others: std::collections::BTreeMap<String, usize> = Default::default();
    for v in visits {
        *units
            .entry(v.unit.clone().unwrap_or_else(|| "市本级".to_owned()))
            .or_default() += 1;
        for leader in leaders_of(v) {
            let tally = if is_leader(&leader) {
                &mut leaders
            } else {
                &mut others
            };
            *tally.entry(leader).or_default() += 1;
        }
    }
    let sorted = |map: std::collections::BTreeMap<String, usize>| {
        let mut v: Vec<(String, usize)> = map.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    VisitCounts {
        units: sorted(units),
        leaders: sorted(leaders),
        others: sorted(others),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn visit(date: &str, unit: &str, firm: &str, leaders: &str) -> Visit {
        let mut v = Visit::new(d(date));
        v.unit = Some(unit.into());
        v.enterprise = Some(firm.into());
        v.leaders = Some(leaders.into());
        v
    }

    #[test]
    fn a_plan_is_done_by_its_units_visit_to_its_firm_from_thirty_days_before() {
        let mut plan = VisitPlan::new("中国船舶集团有限公司", d("2022-06-30")).unwrap();
        plan.unit = Some("集贤县".into());
        let today = d("2022-07-10");
        let visits = vec![
            visit("2022-05-20", "集贤县", "中国船舶集团有限公司", ""), // 41 days early
            visit("2022-06-10", "宝清县", "中国船舶集团有限公司", ""), // another unit
            visit("2022-06-12", "集贤县", "江南造船", ""),             // another firm
        ];
        assert_eq!(plan.status(&visits, today), PlanStatus::Overdue(10));
        assert_eq!(plan.status(&visits, d("2022-06-01")), PlanStatus::Due);
        let mut done = visits.clone();
        done.push(visit("2022-06-01", "集贤县", "中国船舶集团有限公司", ""));
        assert_eq!(plan.status(&done, today), PlanStatus::Done(d("2022-06-01")));
        plan.unit = None;
        assert_eq!(
            plan.status(&visits, today),
            PlanStatus::Done(d("2022-06-10")),
            "a city plan: any unit"
        );
    }

    #[test]
    fn visits_are_counted_by_unit_and_by_each_leader_named() {
        let mut city = Visit::new(d("2022-03-01"));
        city.leaders = Some("陈立新".into());
        let visits = vec![
            visit("2022-01-01", "集贤县", "甲", "陈立新、王建国"),
            visit("2022-01-02", "集贤县", "乙", "王建国,王建国"),
            visit("2022-01-03", "宝清县", "丙", ""),
            visit("2022-01-04", "集贤县", "丁", "集贤县招商局、王建国"),
            city,
        ];
        let c = counts(&visits, |name| ["陈立新", "王建国"].contains(&name));
        assert_eq!(
            c.units,
            vec![
                ("集贤县".into(), 3),
                ("宝清县".into(), 1),
                ("市本级".into(), 1)
            ]
        );
        assert_eq!(c.leaders, vec![("王建国".into(), 3), ("陈立新".into(), 2)]);
        // An office written where a leader goes is shown apart, not counted as a leader.
        assert_eq!(c.others, vec![("集贤县招商局".into(), 1)]);
    }
}
