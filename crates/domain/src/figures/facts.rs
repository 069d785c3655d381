//! What the figures are computed from: for each project the dates of its milestones, for each
//! fund and visit its date, amount and unit. Nothing else of a record matters to a figure, and
//! keeping only this lets a scoreboard over a million projects be computed in memory at once.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::records::{Fund, Project, ScoreGroup, Target, Unit, UnitKind};
use crate::stage::StageEvent;
use crate::{Currency, EventKind, Stage};

/// The dates on which a project passed each milestone, from its effective events. Stages only
/// move forward, so each stage happens at most once; 复工 can happen many times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Milestones {
    /// The date of its first event: when it became a lead the city knows of.
    pub first_on: Option<NaiveDate>,
    /// The first 签约 and the signed amount (the event's, else the project's 签约额).
    pub signed: Option<(NaiveDate, i64)>,
    pub landed_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub production_on: Option<NaiveDate>,
    pub capacity_on: Option<NaiveDate>,
    pub resumed_on: Vec<NaiveDate>,
}

impl Milestones {
    /// `events` are the project's effective events in date order.
    pub fn of<'a>(
        events: impl IntoIterator<Item = &'a StageEvent>,
        project_signed_amount: Option<i64>,
    ) -> Self {
        let mut m = Milestones::default();
        for event in events {
            m.first_on.get_or_insert(event.date);
            let date = Some(event.date);
            match event.kind {
                EventKind::Stage(Stage::Signed) if m.signed.is_none() => {
                    let amount = event
                        .amount
                        .map(|a| a.units())
                        .or(project_signed_amount)
                        .unwrap_or(0);
                    m.signed = Some((event.date, amount));
                }
                EventKind::Stage(Stage::Landed) => m.landed_on = m.landed_on.or(date),
                EventKind::Stage(Stage::Started) => m.started_on = m.started_on.or(date),
                EventKind::Stage(Stage::Production) => {
                    m.production_on = m.production_on.or(date);
                }
                EventKind::Stage(Stage::Capacity) => m.capacity_on = m.capacity_on.or(date),
                EventKind::Resume => m.resumed_on.push(event.date),
                _ => {}
            }
        }
        m
    }

    /// 复工 dates as stored in one text column: ISO dates joined by commas.
    pub fn resumed_text(&self) -> Option<String> {
        (!self.resumed_on.is_empty()).then(|| {
            self.resumed_on
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        [
            self.first_on,
            self.signed.map(|(d, _)| d),
            self.landed_on,
            self.started_on,
            self.production_on,
            self.capacity_on,
        ]
        .into_iter()
        .flatten()
        .chain(self.resumed_on.iter().copied())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactUnit {
    /// The unit's id in the store (or its position, for records built in memory).
    pub id: i64,
    pub name: String,
    pub kind: UnitKind,
    pub group: Option<ScoreGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactProject {
    pub id: i64,
    /// Index into [`Facts::units`].
    pub territory: u32,
    /// Indexes into [`Facts::units`]; may repeat the territory, which then counts once.
    pub credited: Vec<u32>,
    pub milestones: Milestones,
    /// 招商方式: an index into [`Facts::sources`]; `None` where the project has none.
    pub source: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactFund {
    pub id: i64,
    /// Index into [`Facts::projects`].
    pub project: u32,
    pub date: NaiveDate,
    pub amount: i64,
    /// 美元 (实际利用外资); otherwise 人民币.
    pub usd: bool,
    pub verified: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactVisit {
    pub id: i64,
    pub date: NaiveDate,
    /// Index into [`Facts::units`]; a visit without a unit counts for the city only.
    pub unit: Option<u32>,
}

/// Everything a scoreboard is computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub units: Vec<FactUnit>,
    pub projects: Vec<FactProject>,
    pub funds: Vec<FactFund>,
    pub visits: Vec<FactVisit>,
    pub targets: Vec<Target>,
    /// The 招商方式 the projects name, each once.
    pub sources: Vec<String>,
}

/// How figures by 招商方式 name a project that has none (SPEC §3).
pub const UNFILLED_SOURCE: &str = "未填";

/// Gives each distinct 招商方式 one index into [`Facts::sources`].
#[derive(Debug, Default)]
pub struct SourceInterner {
    index: HashMap<String, u32>,
    names: Vec<String>,
}

impl SourceInterner {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), i);
        i
    }

    pub fn into_names(self) -> Vec<String> {
        self.names
    }
}

impl Facts {
    /// The first year that holds any dated record; `None` when there is none.
    pub fn first_year(&self) -> Option<i32> {
        self.record_years().min()
    }

    /// The last year that holds any dated record.
    pub fn last_year(&self) -> Option<i32> {
        self.record_years().max()
    }

    fn record_years(&self) -> impl Iterator<Item = i32> + '_ {
        let projects = self.projects.iter().flat_map(|p| p.milestones.dates());
        let funds = self.funds.iter().map(|f| f.date);
        let visits = self.visits.iter().map(|v| v.date);
        projects.chain(funds).chain(visits).map(|d| d.year())
    }

    /// The facts of these projects only (by id), with their funds: what a group of projects
    /// that is not a unit — an industrial chain — is figured over, by the same definitions as
    /// the 晒单. Visits belong to units, not projects, and targets to units: neither is kept.
    pub fn restricted_to(&self, project_ids: &std::collections::HashSet<i64>) -> Facts {
        let mut kept: HashMap<u32, u32> = HashMap::new();
        let mut projects = Vec::new();
        for (i, p) in self.projects.iter().enumerate() {
            if project_ids.contains(&p.id) {
                kept.insert(i as u32, projects.len() as u32);
                projects.push(p.clone());
            }
        }
        let funds = self
            .funds
            .iter()
            .filter_map(|f| {
                kept.get(&f.project)
                    .map(|&project| FactFund { project, ..*f })
            })
            .collect();
        Facts {
            units: self.units.clone(),
            projects,
            funds,
            visits: Vec::new(),
            targets: Vec::new(),
            sources: self.sources.clone(),
        }
    }

    /// A project's 招商方式 as figures name it: [`UNFILLED_SOURCE`] where it has none.
    pub fn source_name(&self, project: &FactProject) -> &str {
        project
            .source
            .and_then(|i| self.sources.get(i as usize))
            .map_or(UNFILLED_SOURCE, String::as_str)
    }

    pub fn unit_index(&self, name: &str) -> Option<usize> {
        self.units.iter().position(|u| u.name == name)
    }

    /// Builds the facts from whole records, as tests and the demo hold them. `events` are
    /// (项目编号, event) pairs, each project's effective events in date order. Records that name
    /// a unit or project not in the lists are left out, as the store would never hold them.
    pub fn from_records<'a>(
        units: &[Unit],
        projects: &[Project],
        events: impl IntoIterator<Item = (&'a str, &'a StageEvent)>,
        funds: &[Fund],
        visits: &[crate::records::Visit],
        targets: &[Target],
    ) -> Facts {
        let mut by_project: HashMap<&str, Vec<&StageEvent>> = HashMap::new();
        for (code, event) in events {
            by_project.entry(code).or_default().push(event);
        }
        let events = by_project;
        let unit_index: HashMap<&str, u32> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.as_str(), i as u32))
            .collect();
        let mut project_index: HashMap<&str, u32> = HashMap::new();
        let mut fact_projects = Vec::with_capacity(projects.len());
        let mut sources = SourceInterner::default();
        for (id, project) in projects.iter().enumerate() {
            let Some(&territory) = unit_index.get(project.territory.as_str()) else {
                continue;
            };
            project_index.insert(&project.code, fact_projects.len() as u32);
            let history = events.get(project.code.as_str());
            fact_projects.push(FactProject {
                id: id as i64 + 1,
                territory,
                credited: project
                    .credited
                    .iter()
                    .filter_map(|c| unit_index.get(c.as_str()).copied())
                    .collect(),
                milestones: Milestones::of(
                    history.into_iter().flatten().copied(),
                    project.signed_amount.map(|m| m.units()),
                ),
                source: project.source_mode.as_deref().map(|s| sources.intern(s)),
            });
        }
        let fact_funds = funds
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let project = *project_index.get(f.project_code.as_str())?;
                let usd = match f.currency {
                    Currency::Cny => false,
                    Currency::Usd => true,
                    _ => return None,
                };
                Some(FactFund {
                    id: i as i64 + 1,
                    project,
                    date: f.date,
                    amount: f.amount.units(),
                    usd,
                    verified: f.verified,
                })
            })
            .collect();
        let fact_visits = visits
            .iter()
            .enumerate()
            .map(|(i, v)| FactVisit {
                id: i as i64 + 1,
                date: v.date,
                unit: v.unit.as_deref().and_then(|u| unit_index.get(u).copied()),
            })
            .collect();
        Facts {
            units: units
                .iter()
                .enumerate()
                .map(|(i, u)| FactUnit {
                    id: i as i64 + 1,
                    name: u.name.clone(),
                    kind: u.kind,
                    group: u.group,
                })
                .collect(),
            projects: fact_projects,
            funds: fact_funds,
            visits: fact_visits,
            targets: targets.to_vec(),
            sources: sources.into_names(),
        }
    }
}
