/**
 * How the browser tests start Chromium: Debian's /usr/bin/chromium (there is no outside network,
 * so `npx playwright install` cannot fetch Playwright's own build), headless, with the flags that
 * keep it from reaching out, and a fresh profile for every launch. Shared by the end-to-end test
 * (e2e.test.ts) and the browser-mode suite (vitest.browser.config.ts).
 */

export const CHROMIUM = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
