export function ThreadSkeleton() {
  return (
    <div className="flex h-full flex-col" role="status" aria-label="Loading conversation">
      <div className="flex items-center gap-3 border-b border-zinc-200 px-4 py-2.5 dark:border-zinc-800">
        <div className="size-10 animate-pulse rounded-full bg-zinc-200 dark:bg-zinc-800" />
        <div className="space-y-2">
          <div className="h-3 w-40 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
          <div className="h-3 w-24 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
        </div>
      </div>
      <div className="mx-auto flex w-full max-w-3xl flex-1 flex-col justify-end gap-4 p-4">
        {[60, 40, 72, 36, 55].map((width, i) => (
          <div key={i} className={`flex ${i % 2 ? "justify-end" : "gap-3"}`}>
            {i % 2 ? null : <div className="size-8 animate-pulse rounded-full bg-zinc-200 dark:bg-zinc-800" />}
            <div className="h-12 animate-pulse rounded-2xl bg-zinc-200 dark:bg-zinc-800" style={{ width: `${width}%` }} />
          </div>
        ))}
      </div>
      <div className="border-t border-zinc-200 p-4 dark:border-zinc-800">
        <div className="mx-auto h-12 max-w-3xl animate-pulse rounded-2xl bg-zinc-100 dark:bg-zinc-900" />
      </div>
    </div>
  );
}
