-- Every caller can be logged: anonymous callers (the wish recorded and honoured on the
-- slip and in exports), withheld numbers, and channels without a phone. The contact
-- details live on the ticket, so that a ticket without a phone (and so without a
-- customer record) keeps its e-mail and address. 催办: repeat calls that urge the
-- department, counted on the ticket.
ALTER TABLE tickets ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1));
ALTER TABLE tickets ADD COLUMN phone_withheld INTEGER NOT NULL DEFAULT 0 CHECK (phone_withheld IN (0, 1));
ALTER TABLE tickets ADD COLUMN email TEXT;
ALTER TABLE tickets ADD COLUMN address TEXT;
ALTER TABLE tickets ADD COLUMN urge_count INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET
    email = (SELECT c.email FROM customers c WHERE c.id = tickets.customer_id),
    address = (SELECT c.address FROM customers c WHERE c.id = tickets.customer_id)
WHERE customer_id IS NOT NULL;
