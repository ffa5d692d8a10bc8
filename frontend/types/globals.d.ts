/*
 * What the classic (non-module) scripts share through `window`. New code is
 * written as ES modules and shares nothing this way (docs/frontend.md).
 */
/// <reference types="openseadragon" />

/** frontend/static/frontend/scalebar.js */
interface ScopecastScale {
  niceLength(umPerPx: number, maxPx: number): number | null;
  formatLength(um: number): string;
  scaleBar(
    mpp: number | null | undefined,
    zoom: number | null | undefined,
    maxPx: number,
  ): { px: number; label: string; micrometres: number } | null;
  basePower(
    objectivePower: number | null | undefined,
    mpp: number | null | undefined,
  ): { power: number; estimated: boolean } | null;
  formatMagnification(power: number): string;
}

/** A view in level-0 pixels (docs/architecture.md, "Coordinates and views"). */
interface ScopecastView {
  x: number;
  y: number;
  zoom: number;
  rotation: number;
}

/** frontend/static/frontend/viewer.js: the slide viewer page's handle, for tests. */
interface ScopecastViewer {
  state: "loading" | "ready" | "error";
  info: import("./slide.js").SlideInfo | null;
  viewer: OpenSeadragon.Viewer | null;
  tilesLoaded: number;
  tilesFailed: number;
  getView(): ScopecastView | null;
  setView(view: Partial<ScopecastView> | null, immediately?: boolean): void;
  refreshToken(): Promise<void>;
}

interface Window {
  OpenSeadragon: typeof OpenSeadragon;
  ScopecastScale: ScopecastScale;
  scopecastViewer: ScopecastViewer;
}
