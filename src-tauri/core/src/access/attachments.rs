//! The permission door for kept files: whoever may read a record reads its files; whoever
//! keeps the record adds and removes them (training sessions: trainers and managers;
//! knowledge articles: whoever writes them).

use super::Acting;
use crate::attachment::{decoded, Owner};
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Attachment, Store};

impl<'s> Acting<'s> {
    /// The store, for one who keeps records of this kind.
    fn keeper(&self, owner: Owner) -> Result<&'s Store> {
        match owner {
            Owner::TrainingSession => self.need(Perm::ManageTraining),
            Owner::KbArticle => self.need(Perm::ProposeKnowledge),
        }
    }

    /// The store, for one who reads records of this kind (the training plan: everyone).
    fn reader(&self, owner: Owner) -> Result<&'s Store> {
        match owner {
            Owner::TrainingSession | Owner::KbArticle => Ok(self.store),
        }
    }

    pub fn attachments(&self, owner: Owner, owner_id: i64) -> Result<Vec<Attachment>> {
        self.reader(owner)?.attachments(owner, owner_id)
    }

    /// Keeps a file (its bytes in base64) with a record.
    pub fn add_attachment(
        &self,
        owner: Owner,
        owner_id: i64,
        name: &str,
        data: &str,
    ) -> Result<Attachment> {
        let store = self.keeper(owner)?;
        store.add_attachment(self.author(), owner, owner_id, name, &decoded(data)?)
    }

    /// Removes a file of a record of kind `owner` (named, so the door decides before
    /// anything is looked up).
    pub fn remove_attachment(&self, owner: Owner, id: i64) -> Result<Attachment> {
        self.keeper(owner)?
            .remove_attachment(self.author(), owner, id)
    }

    /// A file with its bytes, for one who reads its record.
    pub fn attachment_file(&self, id: i64) -> Result<(Attachment, Vec<u8>)> {
        let owner = self.store.attachment(id)?.owner;
        self.reader(owner)?.attachment_data(id)
    }
}
