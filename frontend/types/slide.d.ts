/*
 * A slide's descriptor: the JSON of /slides/<id>/info.json and of
 * `slide` in the websocket's snapshot and slide_opened frames. Written by
 * slides.descriptors.slide_descriptor (a dict, not a pydantic model, so this
 * type is kept by hand: change both together). Views and coordinates follow
 * docs/architecture.md, "Coordinates and views".
 */
export interface SlideInfo {
  id: number;
  title: string;
  /** Level-0 size in pixels of the served (possibly cropped) image. */
  width: number;
  height: number;
  /** Where the served image starts in level-0 pixels ([0, 0] unless cropped). */
  offset: [number, number];
  /** Micrometres per level-0 pixel; null when the scan is not calibrated. */
  mpp_x: number | null;
  mpp_y: number | null;
  objective_power: number | null;
  level_count: number;
  level_dimensions: [number, number][];
  vendor: string;
  tile_size: number;
  overlap: number;
  format: string;
  version: number;
  /** When the tile token in `dzi` expires (unix seconds). */
  token_expires: number;
  /** The signed Deep Zoom descriptor URL. */
  dzi: string;
  thumbnail: string;
  /** Associated images (label, macro...) by name. */
  associated: Record<string, string>;
}
