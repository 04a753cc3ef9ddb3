//! The knowledge base in the store: versions through review, the suggestion while typing
//! (held-back question variants find their article), answers recording article and
//! version, expiry by date, the upkeep views, import all-or-nothing and the coverage KPI.

use crate::kb::exchange::{read, write, Sheet};
use crate::kb::{ArticleRef, ArticleState, Material, NewArticle, Step, VersionState};
use crate::model::{Role, Status, User};
use crate::store::testutil::{setup, t0};
use crate::store::{ArticleQuery, Store, Upkeep};
use crate::ticket::tests::new_ticket;
use crate::Action;
use chrono::Duration;

/// Articles with the question variants callers use; the last variant of each is held back
/// from the article and asked instead.
pub(crate) const ARTICLES: &[(&str, &[&str], &str, &str)] = &[
    (
        "居住证办理",
        &["怎么办居住证", "居住证去哪里办", "外地人办居住证要什么材料"],
        "携带身份证、租房合同到居住地社区派出所申领，15个工作日内领证。",
        "居住证过期了还能续签吗",
    ),
    (
        "社保卡补办",
        &["社保卡丢了怎么办", "社保卡挂失", "社保卡坏了能换吗"],
        "先拨打12333挂失，再带身份证到社保经办网点补卡，现场制卡。",
        "我的社保卡找不到了要去哪补",
    ),
    (
        "公积金提取",
        &["公积金怎么取出来", "租房能提公积金吗", "离职后公积金提取"],
        "登录住房公积金网上服务大厅，选择提取业务，按类型上传材料，3个工作日到账。",
        "买房可以提取公积金吗",
    ),
    (
        "燃气报修",
        &["燃气漏气怎么办", "煤气味很大", "燃气灶打不着火"],
        "闻到燃气味请立即关闭阀门、开窗通风，不要开关电器，拨打燃气公司24小时抢修电话。",
        "家里有股煤气味",
    ),
    (
        "路灯报修",
        &["路灯不亮", "路灯坏了找谁", "路灯一直闪"],
        "请告知路灯所在道路和电杆编号，转路灯管理所处理，一般3个工作日修复。",
        "小区门口的路灯坏了",
    ),
];

pub(crate) fn editor(s: &Store) -> User {
    s.create_user(None, "知识编辑", 1, Role::Supervisor)
        .expect("editor")
}

fn article(title: &str, questions: &[&str], answer: &str) -> NewArticle {
    NewArticle {
        title: title.into(),
        questions: questions.iter().map(|q| q.to_string()).collect(),
        answer: answer.into(),
        material: Some(Material::Faq),
        ..NewArticle::default()
    }
}

/// Writes, submits and approves an article: its id.
fn publish(s: &Store, by: &User, a: &NewArticle) -> i64 {
    let id = s.save_article(by.into(), None, a).expect("saved").id;
    s.article_step(by.into(), id, Step::Submit, None)
        .expect("submitted");
    s.article_step(by.into(), id, Step::Approve, Some("核对无误"))
        .expect("approved");
    id
}

pub(crate) fn seeded(s: &Store, by: &User) -> Vec<i64> {
    ARTICLES
        .iter()
        .map(|(t, q, a, _)| publish(s, by, &article(t, q, a)))
        .collect()
}

#[test]
fn held_back_question_variants_find_their_article() {
    let (_d, s, _c, _, _) = setup();
    let ed = editor(&s);
    let ids = seeded(&s, &ed);
    for (i, (title, _, _, held_back)) in ARTICLES.iter().enumerate() {
        let got = s.suggest_articles(held_back, 5).expect("suggest");
        assert_eq!(
            got.first().map(|g| g.id),
            Some(ids[i]),
            "{held_back} should suggest {title}: {:?}",
            got.iter().map(|g| &g.title).collect::<Vec<_>>()
        );
        assert_eq!(got[0].version, 1);
    }
    // One and two characters, as the agent starts typing.
    assert_eq!(
        s.suggest_articles("燃", 5)
            .expect("one")
            .first()
            .map(|g| g.id),
        Some(ids[3])
    );
    assert_eq!(
        s.suggest_articles("公积", 5)
            .expect("two")
            .first()
            .map(|g| g.id),
        Some(ids[2])
    );
    assert!(s.suggest_articles("，。", 5).expect("none").is_empty());
}

#[test]
fn only_the_published_valid_version_is_offered() {
    let (_d, s, clock, _, handler) = setup();
    let ed = editor(&s);
    let draft = s
        .save_article(
            (&handler).into(),
            None,
            &article("路灯报修", &["路灯不亮"], "转路灯所"),
        )
        .expect("draft");
    assert_eq!(draft.state, ArticleState::Draft);
    assert!(s.suggest_articles("路灯不亮", 5).expect("s").is_empty());
    s.article_step((&handler).into(), draft.id, Step::Submit, None)
        .expect("submitted");
    assert_eq!(
        s.article(draft.id).expect("a").state,
        ArticleState::InReview
    );
    // In review it is neither edited nor offered; rejected it is a draft again.
    assert_eq!(
        s.save_article((&handler).into(), Some(draft.id), &article("x", &[], "y"))
            .map_err(|e| e.code())
            .err(),
        Some("article_step")
    );
    let back = s
        .article_step((&ed).into(), draft.id, Step::Reject, Some("补充电杆编号"))
        .expect("rejected");
    assert_eq!(back.state, ArticleState::Draft);
    assert_eq!(
        back.versions[0].review_note.as_deref(),
        Some("补充电杆编号")
    );
    s.article_step((&handler).into(), draft.id, Step::Submit, None)
        .expect("again");
    let v1 = s
        .article_step((&ed).into(), draft.id, Step::Approve, None)
        .expect("approved");
    assert_eq!(
        (v1.state, v1.published_version),
        (ArticleState::Published, Some(1))
    );
    assert_eq!(
        s.suggest_articles("路灯", 5).expect("s")[0].answer,
        "转路灯所"
    );
    // A new version is written while version 1 is still offered.
    let v2 = s
        .save_article(
            (&handler).into(),
            Some(draft.id),
            &NewArticle {
                valid_until: Some("2026-11-30".parse().expect("date")),
                ..article("路灯报修", &["路灯不亮"], "请报电杆编号，转路灯所")
            },
        )
        .expect("v2");
    assert_eq!((v2.latest_version, v2.published_version), (2, Some(1)));
    assert_eq!(s.suggest_articles("路灯", 5).expect("s")[0].version, 1);
    s.article_step((&handler).into(), draft.id, Step::Submit, None)
        .expect("submitted");
    let rows = s
        .articles(&ArticleQuery {
            state: Some(ArticleState::InReview),
            ..ArticleQuery::default()
        })
        .expect("review queue");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].pending, Some(VersionState::InReview));
    let v2 = s
        .article_step((&ed).into(), draft.id, Step::Approve, None)
        .expect("v2 published");
    assert_eq!(v2.versions[1].state, VersionState::Superseded);
    let got = s.suggest_articles("路灯", 5).expect("s");
    assert_eq!(
        (got[0].version, got[0].answer.as_str()),
        (2, "请报电杆编号，转路灯所")
    );
    // Valid until 30 November: offered that day, expired the next (local days).
    clock.set(t0() + Duration::days(28));
    assert_eq!(s.suggest_articles("路灯", 5).expect("s").len(), 1);
    clock.set(t0() + Duration::days(29));
    assert!(s.suggest_articles("路灯", 5).expect("s").is_empty());
    assert_eq!(s.article(draft.id).expect("a").state, ArticleState::Expired);
    // Retired: out of the index, a reason required.
    assert_eq!(
        s.article_step((&ed).into(), draft.id, Step::Retire, None)
            .map_err(|e| e.code())
            .err(),
        Some("required")
    );
    let gone = s
        .article_step((&ed).into(), draft.id, Step::Retire, Some("政策废止"))
        .expect("retired");
    assert_eq!(gone.state, ArticleState::Retired);
    clock.set(t0());
    assert!(s.suggest_articles("路灯", 5).expect("s").is_empty());
}

#[test]
fn an_answer_records_its_article_and_version() {
    let (_d, s, _c, _, _) = setup();
    let ed = editor(&s);
    let ids = seeded(&s, &ed);
    let answer = |article| Action::Answer {
        answer: "已按口径答复".into(),
        callback: false,
        article,
    };
    let t = s
        .intake(
            1,
            &new_ticket(),
            Some(&answer(Some(ArticleRef {
                id: ids[0],
                version: 1,
            }))),
        )
        .expect("answered");
    assert_eq!(t.status, Status::Closed);
    let d = s.detail(t.id).expect("detail");
    let ev = d
        .events
        .iter()
        .find(|e| e.action == "answer")
        .expect("answer");
    assert_eq!(
        ev.data["article"],
        serde_json::json!({ "id": ids[0], "version": 1 })
    );
    let a = s.article(ids[0]).expect("article");
    assert_eq!(a.uses, 1);
    // A draft's wording, or an article that does not exist, answers nothing: no ticket.
    let before = s.list(&Default::default()).expect("list").total;
    let draft = s
        .save_article((&ed).into(), None, &article("草稿", &[], "未审核"))
        .expect("draft");
    for (r, code) in [
        (
            ArticleRef {
                id: draft.id,
                version: 1,
            },
            "article_step",
        ),
        (
            ArticleRef {
                id: 999,
                version: 1,
            },
            "not_found",
        ),
        (
            ArticleRef {
                id: ids[0],
                version: 2,
            },
            "not_found",
        ),
    ] {
        assert_eq!(
            s.intake(1, &new_ticket(), Some(&answer(Some(r))))
                .map_err(|e| e.code())
                .err(),
            Some(code)
        );
    }
    assert_eq!(s.list(&Default::default()).expect("list").total, before);
    let k = s
        .kb_figures(t0() - Duration::days(1), t0() + Duration::days(1))
        .expect("kpi");
    assert_eq!((k.coverage.numerator, k.coverage.denominator), (1, 1));
    // Another direct answer without an article halves the coverage.
    s.intake(1, &new_ticket(), Some(&answer(None)))
        .expect("plain");
    let k = s
        .kb_figures(t0() - Duration::days(1), t0() + Duration::days(1))
        .expect("kpi");
    assert_eq!((k.coverage.numerator, k.coverage.denominator), (1, 2));
    assert_eq!((k.published, k.used), (5, 1));
    assert_eq!(k.by_article[0].id, ids[0]);
}

#[test]
fn upkeep_views_find_what_needs_care() {
    let (_d, s, clock, _, _) = setup();
    let ed = editor(&s);
    let ids = seeded(&s, &ed);
    let expiring = publish(
        &s,
        &ed,
        &NewArticle {
            valid_until: Some("2026-11-20".parse().expect("date")),
            ..article("冬季供暖", &["暖气不热"], "供暖期11月15日开始")
        },
    );
    let view = |u| {
        s.articles(&ArticleQuery {
            upkeep: Some(u),
            ..ArticleQuery::default()
        })
        .expect("view")
        .into_iter()
        .map(|r| r.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(view(Upkeep::Expiring), vec![expiring]);
    assert_eq!(view(Upkeep::NeverUsed).len(), 6);
    let answer = Action::Answer {
        answer: "按口径".into(),
        callback: false,
        article: Some(ArticleRef {
            id: ids[1],
            version: 1,
        }),
    };
    s.intake(1, &new_ticket(), Some(&answer)).expect("used");
    // The same caller calls again two days later: the answer came back.
    clock.set(t0() + Duration::days(2));
    s.intake(1, &new_ticket(), None).expect("again");
    assert_eq!(view(Upkeep::Troubled), vec![ids[1]]);
    assert!(!view(Upkeep::NeverUsed).contains(&ids[1]));
    // Answered from after its last day (an agent with the old wording on screen).
    let old = Action::Answer {
        answer: "按旧口径".into(),
        callback: false,
        article: Some(ArticleRef {
            id: expiring,
            version: 1,
        }),
    };
    clock.set(t0() + Duration::days(25));
    s.intake(1, &new_ticket(), Some(&old)).expect("used late");
    assert_eq!(view(Upkeep::ExpiredUsed), vec![expiring]);
    let search = s
        .articles(&ArticleQuery {
            search: Some("12333".into()),
            ..ArticleQuery::default()
        })
        .expect("search");
    assert_eq!(
        search.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[1]]
    );
}

#[test]
fn import_is_all_or_nothing_and_export_reads_back() {
    let (_d, s, _c, _, _) = setup();
    let ed = editor(&s);
    seeded(&s, &ed);
    for sheet in [Sheet::Csv, Sheet::Xlsx] {
        let rows = s.article_rows().expect("rows");
        let bytes = write(&rows, sheet).expect("sheet");
        let back = read(&bytes, sheet).expect("read");
        assert_eq!(back.len(), 5);
        assert_eq!(back[0].1.article, rows[0].article);
    }
    let good = "title,answer,department,keywords\n停水通知,12月3日停水,lighting,停水\n";
    let ids = s
        .import_articles(
            (&ed).into(),
            &read(good.as_bytes(), Sheet::Csv).expect("read"),
        )
        .expect("imported");
    let a = s.article(ids[0]).expect("imported");
    assert_eq!(a.state, ArticleState::Draft);
    assert_eq!(a.versions[0].department_name.as_deref(), Some("路灯管理所"));
    let count = || s.articles(&ArticleQuery::default()).expect("all").len();
    let before = count();
    let bad = "title,answer,department\n甲,乙,lighting\n丙,丁,nowhere\n";
    let e = s
        .import_articles(
            (&ed).into(),
            &read(bad.as_bytes(), Sheet::Csv).expect("read"),
        )
        .expect_err("refused");
    assert_eq!(
        (e.code(), e.details()["line"].as_u64()),
        ("import_row", Some(3))
    );
    assert_eq!(count(), before);
}

#[test]
fn a_solved_ticket_becomes_a_draft() {
    let (_d, s, _c, _, _) = setup();
    let ed = editor(&s);
    let t = s
        .intake(
            1,
            &new_ticket(),
            Some(&Action::Answer {
                answer: "已告知办理流程".into(),
                callback: false,
                article: None,
            }),
        )
        .expect("answered");
    let a = s.article_from_ticket((&ed).into(), t.id).expect("draft");
    assert_eq!(a.state, ArticleState::Draft);
    assert_eq!(a.from_ticket.as_deref(), Some(t.number.as_str()));
    assert_eq!(a.versions[0].answer, "已告知办理流程");
    assert_eq!(a.versions[0].questions, vec![t.description.clone()]);
    let open = s.create_ticket(1, &new_ticket()).expect("open");
    assert_eq!(
        s.article_from_ticket((&ed).into(), open.id)
            .map_err(|e| e.code())
            .err(),
        Some("required")
    );
}
