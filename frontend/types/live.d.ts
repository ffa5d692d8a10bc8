/// <reference types="openseadragon" />
/*
 * The contract of the live session client (frontend/static/frontend/live/),
 * by hand; docs/frontend.md explains it. The frames themselves are
 * protocol.d.ts, generated from the server.
 */
import type { CommandMap, EventMap } from "./protocol.js";

/** Every frame a client may send. */
export type ClientCommand = CommandMap[keyof CommandMap];
/** What a page sends: acks (ping) and resumes are the client's own business. */
export type PageCommand = Exclude<ClientCommand, CommandMap["ping"] | CommandMap["resume"]>;
/** Every frame a client may receive. */
export type ServerEvent = EventMap[keyof EventMap];
/** The continuous streams, sent latest-value-wins. */
export type StreamType = "set_viewport" | "pointer" | "report_viewport";

/** Why the client stopped for good (docs/protocol.md, "close code"). */
export type RefusalReason = "forbidden" | "not_found" | "too_large" | "abuse" | "outdated";

/** The connection, for a banner (docs/frontend.md, "States"). */
export type ConnectionState =
  /** connect() was not called yet. */
  | { status: "idle" }
  /** A socket is opening; attempt 0 is the first one. */
  | { status: "connecting"; attempt: number }
  /** The snapshot (or, after a drop, hello) arrived; `resumed` after a hello. */
  | { status: "live"; resumed: boolean }
  /** Dropped with close `code`; the next attempt starts in `retryInMs`. */
  | { status: "reconnecting"; attempt: number; retryInMs: number; code: number }
  /** Stopped for good; `code` is null for `outdated` (a protocol this page does not speak). */
  | { status: "refused"; reason: RefusalReason; code: number | null }
  /** The page called close(). */
  | { status: "closed" };

/** The part of a browser WebSocket the client uses (tests pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}
export type WebSocketClass = new (url: string) => WebSocketLike;

/** Timer functions; their handles are opaque. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Tuning {
  /** Seqs past the last ack that call for an ack at once (half the server's send window). */
  ackEvery: number;
  /** The longest time between two acks (pings): the heartbeat. */
  heartbeatMs: number;
  /** A socket silent this long is given up and replaced. */
  deadAfterMs: number;
  /** The first reconnect waits at most this long (half of it at least). */
  backoffBaseMs: number;
  /** The longest reconnect delay. */
  backoffMaxMs: number;
  /** An unacknowledged quiz answer is sent again after this long. */
  answerResendMs: number;
  /** The least time between two frames of a stream. */
  streamIntervalMs: Record<StreamType, number>;
}

export interface ClientOptions {
  sessionId: number;
  /** The token of POST /courses/join; members connect with their session cookie. */
  guestToken?: string | null;
  /** The socket URL without query; default ws(s)://<page host>/ws/sessions/<id>/. */
  url?: string;
  WebSocket?: WebSocketClass;
  timers?: Timers;
  requestAnimationFrame?: (callback: () => void) => void;
  /** A monotonic clock in ms. */
  now?: () => number;
  /** Uniform in [0, 1): the backoff's jitter. */
  random?: () => number;
  /** Quiz answers' client_id (1-64 printable ASCII). */
  newId?: () => string;
  log?: Pick<Console, "warn" | "error">;
  tuning?: Partial<Tuning>;
}

/* ---------------------------------------------------------------- the live pages */

import type { SlideInfo } from "./slide.js";
import type { ProjectorPage, StudentPage, TeacherPage } from "./pages.js";
import type { SessionClient } from "../static/frontend/live/client.js";

/** A view in protocol terms (docs/architecture.md, "Coordinates and views"). */
export interface View {
  slide_id: number;
  x: number;
  y: number;
  zoom: number;
  rotation: number;
}

/** Pointer input for a tool: while one is set, drags do not pan and it gets level-0 points. */
export interface ViewerTool {
  cursor?: string;
  down?(point: [number, number], event: PointerEvent): void;
  move?(point: [number, number], event: PointerEvent): void;
  up?(point: [number, number], event: PointerEvent): void;
  click?(point: [number, number], event: PointerEvent): void;
}

/** What feature modules use of live/viewer.js's LiveViewer. */
export interface LiveViewerApi {
  readonly osd: OpenSeadragon.Viewer;
  readonly slide: SlideInfo | null;
  /** Overlays go here: inside OpenSeadragon's canvas, under its navigator. */
  readonly layer: HTMLElement;
  /** Show `slide` at `view` (the whole slide when null); the same slide only moves. */
  open(slide: SlideInfo | null, view?: View | Omit<View, "slide_id"> | null): void;
  onSlide(handler: (slide: SlideInfo | null) => void): () => void;
  onUserMove(handler: (view: View) => void): () => void;
  onDraw(handler: () => void): () => void;
  getView(options?: { target?: boolean }): View | null;
  setView(view: View, options?: { immediate?: boolean }): void;
  /** Start loading the tiles of `view` before the viewer gets there. */
  prefetch(view: View): void;
  imagePoint(event: { clientX: number; clientY: number }): [number, number] | null;
  screenPoint(x: number, y: number): [number, number];
  readonly zoom: number;
  setTool(tool: ViewerTool | null): void;
  readonly tool: ViewerTool | null;
  onToolChange(handler: (tool: ViewerTool | null) => void): () => void;
}

export type PageData = StudentPage | TeacherPage | ProjectorPage;
export type SlotName = "toolbar" | "side" | "overlay" | "stage" | "actions";

/** What a page hands each feature module (docs/frontend.md, "Live pages"). */
export interface LiveContext<P extends PageData = PageData> {
  page: P;
  client: SessionClient;
  viewer: LiveViewerApi;
  /** Who this socket is (from the snapshot); null before it. */
  readonly you: { participant: string; role: string; name: string } | null;
  /** Says `text` to screen readers (a polite live region). */
  announce(text: string): void;
  /** Shows a short message on the page (errors say what to do). */
  toast(text: string, kind?: "info" | "error"): void;
  slot(name: SlotName): HTMLElement;
}
