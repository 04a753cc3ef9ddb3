-- 常用语: reply templates per field (the answer given at once, the transfer's
-- requirements, the department's result, a feedback note), for one category or for all,
-- edited in settings. A few common ones to start with.
CREATE TABLE reply_templates (
    id          INTEGER PRIMARY KEY,
    field       TEXT NOT NULL CHECK (field IN ('answer', 'requirements', 'result', 'note')),
    category_id INTEGER REFERENCES categories(id),
    text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX reply_templates_by_field ON reply_templates(field, category_id);
INSERT INTO reply_templates (field, category_id, text, created_at) VALUES
    ('answer', NULL, '您反映的问题已记录，相关政策已向您解释清楚，感谢您的来电。', 0),
    ('requirements', NULL, '请于签收后一个工作日内联系来电人，核实情况并依法依规办理，在办理期限内答复。', 0),
    ('result', NULL, '经核实，已安排人员现场处理，问题已解决，并已电话告知来电人。', 0),
    ('note', NULL, '已向来电人反馈承办单位的办理结果，来电人表示认可。', 0);
