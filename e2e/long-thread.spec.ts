import { expect, test, type Locator } from "@playwright/test";
import { ALICE, sessionRow, signIn } from "./fixtures";

async function seqs(messages: Locator): Promise<number[]> {
  return (await messages.evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))))).filter((n) => n > 0);
}

/** Whether the element is (at least partly) inside the scroll box's visible area. */
async function inView(log: Locator, row: Locator): Promise<boolean> {
  const [box, rect] = [await log.boundingBox(), await row.boundingBox()];
  return !!box && !!rect && rect.y + rect.height > box.y && rect.y < box.y + box.height;
}

/** The seq of the first message row whose bottom is below the top of the scroll box. */
async function topVisibleSeq(log: Locator): Promise<number> {
  return log.evaluate((el) => {
    const top = el.getBoundingClientRect().top;
    const rows = [...el.querySelectorAll<HTMLElement>("[data-testid=message][data-seq]")]
      .map((row) => ({ seq: Number(row.dataset.seq), rect: row.getBoundingClientRect() }))
      .filter(({ rect }) => rect.bottom > top)
      .sort((a, b) => a.rect.top - b.rect.top);
    return rows[0]?.seq ?? -1;
  });
}

test("the 2,000-message thread opens at the newest, loads older pages upward, holds the position, keeps the DOM bounded", async ({ page }) => {
  await signIn(page, ALICE.email);
  // Once the thread is open, older pages answer only when the test lets them, so it can see where
  // the reader was before they arrive (a fixed delay lost that race on a busy machine).
  let holding = false;
  const held: (() => void)[] = [];
  await page.route("**/api/trpc/**", async (route) => {
    if (holding && route.request().url().includes("chat.listMessages")) await new Promise<void>((resolve) => held.push(resolve));
    await route.fallback();
  });
  const release = () => held.splice(0).forEach((resolve) => resolve());
  const letThrough = async () => {
    await expect.poll(() => held.length, { message: "an older page is asked for" }).toBeGreaterThan(0);
    release();
  };
  await sessionRow(page, "The long thread").click();
  const log = page.getByRole("log", { name: "Messages" });
  const messages = log.getByTestId("message");
  const newest = messages.filter({ hasText: "Reply 2000 from Demo Bot" });
  await expect(newest).toBeVisible();
  await expect.poll(() => inView(log, newest)).toBe(true);
  await expect.poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(4);
  holding = true;

  // The first page: messages 1951–2000.
  let oldest = 1951;

  for (let round = 0; round < 6; round++) {
    // Scroll to the very top of what is loaded; the row there must stay in view once older rows arrive.
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect(log.getByText("Loading earlier messages…")).toBeVisible();
    const topSeq = await topVisibleSeq(log);
    expect(topSeq).toBe(oldest);
    const top = log.locator(`[data-seq="${topSeq}"]`);
    const before = (await top.boundingBox())!.y;
    await letThrough();
    await expect.poll(async () => Math.min(...(await seqs(messages))), { message: "older page loads" }).toBeLessThan(oldest);
    await expect.poll(() => inView(log, top), { message: `message ${topSeq} stays in view` }).toBe(true);
    // Not just in view: where it was, give or take a row's re-measurement.
    expect(Math.abs((await top.boundingBox())!.y - before)).toBeLessThan(120);
    expect(await messages.count()).toBeLessThan(100);
    oldest -= 50;
  }
  // Seven pages of 50 are loaded by now, yet only a window of them is in the DOM.
  expect(oldest).toBe(1651);
  expect(await messages.count()).toBeLessThan(100);

  // And back to the newest: the DOM still holds only what is near the view.
  holding = false;
  release();
  await log.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(newest).toBeVisible();
  expect(await messages.count()).toBeLessThan(100);
});

test("rows that scroll in while the reader scrolls get their Reply and Copy buttons when it stops, without moving their text", async ({ page }) => {
  await signIn(page, ALICE.email);
  await sessionRow(page, "The long thread").click();
  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.getByTestId("message").filter({ hasText: "Reply 2000 from Demo Bot" })).toBeVisible();

  // Scroll up a frame at a time, as a wheel does, and note (in the same frame as the last step, so
  // the scrolling has not stopped yet) the rows in view that came in meanwhile: they are waiting
  // for their actions.
  let waiting: { seq: number; height: number; text: number }[] = [];
  await expect(async () => {
    waiting = await log.evaluate(
      (el) =>
        new Promise<{ seq: number; height: number; text: number }[]>((resolve) => {
          let steps = 0;
          const step = () => {
            if (steps++ < 12) {
              el.scrollTop -= 150;
              requestAnimationFrame(step);
              return;
            }
            const view = el.getBoundingClientRect();
            resolve(
              [...el.querySelectorAll<HTMLElement>("[data-testid=message][data-seq]")]
                .filter((row) => row.querySelector("[data-actions-deferred]"))
                .filter((row) => {
                  const r = row.getBoundingClientRect();
                  return r.top >= view.top && r.bottom <= view.bottom;
                })
                .map((row) => ({
                  seq: Number(row.dataset.seq),
                  height: row.getBoundingClientRect().height,
                  text: row.querySelector(".rounded-2xl")!.getBoundingClientRect().width,
                })),
            );
          };
          requestAnimationFrame(step);
        }),
    );
    expect(waiting.length).toBeGreaterThan(0);
  }).toPass({ timeout: 20_000 });

  for (const { seq, height, text } of waiting) {
    const row = log.locator(`[data-testid=message][data-seq="${seq}"]`);
      // Once the scrolling stops, the actions take the place kept for them: the row keeps its height
    // and its bubble its width.
    await expect(row.locator("[data-actions-deferred]")).toHaveCount(0);
    await expect(row.getByRole("button", { name: /^Reply to/ })).toHaveCount(1);
    expect((await row.boundingBox())!.height).toBeCloseTo(height, 0);
    expect(await row.locator(".rounded-2xl").evaluate((bubble) => bubble.getBoundingClientRect().width)).toBeCloseTo(text, 0);
  }
  // Hovered, such a row shows them.
  const row = log.locator(`[data-testid=message][data-seq="${waiting[0]!.seq}"]`);
  await row.hover();
  await expect(row.getByRole("button", { name: /^Reply to/ })).toBeVisible();
  await expect(row.getByRole("button", { name: "Copy message" })).toBeVisible();
});
