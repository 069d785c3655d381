-- 要素保障 (issue 5): per project, the state of each of the thirteen items (立项 … 运输), the
-- department that handles it, its due date and its done date. One row per item that was set.

CREATE TABLE element_items (
    project_id    BIGINT NOT NULL REFERENCES projects (id),
    item          TEXT NOT NULL,
    status        TEXT NOT NULL,
    department_id BIGINT REFERENCES units (id),
    due_on        TEXT,
    done_on       TEXT,
    PRIMARY KEY (project_id, item)
);
CREATE INDEX element_items_department ON element_items (department_id);
