-- The monthly report counts each KPI per department and agent over a period column.
-- With those columns in the period indexes the counts read index pages only, not a
-- ticket row (or event row) each: at a million tickets the report went from 1.4 s to
-- about 0.7 s. 0010's single-column indexes become prefixes of these.
DROP INDEX tickets_by_accept_due;
DROP INDEX tickets_by_due;
DROP INDEX tickets_by_closed;
DROP INDEX tickets_by_callback_due;
DROP INDEX tickets_by_received;
DROP INDEX events_by_action;
CREATE INDEX tickets_by_received ON tickets (received_at, department_id, created_by, status, category_id);
CREATE INDEX tickets_by_accept_due ON tickets (accept_due_at, department_id, created_by);
CREATE INDEX tickets_by_due ON tickets (due_at, department_id, created_by, replied_at);
CREATE INDEX tickets_by_closed ON tickets (closed_at, department_id, created_by, resolved);
CREATE INDEX tickets_by_callback_due ON tickets (callback_due_at, department_id, created_by, callback_method);
-- Replies, redispatches and feedback by time, with the satisfaction level the KPI reads.
CREATE INDEX events_by_action ON events (action, at, ticket_id, json_extract(data, '$.satisfaction'));
-- "Did this ticket get an accept (by when) / an answer": one index probe per ticket.
CREATE INDEX events_by_ticket_action ON events (ticket_id, action, at);
-- Each status queue's default page, newest first, without sorting the whole queue.
CREATE INDEX tickets_by_status_received ON tickets (status, received_at);
