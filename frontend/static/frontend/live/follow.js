// @ts-check
/**
 * Follow mode (docs/protocol.md, "Follow, lock and spotlight"), for the
 * student view and the projector: which view the viewer shows, the
 * teacher's or a spotlighted student's, and when a person's own move leaves
 * it. The viewer animates to every view it is given (OpenSeadragon keeps the
 * old tiles on screen until the new ones are drawn), so a class following at
 * 20 views a second sees one smooth movement.
 *
 *   const follow = new FollowMode(ctx, { canRoam: true, onChange: render });
 *   follow.back();           // "Back to the teacher"
 */

/**
 * @import { LiveContext, View } from "../../../types/live.js"
 * @import { Spotlight } from "../../../types/protocol.js"
 * @import { SlideInfo } from "../../../types/slide.js"
 */

/**
 * @typedef {object} FollowState
 * @property {boolean} following   the viewer shows the class view
 * @property {boolean} locked      the teacher forces everyone to follow
 * @property {Spotlight | null} spotlight
 * @property {boolean} spotlightIsMe
 * @property {boolean} hasSlide
 */

export class FollowMode {
  /** @type {FollowState} */
  state = { following: true, locked: false, spotlight: null, spotlightIsMe: false, hasSlide: false };
  /** The teacher's latest view. */
  /** @type {View | null} */
  teacherView = null;
  #ctx;
  #canRoam;
  #onChange;

  /**
   * @param {LiveContext} ctx
   * @param {{ canRoam: boolean, onChange: (state: FollowState) => void }} options
   */
  constructor(ctx, options) {
    this.#ctx = ctx;
    this.#canRoam = options.canRoam;
    this.#onChange = options.onChange;
    const { client, viewer } = ctx;

    client.on("snapshot", (snapshot) => {
      this.teacherView = snapshot.viewport;
      this.state.locked = snapshot.locked;
      this.state.following = true;
      this.#setSpotlight(snapshot.spotlight);
      const slide = /** @type {SlideInfo | null} */ (/** @type {unknown} */ (snapshot.slide));
      viewer.open(slide, this.#target());
      this.state.hasSlide = Boolean(slide);
      this.#changed();
    });
    client.on("slide_opened", (event) => {
      // page.js opens the slide; everyone follows a slide switch.
      this.teacherView = event.viewport;
      this.state.hasSlide = true;
      if (!this.state.following) ctx.toast("The teacher opened another slide: following again.");
      this.state.following = true;
      this.#changed();
    });
    client.on("viewport", (event) => {
      this.teacherView = event.viewport;
      if (this.state.following && !this.state.spotlight) {
        viewer.prefetch(event.viewport); // the new view's tiles first
        viewer.setView(event.viewport);
      }
    });
    client.on("lock", (event) => {
      this.state.locked = event.locked;
      if (event.locked) {
        this.state.following = true;
        this.#show();
        ctx.announce("The teacher locked the view: everyone follows.");
      }
      this.#changed();
    });
    client.on("spotlight", (event) => {
      this.#setSpotlight(event.spotlight);
      if (event.spotlight) ctx.announce(`Spotlight: the class sees ${event.spotlight.name}'s view.`);
      // Those who follow see the spotlight (or, once it ends, the teacher
      // again); a roaming student and the spotlighted one stay where they are.
      if (this.state.following && !this.state.spotlightIsMe) this.#show();
      this.#changed();
    });
    client.on("spotlight_view", (event) => {
      const spot = this.state.spotlight;
      if (!spot || spot.participant !== event.participant) return;
      spot.view = event.viewport;
      if (this.state.following && !this.state.spotlightIsMe) {
        viewer.prefetch(event.viewport);
        viewer.setView(event.viewport);
      }
    });
    viewer.onUserMove((view) => this.#ownMove(view));
    // OpenSeadragon keeps the viewport's width when its box changes size (the
    // header wraps on a phone, a panel opens): show the class view again at
    // its zoom in CSS pixels.
    viewer.osd.addHandler("after-resize", () => {
      if (this.state.following && !this.state.spotlightIsMe) {
        const view = this.#target();
        if (view) viewer.setView(view, { immediate: true });
      }
    });
  }

  /** Back to the class view (the teacher's, or the spotlight's). */
  back() {
    if (this.state.following) return;
    this.state.following = true;
    this.#ctx.client.send({ type: "follow", following: true });
    this.#show();
    this.#changed();
  }

  /** @param {View} view */
  #ownMove(view) {
    if (!this.#canRoam) return;
    if (this.state.locked) {
      this.#show();
      return;
    }
    if (this.state.spotlightIsMe || this.state.following) {
      if (!this.state.spotlightIsMe) {
        this.state.following = false;
        this.#ctx.client.send({ type: "follow", following: false });
        this.#changed();
      }
    }
    this.#ctx.client.send({ type: "report_viewport", ...view });
  }

  /** @param {Spotlight | null} spotlight */
  #setSpotlight(spotlight) {
    this.state.spotlight = spotlight;
    const you = this.#ctx.you;
    this.state.spotlightIsMe = Boolean(spotlight && you && spotlight.participant === you.participant);
  }

  /** The view the class is shown now. */
  #target() {
    const spot = this.state.spotlight;
    if (spot && spot.view && !this.state.spotlightIsMe) return spot.view;
    return this.teacherView;
  }

  #show() {
    const view = this.#target();
    if (view) this.#ctx.viewer.setView(view);
  }

  #changed() {
    if (this.#canRoam) this.#ctx.viewer.osd.setMouseNavEnabled(!this.state.locked);
    this.#onChange(this.state);
  }
}
