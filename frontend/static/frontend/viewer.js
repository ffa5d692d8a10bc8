// @ts-check
/*
 * The slide viewer: fetches the slide's info JSON, opens its signed Deep Zoom
 * URL in OpenSeadragon and draws our own scale bar and magnification readout.
 * Views follow the contract in docs/architecture.md ("Coordinates and views").
 *
 * Tests and later classroom code read `window.scopecastViewer`:
 *   {state, info, viewer, tilesLoaded, tilesFailed, getView(), setView(view),
 *    refreshToken()}
 */
/** @typedef {import("../../types/slide.js").SlideInfo} SlideInfo */

(function () {
  "use strict";

  const root = document.getElementById("viewer-app");
  if (!root) return;
  const app = root;
  const Scale = window.ScopecastScale;
  /**
   * An element of viewer.html (a missing one is a template bug).
   * @param {string} id
   * @returns {HTMLElement}
   */
  const $ = function (id) {
    const el = document.getElementById(id);
    if (!el) throw new Error("viewer.html has no #" + id);
    return el;
  };

  // osd guard: OpenSeadragon injects an inline <style> (refused by the CSP)
  // unless document.querySelector('style[data-openseadragon-mobile-css]')
  // finds one. An element named "style" outside the HTML namespace matches
  // that selector but is no stylesheet, so the CSP has nothing to refuse;
  // the rule itself is in app.css.
  if (!document.querySelector("style[data-openseadragon-mobile-css]")) {
    const guard = document.createElementNS("urn:scopecast:inert", "style");
    guard.setAttribute("data-openseadragon-mobile-css", "true");
    document.head.append(guard);
  }

  const SCALE_BAR_MAX_PX = 160;
  const PRESETS = [1.25, 2.5, 5, 10, 20, 40, 63, 100];

  /** @type {ScopecastViewer} */
  const api = {
    state: "loading",
    info: null,
    viewer: null,
    tilesLoaded: 0,
    tilesFailed: 0,
    getView: getView,
    setView: setView,
    refreshToken: function () {
      return refreshToken();
    },
  };
  window.scopecastViewer = api;

  /** @type {Record<string, [string, string]>} */
  const ERRORS = {
    401: ["Please log in", "Your login has expired. Log in again to see this slide."],
    403: ["No access to this slide", "This slide is not shared with you."],
    404: [
      "Slide not found",
      "This slide does not exist or is not shared with you. If your teacher showed it in class, ask them to add it to your course.",
    ],
    409: ["This slide is not ready yet", "It is still being imported or converted. Try again in a moment."],
    open: [
      "The slide could not be opened",
      "The image server did not deliver this slide. Reload the page; if it keeps failing, tell your teacher.",
    ],
    network: [
      "Connection problem",
      "The server could not be reached. Check your connection and reload the page.",
    ],
    server: ["Server error", "The server could not load this slide. Try again in a moment."],
  };

  /** @param {ScopecastViewer["state"]} state */
  function setState(state) {
    api.state = state;
    app.dataset.state = state;
  }

  /**
   * @param {string} kind
   * @param {string | null} [detail]
   * @param {number | null} [status]
   */
  function showError(kind, detail, status) {
    const text = ERRORS[kind] || ERRORS.server;
    setState("error");
    app.dataset.error = kind;
    $("viewer-status").hidden = true;
    $("viewer-error-title").textContent = text[0];
    $("viewer-error-text").textContent = detail || text[1];
    if (status) $("viewer-error-text").textContent += " (HTTP " + status + ")";
    if (kind === "401") {
      const link = document.createElement("a");
      link.href = "/accounts/login/?next=" + encodeURIComponent(location.pathname);
      link.textContent = " Log in";
      $("viewer-error-text").appendChild(link);
    }
    $("viewer-error").hidden = false;
  }

  async function load() {
    let response;
    try {
      response = await fetch(infoUrl(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch {
      showError("network");
      return;
    }
    /** @type {(SlideInfo & {error?: undefined}) | {error?: string, dzi?: undefined} | null} */
    let data;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const kind = ERRORS[String(response.status)] ? String(response.status) : "server";
      const showDetail = kind === "server" || kind === "409";
      const detail = showDetail && data && data.error ? capitalise(data.error) + "." : null;
      showError(kind, detail, kind === "server" ? response.status : null);
      return;
    }
    if (!data || typeof data.dzi !== "string") {
      showError("server", "The slide's description is incomplete.");
      return;
    }
    const info = /** @type {SlideInfo} */ (data);
    api.info = info;
    describe(info);
    open(info);
  }

  function infoUrl() {
    return app.dataset.infoUrl || "";
  }

  /** @param {string} text */
  function capitalise(text) {
    return String(text).charAt(0).toUpperCase() + String(text).slice(1);
  }

  /* ---------------------------------------------------------------- info */

  /**
   * @param {HTMLElement} list
   * @param {string} term
   * @param {string | number | null | undefined} value
   */
  function fact(list, term, value) {
    if (value === null || value === undefined || value === "") return;
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = String(value);
    list.append(dt, dd);
  }

  /** @param {SlideInfo} info */
  function describe(info) {
    document.title = info.title + " · Scopecast";
    $("slide-title").textContent = info.title;
    const facts = $("slide-facts");
    facts.replaceChildren();
    const n = new Intl.NumberFormat();
    fact(facts, "Size", n.format(info.width) + " × " + n.format(info.height) + " px");
    if (info.mpp_x != null && info.mpp_x > 0) {
      const mppY = info.mpp_y != null && info.mpp_y > 0 ? info.mpp_y : info.mpp_x;
      fact(facts, "Resolution", info.mpp_x.toFixed(3) + " × " + mppY.toFixed(3) + " µm/px");
      const wmm = (info.width * info.mpp_x) / 1000;
      const hmm = (info.height * mppY) / 1000;
      fact(facts, "Tissue area", wmm.toFixed(1) + " × " + hmm.toFixed(1) + " mm");
    } else {
      fact(facts, "Resolution", "not calibrated (no scale bar)");
    }
    if (info.objective_power != null && info.objective_power > 0) fact(facts, "Scanned at", info.objective_power + "×");
    fact(facts, "Levels", info.level_count);
    const assoc = $("associated");
    assoc.replaceChildren();
    const entries = Object.entries(info.associated || {});
    if (entries.length) {
      const h = document.createElement("h3");
      h.textContent = "Associated images";
      assoc.appendChild(h);
    }
    for (const [name, url] of entries) {
      const fig = document.createElement("figure");
      const link = document.createElement("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      const img = document.createElement("img");
      img.src = url;
      img.alt = name + " image";
      img.loading = "lazy";
      link.appendChild(img);
      const cap = document.createElement("figcaption");
      cap.textContent = name;
      fig.append(link, cap);
      assoc.appendChild(fig);
    }
  }

  /* ----------------------------------------------------------- the viewer */

  /** @param {SlideInfo} info */
  function open(info) {
    if (typeof window.OpenSeadragon !== "function") {
      showError("server", "The viewer library is missing (run `npm ci` and collectstatic).");
      return;
    }
    const viewer = window.OpenSeadragon({
      element: $("osd"),
      prefixUrl: app.dataset.osdPrefix,
      tileSources: info.dzi,
      showNavigationControl: false,
      showNavigator: true,
      navigatorPosition: "BOTTOM_RIGHT",
      navigatorAutoFade: false,
      maxZoomPixelRatio: 2,
      visibilityRatio: 0.5,
      animationTime: 0.5,
      timeout: 30000,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
    });
    api.viewer = viewer;

    viewer.addHandler("open", function () {
      const it = item();
      if (it) lateBoundTileUrls(it.source);
      setState("ready");
      scheduleTokenRefresh(info);
      $("viewer-status").hidden = true;
      buildPresets();
      const fromHash = parseHash();
      if (fromHash) setView(fromHash, true);
      update();
    });
    viewer.addHandler("open-failed", function (event) {
      showError("open", null);
      if (event.message) console.warn(event.message);
    });
    viewer.addHandler("tile-loaded", function () {
      api.tilesLoaded += 1;
      $("viewer-warning").hidden = true;
    });
    viewer.addHandler("tile-load-failed", function () {
      api.tilesFailed += 1;
      if (api.tilesFailed >= 4 && api.tilesLoaded === 0) {
        warn("Tiles are not loading. The slide may have been replaced; reload the page.");
      }
    });
    viewer.addHandler("animation", scheduleUpdate);
    viewer.addHandler("resize", scheduleUpdate);
    viewer.addHandler("rotate", scheduleUpdate);
    viewer.addHandler("animation-finish", function () {
      update();
      writeHash();
    });
    bindControls(viewer);
  }

  /*
   * Tile URLs carry a signed token that expires (`token_expires`, unix
   * seconds). Shortly before, fetch info.json again and give the open image
   * the new query string: loaded tiles stay, new ones use the new token.
   */
  const REFRESH_MARGIN_S = 120;
  /** @type {number | null} */
  let refreshTimer = null;

  /** @param {SlideInfo} info */
  function scheduleTokenRefresh(info) {
    if (refreshTimer) window.clearTimeout(refreshTimer);
    if (!(info.token_expires > 0)) return;
    const delay = Math.max(10, info.token_expires - Date.now() / 1000 - REFRESH_MARGIN_S);
    refreshTimer = window.setTimeout(refreshToken, Math.min(delay, 2147483) * 1000);
  }

  /**
   * OpenSeadragon keeps each tile's URL; a getter instead of a string makes
   * it read the tile source's current query (token) whenever it (re)loads.
   * @param {OpenSeadragon.TileSource} source
   */
  function lateBoundTileUrls(source) {
    const original = source.getTileUrl;
    source.getTileUrl = function (level, x, y) {
      return function () {
        const url = original.call(source, level, x, y);
        return typeof url === "function" ? url() : url;
      };
    };
  }

  async function refreshToken() {
    /** @type {SlideInfo | null} */
    let fresh;
    try {
      const response = await fetch(infoUrl(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      fresh = response.ok ? await response.json() : null;
    } catch {
      fresh = null;
    }
    const it = item();
    if (!fresh || typeof fresh.dzi !== "string" || !it || !api.info) {
      warn("Could not renew access to this slide's tiles. Reload the page if tiles stop loading.");
      refreshTimer = window.setTimeout(refreshToken, 60000);
      return;
    }
    if (fresh.version !== api.info.version) {
      warn("This slide was replaced by a new version. Reload the page to see it.");
      return;
    }
    const source = it.source;
    if (!(source instanceof window.OpenSeadragon.DziTileSource)) return;
    const query = fresh.dzi.indexOf("?");
    source.queryParams = query >= 0 ? fresh.dzi.slice(query) : "";
    api.info = fresh;
    scheduleTokenRefresh(fresh);
  }

  /** @param {string} text */
  function warn(text) {
    const w = $("viewer-warning");
    w.textContent = text;
    w.hidden = false;
  }

  /** @returns {OpenSeadragon.TiledImage | null} */
  function item() {
    return api.viewer && api.viewer.world.getItemCount() ? api.viewer.world.getItemAt(0) : null;
  }

  /**
   * The open viewer (only called once it is open).
   * @returns {OpenSeadragon.Viewer}
   */
  function osd() {
    if (!api.viewer) throw new Error("the viewer is not open");
    return api.viewer;
  }

  /**
   * Screen (CSS) pixels per level-0 pixel.
   * @param {boolean} current
   */
  function imageZoom(current) {
    const it = item();
    return it ? it.viewportToImageZoom(osd().viewport.getZoom(current)) : null;
  }

  /**
   * Where the Deep Zoom image starts in level-0 pixels: slides with a declared
   * bounding box are served cropped, but views are always in level-0 pixels.
   * @returns {[number, number]}
   */
  function offset() {
    const off = api.info && Array.isArray(api.info.offset) ? api.info.offset : [0, 0];
    return [Number(off[0]) || 0, Number(off[1]) || 0];
  }

  /** @returns {ScopecastView | null} */
  function getView() {
    const it = item();
    const zoom = imageZoom(true);
    if (!it || zoom === null) return null;
    const vp = osd().viewport;
    const centre = it.viewportToImageCoordinates(vp.getCenter(true));
    const off = offset();
    return {
      x: centre.x + off[0],
      y: centre.y + off[1],
      zoom: zoom,
      rotation: vp.getRotation(true),
    };
  }

  /**
   * @param {Partial<ScopecastView> | null} view
   * @param {boolean} [immediately]
   */
  function setView(view, immediately) {
    const it = item();
    if (!it || !view) return;
    const vp = osd().viewport;
    const OSD = window.OpenSeadragon;
    if (view.rotation !== undefined && Number.isFinite(view.rotation)) {
      vp.setRotation(view.rotation, Boolean(immediately));
    }
    if (view.zoom !== undefined && view.zoom > 0) {
      vp.zoomTo(it.imageToViewportZoom(view.zoom), undefined, Boolean(immediately));
    }
    if (
      view.x !== undefined && view.y !== undefined &&
      Number.isFinite(view.x) && Number.isFinite(view.y)
    ) {
      const off = offset();
      const point = new OSD.Point(view.x - off[0], view.y - off[1]);
      vp.panTo(it.imageToViewportCoordinates(point), Boolean(immediately));
    }
    vp.applyConstraints();
  }

  /* ------------------------------------------------- scale and magnification */

  let pending = false;
  function scheduleUpdate() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      update();
    });
  }

  function calibration() {
    const info = api.info;
    const mpp = info && info.mpp_x != null && info.mpp_x > 0 ? info.mpp_x : null;
    return { mpp: mpp, base: Scale.basePower(info ? info.objective_power : null, mpp) };
  }

  function update() {
    const zoom = imageZoom(true);
    if (!zoom) return;
    const cal = calibration();
    if (cal.base) {
      const approx = cal.base.estimated ? "≈ " : "";
      $("mag-readout").textContent = approx + Scale.formatMagnification(cal.base.power * zoom);
    } else {
      $("mag-readout").textContent = Math.round(zoom * 100) + " %";
    }
    $("mpp-readout").textContent = cal.mpp ? (cal.mpp / zoom).toPrecision(3) + " µm/px" : "";
    const bar = cal.mpp ? Scale.scaleBar(cal.mpp, zoom, SCALE_BAR_MAX_PX) : null;
    const el = $("scale-bar");
    if (bar) {
      $("scale-bar-line").style.width = bar.px.toFixed(1) + "px";
      $("scale-bar-label").textContent = bar.label;
      el.hidden = false;
    } else {
      el.hidden = true;
    }
    const degrees = ((Math.round(osd().viewport.getRotation(true)) % 360) + 360) % 360;
    $("rotation-readout").textContent = degrees + "°";
    markPreset(cal.base ? cal.base.power * zoom : null);
  }

  function buildPresets() {
    const holder = $("mag-presets");
    holder.replaceChildren();
    const base = calibration().base;
    if (!base) {
      if (holder.parentElement) holder.parentElement.hidden = true;
      return;
    }
    for (const p of PRESETS) {
      if (p > base.power * 2 + 1e-6) break;
      const b = document.createElement("button");
      b.type = "button";
      b.className = "tool preset";
      b.dataset.power = String(p);
      b.textContent = p + "×";
      b.setAttribute("aria-label", "Magnify to " + p + " times");
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () {
        const it = item();
        if (it) osd().viewport.zoomTo(it.imageToViewportZoom(p / base.power));
      });
      holder.appendChild(b);
    }
  }

  /** @param {number | null} power */
  function markPreset(power) {
    for (const b of $("mag-presets").querySelectorAll("button")) {
      const p = Number(b.dataset.power);
      const on = power !== null && Math.abs(power - p) / p < 0.02;
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  /* ---------------------------------------------------------- controls */

  /** @param {OpenSeadragon.Viewer} viewer */
  function bindControls(viewer) {
    const vp = viewer.viewport;
    $("btn-zoom-in").addEventListener("click", function () {
      vp.zoomBy(2);
      vp.applyConstraints();
    });
    $("btn-zoom-out").addEventListener("click", function () {
      vp.zoomBy(0.5);
      vp.applyConstraints();
    });
    $("btn-home").addEventListener("click", function () {
      vp.goHome();
    });
    $("btn-rotate-left").addEventListener("click", function () {
      vp.setRotation(vp.getRotation() - 90);
    });
    $("btn-rotate-right").addEventListener("click", function () {
      vp.setRotation(vp.getRotation() + 90);
    });
    $("btn-full-page").addEventListener("click", toggleFullPage);
    $("btn-copy-link").addEventListener("click", copyLink);
  }

  function toggleFullPage() {
    const button = $("btn-full-page");
    if (document.fullscreenElement) {
      document.exitFullscreen();
      return;
    }
    if (app.requestFullscreen) {
      app.requestFullscreen().catch(function () {
        app.classList.toggle("is-full-page");
      });
    } else {
      app.classList.toggle("is-full-page");
    }
    button.setAttribute("aria-pressed", "true");
  }

  document.addEventListener("fullscreenchange", function () {
    $("btn-full-page").setAttribute("aria-pressed", document.fullscreenElement ? "true" : "false");
  });

  $("btn-info").addEventListener("click", function () {
    const panel = $("info-panel");
    panel.hidden = !panel.hidden;
    $("btn-info").setAttribute("aria-expanded", panel.hidden ? "false" : "true");
    scheduleUpdate();
  });
  if (window.matchMedia("(max-width: 720px)").matches) {
    $("info-panel").hidden = true;
    $("btn-info").setAttribute("aria-expanded", "false");
  }

  /* ------------------------------------------------- views in the URL hash */

  /** @returns {ScopecastView | null} */
  function parseHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const view = {
      x: Number(params.get("x")),
      y: Number(params.get("y")),
      zoom: Number(params.get("zoom")),
      rotation: Number(params.get("r") || 0),
    };
    const ok = params.has("x") && params.has("y") && params.has("zoom");
    return ok && Number.isFinite(view.x) && Number.isFinite(view.y) && view.zoom > 0 ? view : null;
  }

  /** @param {ScopecastView} view */
  function hashFor(view) {
    return (
      "#x=" + Math.round(view.x) + "&y=" + Math.round(view.y) +
      "&zoom=" + Number(view.zoom.toPrecision(4)) + "&r=" + Math.round(view.rotation)
    );
  }

  function writeHash() {
    const view = getView();
    if (view) history.replaceState(null, "", hashFor(view));
  }

  function copyLink() {
    const view = getView();
    if (!view) return;
    const url = location.origin + location.pathname + hashFor(view);
    const done = function () {
      $("btn-copy-link").textContent = "Copied";
      setTimeout(function () {
        $("btn-copy-link").textContent = "Link";
      }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, function () {
        window.prompt("Copy this link:", url);
      });
    } else {
      window.prompt("Copy this link:", url);
    }
  }

  load();
})();
