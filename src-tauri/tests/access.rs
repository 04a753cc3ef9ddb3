//! Every command × every role through Tauri's IPC (mock runtime): allowed or
//! `forbidden` as the permission matrix says, with the department scope; masking on every
//! path the webview reads; the idle lock; fuzzed arguments never panic.

mod common;
use common::{invoke, W};
use hotline_core::model::Role;
use hotline_core::store::NewAccount;
use hotline_core::{Store, SystemClock};
use hotline_desk_lib::{builder, state::Desk};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::WebviewWindowBuilder;

const PASS: &str = "role-pass-123";

struct World {
    _dir: tempfile::TempDir,
    w: W,
    store: Store,
    /// A ticket transferred to the lighting department.
    ticket: i64,
    /// A complaint by letter, not yet transferred.
    complaint: i64,
    /// An incident under way, the ticket attached to it.
    incident: i64,
    phone: &'static str,
}

/// agent, handler (lighting), handler (water), supervisor, manager, admin, and the QA,
/// legal, HR and training staff.
const LOGINS: [&str; 10] = [
    "agent", "lighting", "water", "super", "manager", "admin", "qa", "legal", "hr", "trainer",
];

fn world() -> World {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("h.db");
    std::env::set_var("HOME", dir.path());
    std::env::set_var("XDG_CONFIG_HOME", dir.path().join("config"));
    let store = Store::open(&path, Arc::new(SystemClock)).expect("store");
    let admin = store.setup_admin("admin", "管理员", PASS).expect("admin");
    let lighting = store
        .create_department(None, "lighting", "路灯管理所", None)
        .expect("dept");
    let water = store
        .create_department(None, "water", "水务集团", None)
        .expect("dept");
    for (login, role, dept) in [
        ("agent", Role::Agent, 1),
        ("lighting", Role::Handler, lighting.id),
        ("water", Role::Handler, water.id),
        ("super", Role::Supervisor, 1),
        ("manager", Role::Manager, 1),
        ("qa", Role::Qa, 1),
        ("legal", Role::Legal, 1),
        ("hr", Role::Hr, 1),
        ("trainer", Role::Trainer, 1),
    ] {
        store
            .create_account(
                &admin,
                &NewAccount {
                    login: login.into(),
                    name: login.into(),
                    department_id: dept,
                    role,
                    password: PASS.into(),
                },
            )
            .expect("account");
    }
    let phone = "13812345678";
    let new: hotline_core::NewTicket = serde_json::from_value(json!({
        "caller_name": "张三", "phone": phone,
        "description": "路灯不亮，来电人身份证110101199003071234", "category": "help_request"
    }))
    .expect("ticket");
    let then: hotline_core::Action = serde_json::from_value(json!({
        "action": "transfer", "department_id": lighting.id, "requirements": "核查",
        "due_at": "2099-01-01T00:00:00Z"
    }))
    .expect("transfer");
    let t = store.intake(1, &new, Some(&then)).expect("intake");
    let complaint: hotline_core::NewTicket = serde_json::from_value(json!({
        "caller_name": "王五", "phone": "13812345678", "channel": "letter", "address": "幸福路 1 号",
        "description": "投诉话务员态度差", "category": "complaint.service_attitude"
    }))
    .expect("complaint");
    let complaint = store.intake(1, &complaint, None).expect("complaint").id;
    let incident: hotline_core::emergency::NewIncident = serde_json::from_value(json!({
        "title": "东城区停电", "kind": "service_outage", "level": 2
    }))
    .expect("incident");
    let incident = store
        .declare_incident((&admin).into(), &incident, true)
        .expect("declare");
    store
        .link_ticket(incident.id, t.id, (&admin).into())
        .expect("link");
    let app = builder(mock_builder(), Desk::open(&path))
        .build(mock_context(noop_assets()))
        .expect("app");
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    // The app must outlive the window handle: leak it for the test's duration.
    std::mem::forget(app);
    World {
        _dir: dir,
        w,
        store,
        ticket: t.id,
        complaint,
        incident: incident.id,
        phone,
    }
}

fn login(w: &W, who: &str) {
    invoke(w, "login", json!({ "login": who, "password": PASS }))
        .unwrap_or_else(|e| panic!("login {who}: {e}"));
}

/// Each command with valid arguments, and the logins that may run it. A command that
/// is allowed may still fail for another reason (a missing backup folder): only the
/// code `forbidden` means refused.
fn commands(world: &World, n: usize) -> Vec<(&'static str, Value, &'static [&'static str])> {
    const ALL: &[&str] = &LOGINS;
    const NOT_WATER: &[&str] = &[
        "agent", "lighting", "super", "manager", "admin", "qa", "legal", "hr", "trainer",
    ];
    const ACT: &[&str] = &["agent", "lighting", "super", "manager", "admin"];
    const HOTLINE: &[&str] = &[
        "agent", "super", "manager", "admin", "qa", "legal", "hr", "trainer",
    ];
    const COMPLAINTS: &[&str] = &["agent", "super", "manager", "admin"];
    const LEGAL: &[&str] = &["legal"];
    const ANALYSE: &[&str] = &["super", "manager", "admin"];
    const FINDINGS: &[&str] = &["hr", "manager"];
    const VIEW_QA: &[&str] = &["super", "manager", "admin", "qa"];
    const SCORE: &[&str] = &["admin", "qa"];
    const TRAIN: &[&str] = &["manager", "admin", "trainer"];
    const PROPOSE: &[&str] = &[
        "agent", "lighting", "water", "super", "manager", "admin", "trainer",
    ];
    let card = serde_json::to_value(hotline_core::qa::scorecard::seeded()).unwrap_or_default();
    const INTAKE: &[&str] = &["agent", "super", "admin"];
    const REVEAL: &[&str] = &["agent", "lighting", "super"];
    const REPORTS: &[&str] = &["super", "manager", "admin"];
    const ADMIN: &[&str] = &["admin"];
    const REPORT: &[&str] = &["agent", "super", "manager", "admin"];
    const MANAGE: &[&str] = &["super", "manager", "admin"];
    const PLANS: &[&str] = &["manager", "admin"];
    const ASSESSED: &[&str] = &["lighting", "water", "super", "manager", "admin"];
    let id = world.ticket;
    let inc = world.incident;
    let cid = world.complaint;
    let plan = world
        .store
        .plans()
        .ok()
        .and_then(|p| p.into_iter().next())
        .map(|p| serde_json::to_value(p.body).unwrap_or_default())
        .unwrap_or_default();
    let version = world.store.ticket(id).map(|t| t.version).unwrap_or(1);
    let query = json!({ "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" });
    let request = json!({ "kind": "month", "anchor": "2026-11-01", "filters": query });
    let prefs = world
        .store
        .notification_prefs(1)
        .map(|p| serde_json::to_value(p).unwrap_or_default())
        .unwrap_or_default();
    let sla = world
        .store
        .sla_policies()
        .ok()
        .and_then(|p| p.into_iter().next())
        .map(|p| serde_json::to_value(p).unwrap_or_default())
        .unwrap_or_default();
    vec![
        ("app_info", json!({}), ALL),
        ("reference", json!({}), ALL),
        ("queue_counts", json!({}), ALL),
        ("list_tickets", json!({ "query": {} }), ALL),
        ("get_ticket", json!({ "id": id }), NOT_WATER),
        ("presence", json!({ "id": id, "editing": false }), NOT_WATER),
        ("reveal", json!({ "id": id, "reason": "回访核实" }), REVEAL),
        (
            "intake",
            json!({ "ticket": { "caller_name": "李四", "phone": "13900000000", "description": "咨询", "category": "consultation" } }),
            INTAKE,
        ),
        (
            "intake_offline",
            json!({ "key": format!("k{n}"), "takenAt": chrono::Utc::now(), "ticket": { "caller_name": "李四", "phone": "13900000000", "description": "咨询", "category": "consultation" } }),
            INTAKE,
        ),
        (
            "act",
            json!({ "id": id, "version": version, "action": { "action": "comment", "note": "跟进" } }),
            ACT,
        ),
        ("customer_history", json!({ "phone": world.phone }), INTAKE),
        ("transfer_slip", json!({ "id": id }), NOT_WATER),
        ("reply_templates", json!({}), ALL),
        (
            "create_reply_template",
            json!({ "field": "note", "text": "已反馈" }),
            ADMIN,
        ),
        ("delete_reply_template", json!({ "id": 999_999 }), ADMIN),
        ("save_slip_pdf", json!({ "id": id }), NOT_WATER),
        ("save_report_pdf", json!({ "request": request }), REPORTS),
        ("intake_draft", json!({}), INTAKE),
        (
            "save_intake_draft",
            json!({ "draft": { "phone": "139" } }),
            INTAKE,
        ),
        ("discard_intake_draft", json!({}), INTAKE),
        (
            "suggest_deadlines",
            json!({ "category": "help_request", "severity": "general" }),
            ALL,
        ),
        (
            "suggest_ticket_deadline",
            json!({ "id": id, "action": "request_extension" }),
            NOT_WATER,
        ),
        ("notifications", json!({}), ALL),
        ("mark_notifications_read", json!({}), ALL),
        ("notification_prefs", json!({}), ALL),
        ("set_notification_prefs", json!({ "prefs": prefs }), ALL),
        ("get_settings", json!({}), ALL),
        (
            "set_setting",
            json!({ "key": "ui_language", "value": "zh-CN" }),
            ALL,
        ),
        (
            "set_setting",
            json!({ "key": "callback_days", "value": "3" }),
            ADMIN,
        ),
        (
            "create_department",
            json!({ "code": format!("d{n}"), "name": "新部门", "parentId": null }),
            ADMIN,
        ),
        (
            "create_category",
            json!({ "code": format!("c{n}"), "name": "新分类", "parentId": null, "defaultDays": 3 }),
            ADMIN,
        ),
        ("sla_policies", json!({}), ALL),
        (
            "set_sla_policy",
            json!({ "stage": sla["stage"], "categoryId": sla["category_id"], "severity": sla["severity"], "span": sla["span"], "calendar": sla["calendar"] }),
            ADMIN,
        ),
        ("calendars", json!({}), ALL),
        (
            "set_calendar_day",
            json!({ "calendar": "office", "date": "2026-12-30", "kind": null, "note": "" }),
            ADMIN,
        ),
        (
            "import_ics",
            json!({ "calendar": "office", "text": "" }),
            ADMIN,
        ),
        ("accounts", json!({}), ADMIN),
        (
            "create_account",
            json!({ "account": { "login": format!("u{n}"), "name": "新人", "department_id": 1, "role": "agent", "password": PASS } }),
            ADMIN,
        ),
        (
            "set_password",
            json!({ "userId": 2, "login": "agent", "password": PASS }),
            ADMIN,
        ),
        (
            "set_user_active",
            json!({ "userId": 2, "active": true }),
            ADMIN,
        ),
        (
            "set_user_role",
            json!({ "userId": 2, "role": "agent", "departmentId": 1 }),
            ADMIN,
        ),
        (
            "monthly_report",
            json!({ "month": "2026-11", "departmentId": null }),
            REPORTS,
        ),
        ("period_report", json!({ "request": request }), REPORTS),
        (
            "kpi_tickets",
            json!({ "query": query, "key": "on_time_handling", "denominator": true }),
            REPORTS,
        ),
        (
            "kpi_calls",
            json!({ "query": query, "key": "answer_rate", "denominator": true }),
            REPORTS,
        ),
        (
            "export_report",
            json!({ "request": request, "format": "csv" }),
            REPORTS,
        ),
        ("open_reports", json!({}), REPORTS),
        ("audit_entries", json!({ "query": {} }), ADMIN),
        ("verify_audit", json!({}), ADMIN),
        ("backup_status", json!({}), ADMIN),
        ("backups", json!({}), ADMIN),
        (
            "set_backup_passphrase",
            json!({ "passphrase": "a long enough passphrase" }),
            ADMIN,
        ),
        ("backup_now", json!({}), ADMIN),
        (
            "verify_backup",
            json!({ "name": "../../etc/passwd" }),
            ADMIN,
        ),
        ("restore_backup", json!({ "name": "x.hdb.age" }), ADMIN),
        ("retention_plan", json!({}), ADMIN),
        ("anonymise", json!({}), ADMIN),
        ("seed_demo", json!({}), ADMIN),
        ("change_password", json!({ "old": PASS, "new": PASS }), ALL),
        ("incidents", json!({ "activeOnly": true }), ALL),
        ("incident", json!({ "id": inc }), ALL),
        (
            "declare_incident",
            json!({ "incident": { "title": "停水", "kind": "service_outage", "level": 1 } }),
            REPORT,
        ),
        (
            "act_incident",
            json!({ "id": inc, "version": 1, "action": { "type": "comment", "note": "跟进" } }),
            REPORT,
        ),
        (
            "act_incident",
            json!({ "id": inc, "version": 1, "action": { "type": "assign", "owner_id": 1 } }),
            MANAGE,
        ),
        ("unlink_incident", json!({ "ticketId": id }), REPORT),
        ("acknowledge_page", json!({ "incidentId": inc }), ALL),
        (
            "bulletin_text",
            json!({ "incidentId": inc, "lang": "zh-CN" }),
            ALL,
        ),
        ("answer_linked", json!({ "incidentId": inc }), REPORT),
        (
            "export_incident",
            json!({ "id": inc, "replace": true }),
            ALL,
        ),
        ("save_incident_pdf", json!({ "id": inc }), ALL),
        (
            "link_incident",
            json!({ "incidentId": inc, "ticketId": id }),
            REPORT,
        ),
        (
            "publish_bulletin",
            json!({ "incidentId": inc, "bulletin": { "wording": "正在抢修" } }),
            MANAGE,
        ),
        (
            "complete_incident_step",
            json!({ "incidentId": inc, "step": 1, "note": null }),
            MANAGE,
        ),
        ("incident_suggestions", json!({}), ALL),
        (
            "declare_suggestion",
            json!({ "id": 999_999, "incident": { "title": "停水", "kind": "other", "level": 1 } }),
            REPORT,
        ),
        ("dismiss_suggestion", json!({ "id": 999_999 }), MANAGE),
        (
            "review_incident",
            json!({ "id": inc, "version": 1, "review": { "wentWell": "快", "wentBadly": "慢" } }),
            MANAGE,
        ),
        ("incident_review", json!({ "id": inc }), ALL),
        ("follow_ups", json!({ "mine": false }), ALL),
        ("complete_follow_up", json!({ "id": 999_999 }), MANAGE),
        ("plans", json!({}), ALL),
        ("plan_versions", json!({ "kind": "other", "level": 1 }), ALL),
        (
            "save_plan",
            json!({ "kind": "other", "level": 1, "plan": plan }),
            PLANS,
        ),
        ("duty_shifts", json!({}), ALL),
        (
            "save_shift",
            json!({ "shift": { "code": "late", "name": "晚班", "starts": "18:00:00", "minutes": 240 } }),
            PLANS,
        ),
        (
            "roster",
            json!({ "from": "2026-11-01", "to": "2026-11-07" }),
            ALL,
        ),
        (
            "save_roster",
            json!({ "from": "2026-11-01", "to": "2026-11-01", "assignments": [] }),
            PLANS,
        ),
        (
            "import_roster",
            json!({ "text": "day,shift,post,login\n" }),
            PLANS,
        ),
        (
            "rotate_roster",
            json!({ "from": "2026-11-01", "days": 1, "post": "leader", "people": [2] }),
            PLANS,
        ),
        ("on_duty", json!({}), ALL),
        (
            "request_duty_change",
            json!({ "assignmentId": 999_999, "kind": "cover", "toUser": 2, "reason": "病假" }),
            PLANS,
        ),
        (
            "decide_duty_change",
            json!({ "id": 999_999, "approve": true }),
            PLANS,
        ),
        ("duty_changes", json!({}), ALL),
        ("handovers", json!({}), ALL),
        ("write_handover", json!({ "note": "交接" }), ALL),
        ("acknowledge_handover", json!({ "id": 999_999 }), ALL),
        ("complaint", json!({ "ticketId": cid }), HOTLINE),
        (
            "set_remedy",
            json!({ "ticketId": cid, "remedy": "书面道歉" }),
            COMPLAINTS,
        ),
        (
            "acknowledge_complaint",
            json!({ "ticketId": cid, "method": "phone" }),
            COMPLAINTS,
        ),
        (
            "assess_complaint",
            json!({ "ticketId": cid, "assessment": { "urgency": 2, "impact": 2 } }),
            &["super", "manager", "admin"],
        ),
        (
            "legal_opinion",
            json!({ "ticketId": cid, "opinion": { "outcome": "cleared", "opinion": "可以答复" } }),
            LEGAL,
        ),
        ("held_complaints", json!({}), LEGAL),
        ("complaint_cause", json!({ "ticketId": cid }), HOTLINE),
        (
            "set_cause",
            json!({ "ticketId": cid, "cause": { "category": "process", "method": "five_whys", "steps": ["为何"], "summary": "流程" } }),
            ANALYSE,
        ),
        (
            "add_measure",
            json!({ "ticketId": cid, "measure": { "title": "培训", "ownerId": 1, "dueAt": "2099-01-01T00:00:00Z" } }),
            ANALYSE,
        ),
        ("measures", json!({}), ANALYSE),
        ("measures", json!({ "mine": true }), ALL),
        ("measures", json!({ "ticketId": cid }), HOTLINE),
        ("complete_measure", json!({ "id": 999_999 }), ALL),
        (
            "add_finding",
            json!({ "ticketId": cid, "finding": { "staffId": 2, "finding": "语气生硬", "proposal": "assessment" } }),
            &["hr"],
        ),
        (
            "decide_finding",
            json!({ "id": 999_999, "decision": { "decision": "同意", "effectiveOn": "2026-12-01" } }),
            &["manager"],
        ),
        (
            "respond_finding",
            json!({ "id": 999_999, "response": "知悉" }),
            ALL,
        ),
        ("findings", json!({}), FINDINGS),
        ("findings", json!({ "ticketId": cid }), FINDINGS),
        ("findings", json!({ "mine": true }), ALL),
        ("scorecard", json!({}), VIEW_QA),
        (
            "save_scorecard",
            json!({ "scorecard": card }),
            &["manager", "admin"],
        ),
        (
            "draw_sample",
            json!({ "month": "2026-01", "plan": { "perAgent": 5, "seed": 1 } }),
            &["manager", "admin"],
        ),
        ("qa_reviews", json!({ "scope": "mine" }), ALL),
        ("qa_reviews", json!({ "scope": "assigned" }), SCORE),
        ("qa_reviews", json!({ "scope": "disputed" }), SCORE),
        ("qa_reviews", json!({ "scope": "all" }), VIEW_QA),
        (
            "score_review",
            json!({ "id": 999_999, "scores": {} }),
            SCORE,
        ),
        ("acknowledge_review", json!({ "id": 999_999 }), ALL),
        (
            "dispute_review",
            json!({ "id": 999_999, "reason": "不同意" }),
            ALL,
        ),
        (
            "decide_dispute",
            json!({ "id": 999_999, "scores": {} }),
            SCORE,
        ),
        ("play_recording", json!({ "callId": 999_999 }), VIEW_QA),
        ("ticket_calls", json!({ "ticketId": id }), NOT_WATER),
        (
            "start_calibration",
            json!({ "callId": 999_999, "reviewers": [2, 3] }),
            &["manager", "admin"],
        ),
        ("calibration", json!({ "session": 999_999 }), VIEW_QA),
        (
            "propose_training",
            json!({ "id": 999_999, "topic": "communication" }),
            SCORE,
        ),
        ("training_proposals", json!({}), TRAIN),
        (
            "training_sessions",
            json!({ "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" }),
            ALL,
        ),
        (
            "add_training_session",
            json!({ "session": { "title": "服务规范", "topic": "communication", "method": "internal", "startsAt": "2026-12-20T01:00:00Z", "hours": 2.0 } }),
            TRAIN,
        ),
        (
            "mark_attendance",
            json!({ "session": 999_999, "user": 2, "attended": true }),
            TRAIN,
        ),
        ("exam_questions", json!({}), TRAIN),
        (
            "add_exam_question",
            json!({ "question": { "topic": "other", "kind": "true_false", "text": "热线 24 小时服务", "answer": [0] } }),
            TRAIN,
        ),
        ("exams", json!({}), ALL),
        (
            "create_exam",
            json!({ "exam": { "title": "测验", "questions": 1, "minutes": 10, "passMark": 60 } }),
            TRAIN,
        ),
        ("start_attempt", json!({ "exam": 999_999 }), ALL),
        (
            "submit_attempt",
            json!({ "id": 999_999, "answers": { "1": [0] } }),
            ALL,
        ),
        ("exam_attempts", json!({}), ALL),
        ("exam_attempts", json!({ "all": true }), TRAIN),
        ("onboarding_items", json!({}), ALL),
        (
            "add_onboarding_item",
            json!({ "item": { "title": "熟悉本区街道", "kind": "task", "days": 10 } }),
            TRAIN,
        ),
        ("retire_onboarding_item", json!({ "id": 999_999 }), TRAIN),
        ("start_onboarding", json!({ "user": 999_999 }), TRAIN),
        ("onboardings", json!({}), TRAIN),
        (
            "tick_onboarding",
            json!({ "user": 999_999, "item": 1 }),
            TRAIN,
        ),
        // Another's onboarding, for those who run the training (one's own: not found here).
        ("onboarding", json!({ "user": 999_999 }), TRAIN),
        (
            "attachments",
            json!({ "owner": "training_session", "ownerId": 999_999 }),
            ALL,
        ),
        (
            "add_attachment",
            json!({ "owner": "training_session", "ownerId": 999_999, "name": "讲义.pdf", "data": "JVBERg==" }),
            TRAIN,
        ),
        (
            "remove_attachment",
            json!({ "owner": "training_session", "id": 999_999 }),
            TRAIN,
        ),
        ("save_attachment", json!({ "id": 999_999 }), ALL),
        (
            "attachments",
            json!({ "owner": "kb_article", "ownerId": 999_999 }),
            ALL,
        ),
        (
            "add_attachment",
            json!({ "owner": "kb_article", "ownerId": 999_999, "name": "指南.pdf", "data": "JVBERg==" }),
            PROPOSE,
        ),
        (
            "kb_articles",
            json!({ "query": { "upkeep": "never_used" } }),
            ALL,
        ),
        ("kb_article", json!({ "id": 999_999 }), ALL),
        ("kb_suggest", json!({ "text": "居住证" }), ALL),
        // An article without its answer: refused by its rules, after the door.
        (
            "save_kb_article",
            json!({ "article": { "title": "居住证" } }),
            PROPOSE,
        ),
        (
            "kb_step",
            json!({ "id": 999_999, "step": "submit" }),
            PROPOSE,
        ),
        (
            "kb_step",
            json!({ "id": 999_999, "step": "approve" }),
            MANAGE,
        ),
        ("kb_from_ticket", json!({ "ticket": 999_999 }), PROPOSE),
        ("export_kb", json!({ "format": "csv" }), ALL),
        (
            "import_kb",
            json!({ "name": "知识.txt", "data": "" }),
            MANAGE,
        ),
        ("dispatch_rules", json!({ "all": true }), ALL),
        (
            "add_dispatch_rule",
            json!({ "rule": { "category": "help_request", "lead_department_id": 999_999 } }),
            MANAGE,
        ),
        ("retire_dispatch_rule", json!({ "id": 999_999 }), MANAGE),
        (
            "suggest_dispatch",
            json!({ "category": "help_request", "description": "路灯不亮" }),
            ALL,
        ),
        (
            "duplicate_candidates",
            json!({ "description": "路灯不亮", "category": "help_request" }),
            INTAKE,
        ),
        (
            "merge_ticket",
            json!({ "id": 999_999, "master": 999_998 }),
            INTAKE,
        ),
        ("split_ticket", json!({ "id": 999_999 }), INTAKE),
        ("return_requests", json!({}), MANAGE),
        ("return_request", json!({ "ticket": 999_999 }), ALL),
        (
            "decide_return",
            json!({ "ticket": 999_999, "approve": true }),
            MANAGE,
        ),
        (
            "save_return_reason",
            json!({ "code": "walk_reason", "name": "巡检", "active": false }),
            MANAGE,
        ),
        // Any department acting on tickets may escalate its own (here: no such ticket).
        (
            "escalate_return",
            json!({ "ticket": 999_999, "note": "不服" }),
            &["agent", "lighting", "water", "super", "manager", "admin"],
        ),
        (
            "dispatch_figures",
            json!({ "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z" }),
            REPORTS,
        ),
        (
            "kb_figures",
            json!({ "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z" }),
            REPORTS,
        ),
        // The assessment's exclusions and appeals: a department reads its own records.
        (
            "propose_exclusion",
            json!({ "ticket": 999_999, "reason": "malicious", "evidence": "骚扰" }),
            &["agent", "lighting", "water", "super", "manager"],
        ),
        (
            "decide_exclusion",
            json!({ "id": 999_999, "approve": true }),
            &["super", "manager"],
        ),
        ("exclusions", json!({}), ASSESSED),
        (
            "file_appeal",
            json!({ "ticket": 999_999, "month": "2026-11", "kpi": "on_time_handling", "evidence": "暴雨" }),
            &["lighting", "water"],
        ),
        (
            "decide_appeal",
            json!({ "id": 999_999, "uphold": true }),
            &["manager"],
        ),
        ("appeals", json!({}), ASSESSED),
        (
            "department_entries",
            json!({ "month": "2026-11" }),
            ASSESSED,
        ),
        ("appeal_window", json!({ "month": "2026-11" }), ASSESSED),
        // Supervision notices: a department reads and acknowledges its own.
        ("notices", json!({}), ASSESSED),
        ("notice", json!({ "id": 999_999 }), ASSESSED),
        ("save_notice_pdf", json!({ "id": 999_999 }), ASSESSED),
        (
            "issue_notice",
            json!({ "ticket": 999_999, "kind": "urge", "note": "请加快办理" }),
            &["super", "manager"],
        ),
        (
            "acknowledge_notice",
            json!({ "id": 999_999 }),
            &["agent", "lighting", "water", "super", "manager", "admin"],
        ),
        ("notice_list", json!({ "month": "2026-11" }), REPORTS),
    ]
}

#[test]
fn every_command_for_every_role_is_allowed_or_forbidden_as_the_matrix_says() {
    let world = world();
    let w = &world.w;
    // The walk covers every command of the registry that needs a signed-in user.
    let walked: Vec<&str> = commands(&world, 0).iter().map(|c| c.0).collect();
    for c in hotline_core::registry::commands() {
        if c.gate.needs_user() {
            assert!(walked.contains(&c.name), "{} is not walked", c.name);
        }
    }
    // Signed out, nothing but signing in works.
    for (cmd, args, _) in commands(&world, 0) {
        let e = invoke(w, cmd, args).expect_err(cmd);
        assert_eq!(e["code"], "unauthenticated", "{cmd} while signed out");
    }
    let mut n = 0;
    for who in LOGINS {
        login(w, who);
        for (cmd, args, allowed) in commands(&world, n) {
            n += 1;
            let out = invoke(w, cmd, args.clone());
            let refused = matches!(&out, Err(e) if e["code"] == "forbidden");
            assert_eq!(
                !refused,
                allowed.contains(&who),
                "{who} {cmd} {args}: {out:?}"
            );
            if let Err(e) = &out {
                assert!(
                    e["code"].is_string() && e["message"].is_string(),
                    "{cmd}: {e}"
                );
            }
        }
        invoke(w, "logout", json!({})).expect("logout");
    }
    // The UI hides what the backend refuses: the seat state lists the permissions.
    login(w, "agent");
    let st = invoke(w, "auth_state", json!({})).expect("state");
    let perms: Vec<&str> = st["permissions"]
        .as_array()
        .expect("perms")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(perms.contains(&"create_tickets") && !perms.contains(&"view_reports"));
}

#[test]
fn personal_data_is_masked_on_every_path_and_reveals_are_logged() {
    let world = world();
    let w = &world.w;
    let clear = world.phone;
    let masked = "138****5678";
    let admin = world.store.user(1).expect("admin");
    world
        .store
        .set_remedy(
            world.complaint,
            (&admin).into(),
            "退还押金，身份证110101199003071234",
        )
        .expect("remedy");
    for who in ["agent", "super", "admin"] {
        login(w, who);
        let page = invoke(w, "list_tickets", json!({ "query": {} })).expect("list");
        let d = invoke(w, "get_ticket", json!({ "id": world.ticket })).expect("detail");
        let mut outputs = vec![page.clone(), d.clone()];
        assert_eq!(page["rows"][0]["phone"], masked);
        assert_eq!(d["ticket"]["phone"], masked);
        assert!(d["ticket"]["description"]
            .as_str()
            .is_some_and(|s| s.contains("110101********1234")));
        // Search by the clear number finds the ticket, still masked.
        let found =
            invoke(w, "list_tickets", json!({ "query": { "search": "5678" } })).expect("search");
        assert_eq!(found["rows"][0]["phone"], masked);
        outputs.push(found);
        if who != "agent" {
            let q = json!({ "from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z" });
            let rows = invoke(
                w,
                "kpi_tickets",
                json!({ "query": q, "key": "on_time_handling", "denominator": true }),
            )
            .expect("drill-down");
            assert_eq!(rows[0]["phone"], masked);
            outputs.push(rows);
        }
        if who != "admin" {
            outputs
                .push(invoke(w, "customer_history", json!({ "phone": clear })).expect("history"));
        }
        // An incident's calls, masked like every list.
        let inc = invoke(w, "incident", json!({ "id": world.incident })).expect("incident");
        assert_eq!(inc["linked"][0]["phone"], masked);
        outputs.push(inc);
        // A complaint's remedy, in the complainant's words, masked like the description.
        let k = invoke(w, "complaint", json!({ "ticketId": world.complaint })).expect("case");
        assert!(k["remedy"]
            .as_str()
            .is_some_and(|s| s.contains("110101********1234")));
        outputs.push(k);
        for o in &outputs {
            let text = o.to_string();
            assert!(!text.contains(clear), "{who}: clear number in {text}");
            assert!(!text.contains("199003071234"), "{who}: clear ID in {text}");
        }
        invoke(w, "logout", json!({})).expect("logout");
    }
    // A reveal needs a reason, returns the clear values and is logged first.
    login(w, "agent");
    let e = invoke(w, "reveal", json!({ "id": world.ticket, "reason": " " })).expect_err("reason");
    assert_eq!(e["code"], "required");
    let r = invoke(
        w,
        "reveal",
        json!({ "id": world.ticket, "reason": "回访核实" }),
    )
    .expect("reveal");
    assert_eq!(r["phone"], clear);
    invoke(w, "logout", json!({})).expect("logout");
    login(w, "admin");
    let log = invoke(
        w,
        "audit_entries",
        json!({ "query": { "action": "reveal" } }),
    )
    .expect("log");
    assert_eq!(log[0]["actor_name"], "agent");
    assert_eq!(log[0]["detail"]["reason"], "回访核实");
    assert_eq!(
        invoke(w, "verify_audit", json!({})).expect("verify")["ok"],
        true
    );
}

/// A finding about a member of staff reaches HR, management and the person concerned,
/// and no one else by any path: the ticket, its case, lists, the inbox, the audit log.
#[test]
fn accountability_findings_reach_only_hr_management_and_the_person() {
    let world = world();
    let w = &world.w;
    let users = world.store.users().expect("users");
    let id_of = |name: &str| users.iter().find(|u| u.name == name).expect(name).id;
    let hr = world.store.user(id_of("hr")).expect("hr");
    const SECRET: &str = "语气生硬未用规范用语";
    world
        .store
        .add_finding(
            world.complaint,
            (&hr).into(),
            &serde_json::from_value(
                json!({ "staffId": id_of("agent"), "finding": SECRET, "proposal": "assessment" }),
            )
            .expect("finding"),
        )
        .expect("finding");
    for who in LOGINS {
        login(w, who);
        let mut seen = String::new();
        for (cmd, args) in [
            ("get_ticket", json!({ "id": world.complaint })),
            ("complaint", json!({ "ticketId": world.complaint })),
            ("list_tickets", json!({ "query": { "search": "投诉" } })),
            ("notifications", json!({})),
            ("audit_entries", json!({ "query": {} })),
            ("findings", json!({})),
            ("findings", json!({ "mine": true })),
            ("findings", json!({ "ticketId": world.complaint })),
        ] {
            if let Ok(v) = invoke(w, cmd, args) {
                seen.push_str(&v.to_string());
            }
        }
        assert_eq!(
            seen.contains(SECRET),
            ["hr", "manager", "agent"].contains(&who),
            "{who}"
        );
        invoke(w, "logout", json!({})).expect("logout");
    }
}

#[test]
fn sign_in_failures_lock_and_the_idle_screen_locks() {
    let world = world();
    let w = &world.w;
    for _ in 0..4 {
        let e = invoke(
            w,
            "login",
            json!({ "login": "agent", "password": "wrong-pass" }),
        )
        .expect_err("bad");
        assert_eq!(e["code"], "bad_credentials");
    }
    let e = invoke(
        w,
        "login",
        json!({ "login": "agent", "password": "wrong-pass" }),
    )
    .expect_err("locked");
    assert_eq!(e["code"], "account_locked");
    let e = invoke(w, "login", json!({ "login": "agent", "password": PASS }))
        .expect_err("still locked");
    assert_eq!(e["code"], "account_locked");
    // An unknown login fails the same way as a wrong password.
    let e = invoke(w, "login", json!({ "login": "ghost", "password": PASS })).expect_err("unknown");
    assert_eq!(e["code"], "bad_credentials");

    login(w, "super");
    invoke(w, "lock", json!({})).expect("lock");
    let e = invoke(w, "list_tickets", json!({ "query": {} })).expect_err("locked");
    assert_eq!(e["code"], "session_locked");
    assert_eq!(
        invoke(w, "auth_state", json!({})).expect("state")["locked"],
        true
    );
    let e = invoke(w, "unlock", json!({ "password": "nope-nope" })).expect_err("wrong");
    assert_eq!(e["code"], "bad_credentials");
    invoke(w, "unlock", json!({ "password": PASS })).expect("unlock");
    invoke(w, "list_tickets", json!({ "query": {} })).expect("works again");
}

#[test]
fn hostile_input_gets_clear_errors_and_changes_nothing() {
    let world = world();
    let w = &world.w;
    login(w, "admin");
    let before = world.store.status_counts().expect("counts");
    let big = "话".repeat(1 << 20);
    for (cmd, args) in [
        (
            "intake",
            json!({ "ticket": { "caller_name": "x", "phone": "13900000000", "description": big, "category": "consultation" } }),
        ),
        (
            "intake",
            json!({ "ticket": { "caller_name": "Robert'); DROP TABLE tickets;--", "phone": "13900000000' OR 1=1", "description": "x", "category": "consultation" } }),
        ),
        (
            "intake",
            json!({ "ticket": { "caller_name": "a\u{0}b", "phone": "13900000000", "description": "x", "category": "consultation" } }),
        ),
        ("list_tickets", json!({ "query": { "search": big } })),
        (
            "create_department",
            json!({ "code": "../../etc", "name": "x", "parentId": null }),
        ),
        (
            "set_setting",
            json!({ "key": "backup_dir", "value": "../../../tmp" }),
        ),
        ("verify_backup", json!({ "name": "../../../../etc/shadow" })),
        ("restore_backup", json!({ "name": "/etc/passwd" })),
        (
            "customer_history",
            json!({ "phone": "'; DELETE FROM tickets; --" }),
        ),
        ("get_ticket", json!({ "id": "1 OR 1=1" })),
        (
            "act",
            json!({ "id": world.ticket, "version": 1, "action": { "action": "comment", "note": big } }),
        ),
    ] {
        let e = invoke(w, cmd, args).expect_err(cmd);
        assert!(e["code"].is_string() || e.is_string(), "{cmd}: {e}");
    }
    let found = invoke(
        w,
        "list_tickets",
        json!({ "query": { "search": "'; DROP TABLE tickets; --" } }),
    )
    .expect("search");
    assert_eq!(found["total"], 0);
    assert_eq!(world.store.status_counts().expect("counts"), before);
}

const NAMES: &[&str] = &[
    "app_info",
    "reference",
    "queue_counts",
    "list_tickets",
    "get_ticket",
    "reveal",
    "intake",
    "act",
    "customer_history",
    "transfer_slip",
    "reply_templates",
    "create_reply_template",
    "delete_reply_template",
    "save_slip_pdf",
    "save_report_pdf",
    "open_export",
    "intake_draft",
    "save_intake_draft",
    "discard_intake_draft",
    "suggest_deadlines",
    "suggest_ticket_deadline",
    "notifications",
    "notification_prefs",
    "set_notification_prefs",
    "get_settings",
    "set_setting",
    "create_department",
    "create_category",
    "sla_policies",
    "set_sla_policy",
    "calendars",
    "set_calendar_day",
    "import_ics",
    "accounts",
    "create_account",
    "set_password",
    "set_user_active",
    "set_user_role",
    "monthly_report",
    "period_report",
    "kpi_tickets",
    "kpi_calls",
    "audit_entries",
    "verify_audit",
    "backup_status",
    "backups",
    "verify_backup",
    "restore_backup",
    "retention_plan",
    "change_password",
    "unlock",
    "login",
    "setup_admin",
];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::from),
        Just(json!("2026-11-24T00:00:00Z")),
        Just(json!("../../etc/passwd")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("query".to_string()),
                    Just("ticket".to_string()),
                    Just("action".to_string()),
                    Just("request".to_string()),
                    Just("key".to_string()),
                    Just("name".to_string()),
                    "[a-z_]{1,10}".prop_map(String::from),
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random arguments to every command: always an answer, never a panic.
    #[test]
    fn fuzzed_arguments_never_panic(
        picks in prop::collection::vec((0..NAMES.len(), arb_json()), 1..20)
    ) {
        thread_local! {
            static WORLD: World = {
                let w = world();
                login(&w.w, "admin");
                w
            };
        }
        WORLD.with(|world| {
            for (i, args) in &picks {
                let args = match args {
                    Value::Object(_) => args.clone(),
                    other => json!({ "id": other, "query": other, "ticket": other }),
                };
                let out = invoke(&world.w, NAMES[*i], args);
                if let Err(e) = out {
                    prop_assert!(e["code"].is_string() || e.is_string(), "{}: {e}", NAMES[*i]);
                }
            }
            Ok(())
        })?;
    }
}
