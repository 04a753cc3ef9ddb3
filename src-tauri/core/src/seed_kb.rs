//! Knowledge articles for the demo data and the benchmark: a dozen written as a centre
//! would write them (questions callers ask in the demo's tickets), and as many more as
//! asked for, made from them for measuring (each a different place and wording).

use crate::error::Result;
use crate::kb::{Material, NewArticle};
use crate::model::User;
use crate::store::Store;

/// (title, question variants, answer, category, material, keywords)
type Demo = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    Material,
    &'static [&'static str],
);

pub const DEMO: &[Demo] = &[
    ("社保卡补办", &["社保卡丢了怎么办", "社保卡补办需要哪些材料", "社保卡坏了能换吗"],
     "先拨打12333或通过“掌上社保”挂失，再携带本人身份证到任一社保经办网点或合作银行网点补办，现场制卡的当场领取，其余约7个工作日。",
     "consultation", Material::Guide, &["社保卡", "挂失", "补办"]),
    ("公积金提取流程", &["公积金怎么提取", "租房能提公积金吗", "公积金提取要多久"],
     "登录住房公积金网上服务大厅或App，选择“提取”业务，按购房、租房、离职等类型上传材料；审核通过后3个工作日内到账。",
     "consultation", Material::Guide, &["公积金", "提取"]),
    ("义务教育入学报名", &["孩子入学报名什么时候", "小学报名要带什么证件", "入学需要房产证吗"],
     "每年5月在教育局网站公布招生方案，6月初网上报名。需准备户口簿、房产证或居住证、儿童预防接种证明，具体以当年方案为准。",
     "consultation", Material::Notice, &["入学", "报名", "学区"]),
    ("老旧小区改造进度", &["老旧小区改造什么时候开工", "我们小区在改造名单里吗"],
     "改造名单和开工时间在住建局网站“老旧小区改造”栏目公示；居民可向所在街道或社区居委会询问具体进度。",
     "consultation", Material::Policy, &["老旧小区", "改造"]),
    ("自来水发黄或有异味", &["自来水发黄", "水有异味怎么办", "水质有问题找谁"],
     "请先放水3至5分钟；仍发黄或有异味，请告知具体地址，热线转供水公司上门检测，一般24小时内回复。",
     "complaint.service_quality", Material::Faq, &["自来水", "水质", "发黄"]),
    ("频繁停电报修", &["小区频繁停电", "停电了什么时候来电", "停电找谁"],
     "计划停电可在供电公司公众号查询；非计划停电请告知地址和户号，热线转供电公司抢修，城区一般2小时内到达现场。",
     "complaint.service_quality", Material::Faq, &["停电", "供电", "抢修"]),
    ("过期食品退换", &["买到过期食品怎么办", "超市卖过期食品", "商家不给退换"],
     "保留购物小票和商品，先与商家协商；协商不成可投诉至市场监管部门，依法可要求退款并按价款十倍或损失三倍赔偿。",
     "complaint.service_quality", Material::Law, &["过期", "食品安全", "退换"]),
    ("不动产登记材料", &["不动产登记要什么材料", "办房产证需要带什么"],
     "一般需身份证、不动产权属来源证明（购房合同等）、完税凭证；可先在不动产登记中心网站查询清单并预约，一次性告知所需材料。",
     "complaint.service_process", Material::Guide, &["不动产", "房产证", "登记"]),
    ("失业金申领", &["失业金怎么申领", "失业金多久到账", "失业保险金条件"],
     "非本人意愿中断就业、缴费满一年并已办理失业登记的，可在“掌上社保”申领；审核一般10个工作日内完成，进度可在App查询。",
     "complaint.service_process", Material::Policy, &["失业金", "失业保险"]),
    ("家电售后维修", &["空调维修没人上门", "售后一直不处理", "保修期内要收费吗"],
     "保修期内非人为损坏的故障，依《消费者权益保护法》应免费维修；售后爽约可投诉至市场监管部门，热线可转办督促。",
     "complaint.after_sales", Material::Law, &["售后", "维修", "保修"]),
    ("燃气泄漏应急", &["闻到燃气味怎么办", "煤气漏气", "燃气灶打不着火"],
     "闻到燃气味请立即关闭阀门、开窗通风，不要开关电器或使用明火，到室外拨打燃气公司24小时抢修电话。",
     "help_request", Material::Faq, &["燃气", "煤气", "泄漏"]),
    ("路灯不亮报修", &["路灯不亮", "路灯坏了找谁", "路灯一直闪"],
     "请告知路灯所在道路、附近门牌或电杆编号，热线转路灯管理所处理，一般3个工作日内修复。",
     "help_request", Material::Faq, &["路灯", "照明"]),
];

const PLACES: &[&str] = &[
    "东城区",
    "西城区",
    "南湖区",
    "北苑区",
    "高新区",
    "开发区",
    "滨江区",
    "临港区",
    "城关镇",
    "新华街道",
];
const ASKS: &[&str] = &[
    "怎么办理",
    "需要什么材料",
    "在哪里办",
    "多久能办好",
    "找哪个部门",
    "有什么条件",
    "可以网上办吗",
    "收费吗",
];

fn demo(d: &Demo) -> NewArticle {
    NewArticle {
        title: d.0.into(),
        questions: d.1.iter().map(|q| q.to_string()).collect(),
        answer: d.2.into(),
        category: Some(d.3.into()),
        keywords: d.5.iter().map(|k| k.to_string()).collect(),
        material: Some(d.4),
        source: String::new(),
        department_id: None,
        valid_from: None,
        valid_until: None,
    }
}

/// The demo articles, then made ones up to `n` in all.
pub fn articles(n: usize) -> Vec<NewArticle> {
    (0..n)
        .map(|i| {
            let base = demo(&DEMO[i % DEMO.len()]);
            if i < DEMO.len() {
                return base;
            }
            let place = PLACES[(i / DEMO.len()) % PLACES.len()];
            let ask = ASKS[(i / (DEMO.len() * PLACES.len())) % ASKS.len()];
            NewArticle {
                title: format!("{}（{place}·{}）", base.title, i),
                questions: base
                    .questions
                    .iter()
                    .map(|q| format!("{place}{q}{ask}"))
                    .collect(),
                answer: format!("{place}：{}", base.answer),
                ..base
            }
        })
        .collect()
}

/// Publishes `n` articles (the demo's first): their count.
pub fn seed(store: &Store, by: &User, n: usize) -> Result<usize> {
    Ok(store.publish_articles(by.into(), &articles(n))?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_articles_are_valid_and_distinct() {
        let all = articles(500);
        assert!(all.iter().all(|a| a.validated().is_ok()));
        let titles: std::collections::HashSet<_> = all.iter().map(|a| &a.title).collect();
        assert_eq!(titles.len(), 500);
    }
}
