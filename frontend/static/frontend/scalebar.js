// @ts-check
/*
 * Scale bar and magnification maths for the slide viewer (see docs/deploy.md
 * and docs/architecture.md, "Coordinates and views").
 *
 * `zoom` is screen (CSS) pixels per level-0 pixel, as in the view contract.
 */
(function (global) {
  "use strict";

  const STEPS = [1, 2, 5];

  /**
   * The largest 1/2/5 × 10^k length (µm) whose bar fits in maxPx pixels.
   * @param {number} umPerPx
   * @param {number} maxPx
   * @returns {number | null}
   */
  function niceLength(umPerPx, maxPx) {
    const maxUm = umPerPx * maxPx;
    if (!(maxUm > 0) || !Number.isFinite(maxUm)) return null;
    let exp = Math.floor(Math.log10(maxUm));
    for (let guard = 0; guard < 4; guard += 1, exp -= 1) {
      const base = Math.pow(10, exp);
      for (let i = STEPS.length - 1; i >= 0; i -= 1) {
        const um = STEPS[i] * base;
        if (um <= maxUm) return um;
      }
    }
    return null;
  }

  /** @param {number} um */
  function formatLength(um) {
    if (um >= 1000) return trim(um / 1000) + " mm";
    if (um >= 1) return trim(um) + " µm";
    return trim(um * 1000) + " nm";
  }

  /** @param {number} value */
  function trim(value) {
    return String(Number(value.toPrecision(3)));
  }

  /**
   * {px, label} for a bar at most maxPx wide, or null without a calibration.
   * @param {number | null | undefined} mpp
   * @param {number | null | undefined} zoom
   * @param {number} maxPx
   */
  function scaleBar(mpp, zoom, maxPx) {
    if (mpp == null || zoom == null || !(mpp > 0) || !(zoom > 0)) return null;
    const umPerPx = mpp / zoom;
    const um = niceLength(umPerPx, maxPx);
    if (um === null) return null;
    return { px: um / umPerPx, label: formatLength(um), micrometres: um };
  }

  /**
   * The objective power at which level 0 was scanned: the slide's own value,
   * else estimated from its resolution (a 40× scan is about 0.25 µm/px).
   * @param {number | null | undefined} objectivePower
   * @param {number | null | undefined} mpp
   */
  function basePower(objectivePower, mpp) {
    if (objectivePower != null && objectivePower > 0) {
      return { power: objectivePower, estimated: false };
    }
    if (mpp != null && mpp > 0) return { power: 10 / mpp, estimated: true };
    return null;
  }

  /** @param {number} power */
  function formatMagnification(power) {
    if (power >= 10) return power.toFixed(0) + "×";
    if (power >= 1) return power.toFixed(1) + "×";
    return power.toFixed(2) + "×";
  }

  /** @type {ScopecastScale} */
  const api = {
    niceLength: niceLength,
    formatLength: formatLength,
    scaleBar: scaleBar,
    basePower: basePower,
    formatMagnification: formatMagnification,
  };
  global.ScopecastScale = api;
})(window);
