// The one door to the backend: every call goes through `call`, every failure becomes an
// ApiError carrying the backend's stable code, so screens translate by code.

const ipc = window.__TAURI_INTERNALS__;

export class ApiError extends Error {
  constructor({ code, message, details }) {
    super(message);
    this.code = code || 'internal';
    this.details = details || {};
  }
}

const lost = [];
const SESSION_CODES = ['session_locked', 'unauthenticated'];

/** Called when a command is refused because the desk locked or nobody is signed in. */
export function onSessionLost(cb) {
  lost.push(cb);
}

async function call(cmd, args = {}) {
  try {
    return await ipc.invoke(cmd, args);
  } catch (e) {
    const err = new ApiError(e && typeof e === 'object' && e.code ? e : { code: 'internal', message: String(e) });
    if (SESSION_CODES.includes(err.code)) for (const cb of lost) cb(err);
    throw err;
  }
}

// Every command the backend's registry declares (src-tauri/core/src/registry.rs), one
// wrapper each; a core test fails when a command is missing here or named here wrongly.
export const api = {
  // Signing in.
  authState: () => call('auth_state'),
  setupAdmin: (login, name, password) => call('setup_admin', { login, name, password }),
  login: (login, password) => call('login', { login, password }),
  logout: () => call('logout'),
  lock: () => call('lock'),
  unlock: (password) => call('unlock', { password }),
  activity: () => call('activity'),
  vocabulary: () => call('vocabulary'),
  // Where this desk's tickets live: this computer or a centre server.
  connection: () => call('connection'),
  probeServer: (address) => call('probe_server', { address }),
  setConnection: (setup) => call('set_connection', { setup }),
  offlineOutbox: () => call('offline_outbox'),
  // The desk.
  appInfo: () => call('app_info'),
  changePassword: (old, next) => call('change_password', { old, new: next }),
  reference: () => call('reference'),
  queueCounts: () => call('queue_counts'),
  listTickets: (query) => call('list_tickets', { query }),
  getTicket: (id) => call('get_ticket', { id }),
  presence: (id, editing = false) => call('presence', { id, editing }),
  reveal: (id, reason) => call('reveal', { id, reason }),
  intake: (ticket, then = null) => call('intake', { ticket, then }),
  intakeOffline: (key, takenAt, ticket, then = null) => call('intake_offline', { key, takenAt, ticket, then }),
  act: (id, version, action) => call('act', { id, version, action }),
  customerHistory: (phone) => call('customer_history', { phone }),
  suggestDeadlines: (category, severity) => call('suggest_deadlines', { category, severity }),
  transferSlip: (id) => call('transfer_slip', { id }),
  replyTemplates: () => call('reply_templates', {}),
  createReplyTemplate: (field, categoryId, text) => call('create_reply_template', { field, categoryId, text }),
  deleteReplyTemplate: (id) => call('delete_reply_template', { id }),
  saveSlipPdf: (id, replace = false) => call('save_slip_pdf', { id, replace }),
  saveReportPdf: (request, replace = false) => call('save_report_pdf', { request, replace }),
  openExport: (path) => call('open_export', { path }),
  intakeDraft: () => call('intake_draft', {}),
  saveIntakeDraft: (draft) => call('save_intake_draft', { draft }),
  discardIntakeDraft: () => call('discard_intake_draft', {}),
  suggestTicketDeadline: (id, action) => call('suggest_ticket_deadline', { id, action }),
  notifications: () => call('notifications'),
  markNotificationsRead: () => call('mark_notifications_read'),
  notificationPrefs: () => call('notification_prefs'),
  setNotificationPrefs: (prefs) => call('set_notification_prefs', { prefs }),
  seedDemo: () => call('seed_demo'),
  // Settings and reference data.
  getSettings: () => call('get_settings'),
  setSetting: (key, value) => call('set_setting', { key, value }),
  createDepartment: (code, name, parentId) => call('create_department', { code, name, parentId }),
  createCategory: (code, name, parentId, defaultDays) => call('create_category', { code, name, parentId, defaultDays }),
  slaPolicies: () => call('sla_policies'),
  setSlaPolicy: (stage, categoryId, severity, span, calendar) => call('set_sla_policy', { stage, categoryId, severity, span, calendar }),
  calendars: () => call('calendars'),
  setCalendarDay: (calendar, date, kind, note) => call('set_calendar_day', { calendar, date, kind, note }),
  importIcs: (calendar, text) => call('import_ics', { calendar, text }),
  // Accounts.
  accounts: () => call('accounts'),
  createAccount: (account) => call('create_account', { account }),
  setPassword: (userId, login, password) => call('set_password', { userId, login, password }),
  setUserActive: (userId, active) => call('set_user_active', { userId, active }),
  setUserRole: (userId, role, departmentId) => call('set_user_role', { userId, role, departmentId }),
  // Reports.
  openReports: () => call('open_reports'),
  monthlyReport: (month, departmentId = null) => call('monthly_report', { month, departmentId }),
  periodReport: (request) => call('period_report', { request }),
  kpiTickets: (query, key, denominator) => call('kpi_tickets', { query, key, denominator }),
  kpiCalls: (query, key, denominator) => call('kpi_calls', { query, key, denominator }),
  exportReport: (request, format, replace = false) => call('export_report', { request, format, replace }),
  // Audit, backups, retention.
  auditEntries: (query) => call('audit_entries', { query }),
  verifyAudit: () => call('verify_audit'),
  backupStatus: () => call('backup_status'),
  backups: () => call('backups'),
  setBackupPassphrase: (passphrase) => call('set_backup_passphrase', { passphrase }),
  backupNow: () => call('backup_now'),
  verifyBackup: (name) => call('verify_backup', { name, passphrase: null }),
  restoreBackup: (name) => call('restore_backup', { name, passphrase: null }),
  retentionPlan: () => call('retention_plan'),
  anonymise: () => call('anonymise'),
  // Graded emergency response.
  incidents: (activeOnly = false) => call('incidents', { activeOnly }),
  incident: (id) => call('incident', { id }),
  declareIncident: (incident) => call('declare_incident', { incident }),
  actIncident: (id, version, action) => call('act_incident', { id, version, action }),
  linkIncident: (incidentId, ticketId) => call('link_incident', { incidentId, ticketId }),
  unlinkIncident: (ticketId) => call('unlink_incident', { ticketId }),
  acknowledgePage: (incidentId) => call('acknowledge_page', { incidentId }),
  bulletinText: (incidentId, lang) => call('bulletin_text', { incidentId, lang }),
  exportIncident: (id, replace = false) => call('export_incident', { id, replace }),
  saveIncidentPdf: (id, replace = false) => call('save_incident_pdf', { id, replace }),
  answerLinked: (incidentId) => call('answer_linked', { incidentId }),
  // Complaint follow-through.
  complaint: (ticketId) => call('complaint', { ticketId }),
  setRemedy: (ticketId, remedy) => call('set_remedy', { ticketId, remedy }),
  acknowledgeComplaint: (ticketId, method) => call('acknowledge_complaint', { ticketId, method }),
  assessComplaint: (ticketId, assessment) => call('assess_complaint', { ticketId, assessment }),
  legalOpinion: (ticketId, opinion) => call('legal_opinion', { ticketId, opinion }),
  heldComplaints: () => call('held_complaints', {}),
  complaintCause: (ticketId) => call('complaint_cause', { ticketId }),
  setCause: (ticketId, cause) => call('set_cause', { ticketId, cause }),
  addMeasure: (ticketId, measure) => call('add_measure', { ticketId, measure }),
  measures: (ticketId = null, mine = false) => call('measures', { ticketId, mine }),
  completeMeasure: (id, note = null) => call('complete_measure', { id, note }),
  addFinding: (ticketId, finding) => call('add_finding', { ticketId, finding }),
  decideFinding: (id, decision) => call('decide_finding', { id, decision }),
  respondFinding: (id, response) => call('respond_finding', { id, response }),
  findings: (ticketId = null, mine = false) => call('findings', { ticketId, mine }),
  // Spot checks of recorded calls.
  scorecard: () => call('scorecard', {}),
  saveScorecard: (scorecard) => call('save_scorecard', { scorecard }),
  drawSample: (month, plan) => call('draw_sample', { month, plan }),
  qaReviews: (scope) => call('qa_reviews', { scope }),
  scoreReview: (id, scores, comments = []) => call('score_review', { id, scores, comments }),
  acknowledgeReview: (id) => call('acknowledge_review', { id }),
  disputeReview: (id, reason) => call('dispute_review', { id, reason }),
  decideDispute: (id, scores) => call('decide_dispute', { id, scores }),
  playRecording: (callId) => call('play_recording', { callId }),
  ticketCalls: (ticketId) => call('ticket_calls', { ticketId }),
  proposeTraining: (id, topic) => call('propose_training', { id, topic }),
  trainingProposals: () => call('training_proposals', {}),
  startCalibration: (callId, reviewers) => call('start_calibration', { callId, reviewers }),
  calibration: (session) => call('calibration', { session }),
  // Training and exams.
  trainingSessions: (from, to) => call('training_sessions', { from, to }),
  addTrainingSession: (session) => call('add_training_session', { session }),
  markAttendance: (session, user, attended) => call('mark_attendance', { session, user, attended }),
  examQuestions: () => call('exam_questions', {}),
  addExamQuestion: (question) => call('add_exam_question', { question }),
  exams: () => call('exams', {}),
  createExam: (exam) => call('create_exam', { exam }),
  startAttempt: (exam) => call('start_attempt', { exam }),
  submitAttempt: (id, answers) => call('submit_attempt', { id, answers }),
  examAttempts: (all = false) => call('exam_attempts', { all }),
  onboardingItems: () => call('onboarding_items', {}),
  addOnboardingItem: (item) => call('add_onboarding_item', { item }),
  retireOnboardingItem: (id) => call('retire_onboarding_item', { id }),
  startOnboarding: (user, mentor) => call('start_onboarding', { user, mentor }),
  onboarding: (user) => call('onboarding', { user }),
  onboardings: () => call('onboardings', {}),
  tickOnboarding: (user, item, note) => call('tick_onboarding', { user, item, note }),
  // Files kept with a record (a training session's materials).
  attachments: (owner, ownerId) => call('attachments', { owner, ownerId }),
  addAttachment: (owner, ownerId, name, data) => call('add_attachment', { owner, ownerId, name, data }),
  removeAttachment: (owner, id) => call('remove_attachment', { owner, id }),
  saveAttachment: (id, replace = false) => call('save_attachment', { id, replace }),
  // The knowledge base.
  kbArticles: (query) => call('kb_articles', { query }),
  kbArticle: (id) => call('kb_article', { id }),
  kbSuggest: (text, limit) => call('kb_suggest', { text, limit }),
  saveKbArticle: (id, article) => call('save_kb_article', { id, article }),
  kbStep: (id, step, note) => call('kb_step', { id, step, note }),
  kbFromTicket: (ticket) => call('kb_from_ticket', { ticket }),
  exportKb: (format, replace = false) => call('export_kb', { format, replace }),
  importKb: (name, data) => call('import_kb', { name, data }),
  kbFigures: (from, to) => call('kb_figures', { from, to }),
  // The dispatch catalogue.
  dispatchRules: (all) => call('dispatch_rules', { all }),
  addDispatchRule: (rule) => call('add_dispatch_rule', { rule }),
  retireDispatchRule: (id) => call('retire_dispatch_rule', { id }),
  suggestDispatch: (category, description, address, severity, exclude = null) => call('suggest_dispatch', { category, description, address, severity, exclude }),
  dispatchFigures: (from, to) => call('dispatch_figures', { from, to }),
  duplicateCandidates: (phone, address, description, category, exclude) => call('duplicate_candidates', { phone, address, description, category, exclude }),
  mergeTicket: (id, master) => call('merge_ticket', { id, master }),
  splitTicket: (id) => call('split_ticket', { id }),
  returnRequests: () => call('return_requests', {}),
  returnRequest: (ticket) => call('return_request', { ticket }),
  decideReturn: (ticket, approve, note) => call('decide_return', { ticket, approve, note }),
  escalateReturn: (ticket, note) => call('escalate_return', { ticket, note }),
  saveReturnReason: (code, name, active) => call('save_return_reason', { code, name, active }),
  proposeExclusion: (ticket, reason, evidence) => call('propose_exclusion', { ticket, reason, evidence }),
  decideExclusion: (id, approve, note) => call('decide_exclusion', { id, approve, note }),
  exclusions: (state = null, department = null) => call('exclusions', { state, department }),
  fileAppeal: (ticket, month, kpi, evidence) => call('file_appeal', { ticket, month, kpi, evidence }),
  decideAppeal: (id, uphold, note) => call('decide_appeal', { id, uphold, note }),
  appeals: (month = null, state = null, department = null) => call('appeals', { month, state, department }),
  departmentEntries: (month, department = null) => call('department_entries', { month, department }),
  appealWindow: (month) => call('appeal_window', { month }),
  notices: (department = null, ticket = null, openOnly = false) => call('notices', { department, ticket, openOnly }),
  notice: (id) => call('notice', { id }),
  issueNotice: (ticket, kind, note) => call('issue_notice', { ticket, kind, note }),
  acknowledgeNotice: (id, note = null) => call('acknowledge_notice', { id, note }),
  noticeList: (month) => call('notice_list', { month }),
  saveNoticePdf: (id, replace = false) => call('save_notice_pdf', { id, replace }),
  publishBulletin: (incidentId, bulletin) => call('publish_bulletin', { incidentId, bulletin }),
  completeIncidentStep: (incidentId, step, note = null) => call('complete_incident_step', { incidentId, step, note }),
  incidentSuggestions: (openOnly = true) => call('incident_suggestions', { openOnly }),
  declareSuggestion: (id, incident) => call('declare_suggestion', { id, incident }),
  dismissSuggestion: (id) => call('dismiss_suggestion', { id }),
  reviewIncident: (id, version, review) => call('review_incident', { id, version, review }),
  incidentReview: (id) => call('incident_review', { id }),
  followUps: (mine = true) => call('follow_ups', { mine }),
  completeFollowUp: (id, note = null) => call('complete_follow_up', { id, note }),
  plans: () => call('plans'),
  planVersions: (kind, level) => call('plan_versions', { kind, level }),
  savePlan: (kind, level, plan) => call('save_plan', { kind, level, plan }),
  // The 24-hour duty roster.
  dutyShifts: () => call('duty_shifts'),
  saveShift: (shift) => call('save_shift', { shift }),
  roster: (from, to) => call('roster', { from, to }),
  saveRoster: (from, to, assignments) => call('save_roster', { from, to, assignments }),
  importRoster: (text) => call('import_roster', { text }),
  rotateRoster: (from, days, post, people, backups = false) => call('rotate_roster', { from, days, post, people, backups }),
  onDuty: (at = null) => call('on_duty', { at }),
  requestDutyChange: (assignmentId, kind, toUser, reason) => call('request_duty_change', { assignmentId, kind, toUser, reason }),
  decideDutyChange: (id, approve) => call('decide_duty_change', { id, approve }),
  dutyChanges: () => call('duty_changes'),
  handovers: () => call('handovers'),
  writeHandover: (note) => call('write_handover', { note }),
  acknowledgeHandover: (id) => call('acknowledge_handover', { id }),
};

/** Calls `cb(payload)` whenever the backend emits `event` (Tauri's event plugin). */
export function listen(event, cb) {
  const handler = ipc.transformCallback((e) => cb(e.payload));
  return call('plugin:event|listen', { event, target: { kind: 'Any' }, handler });
}
