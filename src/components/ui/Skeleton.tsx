/** A placeholder block that pulses while its content loads. */
export function Skeleton({ className = "", style }: { className?: string; style?: React.CSSProperties }) {
  return <div aria-hidden className={`animate-pulse bg-zinc-200 dark:bg-zinc-800 ${className}`} style={style} />;
}

/** An avatar and two lines of text: the loading shape of list rows (sessions, bots). */
export function SkeletonRow({ avatar = "size-10", widths = ["w-2/3", "w-5/6"] }: { avatar?: string; widths?: [string, string] }) {
  return (
    <>
      <Skeleton className={`${avatar} rounded-full`} />
      <div className="flex-1 space-y-2">
        <Skeleton className={`h-3 ${widths[0]} rounded`} />
        <Skeleton className={`h-3 ${widths[1]} rounded`} />
      </div>
    </>
  );
}
