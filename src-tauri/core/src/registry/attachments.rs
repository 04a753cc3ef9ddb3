//! The commands of kept files: listed with their record, added and removed by those who
//! keep it, saved among the user's exports to open with the system's viewer.

use super::{acting, arguments, reply, Command, Ctx, Gate::SignedIn, Run};
use crate::attachment::Owner;
use crate::error::Result;
use crate::store::Attachment;
use serde_json::Value;

commands! {
    static COMMANDS;
    /// The files kept with a record, without their bytes.
    acting attachments(owner: Owner, owner_id: i64) [SignedIn] -> Vec<Attachment>
        = |c, a| a.attachments(owner, owner_id);
    /// Keeps a file with a record: its plain name and its bytes in base64 (20 MiB at most).
    acting add_attachment(owner: Owner, owner_id: i64, name: String, data: String) [SignedIn]
        -> Attachment = |c, a| a.add_attachment(owner, owner_id, &name, &data);
    /// Removes a file kept with a record of kind `owner`.
    acting remove_attachment(owner: Owner, id: i64) [SignedIn] -> Attachment
        = |c, a| a.remove_attachment(owner, id);
    /// Saves a kept file among the user's exports (an existing one replaced only with
    /// `replace`): its path, for the system's viewer.
    acting save_attachment(id: i64, replace: Option<bool>) [SignedIn] -> String = |c, a| {
        let (file, bytes) = a.attachment_file(id)?;
        Ok(c.host.deliver(&file.name, &bytes, replace.unwrap_or(false))?.display().to_string())
    };
}
