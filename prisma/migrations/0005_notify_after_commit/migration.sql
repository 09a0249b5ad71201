-- Stored events are announced by their writer right after its commit (PostgresEventBus.committed in
-- src/server/events/bus.ts), no longer by a trigger inside the writing transaction. PostgreSQL
-- serializes the commits of all transactions that sent a NOTIFY behind one lock, held through each
-- commit's WAL flush, so the trigger made every write that appends events (a send, an agent taking
-- it, its reply ending) commit one after another. Measured on a 2-core machine, 16 clients each
-- inserting a row: 5,900 commits/s alone, 1,600-1,900/s with a NOTIFY in the transaction, and
-- 3,950/s with the NOTIFY sent as a statement of its own after the commit.
DROP TRIGGER "ChatEvent_notify" ON "ChatEvent";
DROP FUNCTION "ChatEvent_notify"();
