-- Nothing wrote ChatEvent before this migration (live events arrive with it): start it empty.
DELETE FROM "ChatEvent";

-- CreateEnum
CREATE TYPE "ReplyStatus" AS ENUM ('streaming', 'done', 'stopped', 'failed');

-- CreateEnum
CREATE TYPE "DispatchStatus" AS ENUM ('queued', 'running', 'waiting', 'done', 'failed', 'stopped');

-- DropForeignKey
ALTER TABLE "ChatEvent" DROP CONSTRAINT "ChatEvent_sessionId_fkey";

-- DropIndex
DROP INDEX "ChatEvent_sessionId_id_idx";

-- DropIndex
DROP INDEX "ChatEvent_userId_id_idx";

-- DropIndex
DROP INDEX "Message_ackStatus_createdAt_idx";

-- AlterTable
ALTER TABLE "Agent" DROP COLUMN "secret";

-- AlterTable
ALTER TABLE "ChatEvent" DROP CONSTRAINT "ChatEvent_pkey",
DROP COLUMN "id",
DROP COLUMN "payload",
ADD COLUMN     "messageId" TEXT,
ADD COLUMN     "seq" INTEGER NOT NULL,
ADD CONSTRAINT "ChatEvent_pkey" PRIMARY KEY ("userId", "seq");

-- AlterTable
ALTER TABLE "ChatSession" ADD COLUMN     "pendingReplies" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "dispatchId" TEXT,
ADD COLUMN     "replyStatus" "ReplyStatus";

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "eventSeq" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Dispatch" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "agentId" TEXT,
    "status" "DispatchStatus" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "stopRequested" BOOLEAN NOT NULL DEFAULT false,
    "runner" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Dispatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "Dispatch_sessionId_createdAt_idx" ON "Dispatch"("sessionId", "createdAt");

-- CreateIndex
CREATE INDEX "Dispatch_messageId_createdAt_idx" ON "Dispatch"("messageId", "createdAt");

-- CreateIndex
CREATE INDEX "Dispatch_agentId_idx" ON "Dispatch"("agentId");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_name_key" ON "Agent"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Message_dispatchId_key" ON "Message"("dispatchId");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_dispatchId_fkey" FOREIGN KEY ("dispatchId") REFERENCES "Dispatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dispatch" ADD CONSTRAINT "Dispatch_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "ChatSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dispatch" ADD CONSTRAINT "Dispatch_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dispatch" ADD CONSTRAINT "Dispatch_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatEvent" ADD CONSTRAINT "ChatEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Live events across instances: every statement that writes events sends one NOTIFY per user it
-- wrote for, naming the user and the range of seqs ("userId:first:last"), well under NOTIFY's
-- 8,000-byte limit; listeners read the rows themselves. PostgreSQL delivers it at commit, in commit
-- order, and never for a transaction that rolled back.
CREATE FUNCTION "ChatEvent_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pitchat_events', "userId" || ':' || min(seq) || ':' || max(seq))
    FROM new_events GROUP BY "userId";
    RETURN NULL;
END
$$;

CREATE TRIGGER "ChatEvent_notify" AFTER INSERT ON "ChatEvent"
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION "ChatEvent_notify"();
