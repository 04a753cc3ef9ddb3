//! The transfer slip (转办单): what the department receives with a transfer, on paper or
//! as a PDF. The caller's wish to stay anonymous holds on it, and whether the phone
//! shows in clear is the centre's deliberate choice (`slip_phone`): departments often
//! call the caller back, but a slip travels further than a screen.

use crate::mask;
use crate::model::{Channel, Severity, TicketDetail, Urgency};
use chrono::{DateTime, Utc};
use serde::Serialize;

str_enum!(
    /// How the slip shows the caller's phone and address.
    SlipContact {
        Clear = "clear",
        Masked = "masked",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slip {
    pub centre_name: String,
    pub number: String,
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    /// The caller asked to stay anonymous: no name, phone, e-mail or address below.
    pub anonymous: bool,
    pub caller_name: String,
    /// As the setting says; empty when anonymous, withheld or none.
    pub phone: String,
    pub phone_withheld: bool,
    pub email: Option<String>,
    pub address: Option<String>,
    pub category_code: String,
    pub category_name: String,
    pub severity: Severity,
    pub urgency: Urgency,
    pub description: String,
    pub department_name: Option<String>,
    pub requirements: Option<String>,
    pub transferred_at: Option<DateTime<Utc>>,
    pub accept_due_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub contact: SlipContact,
}

impl Slip {
    pub fn new(d: &TicketDetail, centre_name: &str, contact: SlipContact) -> Slip {
        let t = &d.ticket;
        let clear = contact == SlipContact::Clear;
        let (caller_name, phone, email, address) = if t.anonymous {
            (String::new(), String::new(), None, None)
        } else if clear {
            let phone = match &t.phone_ext {
                Some(ext) if !t.phone.is_empty() => format!("{} 转 {ext}", t.phone),
                _ => t.phone.clone(),
            };
            (
                t.caller_name.clone(),
                phone,
                t.email.clone(),
                t.address.clone(),
            )
        } else {
            (
                t.caller_name.clone(),
                mask::phone(&t.phone),
                t.email.as_deref().map(mask::email),
                t.address.as_deref().map(mask::address),
            )
        };
        let text = |s: &str| if clear { s.to_string() } else { mask::text(s) };
        Slip {
            centre_name: centre_name.to_string(),
            number: t.number.clone(),
            received_at: t.received_at,
            channel: t.channel,
            anonymous: t.anonymous,
            caller_name,
            phone,
            phone_withheld: t.phone_withheld,
            email,
            address,
            category_code: d.category.code.clone(),
            category_name: d.category.name.clone(),
            severity: t.severity,
            urgency: t.urgency,
            description: text(&t.description),
            department_name: d.department.as_ref().map(|x| x.name.clone()),
            requirements: t.requirements.as_deref().map(text),
            transferred_at: t.transferred_at,
            accept_due_at: t.accept_due_at,
            due_at: t.due_at,
            created_by: d.created_by.name.clone(),
            contact,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lifecycle::Action;
    use crate::model::Role;
    use crate::store::testutil::{lighting, store, t0};
    use crate::store::AuditQuery;
    use crate::ticket::tests::new_ticket;
    use crate::NewTicket;

    #[test]
    fn the_slip_honours_anonymity_and_the_contact_setting() {
        let (_d, s, _c) = store();
        let (dept, handler) = lighting(&s);
        let agent = s
            .create_user(None, "李话务", 1, Role::Agent)
            .expect("agent");
        let transfer = Action::Transfer {
            department_id: dept,
            requirements: "请联系来电人 13812345678 核实".into(),
            due_at: t0() + chrono::Duration::days(3),
            accept_due_at: Some(t0() + chrono::Duration::hours(4)),
            co_department_ids: vec![],
            co_due_at: None,
        };
        let named = s
            .intake(agent.id, &new_ticket(), Some(&transfer))
            .expect("named");
        let anonymous = NewTicket {
            anonymous: true,
            ..new_ticket()
        };
        let anon = s
            .intake(agent.id, &anonymous, Some(&transfer))
            .expect("anonymous");
        let a = s.acting(agent.id).expect("acting");
        let slip = a.transfer_slip(named.id).expect("slip");
        // Masked by default: the centre's name, the address and the deadlines are there.
        assert_eq!(slip.centre_name, "12345 热线服务中心");
        assert_eq!(slip.phone, "138****5678");
        assert_eq!(slip.address.as_deref(), Some("幸福路 12****"));
        assert_eq!(slip.accept_due_at, named.accept_due_at);
        assert!(!slip.requirements.unwrap_or_default().contains("1234"));
        let printed = || {
            s.audit_entries(&AuditQuery {
                action: Some("slip_printed".into()),
                ..AuditQuery::default()
            })
            .expect("audit")
            .len()
        };
        assert_eq!(printed(), 0);
        s.set_setting(None, "slip_phone", "clear").expect("setting");
        s.set_setting(None, "centre_name", "滨江区 12345 热线")
            .expect("name");
        let slip = a.transfer_slip(named.id).expect("slip");
        assert_eq!(
            (slip.phone.as_str(), slip.caller_name.as_str()),
            ("13812345678", "张三")
        );
        assert_eq!(slip.centre_name, "滨江区 12345 热线");
        assert_eq!(printed(), 1, "a clear slip is logged");
        let slip = a.transfer_slip(anon.id).expect("anonymous slip");
        assert!(slip.anonymous);
        assert_eq!(
            (slip.caller_name.as_str(), slip.phone.as_str(), slip.address),
            ("", "", None)
        );
        // The department's own reveal does not lift the anonymity either.
        let h = s.acting(handler).expect("handler");
        let shown = h.reveal(anon.id, "联系来电人").expect("reveal");
        assert_eq!((shown.phone.as_str(), shown.caller_name.as_str()), ("", ""));
        assert!(shown.description.contains("路灯"));
        let own = a.reveal(anon.id, "回访").expect("the hotline's reveal");
        assert_eq!(own.phone, "13812345678");
        assert_eq!(
            s.set_setting(None, "centre_name", " ")
                .map_err(|e| e.code())
                .err(),
            Some("required")
        );
    }

    #[test]
    fn a_slip_pdf_lands_in_the_exports_folder_and_only_exports_open() {
        let (_d, s, _c) = store();
        let (dept, _) = lighting(&s);
        let transfer = Action::Transfer {
            department_id: dept,
            requirements: "请核实".into(),
            due_at: t0() + chrono::Duration::days(3),
            accept_due_at: None,
            co_department_ids: vec![],
            co_due_at: None,
        };
        let t = s.intake(1, &new_ticket(), Some(&transfer)).expect("ticket");
        let a = s.acting(1).expect("acting");
        let exports = tempfile::tempdir().expect("dir");
        struct Printer(std::path::PathBuf);
        impl crate::registry::Host for Printer {
            fn data_label(&self) -> String {
                String::new()
            }
            fn downloads(&self) -> std::path::PathBuf {
                self.0.clone()
            }
            fn progress(&self, _: crate::files::Progress) {}
            fn open_reports(&self) -> crate::Result<()> {
                Ok(())
            }
            fn print_pdf(&self, p: &std::path::Path) -> crate::Result<()> {
                Ok(std::fs::write(p, b"%PDF-1.5 slip")?)
            }
        }
        let door = &Printer(exports.path().to_path_buf());
        let save =
            |replace| move |name: &str| crate::registry::Host::save_print(door, name, replace);
        let path = a.save_slip_pdf(t.id, save(false)).expect("saved");
        assert_eq!(
            path.file_name().and_then(|n| n.to_str()),
            Some(format!("hotline-slip-{}.pdf", t.number).as_str())
        );
        let e = a
            .save_slip_pdf(t.id, save(false))
            .expect_err("asks before replacing");
        assert_eq!(e.code(), "file_exists");
        a.save_slip_pdf(t.id, save(true))
            .expect("replaced when asked");
        let shown = path.display().to_string();
        let exported_file = crate::access::exported_file;
        assert!(exported_file(&shown, exports.path()).is_ok());
        let elsewhere = tempfile::tempdir().expect("dir");
        let outside = elsewhere.path().join("x.pdf");
        std::fs::write(&outside, b"x").expect("write");
        let script = exports.path().join("run.sh");
        std::fs::write(&script, b"x").expect("write");
        for bad in [
            outside.display().to_string(),
            script.display().to_string(),
            exports.path().join("missing.pdf").display().to_string(),
            format!("{}/../{}", exports.path().display(), "x.pdf"),
        ] {
            let e = exported_file(&bad, exports.path()).expect_err(&bad);
            assert_eq!(e.code(), "invalid_path", "{bad}");
        }
    }
}
