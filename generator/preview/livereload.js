// The tab's side of fireside serve (see livereload.py, which fills in the @NAMES@).
// Kept dependency-free and small; it only reads the server's events.
(() => {
  "use strict";
  const me = document.currentScript;
  const OVERLAY = "@OVERLAY@";
  const here = () => {
    let path = decodeURIComponent(location.pathname).replace(/^\/+/, "");
    if (path === "" || path.endsWith("/")) path += "index.html";
    return path;
  };
  const showErrors = (errors) => {
    document.getElementById(OVERLAY)?.remove();
    const box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.setAttribute("style", "@STYLE@");
    const title = document.createElement("strong");
    title.style.fontSize = "1.2em";
    title.textContent = `Build failed: ${errors.length} error${errors.length === 1 ? "" : "s"}`;
    const list = document.createElement("pre");
    list.style.whiteSpace = "pre-wrap";
    list.textContent = errors.join("\n");  // textContent: author text is never markup
    const hint = document.createElement("p");
    hint.textContent = "Fix it and save: this page updates by itself.";
    box.append(title, list, hint);
    (document.body || document.documentElement).append(box);
  };
  const swapStylesheets = () => {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("fireside", Date.now().toString(36));
      const fresh = link.cloneNode();
      fresh.href = url.href;
      // The old sheet stays until the new one has loaded, so the page never flashes unstyled.
      fresh.addEventListener("load", () => link.remove());
      fresh.addEventListener("error", () => link.remove());
      link.after(fresh);
    }
  };
  // What must stay the same for a page to be updated in place rather than reloaded
  // (a stylesheet swapped in earlier differs only by its "fireside" query: still the same).
  const frame = (doc) =>
    [...doc.querySelectorAll('head link[rel~="stylesheet"], head script, head base')]
      .map((node) => {
        const copy = node.cloneNode();
        if (copy.hasAttribute("href")) {
          const url = new URL(copy.getAttribute("href"), location.href);
          url.searchParams.delete("fireside");
          copy.setAttribute("href", url.href);
        }
        return copy.outerHTML;
      })
      .join("\n");
  const kept = (node) => node.matches('link[rel~="stylesheet"], script, base');
  // Fetch the page again and put its new body in place of the old: the tab keeps its
  // scroll position and shows the edit sooner than a reload. Anything unexpected (a 404,
  // another head, a network error) falls back to a real reload. One update at a time, in
  // the order of the builds, so an older response never replaces a newer one.
  let updating = Promise.resolve();
  const refresh = () => (updating = updating.then(update));
  const update = async () => {
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      if (!response.ok || !/html/.test(response.headers.get("content-type") || "")) throw 0;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      if (frame(fresh) !== frame(document)) throw 0;
      const x = scrollX, y = scrollY;
      for (const node of [...document.head.children]) if (!kept(node)) node.remove();
      for (const node of [...fresh.head.children]) if (!kept(node)) document.head.append(node);
      for (const name of ["lang", "dir", "class"]) {
        const value = fresh.documentElement.getAttribute(name);
        if (value === null) document.documentElement.removeAttribute(name);
        else document.documentElement.setAttribute(name, value);
      }
      document.body.replaceWith(document.adoptNode(fresh.body));
      // Parsed scripts never run; the page's own ones (not this one) are run again as new
      // elements, so the new body is as enhanced as a freshly loaded one.
      for (const old of document.body.querySelectorAll("script")) {
        if (old.hasAttribute("data-epoch")) { old.remove(); continue; }
        const script = document.createElement("script");
        for (const attribute of old.attributes) script.setAttribute(attribute.name, attribute.value);
        script.textContent = old.textContent;
        old.replaceWith(script);
      }
      scrollTo(x, y);
    } catch {
      location.reload();
    }
  };
  const onBuild = (event) => {
    if (event.kind === "error") return showErrors(event.errors);
    document.getElementById(OVERLAY)?.remove();
    if (event.kind === "full") return location.reload();
    if (me.dataset.navigate === "1" && event.navigate && event.navigate !== location.pathname) {
      return location.assign(event.navigate);
    }
    const page = here();
    const changed = event.changed;
    const asset = changed.some((path) => !/\.(html|css|xml|txt)$/i.test(path));
    if (asset) return location.reload();
    if (changed.some((path) => path.endsWith(".css"))) swapStylesheets();
    if (changed.includes(page)) return refresh();
  };
  const query = `epoch=${me.dataset.epoch}&server=${encodeURIComponent(me.dataset.server)}`;
  const source = new EventSource(`@EVENTS@?${query}`);
  source.addEventListener("build", (message) => onBuild(JSON.parse(message.data)));
})();
