//! The project workspace's frame (issue 22.1, Ant Design Pro's detail page as the model): the
//! tabs that hold one part and its form each, the step bar 线索→达效 with dates, the message a
//! save leaves on the page it returns to, and people by their names.

use std::collections::HashMap;

use axum::response::{IntoResponse, Redirect, Response};
use domain::responsibility::SchedulePlan;
use domain::stage::{RecordedEvent, effective_events};
use domain::{EventKind, Stage};
use serde::Deserialize;

use crate::kit::render::encode;

/// A part of the workspace, shown one at a time under the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Plan,
    Elements,
    Blockers,
    Funds,
    Visits,
    Records,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Overview,
        Tab::Plan,
        Tab::Elements,
        Tab::Blockers,
        Tab::Funds,
        Tab::Visits,
        Tab::Records,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Plan => "plan",
            Tab::Elements => "elements",
            Tab::Blockers => "blockers",
            Tab::Funds => "funds",
            Tab::Visits => "visits",
            Tab::Records => "records",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "基本信息",
            Tab::Plan => "进度计划",
            Tab::Elements => "要素保障",
            Tab::Blockers => "堵点",
            Tab::Funds => "资金",
            Tab::Visits => "对接",
            Tab::Records => "阶段与修改记录",
        }
    }

    /// The tab a query names; the overview for anything else.
    pub fn from_code(code: &str) -> Tab {
        Tab::ALL
            .into_iter()
            .find(|t| t.code() == code)
            .unwrap_or(Tab::Overview)
    }
}

/// What a save on the workspace leaves to say when it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Event,
    Correction,
    Fund,
    FundVerified,
    FundWithdrawn,
    FundResubmitted,
    VisitWithdrawn,
    Plan,
    Element,
    Financing,
}

impl Saved {
    const ALL: [Saved; 10] = [
        Saved::Event,
        Saved::Correction,
        Saved::Fund,
        Saved::FundVerified,
        Saved::FundWithdrawn,
        Saved::FundResubmitted,
        Saved::VisitWithdrawn,
        Saved::Plan,
        Saved::Element,
        Saved::Financing,
    ];

    fn code(self) -> &'static str {
        match self {
            Saved::Event => "event",
            Saved::Correction => "correction",
            Saved::Fund => "fund",
            Saved::FundVerified => "verified",
            Saved::FundWithdrawn => "fund-withdrawn",
            Saved::FundResubmitted => "fund-resubmitted",
            Saved::VisitWithdrawn => "visit-withdrawn",
            Saved::Plan => "plan",
            Saved::Element => "element",
            Saved::Financing => "financing",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Saved::Event => "已保存：阶段事件已记录。",
            Saved::Correction => "已保存：更正已记录，原事件保留在案。",
            Saved::Fund => "已保存：到位资金已登记。",
            Saved::FundVerified => "已核实：该笔到位资金已记入核实数。",
            Saved::FundWithdrawn => "已撤回：该笔到位资金不再计入统计，记录保留在案。",
            Saved::FundResubmitted => {
                "已修改并重新报送：该笔到位资金回到审核流程，审核通过后计入统计。"
            }
            Saved::VisitWithdrawn => "已撤回：该条对接记录不再计入统计，记录保留在案。",
            Saved::Plan => "已保存：计划进度已更新。",
            Saved::Element => "已保存：要素保障事项已更新。",
            Saved::Financing => "已保存：融资方案已更新。",
        }
    }

    /// The tab the saved part lives on.
    pub fn tab(self) -> Tab {
        match self {
            Saved::Event | Saved::Correction => Tab::Records,
            Saved::Fund
            | Saved::FundVerified
            | Saved::FundWithdrawn
            | Saved::FundResubmitted
            | Saved::Financing => Tab::Funds,
            Saved::VisitWithdrawn => Tab::Visits,
            Saved::Plan => Tab::Plan,
            Saved::Element => Tab::Elements,
        }
    }

    fn from_code(code: &str) -> Option<Saved> {
        Saved::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Back to the project's tab where the save shows, saying what was saved.
pub fn saved_redirect(code: &str, saved: Saved) -> Response {
    Redirect::to(&format!(
        "/projects/{}?tab={}&saved={}",
        encode(code),
        saved.tab().code(),
        saved.code()
    ))
    .into_response()
}

/// `?tab=…&saved=…` on a project's page; unknown values fall back to the overview and no
/// message.
#[derive(Debug, Default, Deserialize)]
pub struct WorkspaceQuery {
    #[serde(default)]
    tab: String,
    #[serde(default)]
    saved: String,
}

impl WorkspaceQuery {
    pub fn tab(&self) -> Tab {
        Tab::from_code(&self.tab)
    }

    pub fn saved(&self) -> Option<&'static str> {
        Saved::from_code(&self.saved).map(Saved::message)
    }
}

/// One step of the bar 线索→达效.
pub struct Step {
    pub label: &'static str,
    /// When it was reached, or planned ("计划 …"), or empty.
    pub date: String,
    /// done, current or todo: the step bar's classes.
    pub state: &'static str,
}

/// The step bar: each stage reached with its first date, the current one marked, the ones
/// ahead with their planned dates.
pub fn steps(events: &[RecordedEvent], current: Option<Stage>, plan: &SchedulePlan) -> Vec<Step> {
    let effective = effective_events(events);
    Stage::ALL
        .into_iter()
        .map(|stage| {
            let reached = effective
                .iter()
                .filter(|(_, e)| e.kind == EventKind::Stage(stage))
                .map(|(_, e)| e.date)
                .min();
            let state = match current {
                Some(c) if c == stage => "current",
                Some(c) if c > stage => "done",
                _ => "todo",
            };
            let date = match (reached, plan.planned(stage)) {
                (Some(on), _) => on.to_string(),
                (None, Some(planned)) if state == "todo" => format!("计划 {planned}"),
                _ => String::new(),
            };
            Step {
                label: stage.label(),
                date,
                state,
            }
        })
        .collect()
}

/// Account names as people read them: a user's display name, the command line and the demo
/// said in words; anyone else as recorded.
pub struct People(HashMap<String, String>);

impl People {
    pub async fn load(store: &store::Store) -> Result<People, store::StoreError> {
        let names = store
            .users()
            .await?
            .into_iter()
            .map(|u| (u.username, u.display_name))
            .collect();
        Ok(People(names))
    }

    pub fn name(&self, actor: &str) -> String {
        if let Some(name) = self.0.get(actor) {
            return name.clone();
        }
        match actor.strip_prefix("cli:") {
            Some("unknown" | "") => "命令行导入".to_owned(),
            Some(who) => format!("命令行导入（{who}）"),
            None if actor == "demo" => "演示数据".to_owned(),
            None => actor.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_read_by_their_names() {
        let people = People(HashMap::from([("bureau".into(), "市招商局".into())]));
        assert_eq!(people.name("bureau"), "市招商局");
        assert_eq!(people.name("cli:unknown"), "命令行导入");
        assert_eq!(people.name("cli:wang"), "命令行导入（wang）");
        assert_eq!(people.name("demo"), "演示数据");
        assert_eq!(people.name("someone"), "someone");
    }

    #[test]
    fn every_save_returns_to_a_tab_with_its_message() {
        for saved in Saved::ALL {
            assert_eq!(Saved::from_code(saved.code()), Some(saved));
            assert!(!saved.message().is_empty());
        }
        assert_eq!(Tab::from_code("funds"), Tab::Funds);
        assert_eq!(Tab::from_code("<script>"), Tab::Overview);
    }
}
