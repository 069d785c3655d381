//! One file per kind of office file, each implementing [`Sheet`]: its columns, how a row
//! becomes records, and the rows its export writes. A column is named in the code with
//! `key!("列名")`, checked at compile time against the kind's columns, so a misspelt key
//! does not build (it used to read as an empty cell).

mod agencies;
mod blockers;
mod chains;
mod contracts;
mod elements;
mod enterprises;
mod events;
mod factors;
mod financing;
mod funds;
mod leader_units;
mod leaders;
mod packaged;
mod project_segments;
mod projects;
mod roadmap_items;
mod segment_firms;
mod segments;
mod targets;
mod teams;
mod units;
mod visit_plans;
mod visits;

use std::collections::HashMap;

use store::{Store, StoreError, Tx};

use crate::ExchangeError;
use crate::columns::{Column, Kind};
use crate::export::Value;
use crate::import::{Cells, ImportReport};
use crate::table::{Row, Table};

pub(crate) use enterprises::enterprise_from;

/// What every kind's file provides.
pub(crate) trait Sheet {
    /// The columns, in the order templates and exports write them.
    const COLUMNS: &'static [Column];
    /// The columns whose allowed values are an editable value list, with that list.
    const VALUE_LISTS: &'static [(Key, &'static str)] = &[];

    /// Applies one row: its records through `tx`, its bad cells into `c.errors`; an error
    /// returned is the store's refusal of the whole row.
    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError>;

    /// Every record of the kind as rows of the import's columns.
    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError>;

    /// The order in which a file's rows are applied; as they stand unless a kind says
    /// otherwise.
    fn order<'t>(
        _table: &'t Table,
        _index: &HashMap<&'static str, usize>,
        _rows: &mut Vec<&'t Row>,
    ) {
    }
}

/// Runs `$body` with `$sheet` standing for the type of `$kind`.
macro_rules! dispatch {
    ($kind:expr, $sheet:ident => $body:expr) => {
        match $kind {
            Kind::Units => {
                type $sheet = units::Units;
                $body
            }
            Kind::Leaders => {
                type $sheet = leaders::Leaders;
                $body
            }
            Kind::Chains => {
                type $sheet = chains::Chains;
                $body
            }
            Kind::Teams => {
                type $sheet = teams::Teams;
                $body
            }
            Kind::Enterprises => {
                type $sheet = enterprises::Enterprises;
                $body
            }
            Kind::Segments => {
                type $sheet = segments::Segments;
                $body
            }
            Kind::SegmentFirms => {
                type $sheet = segment_firms::SegmentFirms;
                $body
            }
            Kind::Projects => {
                type $sheet = projects::Projects;
                $body
            }
            Kind::ProjectSegments => {
                type $sheet = project_segments::ProjectSegments;
                $body
            }
            Kind::Events => {
                type $sheet = events::Events;
                $body
            }
            Kind::Funds => {
                type $sheet = funds::Funds;
                $body
            }
            Kind::Visits => {
                type $sheet = visits::Visits;
                $body
            }
            Kind::VisitPlans => {
                type $sheet = visit_plans::VisitPlans;
                $body
            }
            Kind::Targets => {
                type $sheet = targets::Targets;
                $body
            }
            Kind::LeaderUnits => {
                type $sheet = leader_units::LeaderUnits;
                $body
            }
            Kind::Elements => {
                type $sheet = elements::Elements;
                $body
            }
            Kind::Blockers => {
                type $sheet = blockers::Blockers;
                $body
            }
            Kind::Financing => {
                type $sheet = financing::Financing;
                $body
            }
            Kind::Packaged => {
                type $sheet = packaged::Packaged;
                $body
            }
            Kind::Factors => {
                type $sheet = factors::Factors;
                $body
            }
            Kind::Agencies => {
                type $sheet = agencies::Agencies;
                $body
            }
            Kind::AgencyContracts => {
                type $sheet = contracts::Contracts;
                $body
            }
            Kind::Roadmaps => {
                type $sheet = roadmap_items::RoadmapItems;
                $body
            }
        }
    };
}

/// The columns of `kind`.
pub(crate) fn columns(kind: Kind) -> &'static [Column] {
    dispatch!(kind, S => S::COLUMNS)
}

/// The value lists of `kind`'s columns.
pub(crate) fn value_lists(kind: Kind) -> &'static [(Key, &'static str)] {
    dispatch!(kind, S => S::VALUE_LISTS)
}

/// Applies one row of a file of `kind`.
pub(crate) async fn apply(
    kind: Kind,
    c: &mut Cells<'_>,
    tx: &mut Tx,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    dispatch!(kind, S => S::apply(c, tx, report).await)
}

/// Every record of `kind` as rows of its columns.
pub(crate) async fn export_rows(
    store: &Store,
    kind: Kind,
) -> Result<Vec<Vec<Value>>, ExchangeError> {
    dispatch!(kind, S => S::export(store).await)
}

/// The rows of a file of `kind` in the order they are applied.
pub(crate) fn ordered_rows<'t>(
    kind: Kind,
    table: &'t Table,
    index: &HashMap<&'static str, usize>,
) -> Vec<&'t Row> {
    let mut rows: Vec<&Row> = table.rows.iter().collect();
    dispatch!(kind, S => S::order(table, index, &mut rows));
    rows
}

/// A column's key as `key!` makes it: the cells of a row are read by `Key`, not by text, so a
/// key that was not checked against the kind's columns does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key(&'static str);

impl Key {
    /// For `key!` only, after its check.
    #[doc(hidden)]
    pub(crate) const fn checked(key: &'static str) -> Key {
        Key(key)
    }

    pub(crate) fn as_str(self) -> &'static str {
        self.0
    }
}

/// A column's key, checked at compile time against `COLUMNS` where it is used.
macro_rules! key {
    ($key:literal) => {{
        const _: () = assert!(
            $crate::columns::has_key(COLUMNS, $key),
            concat!("no column “", $key, "” in this kind's COLUMNS")
        );
        $crate::kinds::Key::checked($key)
    }};
}
pub(crate) use key;

/// What every kind's file uses.
mod prelude {
    pub(crate) use std::collections::HashMap;

    pub(crate) use chrono::NaiveDate;
    pub(crate) use domain::blockers::{BlockerStatus, NewBlocker};
    pub(crate) use domain::chains::Position;
    pub(crate) use domain::enterprise::{Enterprise, EnterpriseSize, IndustryCode};
    pub(crate) use domain::figures::Indicator;
    pub(crate) use domain::financing::{FinancingPlan, FinancingStatus};
    pub(crate) use domain::records::value_lists::{
        BLOCKER_CATEGORY, FUND_SOURCE, SOURCE_MODE, VISIT_MODE,
    };
    pub(crate) use domain::records::{
        CITY_TARGET_NAME, CapitalOrigin, Chain, Fund, Leader, Project, ScoreGroup, Target, Team,
        Unit, UnitKind, Visit, project_code,
    };
    pub(crate) use domain::responsibility::{ElementItem, ElementStatus, ElementSupport};
    pub(crate) use domain::stage::{StageEvent, effective_events};
    pub(crate) use domain::text::{optional, yes_no_text};
    pub(crate) use domain::visits::VisitPlan;
    pub(crate) use domain::{Currency, EventKind, FieldError, Money};
    pub(crate) use store::{SegmentRole, Store, StoreError, Tx};

    pub(crate) use super::{Key, Sheet, key};
    pub(crate) use crate::ExchangeError;
    pub(crate) use crate::columns::{Column, opt, req};
    pub(crate) use crate::export::{Value, date, text, wan};
    pub(crate) use crate::import::{
        Cells, ImportReport, code_text, credit_code_cell, date_cell, incomplete, money_cell,
        optional_date, project_code_cell, required_money, whole_number, yes_no_cell,
    };
    pub(crate) use crate::table::{Cell, Row, Table};
}
