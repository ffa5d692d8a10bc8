/*
 * GENERATED FILE: do not edit. What the live pages hand their modules, from
 * frontend/page_data.py (`manage.py page_schema`) -> frontend/types/generate.js.
 * Regenerate with `make protocol-types`; tests/frontend/test_page_types.py
 * fails while this file is stale. See docs/frontend.md.
 * schema-sha256: d94e1017e415c0034a0a5dd2349f22459d56d74cb724d367e13ccc0dc1377037
 */

export type JoinCode = string;
export type JoinUrl = string;
export type Page = "projector";
export type AllowGuests = boolean;
export type CourseCode = string;
export type CourseTitle = string;
export type Id = number;
export type State = "scheduled" | "live" | "ended";
export type Title = string;
export type Home = string;
export type JoinApi = string;
export type Login = string;
export type OsdImages = string;
export type Project = string | null;
export type Student = string;
export type Teach = string | null;
export type Me = string | null;
export type Member = boolean;
export type Page1 = "student";
export type Staff = boolean;
export type JoinCode1 = string;
export type JoinUrl1 = string;
export type Me1 = string;
export type Page2 = "teacher";
export type Id1 = number;
export type Points = number;
export type Problem = string;
export type Prompt = string;
export type Ready = boolean;
export type SlideId = number | null;
export type TimeLimit = number;
export type Type = string;
export type TypeLabel = string;
export type Questions = BankEntry[];
export type Role = "teacher" | "assistant";
export type Id2 = number;
export type Subtitle = string;
export type ThumbnailUrl = string;
export type Title1 = string;
export type Slides = CourseSlide[];

export interface Pages {
  ProjectorPage: ProjectorPage;
  StudentPage: StudentPage;
  TeacherPage: TeacherPage;
}
/**
 * ``/sessions/<id>/project``: the big screen (staff), without the roster.
 */
export interface ProjectorPage {
  join_code: JoinCode;
  join_url: JoinUrl;
  page: Page;
  session: SessionRef;
  urls: Urls;
}
export interface SessionRef {
  allow_guests: AllowGuests;
  course_code: CourseCode;
  course_title: CourseTitle;
  id: Id;
  state: State;
  title: Title;
}
export interface Urls {
  home: Home;
  join_api: JoinApi;
  login: Login;
  osd_images: OsdImages;
  project: Project;
  student: Student;
  teach: Teach;
}
/**
 * ``/sessions/<id>/``: the class's view (members, and guests by token).
 */
export interface StudentPage {
  me: Me;
  member: Member;
  page: Page1;
  session: SessionRef;
  staff: Staff;
  urls: Urls;
}
/**
 * ``/sessions/<id>/teach``: the lecturer's console (teachers and assistants).
 */
export interface TeacherPage {
  join_code: JoinCode1;
  join_url: JoinUrl1;
  me: Me1;
  page: Page2;
  questions: Questions;
  role: Role;
  session: SessionRef;
  slides: Slides;
  urls: Urls;
}
export interface BankEntry {
  id: Id1;
  points: Points;
  problem: Problem;
  prompt: Prompt;
  ready: Ready;
  slide_id: SlideId;
  time_limit: TimeLimit;
  type: Type;
  type_label: TypeLabel;
}
export interface CourseSlide {
  id: Id2;
  subtitle: Subtitle;
  thumbnail_url: ThumbnailUrl;
  title: Title1;
}
