-- CreateTable
CREATE TABLE "ChatSessionTally" (
    "userId" TEXT NOT NULL,
    "botId" TEXT NOT NULL,
    "status" "SessionStatus" NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ChatSessionTally_pkey" PRIMARY KEY ("userId","botId","status")
);

-- CreateIndex
CREATE INDEX "ChatSessionTally_botId_idx" ON "ChatSessionTally"("botId");

-- AddForeignKey
ALTER TABLE "ChatSessionTally" ADD CONSTRAINT "ChatSessionTally_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatSessionTally" ADD CONSTRAINT "ChatSessionTally_botId_fkey" FOREIGN KEY ("botId") REFERENCES "Bot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Keep the tally: every insert, delete, or change of a session's user, bot or status moves one
-- count, in the same transaction as the change itself.
CREATE FUNCTION "ChatSessionTally_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."botId" IS NOT NULL THEN
        UPDATE "ChatSessionTally" SET "count" = "count" - 1
        WHERE "userId" = OLD."userId" AND "botId" = OLD."botId" AND "status" = OLD."status";
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."botId" IS NOT NULL THEN
        INSERT INTO "ChatSessionTally" ("userId", "botId", "status", "count")
        VALUES (NEW."userId", NEW."botId", NEW."status", 1)
        ON CONFLICT ("userId", "botId", "status") DO UPDATE SET "count" = "ChatSessionTally"."count" + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "ChatSession_tally_insert_delete" AFTER INSERT OR DELETE ON "ChatSession"
    FOR EACH ROW EXECUTE FUNCTION "ChatSessionTally_apply"();

CREATE TRIGGER "ChatSession_tally_update" AFTER UPDATE OF "userId", "botId", "status" ON "ChatSession"
    FOR EACH ROW
    WHEN (OLD."userId" IS DISTINCT FROM NEW."userId" OR OLD."botId" IS DISTINCT FROM NEW."botId" OR OLD."status" IS DISTINCT FROM NEW."status")
    EXECUTE FUNCTION "ChatSessionTally_apply"();

-- Sessions that exist already.
INSERT INTO "ChatSessionTally" ("userId", "botId", "status", "count")
SELECT "userId", "botId", "status", count(*)::int FROM "ChatSession" WHERE "botId" IS NOT NULL
GROUP BY "userId", "botId", "status";
