//! `hotline kb …` on a real data file: an editor writes and publishes, an agent finds the
//! article by a way of asking it was never given, may write but not publish; a sheet with
//! one bad row imports nothing; an export reads back as an import.

mod common;
use common::{fails_with, json, staff};

#[test]
fn an_editor_publishes_and_an_agent_finds_it_by_other_words() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let editor = staff(&db, "值班长 李", "supervisor", None);
    let agent = staff(&db, "话务员甲", "agent", None);
    let a = json(
        &db,
        &[
            "--as",
            &editor,
            "kb",
            "add",
            "--title",
            "社保卡补办",
            "--answer",
            "先拨打12333挂失，再带身份证到社保经办网点补卡。",
            "--question",
            "社保卡丢了怎么办",
            "--question",
            "社保卡挂失",
            "--material",
            "guide",
            "--submit",
        ],
    );
    assert_eq!(a["state"], "in_review");
    let id = a["id"].as_i64().expect("id").to_string();
    fails_with(&db, &["--as", &agent, "kb", "publish", &id], "forbidden");
    let p = json(&db, &["--as", &editor, "kb", "publish", &id]);
    assert_eq!(
        (p["state"].as_str(), p["published_version"].as_i64()),
        (Some("published"), Some(1))
    );
    let found = json(
        &db,
        &["--as", &agent, "kb", "search", "我的社保卡找不到了要去哪补"],
    );
    assert_eq!(found[0]["id"].to_string(), id);
    // An agent writes a draft; an editor publishes a draft in one step.
    let d = json(
        &db,
        &[
            "--as",
            &agent,
            "kb",
            "add",
            "--title",
            "燃气报修",
            "--answer",
            "关阀开窗，拨打抢修电话。",
        ],
    );
    assert_eq!(d["state"], "draft");
    let did = d["id"].as_i64().expect("id").to_string();
    assert_eq!(
        json(&db, &["--as", &editor, "kb", "publish", &did])["state"],
        "published"
    );
    let never = json(&db, &["kb", "list", "--upkeep", "never_used"]);
    assert_eq!(never.as_array().map(Vec::len), Some(2));
    fails_with(
        &db,
        &["--as", &editor, "kb", "publish", &did, "--retire"],
        "required",
    );
    let r = json(
        &db,
        &[
            "--as",
            &editor,
            "kb",
            "publish",
            &did,
            "--retire",
            "--note",
            "合并到新条目",
        ],
    );
    assert_eq!(r["state"], "retired");
    fails_with(
        &db,
        &[
            "--as",
            &agent,
            "kb",
            "add",
            "--title",
            "x",
            "--answer",
            "y",
            "--material",
            "leaflet",
        ],
        "invalid_value",
    );
}

#[test]
fn sheets_import_all_or_nothing_and_export_reads_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let editor = staff(&db, "值班长 李", "supervisor", None);
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "title,answer,material\n停水通知,12月3日停水,notice\n,没有标题,faq\n",
    )
    .expect("csv");
    let out = common::hotline(&db)
        .args(["--json", "--as", &editor, "kb", "import"])
        .arg(&bad)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err: serde_json::Value = serde_json::from_slice(&out).expect("error json");
    assert_eq!(
        (err["code"].as_str(), err["details"]["line"].as_u64()),
        (Some("import_row"), Some(3))
    );
    assert_eq!(json(&db, &["kb", "list"]).as_array().map(Vec::len), Some(0));
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "title,answer,questions\n停水通知,12月3日停水,哪天停水|停水到几点\n",
    )
    .expect("csv");
    let imported = json(
        &db,
        &[
            "--as",
            &editor,
            "kb",
            "import",
            good.to_str().expect("path"),
        ],
    );
    assert_eq!(imported["imported"].as_array().map(Vec::len), Some(1));
    let sheet = dir.path().join("知识.xlsx");
    json(&db, &["kb", "export", sheet.to_str().expect("path")]);
    fails_with(
        &db,
        &["kb", "export", sheet.to_str().expect("path")],
        "file_exists",
    );
    json(
        &db,
        &[
            "--as",
            &editor,
            "kb",
            "import",
            sheet.to_str().expect("path"),
        ],
    );
    let all = json(&db, &["kb", "list", "--search", "停水"]);
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    let shown = json(&db, &["kb", "show", &all[0]["id"].to_string()]);
    assert_eq!(
        shown["versions"][0]["questions"],
        serde_json::json!(["哪天停水", "停水到几点"])
    );
}
