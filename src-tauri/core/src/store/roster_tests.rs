use crate::emergency::plan::DutyRole;
use crate::emergency::roster::{rotation, Assignment, Shift};
use crate::model::{Role, User};
use crate::store::testutil::{store, t0};
use crate::store::{Author, Store};
use chrono::{Duration, NaiveDate, NaiveTime};

fn by(u: &User) -> Author<'_> {
    u.into()
}

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, day).expect("date")
}

fn people(s: &Store, n: usize, role: Role) -> Vec<User> {
    (0..n)
        .map(|i| {
            s.create_user(None, &format!("值班{i}"), 1, role)
                .expect("user")
        })
        .collect()
}

/// Three leaders rotating through the seeded day, evening and night shifts for `days`.
fn week(s: &Store, leaders: &[User], from: NaiveDate, days: u32) -> Vec<Assignment> {
    let shifts = s.duty_shifts().expect("shifts");
    let ids: Vec<i64> = leaders.iter().map(|u| u.id).collect();
    rotation(&shifts, DutyRole::Leader, &ids, from, days).expect("rotation")
}

#[test]
fn a_roster_with_an_hour_without_a_leader_is_refused_and_nothing_changes() {
    let (_d, s, _c) = store();
    let manager = s.create_user(None, "张经理", 1, Role::Manager).expect("m");
    let leaders = people(&s, 3, Role::Supervisor);
    let full = week(&s, &leaders, d(1), 7);
    s.save_roster(by(&manager), d(1), d(7), &full)
        .expect("saved");
    // Shortening the day shift to 7 hours leaves 15:00–16:00 without a leader.
    let mut day = s
        .duty_shifts()
        .expect("shifts")
        .into_iter()
        .find(|x| x.code == "day")
        .expect("day");
    day.minutes = 420;
    let e = s.save_shift(by(&manager), &day).expect_err("gap");
    assert_eq!(
        (
            e.code(),
            e.details()["from"].as_str(),
            e.details()["to"].as_str()
        ),
        ("roster_gap", Some("15:00"), Some("16:00"))
    );
    assert_eq!(
        s.duty_shifts()
            .expect("s")
            .iter()
            .find(|x| x.code == "day")
            .map(|x| x.minutes),
        Some(480)
    );
    // A week with one slot missing is refused; the saved week stays.
    let mut holey = full.clone();
    holey.remove(4);
    let e = s
        .save_roster(by(&manager), d(1), d(7), &holey)
        .expect_err("hole");
    assert_eq!(
        (e.code(), e.details()["day"].as_str()),
        ("roster_gap", Some("2026-11-02"))
    );
    assert_eq!(
        s.roster(d(1), d(7)).expect("roster").assignments.len(),
        full.len()
    );
    // A day outside the range, or a disabled person, is refused too.
    let e = s
        .save_roster(by(&manager), d(2), d(7), &full)
        .expect_err("outside");
    assert_eq!(e.code(), "invalid_value");
}

#[test]
fn who_is_on_duty_follows_the_shifts_across_midnight() {
    let (_d, s, clock) = store();
    let manager = s.create_user(None, "张经理", 1, Role::Manager).expect("m");
    let leaders = people(&s, 3, Role::Supervisor);
    let mut list = week(&s, &leaders, d(1), 3);
    let tech = s
        .create_user(None, "技术 小刘", 1, Role::Agent)
        .expect("tech");
    let day_shift = s
        .duty_shifts()
        .expect("s")
        .into_iter()
        .find(|x| x.code == "day")
        .expect("day");
    list.push(Assignment {
        id: 0,
        day: d(2),
        shift_id: day_shift.id,
        post: DutyRole::Technical,
        user_id: tech.id,
        backup: false,
    });
    list.push(Assignment {
        id: 0,
        day: d(2),
        shift_id: day_shift.id,
        post: DutyRole::Leader,
        user_id: manager.id,
        backup: true,
    });
    s.save_roster(by(&manager), d(1), d(3), &list)
        .expect("saved");
    // t0 is 2026-11-02 09:00 in Shanghai: the day shift of the 2nd.
    let now = s.on_duty(s.now()).expect("now");
    let posts: Vec<(DutyRole, bool, &str)> = now
        .iter()
        .map(|o| {
            (
                o.assignment.post,
                o.assignment.backup,
                o.shift_code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        posts,
        [
            (DutyRole::Leader, false, "day"),
            (DutyRole::Leader, true, "day"),
            (DutyRole::Technical, false, "day")
        ]
    );
    // Midnight into the 3rd: the night shift starting on the 3rd at 00:00.
    clock.set(t0() + Duration::hours(15));
    let night = s.on_duty(s.now()).expect("night");
    assert_eq!((night.len(), night[0].shift_code.as_str()), (1, "night"));
    assert_eq!(night[0].assignment.day, d(3));
}

#[test]
fn a_cover_takes_effect_when_approved_and_handovers_are_acknowledged_once() {
    let (_d, s, _c) = store();
    let manager = s.create_user(None, "张经理", 1, Role::Manager).expect("m");
    let leaders = people(&s, 3, Role::Supervisor);
    let spare = s
        .create_user(None, "替班 小王", 1, Role::Supervisor)
        .expect("spare");
    s.save_roster(by(&manager), d(1), d(3), &week(&s, &leaders, d(1), 3))
        .expect("saved");
    let slot = s.roster(d(2), d(2)).expect("r").assignments[0].clone();
    let asker = leaders
        .iter()
        .find(|u| u.id == slot.assignment.user_id)
        .expect("holder");
    let e = s
        .request_duty_change(by(asker), slot.assignment.id, "leave", asker.id, "病假")
        .expect_err("self");
    assert_eq!(e.code(), "invalid_value");
    let c = s
        .request_duty_change(by(asker), slot.assignment.id, "leave", spare.id, "病假")
        .expect("asked");
    assert_eq!(
        s.roster(d(2), d(2)).expect("r").assignments[0]
            .assignment
            .user_id,
        asker.id,
        "not before approval"
    );
    let c = s
        .decide_duty_change(by(&manager), c.id, true)
        .expect("approved");
    assert_eq!(c.approved, Some(true));
    assert_eq!(
        s.roster(d(2), d(2)).expect("r").assignments[0]
            .assignment
            .user_id,
        spare.id
    );
    assert!(
        s.decide_duty_change(by(&manager), c.id, false).is_err(),
        "decided once"
    );
    // Handover: written by the outgoing, acknowledged by someone else, once.
    let h = s
        .write_handover(by(asker), "东城区停水仍在处置，已通知自来水公司。")
        .expect("written");
    assert!(
        s.acknowledge_handover(by(asker), h.id, false).is_err(),
        "not by its writer"
    );
    let h = s
        .acknowledge_handover(by(&spare), h.id, false)
        .expect("ack");
    assert_eq!(h.acknowledged_by, Some(spare.id));
    assert!(s.acknowledge_handover(by(&manager), h.id, true).is_err());
    assert_eq!(s.handovers(10).expect("list").len(), 1);
    let shift = Shift {
        id: 0,
        code: "late".into(),
        name: "晚班".into(),
        starts: NaiveTime::from_hms_opt(18, 0, 0).expect("t"),
        minutes: 300,
    };
    let saved = s.save_shift(by(&manager), &shift).expect("new shift");
    assert!(saved.id > 0);
}

#[test]
fn the_duty_leader_on_duty_leads_the_response_whatever_their_role() {
    use crate::emergency::{IncidentAction, IncidentKind, Level, NewIncident};
    let (_d, s, _c) = store();
    let manager = s.create_user(None, "张经理", 1, Role::Manager).expect("m");
    let others = people(&s, 2, Role::Supervisor);
    let leader = s
        .create_user(None, "值班长 李娜", 1, Role::Agent)
        .expect("agent");
    let off = s
        .create_user(None, "话务员 王芳", 1, Role::Agent)
        .expect("agent");
    // Shifts run night, day, evening: the agent holds the day shift of the 2nd (t0 09:00).
    let rota = [others[0].clone(), leader.clone(), others[1].clone()];
    s.save_roster(by(&manager), d(2), d(2), &week(&s, &rota, d(2), 1))
        .expect("roster");
    let level = |n| Level::try_from(n).expect("level");
    let new = NewIncident::new("热线系统故障", IncidentKind::HotlineFailure, level(3));
    let i = s
        .acting(leader.id)
        .expect("a")
        .declare_incident(&new)
        .expect("declare");
    assert_eq!((i.level, i.proposed_level), (level(3), None));
    let j = s
        .acting(off.id)
        .expect("b")
        .declare_incident(&new)
        .expect("declare");
    assert_eq!((j.level, j.proposed_level), (level(1), Some(level(3))));
    let raise = IncidentAction::SetLevel {
        level: level(3),
        reason: "全部线路中断".into(),
    };
    let e = s
        .acting(off.id)
        .expect("b")
        .act_incident(j.id, j.version, &raise)
        .expect_err("off duty");
    assert_eq!(e.code(), "forbidden");
    let up = s
        .acting(leader.id)
        .expect("a")
        .act_incident(j.id, j.version, &raise)
        .expect("leader raises");
    assert_eq!(up.level, level(3));
}

#[test]
fn a_handover_goes_to_the_shift_that_takes_over_and_only_it_acknowledges() {
    let (_d, s, _c) = store();
    let manager = s.create_user(None, "张经理", 1, Role::Manager).expect("m");
    let three = people(&s, 3, Role::Supervisor);
    // Shifts run night, day, evening: on the 2nd the second person holds the day shift.
    s.save_roster(by(&manager), d(2), d(2), &week(&s, &three, d(2), 1))
        .expect("roster");
    let h = s
        .write_handover(by(&three[1]), "东城区停水仍在处置。")
        .expect("written at 09:00");
    let shifts = s.duty_shifts().expect("shifts");
    let code = |id: Option<i64>| {
        shifts
            .iter()
            .find(|x| Some(x.id) == id)
            .map(|x| x.code.clone())
    };
    assert_eq!(
        (
            code(h.from_shift_id).as_deref(),
            code(h.to_shift_id).as_deref(),
            h.to_day
        ),
        (Some("day"), Some("evening"), Some(d(2)))
    );
    let e = s
        .acknowledge_handover(by(&three[0]), h.id, false)
        .expect_err("the night shift does not take over");
    assert_eq!(e.code(), "forbidden");
    let h = s
        .acknowledge_handover(by(&three[2]), h.id, false)
        .expect("the evening shift does");
    assert_eq!(h.acknowledged_by, Some(three[2].id));
}
