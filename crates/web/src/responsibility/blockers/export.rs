//! The blockers list as a file: the rows the page lists, in the viewer's scope.

use axum::extract::State;
use axum::response::Response;
use exchange::Listing;

use super::{ListQuery, listed};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::listing_download;
use crate::kit::request::Query;

/// `/blockers/export?show=all&format=xlsx|csv`: the blockers the list shows.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let (rows, today) = listed(&state, &user, &query).await?;
    let mut listing = Listing::new(
        "堵点问题",
        &[
            "编号",
            "项目编号",
            "项目名称",
            "所在地",
            "类别",
            "问题",
            "责任单位",
            "责任领导",
            "办结时限",
            "逾期天数",
            "状态",
            "已升级至",
        ],
    );
    listing.note(if query.show == "all" {
        "全部（含已解决）"
    } else {
        "未解决"
    });
    listing.note(format!("逾期按 {today} 计"));
    for r in rows {
        listing.push(vec![
            r.id.into(),
            r.project_code.into(),
            r.project_name.into(),
            r.territory.into(),
            r.category.into(),
            r.description.into(),
            r.owner_unit.into(),
            r.leader.into(),
            r.deadline_day.into(),
            if r.overdue_days > 0 {
                r.overdue_days.into()
            } else {
                exchange::Value::Empty
            },
            r.status.into(),
            r.escalated.into(),
        ]);
    }
    listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}
