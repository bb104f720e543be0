-- xiaoan schema, part 13: the event counter read through its key.
--
-- Every event transaction bumps the one row of event_counter
-- (`UPDATE event_counter SET last = ...`, no WHERE: there is one row). Under
-- a steady load its dead versions outrun pruning, and while any snapshot is
-- held (a report, a backup, an officer's open transaction) none can be
-- pruned at all: the table grows by a page every ~150 bumps and seldom
-- shrinks again (vacuum truncates a table only under an exclusive lock,
-- and gives up while others wait for the busy counter). A statement without WHERE scans every
-- page, under the counter's lock that every event writer waits for: 345
-- pages after a 28-minute soak, 1,311 on a long-lived test database
-- (0.4 ms a bump, a ceiling of ~2,500 event transactions a second).
--
-- The table is renamed and event_counter becomes a view of its row by the
-- primary key. The writers (ingest, the steps, the sweep) keep their
-- statements, and once the table has grown past a few pages the planner
-- reads the row through the key's index: the live version and a few dead
-- ones, however many pages there are. (Plans follow the table's size as
-- its statistics know it: a writer's plan made while the table was one
-- page scans it until autovacuum, which visits the busy counter every
-- minute or so, records the new size; then the plans are made again.)
SET search_path = xiaoan, pg_catalog;

ALTER TABLE event_counter RENAME TO event_counter_row;
CREATE VIEW event_counter AS SELECT one, last FROM event_counter_row WHERE one;
REVOKE ALL ON event_counter FROM PUBLIC;
