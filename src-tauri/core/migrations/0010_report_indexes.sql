-- Reports count tickets by when they were due, replied, closed or called back, and
-- events by action and time: at a million tickets each of those counts must be an
-- index range, not a scan of every ticket (or every event).
CREATE INDEX tickets_by_accept_due ON tickets (accept_due_at);
CREATE INDEX tickets_by_due ON tickets (due_at);
CREATE INDEX tickets_by_replied ON tickets (replied_at);
CREATE INDEX tickets_by_closed ON tickets (closed_at);
CREATE INDEX tickets_by_callback_due ON tickets (callback_due_at);
CREATE INDEX events_by_action ON events (action, at);
