-- Indexes behind the desk's queues, the caller history and the reports.
CREATE INDEX tickets_queue ON tickets(status, department_id, due_at);
CREATE INDEX tickets_by_received ON tickets(received_at);
CREATE INDEX tickets_by_phone ON tickets(phone, received_at);
CREATE INDEX tickets_by_customer ON tickets(customer_id, received_at);
CREATE INDEX tickets_by_handler ON tickets(handler_id, status);
CREATE INDEX events_by_actor ON events(actor_id, at);
