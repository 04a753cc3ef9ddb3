-- The centre's list of return reasons (退单理由): the built-in ones (named in every language)
-- and those the hotline adds; a reason taken off the list stays readable on old requests.
CREATE TABLE return_reasons (
    code     TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 40 AND code GLOB '[a-z]*'
                                     AND code NOT GLOB '*[^a-z0-9_]*'),
    -- Empty for a built-in reason: the desk names it in the reader's language.
    name     TEXT NOT NULL DEFAULT '',
    built_in INTEGER NOT NULL DEFAULT 0 CHECK (built_in IN (0, 1)),
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position INTEGER NOT NULL
) STRICT;
INSERT INTO return_reasons (code, built_in, position) VALUES
    ('territory', 1, 1), ('ownership', 1, 2), ('overlap', 1, 3), ('not_ours', 1, 4),
    ('incomplete', 1, 5), ('other', 1, 99);
