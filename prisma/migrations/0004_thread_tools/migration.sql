-- Search over the caller's chats (chat.search).
--
-- Titles and messages each get a tsvector kept by PostgreSQL itself (a stored generated column, so
-- no statement that writes a title or a message has to remember it) with a GIN index. The schema
-- declares them as Unsupported("tsvector") @default(dbgenerated(...)): Prisma's diff reads a
-- generated column's expression as its default, so schema and migration agree.
--
-- 'simple' rather than 'english': people chat in any language and bots answer with code, so words
-- are matched as written (lower-cased), without a stemmer that mangles other languages and
-- identifiers, and without stop words, which would make a search for "it" find nothing.
--
-- Message."userId" (the session's user, written by every statement that inserts a message) lets a
-- search read the caller's messages only, newest first, without going through their sessions.
--
-- Adding these columns rewrites the Message table once, under an exclusive lock: on a large
-- database, run this migration at a quiet time.

-- AlterTable
ALTER TABLE "ChatSession" ADD COLUMN     "search" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, title)) STORED;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "search" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED,
ADD COLUMN     "userId" TEXT;

UPDATE "Message" m SET "userId" = s."userId" FROM "ChatSession" s WHERE s.id = m."sessionId";

ALTER TABLE "Message" ALTER COLUMN "userId" SET NOT NULL;

-- CreateIndex
CREATE INDEX "ChatSession_search_idx" ON "ChatSession" USING GIN ("search");

-- CreateIndex
CREATE INDEX "Message_search_idx" ON "Message" USING GIN ("search");

-- CreateIndex
CREATE INDEX "Message_userId_createdAt_idx" ON "Message"("userId", "createdAt" DESC);
