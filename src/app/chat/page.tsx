import type { Metadata } from "next";
import { StartScreen } from "@/components/chat/StartScreen";

export const metadata: Metadata = { title: "Chats" };

export default function ChatIndexPage() {
  return <StartScreen />;
}
