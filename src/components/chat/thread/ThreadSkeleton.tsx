import { Skeleton, SkeletonRow } from "@/components/ui/Skeleton";

export function ThreadSkeleton() {
  return (
    <div className="flex h-full flex-col" role="status" aria-label="Loading conversation">
      <div className="flex items-center gap-3 border-b border-zinc-200 px-4 py-2.5 dark:border-zinc-800">
        <SkeletonRow widths={["w-40", "w-24"]} />
      </div>
      <div className="mx-auto flex w-full max-w-3xl flex-1 flex-col justify-end gap-4 p-4">
        {[60, 40, 72, 36, 55].map((width, i) => (
          <div key={i} className={`flex ${i % 2 ? "justify-end" : "gap-3"}`}>
            {i % 2 ? null : <Skeleton className="size-8 rounded-full" />}
            <Skeleton className="h-12 rounded-2xl" style={{ width: `${width}%` }} />
          </div>
        ))}
      </div>
      <div className="border-t border-zinc-200 p-4 dark:border-zinc-800">
        <div className="mx-auto h-12 max-w-3xl animate-pulse rounded-2xl bg-zinc-100 dark:bg-zinc-900" />
      </div>
    </div>
  );
}
