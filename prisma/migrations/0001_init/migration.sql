
-- CreateEnum
CREATE TYPE "SessionStatus" AS ENUM ('active', 'paused', 'closed');

-- CreateEnum
CREATE TYPE "SenderType" AS ENUM ('user', 'bot', 'system');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('sent', 'delivered', 'read', 'failed');

-- CreateEnum
CREATE TYPE "AckStatus" AS ENUM ('pending', 'acked', 'failed');

-- CreateEnum
CREATE TYPE "ContentType" AS ENUM ('markdown', 'text');

-- CreateEnum
CREATE TYPE "BotStatus" AS ENUM ('online', 'offline', 'disabled');

-- CreateEnum
CREATE TYPE "BotVisibility" AS ENUM ('public', 'private');

-- CreateEnum
CREATE TYPE "AgentKind" AS ENUM ('demo', 'openai', 'webhook');

-- CreateEnum
CREATE TYPE "AccessRole" AS ENUM ('use', 'manage');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Agent" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AgentKind" NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "secret" TEXT,
    "tokenHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Bot" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "avatar" TEXT,
    "description" TEXT,
    "status" "BotStatus" NOT NULL DEFAULT 'online',
    "visibility" "BotVisibility" NOT NULL DEFAULT 'public',
    "ownerId" TEXT,
    "agentId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Bot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BotAccess" (
    "userId" TEXT NOT NULL,
    "botId" TEXT NOT NULL,
    "role" "AccessRole" NOT NULL DEFAULT 'use',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BotAccess_pkey" PRIMARY KEY ("userId","botId")
);

-- CreateTable
CREATE TABLE "ChatSession" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "botId" TEXT,
    "primaryAgentId" TEXT,
    "title" TEXT NOT NULL,
    "channelType" TEXT NOT NULL DEFAULT 'pit-bot',
    "status" "SessionStatus" NOT NULL DEFAULT 'active',
    "messageCount" INTEGER NOT NULL DEFAULT 0,
    "unreadCount" INTEGER NOT NULL DEFAULT 0,
    "lastMessageId" TEXT,
    "lastMessageContent" TEXT,
    "lastMessageSenderType" "SenderType",
    "lastMessageAt" TIMESTAMP(3),
    "lastActiveAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "ChatSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "senderType" "SenderType" NOT NULL,
    "senderId" TEXT,
    "senderName" TEXT NOT NULL,
    "botId" TEXT,
    "messageType" TEXT NOT NULL DEFAULT 'text',
    "content" TEXT NOT NULL,
    "contentType" "ContentType" NOT NULL DEFAULT 'markdown',
    "replyToId" TEXT,
    "status" "MessageStatus" NOT NULL,
    "ackStatus" "AckStatus" NOT NULL DEFAULT 'pending',
    "clientId" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatEvent" (
    "id" BIGSERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_tokenHash_key" ON "Agent"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Bot_name_key" ON "Bot"("name");

-- CreateIndex
CREATE INDEX "Bot_status_visibility_idx" ON "Bot"("status", "visibility");

-- CreateIndex
CREATE INDEX "Bot_ownerId_idx" ON "Bot"("ownerId");

-- CreateIndex
CREATE INDEX "Bot_agentId_idx" ON "Bot"("agentId");

-- CreateIndex
CREATE INDEX "BotAccess_botId_idx" ON "BotAccess"("botId");

-- CreateIndex
CREATE INDEX "ChatSession_userId_lastActiveAt_id_idx" ON "ChatSession"("userId", "lastActiveAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "ChatSession_userId_status_lastActiveAt_id_idx" ON "ChatSession"("userId", "status", "lastActiveAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "ChatSession_userId_botId_lastActiveAt_id_idx" ON "ChatSession"("userId", "botId", "lastActiveAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "ChatSession_botId_status_idx" ON "ChatSession"("botId", "status");

-- CreateIndex
CREATE INDEX "Message_sessionId_status_idx" ON "Message"("sessionId", "status");

-- CreateIndex
CREATE INDEX "Message_ackStatus_createdAt_idx" ON "Message"("ackStatus", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Message_id_sessionId_key" ON "Message"("id", "sessionId");

-- CreateIndex
CREATE UNIQUE INDEX "Message_sessionId_seq_key" ON "Message"("sessionId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "Message_sessionId_clientId_key" ON "Message"("sessionId", "clientId");

-- CreateIndex
CREATE INDEX "ChatEvent_userId_id_idx" ON "ChatEvent"("userId", "id");

-- CreateIndex
CREATE INDEX "ChatEvent_sessionId_id_idx" ON "ChatEvent"("sessionId", "id");

-- CreateIndex
CREATE INDEX "ChatEvent_createdAt_idx" ON "ChatEvent"("createdAt");

-- AddForeignKey
ALTER TABLE "Bot" ADD CONSTRAINT "Bot_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Bot" ADD CONSTRAINT "Bot_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BotAccess" ADD CONSTRAINT "BotAccess_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BotAccess" ADD CONSTRAINT "BotAccess_botId_fkey" FOREIGN KEY ("botId") REFERENCES "Bot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatSession" ADD CONSTRAINT "ChatSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatSession" ADD CONSTRAINT "ChatSession_botId_fkey" FOREIGN KEY ("botId") REFERENCES "Bot"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatSession" ADD CONSTRAINT "ChatSession_primaryAgentId_fkey" FOREIGN KEY ("primaryAgentId") REFERENCES "Agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "ChatSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_replyToId_sessionId_fkey" FOREIGN KEY ("replyToId", "sessionId") REFERENCES "Message"("id", "sessionId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "ChatEvent" ADD CONSTRAINT "ChatEvent_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "ChatSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;
