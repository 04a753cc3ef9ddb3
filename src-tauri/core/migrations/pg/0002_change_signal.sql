-- Several server instances on one database: each commit that adds to the outbox signals
-- the others (LISTEN hotline_outbox), so a desk connected to one instance hears at once of
-- a change made through another. Once per statement; PostgreSQL delivers it on commit
-- and folds repeats within a transaction into one.
CREATE FUNCTION hd_outbox_signal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hotline_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_signal AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION hd_outbox_signal();
