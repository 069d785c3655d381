//! What of the records a signed-in account may reach: the list filter that holds it to its
//! scope, and a project by code that is 404 outside it, as for one that does not exist.
//! The rules themselves are `domain::access`'s.

use domain::access::Actor;
use store::{BlockerFilter, ProjectFilter, ProjectRecord, Store};

use super::error::WebError;

/// The list filter that holds the actor to what they may see.
pub fn scoped_filter(actor: &Actor) -> Result<ProjectFilter, WebError> {
    if !actor.reads_projects() {
        return Err(WebError::Forbidden);
    }
    Ok(ProjectFilter {
        scope_unit: actor.unit.clone(),
        ..ProjectFilter::default()
    })
}

/// The blocker filter that holds the actor to what they may see: a unit's accounts the
/// blockers of their unit's projects and those their unit owns. Every list of blockers starts
/// from it.
pub fn scoped_blockers(actor: &Actor) -> BlockerFilter {
    BlockerFilter {
        scope_unit: actor.unit.clone(),
        ..BlockerFilter::default()
    }
}

/// The project with this code if the actor may change it: 404 outside the actor's scope, as
/// for a project that does not exist, and 403 where the actor may only read it.
pub async fn editable_project(
    store: &Store,
    actor: &Actor,
    code: &str,
) -> Result<ProjectRecord, WebError> {
    let record = project_for(store, actor, code).await?;
    if actor.can_edit(&record.project) {
        Ok(record)
    } else {
        Err(WebError::Forbidden)
    }
}

/// The project with this code if the actor may see it; otherwise the same 404 as for a project
/// that does not exist.
pub async fn project_for(
    store: &Store,
    actor: &Actor,
    code: &str,
) -> Result<ProjectRecord, WebError> {
    match store.project(code).await? {
        Some(record) if actor.can_see(&record.project) => Ok(record),
        _ => Err(WebError::not_found_project(code)),
    }
}

/// 403 unless `allowed`: how a handler turns a `domain::access` answer into a refusal.
pub fn allow(allowed: bool) -> Result<(), WebError> {
    if allowed {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// The names a list's filters offer, each list led by "" (全部): the units the actor covers
/// (the city itself left out), every chain and every leader.
pub(crate) struct FilterNames {
    pub units: Vec<String>,
    pub chains: Vec<String>,
    pub leaders: Vec<String>,
}

pub(crate) async fn filter_names(
    state: &crate::AppState,
    actor: &Actor,
) -> Result<FilterNames, WebError> {
    let with_all = |values: Vec<String>| {
        let mut all = vec![String::new()];
        all.extend(values);
        all
    };
    let units = state.store.units().await?.into_iter();
    Ok(FilterNames {
        units: with_all(
            units
                .filter(|u| u.kind != domain::records::UnitKind::City)
                .map(|u| u.name)
                .filter(|name| actor.covers_unit(Some(name)))
                .collect(),
        ),
        chains: with_all(
            state
                .store
                .chains()
                .await?
                .into_iter()
                .map(|c| c.name)
                .collect(),
        ),
        leaders: with_all(
            state
                .store
                .leaders()
                .await?
                .into_iter()
                .map(|l| l.name)
                .collect(),
        ),
    })
}
