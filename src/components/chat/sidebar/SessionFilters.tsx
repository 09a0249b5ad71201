"use client";

import { api } from "@/trpc/react";

export type StatusFilter = "all" | "active" | "closed";

const STATUSES: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "active", label: "Active" },
  { value: "closed", label: "Closed" },
];

export function SessionFilters({
  status,
  onStatusChange,
  botId,
  onBotChange,
}: {
  status: StatusFilter;
  onStatusChange: (status: StatusFilter) => void;
  botId: string;
  onBotChange: (botId: string) => void;
}) {
  const bots = api.bot.list.useQuery(undefined, { staleTime: 5 * 60_000 });
  return (
    <div className="flex items-center gap-2 px-4 pb-3">
      <div role="group" aria-label="Status" className="inline-flex rounded-lg bg-zinc-200/70 p-0.5 dark:bg-zinc-800">
        {STATUSES.map((option) => (
          <button
            key={option.value}
            type="button"
            aria-pressed={status === option.value}
            onClick={() => onStatusChange(option.value)}
            className="rounded-md px-2.5 py-1 text-xs font-medium text-zinc-600 transition-colors hover:text-zinc-900 aria-pressed:bg-white aria-pressed:text-zinc-900 aria-pressed:shadow-sm dark:text-zinc-400 dark:hover:text-zinc-100 dark:aria-pressed:bg-zinc-950 dark:aria-pressed:text-zinc-100"
          >
            {option.label}
          </button>
        ))}
      </div>
      <label className="sr-only" htmlFor="bot-filter">
        Bot
      </label>
      <select
        id="bot-filter"
        value={botId}
        onChange={(event) => onBotChange(event.target.value)}
        className="h-7 min-w-0 flex-1 rounded-lg border border-zinc-200 bg-white px-2 text-xs text-zinc-700 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200"
      >
        <option value="">All bots</option>
        {bots.data?.bots.map((bot) => (
          <option key={bot.id} value={bot.id}>
            {bot.displayName}
          </option>
        ))}
      </select>
    </div>
  );
}
