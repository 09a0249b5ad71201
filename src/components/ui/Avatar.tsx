/* eslint-disable @next/next/no-img-element -- avatars are small same-origin SVGs; next/image adds nothing here */
import type { BotStatus } from "@/shared";

const sizes = { sm: "size-8 text-xs", md: "size-10 text-sm", lg: "size-12 text-base" } as const;

/** A bot's (or person's) round avatar: the image when there is one, else its initial on a tinted disc. */
export function Avatar({
  src,
  name,
  size = "md",
  status,
}: {
  src?: string | null;
  name: string;
  size?: keyof typeof sizes;
  /** Shown as a dot; the status itself is announced by the surrounding text, not here. */
  status?: BotStatus;
}) {
  return (
    <span className={`relative inline-flex shrink-0 ${sizes[size]}`}>
      {src ? (
        <img src={src} alt="" className="size-full rounded-full object-cover" draggable={false} />
      ) : (
        <span
          aria-hidden="true"
          className="flex size-full items-center justify-center rounded-full bg-zinc-200 font-semibold text-zinc-700 dark:bg-zinc-700 dark:text-zinc-100"
        >
          {name.trim().charAt(0).toUpperCase() || "?"}
        </span>
      )}
      {status ? (
        <span
          aria-hidden="true"
          className={`absolute right-0 bottom-0 size-2.5 rounded-full ring-2 ring-white dark:ring-zinc-900 ${
            status === "online" ? "bg-emerald-500" : "bg-zinc-400"
          }`}
        />
      ) : null}
    </span>
  );
}
