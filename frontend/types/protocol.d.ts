/*
 * GENERATED FILE: do not edit. The live protocol's frames, from the server's
 * pydantic models: realtime/schema.py (`manage.py protocol_schema`) ->
 * frontend/types/generate.js (json-schema-to-typescript).
 * Regenerate with `make protocol-types`; tests/realtime/test_protocol_types.py
 * fails while this file is stale. See docs/frontend.md.
 * schema-sha256: f4295abf00925ceb3e1061f66a9c46666a32ec2c2490e9a44bdca3520b2833c5
 */

export type Kind =
  "point" | "arrow" | "line" | "rectangle" | "ellipse" | "polygon" | "freehand" | "text";

/**
 * The live session websocket's frames (docs/protocol.md).
 */
export interface Protocol {
  protocol_version: 1;
  commands: CommandMap;
  events: EventMap;
  logged_events: LoggedEventMap;
}
/**
 * Client -> server frames, by type.
 */
export interface CommandMap {
  annotation_create: AnnotationCreateCommand;
  annotation_delete: AnnotationDeleteCommand;
  annotation_update: AnnotationUpdateCommand;
  ask: AskCommand;
  follow: FollowCommand;
  hand: HandCommand;
  lock: LockCommand;
  open_item: OpenItemCommand;
  open_slide: OpenSlideCommand;
  ping: PingCommand;
  pointer: PointerCommand;
  quiz_answer: QuizAnswerCommand;
  quiz_close: QuizCloseCommand;
  quiz_dismiss: QuizDismissCommand;
  quiz_push: QuizPushCommand;
  quiz_reveal: QuizRevealCommand;
  report_viewport: ReportViewportCommand;
  resume: ResumeCommand;
  session_end: SessionEndCommand;
  session_start: SessionStartCommand;
  set_viewport: SetViewportCommand;
  spotlight: SpotlightCommand;
  spotlight_end: SpotlightEndCommand;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.CreateAnnotation.
 */
export interface AnnotationCreateCommand {
  type: "annotation_create";
  ref?: string | null;
  slide_id: number;
  annotation: AnnotationIn;
}
export interface AnnotationIn {
  kind: Kind;
  colour?: string;
  /**
   * @minItems 1
   * @maxItems 5000
   */
  points: [[number, number], ...[number, number][]];
  text?: string;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.DeleteAnnotation.
 */
export interface AnnotationDeleteCommand {
  type: "annotation_delete";
  ref?: string | null;
  id: number;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.UpdateAnnotation.
 */
export interface AnnotationUpdateCommand {
  type: "annotation_update";
  ref?: string | null;
  id: number;
  colour?: string | null;
  points?: [[number, number], ...[number, number][]] | null;
  text?: string | null;
}
/**
 * Sent by: student, guest. Server model: classroom.commands.Ask.
 */
export interface AskCommand {
  type: "ask";
  ref?: string | null;
  text: string;
}
/**
 * Sent by: student, guest. Server model: classroom.commands.Follow.
 */
export interface FollowCommand {
  type: "follow";
  ref?: string | null;
  following: boolean;
}
/**
 * Sent by: student, guest. Server model: classroom.commands.Hand.
 */
export interface HandCommand {
  type: "hand";
  ref?: string | null;
  raised: boolean;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.SetLock.
 */
export interface LockCommand {
  type: "lock";
  ref?: string | null;
  locked: boolean;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.OpenItem.
 */
export interface OpenItemCommand {
  type: "open_item";
  ref?: string | null;
  index: number;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.OpenSlide.
 */
export interface OpenSlideCommand {
  type: "open_slide";
  ref?: string | null;
  slide_id: number;
  view?: ViewInput | null;
}
export interface ViewInput {
  x: number;
  y: number;
  zoom: number;
  rotation?: number;
}
/**
 * Sent by: teacher, assistant, student, guest. Server model: realtime.commands.Ping.
 */
export interface PingCommand {
  type: "ping";
  ref?: string | null;
  seq: number;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.Pointer.
 */
export interface PointerCommand {
  type: "pointer";
  ref?: string | null;
  point: [number, number] | null;
}
/**
 * Students and guests: one answer; resending the same ``client_id`` is idempotent.
 *
 * Sent by: student, guest. Server model: quizzes.ws.QuizAnswer.
 */
export interface QuizAnswerCommand {
  type: "quiz_answer";
  ref?: string | null;
  live_question_id: number;
  client_id: string;
  answer: {
    [k: string]: unknown | undefined;
  };
}
/**
 * Sent by: teacher, assistant. Server model: quizzes.ws.QuizClose.
 */
export interface QuizCloseCommand {
  type: "quiz_close";
  ref?: string | null;
  live_question_id: number;
}
/**
 * Sent by: teacher, assistant. Server model: quizzes.ws.QuizDismiss.
 */
export interface QuizDismissCommand {
  type: "quiz_dismiss";
  ref?: string | null;
  live_question_id: number;
}
/**
 * Staff: open a bank question (``question_id``) or an ad-hoc ``question`` spec.
 *
 * Sent by: teacher, assistant. Server model: quizzes.ws.QuizPush.
 */
export interface QuizPushCommand {
  type: "quiz_push";
  ref?: string | null;
  question_id?: number | null;
  question?: {
    [k: string]: unknown | undefined;
  } | null;
  allow_change?: boolean;
  show_distribution?: boolean;
  speed_scoring?: boolean;
  show_leaderboard?: boolean;
  time_limit?: number | null;
}
/**
 * Sent by: teacher, assistant. Server model: quizzes.ws.QuizReveal.
 */
export interface QuizRevealCommand {
  type: "quiz_reveal";
  ref?: string | null;
  live_question_id: number;
  show_distribution?: boolean | null;
  show_leaderboard?: boolean | null;
}
/**
 * Sent by: student, guest. Server model: classroom.commands.ReportViewport.
 */
export interface ReportViewportCommand {
  type: "report_viewport";
  ref?: string | null;
  slide_id: number;
  x: number;
  y: number;
  zoom: number;
  rotation?: number;
}
/**
 * Sent by: teacher, assistant, student, guest. Server model: realtime.commands.Resume.
 */
export interface ResumeCommand {
  type: "resume";
  ref?: string | null;
  since: number;
}
/**
 * Sent by: teacher. Server model: classroom.commands.EndSession.
 */
export interface SessionEndCommand {
  type: "session_end";
  ref?: string | null;
}
/**
 * Sent by: teacher. Server model: classroom.commands.StartSession.
 */
export interface SessionStartCommand {
  type: "session_start";
  ref?: string | null;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.SetViewport.
 */
export interface SetViewportCommand {
  type: "set_viewport";
  ref?: string | null;
  slide_id: number;
  x: number;
  y: number;
  zoom: number;
  rotation?: number;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.StartSpotlight.
 */
export interface SpotlightCommand {
  type: "spotlight";
  ref?: string | null;
  participant: string;
}
/**
 * Sent by: teacher, assistant. Server model: classroom.commands.EndSpotlight.
 */
export interface SpotlightEndCommand {
  type: "spotlight_end";
  ref?: string | null;
}
/**
 * Server -> client frames, by type.
 */
export interface EventMap {
  annotation_created: AnnotationCreatedEvent;
  annotation_deleted: AnnotationDeletedEvent;
  annotation_updated: AnnotationUpdatedEvent;
  class_views: ClassViewsEvent;
  error: ErrorEvent;
  hand: HandEvent;
  hello: HelloEvent;
  lock: LockEvent;
  pointer: PointerEvent;
  pong: PongEvent;
  presence: PresenceEvent;
  question_asked: QuestionAskedEvent;
  quiz_ack: QuizAckEvent;
  quiz_aggregate: QuizAggregateEvent;
  quiz_closed: QuizClosedEvent;
  quiz_dismissed: QuizDismissedEvent;
  quiz_question: QuizQuestionEvent;
  quiz_result: QuizResultEvent;
  quiz_reveal: QuizRevealEvent;
  roster: RosterEvent;
  session_state: SessionStateEvent;
  slide_opened: SlideOpenedEvent;
  snapshot: SnapshotEvent;
  spotlight: SpotlightEvent;
  spotlight_view: SpotlightViewEvent;
  viewport: ViewportEvent;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.AnnotationCreatedEvent.
 */
export interface AnnotationCreatedEvent {
  type: "annotation_created";
  annotation: AnnotationShape;
  seq: number;
}
export interface AnnotationShape {
  id: number;
  slide_id: number;
  kind: Kind;
  colour: string;
  points: [number, number][];
  text: string;
  created_by: string;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.AnnotationDeletedEvent.
 */
export interface AnnotationDeletedEvent {
  type: "annotation_deleted";
  id: number;
  slide_id: number;
  seq: number;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.AnnotationUpdatedEvent.
 */
export interface AnnotationUpdatedEvent {
  type: "annotation_updated";
  annotation: AnnotationShape;
  seq: number;
}
/**
 * Staff only, at most once a second: where the roaming students look
 * (their own reported views; following students see the teacher's).
 *
 * Not sequenced (no seq); latest value wins (key 'class_views'). Server model: classroom.events.ClassViewsEvent.
 */
export interface ClassViewsEvent {
  type: "class_views";
  views: ClassView[];
}
export interface ClassView {
  participant: string;
  name: string;
  viewport: SlideView;
}
export interface SlideView {
  x: number;
  y: number;
  zoom: number;
  rotation: number;
  slide_id: number;
}
/**
 * Not sequenced (no seq). Server model: realtime.events.ErrorEvent.
 */
export interface ErrorEvent {
  type: "error";
  code: string;
  message: string;
  ref: string | null;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.HandEvent.
 */
export interface HandEvent {
  type: "hand";
  participant: string;
  name: string;
  raised: boolean;
  seq: number;
}
/**
 * Not sequenced (no seq). Server model: realtime.events.HelloEvent.
 */
export interface HelloEvent {
  type: "hello";
  protocol: number;
  you: Identity;
  resumed_from: number;
  last_seq: number;
}
export interface Identity {
  participant: string;
  role: "teacher" | "assistant" | "student" | "guest";
  name: string;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.LockEvent.
 */
export interface LockEvent {
  type: "lock";
  locked: boolean;
  seq: number;
}
/**
 * Not sequenced (no seq); latest value wins (key 'pointer'). Server model: classroom.events.PointerEvent.
 */
export interface PointerEvent {
  type: "pointer";
  point: [number, number] | null;
}
/**
 * Not sequenced (no seq). Server model: realtime.events.PongEvent.
 */
export interface PongEvent {
  type: "pong";
  last_seq: number;
}
/**
 * Not sequenced (no seq); latest value wins (key 'presence'). Server model: realtime.events.PresenceEvent.
 */
export interface PresenceEvent {
  type: "presence";
  counts: Counts;
}
export interface Counts {
  connected: number;
  students: number;
  staff: number;
  following: number;
  hands: number;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.QuestionAskedEvent.
 */
export interface QuestionAskedEvent {
  type: "question_asked";
  participant: string;
  name: string;
  text: string;
  seq: number;
}
/**
 * The reply to a submission; a resend of the same client id gets the same ack.
 *
 * Not sequenced (no seq). Server model: quizzes.events.QuizAckEvent.
 */
export interface QuizAckEvent {
  type: "quiz_ack";
  live_question_id: number;
  client_id: string;
  revision: number;
  accepted_at: string;
}
/**
 * Teachers only: the live distribution (``aggregation.Aggregate.teacher_view``).
 *
 * Sequenced (carries seq); latest value wins (key 'quiz_aggregate'). Server model: quizzes.events.QuizAggregateEvent.
 */
export interface QuizAggregateEvent {
  type: "quiz_aggregate";
  live_question_id: number;
  aggregate: ChoiceDistribution | NumericDistribution | LocateDistribution | TextDistribution;
  final: boolean;
  seq: number;
}
export interface ChoiceDistribution {
  type: "single" | "multiple" | "truefalse";
  answered: number;
  correct: number | null;
  counts: {
    [k: string]: number | undefined;
  };
}
export interface NumericDistribution {
  type: "numeric";
  answered: number;
  correct: number | null;
  histogram: Bin[];
  mean: number | null;
}
export interface Bin {
  lo: number | null;
  hi: number | null;
  count: number;
}
export interface LocateDistribution {
  type: "locate";
  answered: number;
  correct: number | null;
  heatmap: Heatmap;
  hit_rate: number | null;
}
/**
 * Clicks per cell of a bins_x by bins_y grid over the slide (level-0 pixels).
 */
export interface Heatmap {
  bins_x: number;
  bins_y: number;
  cell_width: number;
  cell_height: number;
  cells: [number, number, number][];
}
/**
 * The teacher's view lists the grouped answers; the students' reveal does not.
 */
export interface TextDistribution {
  type: "text" | "open";
  answered: number;
  correct: number | null;
  groups: TextGroup[] | null;
  distinct: number | null;
}
export interface TextGroup {
  text: string;
  count: number;
  correct: boolean | null;
}
/**
 * Sequenced (carries seq). Server model: quizzes.events.QuizClosedEvent.
 */
export interface QuizClosedEvent {
  type: "quiz_closed";
  live_question_id: number;
  reason: "deadline" | "teacher" | "replaced" | "ended";
  closed_at: string;
  seq: number;
}
/**
 * Sequenced (carries seq). Server model: quizzes.events.QuizDismissedEvent.
 */
export interface QuizDismissedEvent {
  type: "quiz_dismissed";
  live_question_id: number;
  seq: number;
}
/**
 * A question goes live: the public question (no answers).
 *
 * Sequenced (carries seq). Server model: quizzes.events.QuizQuestionEvent.
 */
export interface QuizQuestionEvent {
  type: "quiz_question";
  live_question_id: number;
  question: PublicQuestion;
  opened_at: string;
  deadline_at: string;
  server_time: string;
  allow_change: boolean;
  seq: number;
}
/**
 * A question as students see it before the reveal.
 *
 * Built field by field from a spec; it has no field that could carry a
 * correct answer, an explanation or a target region.
 */
export interface PublicQuestion {
  type: "single" | "multiple" | "truefalse" | "numeric" | "text" | "open" | "locate";
  prompt: string;
  time_limit: number;
  points: number;
  slide_id: number | null;
  view: ViewOutput | null;
  options: PublicOption[] | null;
  unit: string | null;
}
export interface ViewOutput {
  x: number;
  y: number;
  zoom: number;
  rotation: number;
}
export interface PublicOption {
  id: string;
  text: string;
}
/**
 * One participant's own result, sent to that participant only.
 *
 * Sequenced (carries seq). Server model: quizzes.events.QuizResultEvent.
 */
export interface QuizResultEvent {
  type: "quiz_result";
  live_question_id: number;
  answer:
    ChoiceAnswer | MultipleAnswer | BoolAnswer | NumericAnswer | TextAnswer | PointAnswer | null;
  correct: boolean | null;
  score: number;
  points: number;
  distance_um: number | null;
  seq: number;
}
export interface ChoiceAnswer {
  choice: string;
}
export interface MultipleAnswer {
  /**
   * @minItems 1
   * @maxItems 20
   */
  choices:
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ];
}
export interface BoolAnswer {
  value: boolean;
}
export interface NumericAnswer {
  value: number;
}
export interface TextAnswer {
  text: string;
}
export interface PointAnswer {
  x: number;
  y: number;
}
/**
 * Everyone: the correct answer; the distribution and leaderboard if the teacher chose.
 *
 * Sequenced (carries seq). Server model: quizzes.events.QuizRevealEvent.
 */
export interface QuizRevealEvent {
  type: "quiz_reveal";
  live_question_id: number;
  correct_answer: ChoicesKey | TrueFalseKey | NumericKey | TextKey | RegionsKey | NoKey;
  explanation: string;
  distribution:
    (ChoiceDistribution | NumericDistribution | LocateDistribution | TextDistribution) | null;
  leaderboard: LeaderboardEntry[] | null;
  seq: number;
}
export interface ChoicesKey {
  choices: string[];
}
export interface TrueFalseKey {
  value: boolean;
}
export interface NumericKey {
  value: number;
  tolerance: number;
  unit: string;
}
export interface TextKey {
  accepted: string[];
  case_sensitive: boolean;
}
export interface RegionsKey {
  regions: (PolygonRegion | RectRegion | EllipseRegion)[];
  tolerance_um: number | null;
  tolerance_px: number | null;
}
export interface PolygonRegion {
  kind: "polygon";
  /**
   * @minItems 3
   * @maxItems 1000
   */
  points: [[number, number], [number, number], [number, number], ...[number, number][]];
}
export interface RectRegion {
  kind: "rect";
  x: number;
  y: number;
  width: number;
  height: number;
}
/**
 * Centre, radii and rotation in degrees clockwise on screen (y points down).
 */
export interface EllipseRegion {
  kind: "ellipse";
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  rotation: number;
}
/**
 * An open question has no correct answer.
 */
export interface NoKey {}
export interface LeaderboardEntry {
  rank: number;
  name: string;
  score: number;
}
/**
 * Not sequenced (no seq); latest value wins (key 'roster'). Server model: realtime.events.RosterEvent.
 */
export interface RosterEvent {
  type: "roster";
  roster: RosterEntry[];
  counts: Counts;
}
export interface RosterEntry {
  participant: string;
  role: "teacher" | "assistant" | "student" | "guest";
  name: string;
  connections: number;
  following: boolean;
  hand: boolean;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.SessionStateEvent.
 */
export interface SessionStateEvent {
  type: "session_state";
  state: "scheduled" | "live" | "ended";
  seq: number;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.SlideOpenedEvent.
 */
export interface SlideOpenedEvent {
  type: "slide_opened";
  slide: {
    [k: string]: unknown | undefined;
  };
  agenda_index: number | null;
  viewport: SlideView;
  annotations: AnnotationShape[];
  seq: number;
}
/**
 * Not sequenced (no seq). Server model: realtime.snapshot.SnapshotEvent.
 */
export interface SnapshotEvent {
  type: "snapshot";
  protocol: number;
  you: Identity;
  counts: Counts;
  roster: RosterEntry[] | null;
  last_seq: number;
  session: SessionInfo;
  slide: {
    [k: string]: unknown | undefined;
  } | null;
  agenda_index: number | null;
  agenda: AgendaEntry[];
  viewport: SlideView | null;
  annotations: AnnotationShape[];
  locked: boolean;
  spotlight: Spotlight | null;
  question: ActiveQuestion | null;
}
export interface SessionInfo {
  id: number;
  title: string;
  state: "scheduled" | "live" | "ended";
}
export interface AgendaEntry {
  index: number;
  slide_id: number;
  title: string;
  view: ViewOutput | null;
  notes: string | null;
}
export interface Spotlight {
  participant: string;
  name: string;
  view: SlideView | null;
}
/**
 * ``snapshot.question``: what a (re)connecting client sees.
 *
 * ``reveal`` and ``your_result`` only once revealed; ``spec`` and
 * ``aggregate`` for the staff only.
 */
export interface ActiveQuestion {
  live_question_id: number;
  state: "open" | "closed" | "revealed";
  question: PublicQuestion;
  opened_at: string;
  deadline_at: string;
  remaining_s: number;
  allow_change: boolean;
  your_answer: OwnAnswer | null;
  reveal: QuizRevealEvent | null;
  your_result: QuizResultEvent | null;
  spec: QuestionSpec | null;
  aggregate:
    (ChoiceDistribution | NumericDistribution | LocateDistribution | TextDistribution) | null;
}
export interface OwnAnswer {
  answer: ChoiceAnswer | MultipleAnswer | BoolAnswer | NumericAnswer | TextAnswer | PointAnswer;
  client_id: string;
  revision: number;
}
/**
 * A complete question, correct answer included. Server-side only.
 */
export interface QuestionSpec {
  prompt: string;
  explanation: string;
  time_limit: number;
  points: number;
  slide: SlideRef | null;
  view: ViewOutput | null;
  body: SingleBody | MultipleBody | TrueFalseBody | NumericBody | TextBody | OpenBody | LocateBody;
}
/**
 * What grading and aggregation need to know about the question's slide.
 */
export interface SlideRef {
  id: number;
  width: number;
  height: number;
  mpp_x: number | null;
  mpp_y: number | null;
}
export interface SingleBody {
  /**
   * @minItems 2
   * @maxItems 20
   */
  options:
    | [ChoiceOption, ChoiceOption]
    | [ChoiceOption, ChoiceOption, ChoiceOption]
    | [ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption]
    | [ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption]
    | [ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ];
  type: "single";
}
export interface ChoiceOption {
  id: string;
  text: string;
  correct: boolean;
}
export interface MultipleBody {
  /**
   * @minItems 2
   * @maxItems 20
   */
  options:
    | [ChoiceOption, ChoiceOption]
    | [ChoiceOption, ChoiceOption, ChoiceOption]
    | [ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption]
    | [ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption]
    | [ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption, ChoiceOption]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ]
    | [
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption,
        ChoiceOption
      ];
  type: "multiple";
}
export interface TrueFalseBody {
  type: "truefalse";
  answer: boolean;
}
export interface NumericBody {
  type: "numeric";
  answer: number;
  tolerance: number;
  unit: string;
}
export interface TextBody {
  type: "text";
  /**
   * @minItems 1
   * @maxItems 50
   */
  accepted: [string, ...string[]];
  case_sensitive: boolean;
}
/**
 * An ungraded open response.
 */
export interface OpenBody {
  type: "open";
}
/**
 * Click on the slide; graded against the regions (level-0 pixels).
 *
 * ``tolerance_um`` needs a slide with MPP; ``tolerance_px`` works on any
 * slide. At most one of them is set (see docs/quizzes.md).
 */
export interface LocateBody {
  type: "locate";
  /**
   * @minItems 1
   * @maxItems 20
   */
  regions:
    | [PolygonRegion | RectRegion | EllipseRegion]
    | [PolygonRegion | RectRegion | EllipseRegion, PolygonRegion | RectRegion | EllipseRegion]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ]
    | [
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion,
        PolygonRegion | RectRegion | EllipseRegion
      ];
  tolerance_um: number | null;
  tolerance_px: number | null;
}
/**
 * Sequenced (carries seq). Server model: classroom.events.SpotlightEvent.
 */
export interface SpotlightEvent {
  type: "spotlight";
  spotlight: Spotlight | null;
  seq: number;
}
/**
 * Sequenced (carries seq); latest value wins (key 'spotlight_view'). Server model: classroom.events.SpotlightViewEvent.
 */
export interface SpotlightViewEvent {
  type: "spotlight_view";
  participant: string;
  viewport: SlideView;
  seq: number;
}
/**
 * Sequenced (carries seq); latest value wins (key 'viewport'). Server model: classroom.events.ViewportEvent.
 */
export interface ViewportEvent {
  type: "viewport";
  viewport: SlideView;
  seq: number;
}
/**
 * Event-log rows that are never sent, by type.
 */
export interface LoggedEventMap {
  follow: FollowEvent;
  joined: JoinedEvent;
  left: LeftEvent;
  student_view: StudentViewEvent;
}
/**
 * A student turned follow on or off ("who followed").
 *
 * A ``lock`` puts everyone back on follow; that is logged once, as the lock.
 *
 * Logged only, never sent. Server model: classroom.events.FollowEvent.
 */
export interface FollowEvent {
  type: "follow";
  participant: string;
  following: boolean;
}
/**
 * One socket of a participant connected.
 *
 * Logged only, never sent. Server model: realtime.events.JoinedEvent.
 */
export interface JoinedEvent {
  type: "joined";
  participant: string;
  role: "teacher" | "assistant" | "student" | "guest";
  name: string;
  connection: string;
}
/**
 * That socket closed, with its close code.
 *
 * Logged only, never sent. Server model: realtime.events.LeftEvent.
 */
export interface LeftEvent {
  type: "left";
  participant: string;
  role: "teacher" | "assistant" | "student" | "guest";
  connection: string;
  code: number;
}
/**
 * A student's own view (attention analytics), at most once a second.
 *
 * Logged only, never sent. Server model: classroom.events.StudentViewEvent.
 */
export interface StudentViewEvent {
  type: "student_view";
  participant: string;
  viewport: SlideView;
}
