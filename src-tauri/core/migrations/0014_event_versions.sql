-- Each event records the ticket version its change produced, so that an action based on
-- an older view can see what happened since: changes that cannot conflict (a comment, a
-- reminder's 催办) are merged instead of refused. Events from before carry none and count
-- as changes.
ALTER TABLE events ADD COLUMN version INTEGER;
