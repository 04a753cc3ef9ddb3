//! Realistic, deterministic demo data: callers, departments, staff and tickets whose
//! whole lifecycles are driven through `lifecycle::apply`, so seeded data obeys the
//! same rules as data entered at the desk. The same seed and clock give the same data.

use crate::error::Result;
use crate::lifecycle::{apply, Action, Policy};
use crate::model::{CallbackMethod, Channel, Role, Satisfaction, Severity, Status, Urgency, User};
use crate::store::{HistoricEvent, HistoricTicket, Store};
use crate::ticket::created_event;
use crate::ticket::NewTicket;
use chrono::{DateTime, Duration, Timelike, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    pub tickets: u64,
    pub days: u32,
    pub seed: u64,
    /// Calls per ticket answered at once without a ticket (quick enquiries, repeat
    /// calls): a big centre's switchboard records about three calls per ticket.
    pub extra_calls: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SeedReport {
    pub tickets: u64,
    pub events: u64,
    pub by_status: Vec<(Status, u64)>,
}

const DEPARTMENTS: &[(&str, &str)] = &[
    ("housing", "住房和城乡建设局"),
    ("market", "市场监督管理局"),
    ("transport", "交通运输局"),
    ("hrss", "人力资源和社会保障局"),
    ("environment", "生态环境局"),
    ("urban", "城市管理局"),
    ("water", "水务集团"),
    ("power", "供电公司"),
    ("health", "卫生健康委员会"),
    ("education", "教育局"),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "桂英", "建华", "志强", "海燕", "晓东", "雪梅",
];
const PLACES: &[&str] = &[
    "幸福路",
    "建设大街",
    "人民路",
    "解放路",
    "中山路",
    "和平小区",
    "阳光花园",
    "滨江路",
    "新华街",
    "翠湖苑",
    "东风路",
    "锦绣家园",
];

/// (category code, weight, departments that handle it, description templates; `{p}` is a place)
const TOPICS: &[(&str, u32, &[&str], &[&str])] = &[
    (
        "consultation",
        30,
        &["hrss", "housing", "education"],
        &[
            "咨询{p}附近社保卡补办需要哪些材料。",
            "咨询公积金提取的办理流程和所需时间。",
            "咨询孩子入学报名的时间和需要准备的证件。",
            "咨询{p}小区的老旧小区改造何时开工。",
        ],
    ),
    (
        "complaint.service_attitude",
        6,
        &["market", "transport"],
        &[
            "反映{p}营业厅工作人员态度生硬，不耐心解答问题。",
            "投诉公交车司机在{p}站拒载老人，态度恶劣。",
        ],
    ),
    (
        "complaint.service_quality",
        8,
        &["water", "power", "market"],
        &[
            "{p}一带近一周自来水发黄，有异味。",
            "{p}小区近三天频繁停电，影响正常生活。",
            "在{p}超市购买的食品已过保质期，商家拒绝退换。",
        ],
    ),
    (
        "complaint.service_process",
        5,
        &["housing", "hrss"],
        &[
            "办理不动产登记多次被要求补充材料，流程不清楚。",
            "失业金申领提交三周仍无结果，无人告知进度。",
        ],
    ),
    (
        "complaint.product",
        4,
        &["market"],
        &[
            "网购的电热水器安装后漏电，商家推诿不处理。",
            "{p}商场购买的手机一周内黑屏两次。",
        ],
    ),
    (
        "complaint.after_sales",
        4,
        &["market", "power"],
        &[
            "空调维修预约后三次爽约，至今无人上门。",
            "燃气灶保修期内故障，售后要求自费更换配件。",
        ],
    ),
    (
        "help_request",
        15,
        &["urban", "water", "power", "housing"],
        &[
            "{p}路灯连续三晚不亮，夜间出行不安全。",
            "{p}井盖破损，存在安全隐患，请尽快处理。",
            "{p}楼下下水道堵塞，污水外溢。",
            "{p}施工噪声夜间十一点后仍未停止，影响休息。",
        ],
    ),
    (
        "suggestion",
        6,
        &["transport", "urban", "environment"],
        &[
            "建议在{p}路口增设红绿灯和人行横道。",
            "建议{p}公园增加垃圾分类投放点。",
        ],
    ),
    (
        "praise",
        3,
        &["health", "transport"],
        &[
            "表扬{p}社区卫生服务中心医生耐心细致。",
            "表扬公交司机在{p}站帮助突发疾病乘客。",
        ],
    ),
    (
        "incident_report",
        2,
        &["environment", "urban", "water"],
        &[
            "{p}河道发现大量死鱼，疑似有污水排放。",
            "{p}一处广告牌被大风吹松，随时可能坠落。",
        ],
    ),
];

struct Cast {
    agents: Vec<User>,
    supervisor: User,
    handlers: HashMap<String, (i64, User)>,
}

/// Creates the demo departments and staff (once; running again reuses them).
fn cast(store: &Store) -> Result<Cast> {
    let existing = store.departments()?;
    let users = store.users()?;
    let hotline = existing
        .iter()
        .find(|d| d.code == "hotline")
        .map_or(1, |d| d.id);
    let mut handlers = HashMap::new();
    for (i, (code, name)) in DEPARTMENTS.iter().enumerate() {
        let dept = match existing.iter().find(|d| d.code == *code) {
            Some(d) => d.clone(),
            None => store.create_department(None, code, name, None)?,
        };
        let handler = match users
            .iter()
            .find(|u| u.department_id == dept.id && u.role == Role::Handler)
        {
            Some(u) => u.clone(),
            None => store.create_user(
                None,
                &format!(
                    "{}{}（承办）",
                    SURNAMES[i % SURNAMES.len()],
                    GIVEN[(i * 7) % GIVEN.len()]
                ),
                dept.id,
                Role::Handler,
            )?,
        };
        handlers.insert(code.to_string(), (dept.id, handler));
    }
    let pick = |role: Role, name: &str| -> Result<User> {
        match users.iter().find(|u| u.role == role && u.name == name) {
            Some(u) => Ok(u.clone()),
            None => store.create_user(None, name, hotline, role),
        }
    };
    let agents = [
        "话务员 李娜",
        "话务员 陈静",
        "话务员 刘洋",
        "话务员 赵敏",
        "话务员 孙磊",
    ]
    .iter()
    .map(|n| pick(Role::Agent, n))
    .collect::<Result<Vec<_>>>()?;
    for (i, a) in agents.iter().enumerate() {
        if users.iter().all(|u| u.id != a.id) {
            store.set_user_extension(a.id, Some(&format!("80{:02}", i + 1)))?;
        }
    }
    let supervisor = pick(Role::Supervisor, "班长 周涛")?;
    pick(Role::Manager, "中心主任 吴建华")?;
    Ok(Cast {
        agents,
        supervisor,
        handlers,
    })
}

fn v_phone(raw: &str) -> String {
    crate::phone::Phone::parse(raw)
        .map(|p| p.number)
        .unwrap_or_else(|_| raw.to_string())
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Seeds `opts.tickets` tickets received over the last `opts.days` days before now.
pub fn seed(store: &Store, opts: SeedOptions) -> Result<SeedReport> {
    seed_with_progress(store, opts, |_| {})
}

pub fn seed_with_progress(
    store: &Store,
    opts: SeedOptions,
    mut progress: impl FnMut(u64),
) -> Result<SeedReport> {
    let cast = cast(store)?;
    let categories = store.categories()?;
    let cat_id = |code: &str| {
        categories
            .iter()
            .find(|c| c.code == code)
            .map_or(1, |c| c.id)
    };
    let topics: Vec<(usize, u32)> = TOPICS.iter().enumerate().map(|(i, t)| (i, t.1)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let now = store.now();
    let span_ms = i64::from(opts.days.max(1)) * 86_400_000;
    // Receipt times in order, most calls in working hours (Beijing time = UTC+8).
    let mut times: Vec<DateTime<Utc>> = (0..opts.tickets)
        .map(|_| loop {
            let t = now - Duration::milliseconds(rng.random_range(0..span_ms));
            let hour = (t.hour() + 8) % 24;
            let busy = (8..21).contains(&hour);
            if busy || rng.random_bool(0.15) {
                break t;
            }
        })
        .collect();
    times.sort();
    let callers = (opts.tickets / 3).max(1);
    let policy = Policy::default();
    let mut report = SeedReport {
        tickets: 0,
        events: 0,
        by_status: vec![],
    };
    let mut by_status: HashMap<Status, u64> = HashMap::new();
    for chunk in times.chunks(20_000) {
        let mut batch = Vec::with_capacity(chunk.len());
        let mut calls = Vec::with_capacity(chunk.len());
        for &received in chunk {
            let caller = rng.random_range(0..callers);
            let topic = &TOPICS[*weighted(&mut rng, &topics)];
            let place = *pick(&mut rng, PLACES);
            let text = pick(&mut rng, topic.3).replace("{p}", place);
            let severity = *weighted(
                &mut rng,
                &[
                    (Severity::General, 970),
                    (Severity::Serious, 25),
                    (Severity::Major, 4),
                    (Severity::Extraordinary, 1),
                ],
            );
            let mut new = NewTicket {
                caller_name: format!(
                    "{}{}",
                    SURNAMES[(caller % 20) as usize],
                    GIVEN[((caller / 20) % GIVEN.len() as u64) as usize]
                ),
                phone: format!(
                    "1{}{:09}",
                    [3, 5, 7, 8, 9][(caller % 5) as usize],
                    (caller * 7_919) % 1_000_000_000
                ),
                description: text,
                category: topic.0.to_string(),
                occurred_at: Some(received - Duration::hours(rng.random_range(1..72))),
                channel: *weighted(
                    &mut rng,
                    &[
                        (Channel::Phone, 80),
                        (Channel::Online, 10),
                        (Channel::Email, 4),
                        (Channel::WalkIn, 4),
                        (Channel::Letter, 2),
                    ],
                ),
                severity,
                urgency: if severity != Severity::General || rng.random_bool(0.08) {
                    Urgency::Urgent
                } else {
                    Urgency::Normal
                },
                anonymous: false,
                withheld: false,
                email: None,
                address: None,
            };
            if new.channel == Channel::Email {
                new.email = Some(format!("caller{caller}@example.cn"));
            }
            let v = new.validate(received)?;
            let agent_index = rng.random_range(0..cast.agents.len());
            let agent = cast.agents[agent_index].clone();
            if new.channel == Channel::Phone {
                // The call behind the ticket, rung for a few seconds; now and then a caller
                // who gave up before an agent answered.
                let n = report.tickets + batch.len() as u64;
                let ring = Duration::seconds(if rng.random_bool(0.8) {
                    rng.random_range(2..16)
                } else {
                    rng.random_range(16..60)
                });
                let talk = Duration::seconds(rng.random_range(60..600));
                calls.push(crate::cdr::Call {
                    key: format!("seed:{}:{n}", opts.seed),
                    caller: v_phone(&new.phone),
                    callee: "12345".into(),
                    extension: Some(format!("80{:02}", agent_index + 1)),
                    started_at: received - ring - Duration::seconds(1),
                    answered_at: Some(received - Duration::seconds(1)),
                    ended_at: received + talk,
                    disposition: "ANSWERED".into(),
                });
                for i in 0..opts.extra_calls {
                    let other = rng.random_range(0..callers);
                    let start = received - Duration::minutes(rng.random_range(1..600));
                    let ring = rng.random_range(2..20);
                    calls.push(crate::cdr::Call {
                        key: format!("seed:{}:{n}:x{i}", opts.seed),
                        caller: v_phone(&format!(
                            "1{}{:09}",
                            [3, 5, 7, 8, 9][(other % 5) as usize],
                            (other * 7_919) % 1_000_000_000
                        )),
                        callee: "12345".into(),
                        extension: Some(format!("80{:02}", agent_index + 1)),
                        started_at: start,
                        answered_at: Some(start + Duration::seconds(ring)),
                        ended_at: start + Duration::seconds(ring + rng.random_range(30..240)),
                        disposition: "ANSWERED".into(),
                    });
                }
                if rng.random_bool(0.08) {
                    let start = received - Duration::minutes(rng.random_range(2..30));
                    calls.push(crate::cdr::Call {
                        key: format!("seed:{}:{n}:abandoned", opts.seed),
                        caller: v_phone(&new.phone),
                        callee: "12345".into(),
                        extension: None,
                        started_at: start,
                        answered_at: None,
                        ended_at: start + Duration::seconds(rng.random_range(1..90)),
                        disposition: "NO ANSWER".into(),
                    });
                }
            }
            let mut ticket = crate::ticket::blank(&v, cat_id(topic.0), agent.id);
            let mut events = vec![HistoricEvent {
                at: received,
                actor_id: agent.id,
                event: created_event(&ticket),
            }];
            let handler_code = *pick(&mut rng, topic.2);
            let (dept_id, handler) = &cast.handlers[handler_code];
            let clock = ticket.received_at;
            Sim {
                rng: &mut rng,
                t: &mut ticket,
                events: &mut events,
                clock,
                now,
                policy,
            }
            .run(
                &agent,
                handler,
                &cast.supervisor,
                *dept_id,
                topic.0 == "consultation",
            );
            *by_status.entry(ticket.status).or_default() += 1;
            report.events += events.len() as u64;
            batch.push(HistoricTicket { ticket, events });
        }
        store.bulk(|b| {
            for h in &batch {
                b.insert(h)?;
            }
            Ok(())
        })?;
        store.import_calls(&calls, "seed", vec![])?;
        report.tickets += batch.len() as u64;
        progress(report.tickets);
    }
    crate::seed_causes::seed_causes(store, &cast.supervisor)?;
    let mut counts: Vec<(Status, u64)> = by_status.into_iter().collect();
    counts.sort();
    report.by_status = counts;
    Ok(report)
}

struct Sim<'a> {
    rng: &'a mut ChaCha8Rng,
    t: &'a mut crate::model::Ticket,
    events: &'a mut Vec<HistoricEvent>,
    clock: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: Policy,
}

impl Sim<'_> {
    /// Lets some minutes pass, then applies the action; false once "now" is reached.
    fn step(&mut self, actor: &User, minutes: std::ops::Range<i64>, action: Action) -> bool {
        self.clock += Duration::minutes(self.rng.random_range(minutes));
        if self.clock > self.now {
            return false;
        }
        match apply(self.t, actor, &action, self.clock, &self.policy) {
            Ok(out) => {
                *self.t = out.ticket;
                self.t.version += 1;
                let (at, actor_id) = (self.clock, actor.id);
                self.events
                    .extend(out.events.into_iter().map(|event| HistoricEvent {
                        at,
                        actor_id,
                        event,
                    }));
                true
            }
            Err(_) => false,
        }
    }

    /// Walks the ticket through a plausible life, stopping where "now" is reached.
    fn run(
        &mut self,
        agent: &User,
        handler: &User,
        supervisor: &User,
        dept_id: i64,
        consultation: bool,
    ) {
        let direct = if consultation { 0.75 } else { 0.15 };
        if self.rng.random_bool(direct) {
            self.step(
                agent,
                2..15,
                Action::Answer {
                    answer: "已按政策口径当场解答，来电人表示清楚。".into(),
                    callback: false,
                    article: None,
                },
            );
            return;
        }
        let days = if self.t.severity == Severity::General {
            self.rng.random_range(3..8)
        } else {
            1
        };
        let transfer = Action::Transfer {
            department_id: dept_id,
            requirements: "请核实情况，依法依规处理，并在期限内答复来电人。".into(),
            due_at: self.clock + Duration::days(days) + Duration::hours(1),
            accept_due_at: Some(self.clock + Duration::hours(8)),
            co_department_ids: vec![],
            co_due_at: None,
        };
        if !self.step(agent, 5..30, transfer) {
            return;
        }
        for round in 0..4 {
            if !self.step(handler, 30..600, Action::Accept { note: None }) {
                return;
            }
            if self.rng.random_bool(0.08) {
                let due = self.t.due_at.unwrap_or(self.clock) + Duration::days(5);
                if !self.step(
                    handler,
                    600..2000,
                    Action::RequestExtension {
                        due_at: due,
                        reason: "需协调多个部门现场核查。".into(),
                    },
                ) {
                    return;
                }
                let decision = if self.rng.random_bool(0.7) {
                    Action::ApproveExtension { note: None }
                } else {
                    Action::RefuseExtension {
                        note: "理由不充分，请按期办结。".into(),
                    }
                };
                if !self.step(supervisor, 60..600, decision) {
                    return;
                }
            }
            let resolved = self.rng.random_bool(0.85);
            let reply = Action::Reply {
                result: "已安排人员现场处理，问题已整改，并电话告知来电人。".into(),
                resolved: Some(resolved),
            };
            if !self.step(handler, 600..days * 1200, reply) {
                return;
            }
            let happy = round == 3 || self.rng.random_bool(if resolved { 0.92 } else { 0.5 });
            let satisfaction = if happy {
                *pick(
                    self.rng,
                    &[
                        Satisfaction::VerySatisfied,
                        Satisfaction::Satisfied,
                        Satisfaction::Satisfied,
                        Satisfaction::BasicallySatisfied,
                    ],
                )
            } else {
                *pick(
                    self.rng,
                    &[Satisfaction::Unsatisfied, Satisfaction::VeryUnsatisfied],
                )
            };
            let redispatch_due_at = (!happy).then_some(self.clock + Duration::days(4));
            if !self.step(
                agent,
                30..480,
                Action::Feedback {
                    satisfaction: Some(satisfaction),
                    note: None,
                    redispatch_due_at,
                    no_redispatch_reason: None,
                },
            ) {
                return;
            }
            if happy {
                break;
            }
        }
        let method = if self.rng.random_bool(0.8) {
            CallbackMethod::Phone
        } else {
            CallbackMethod::Questionnaire
        };
        let satisfaction = *pick(
            self.rng,
            &[
                Satisfaction::VerySatisfied,
                Satisfaction::Satisfied,
                Satisfaction::BasicallySatisfied,
            ],
        );
        self.step(
            agent,
            600..4000,
            Action::Callback {
                method,
                satisfaction: Some(satisfaction),
                note: None,
            },
        );
    }
}

#[cfg(test)]
#[path = "seed_tests.rs"]
mod tests;
