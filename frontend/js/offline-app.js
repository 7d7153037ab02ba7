// @ts-check
// The pages register the service worker (frontend/service-worker.js), which keeps the app for
// use without a network: a board opened once opens again offline, from this browser's copy.

/** Register the worker once the page has loaded, so that it never delays the page's own start. */
export function keepForOffline() {
  // Browsers have service workers only on https and on localhost (secure contexts).
  if (!("serviceWorker" in navigator)) return;
  const register = () =>
    navigator.serviceWorker.register("/service-worker.js").catch((error) => console.warn("the app is not kept for offline use:", error));
  if (document.readyState === "complete") register();
  else addEventListener("load", register, { once: true });
}
