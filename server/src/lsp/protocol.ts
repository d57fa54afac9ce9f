// Custom requests and commands between the MindPort client and server, named in one place.
// Anything here is plain JSON; the engine types never cross the wire.

/** workspace/executeCommand commands the server implements. */
export const Commands = {
  /** args: [] — scans every Python file and notebook of the workspace folders (work-done progress, cancellable). */
  scanWorkspace: 'mindport.server.scanWorkspace',
  /** args: [uri] — returns a WorkspaceEdit creating `<name>_ms.py` beside the file (Port this file). */
  portFile: 'mindport.server.portFile',
  /** args: [uri, code, line] — inserts a noqa comment (used by "ignore on this line"). */
  applyEdit: 'mindport.server.applyEdit',
} as const;

/** Custom request: the porting report over everything the server has analysed (after a scan). */
export const ReportRequest = 'mindport/report';
export interface ReportParams {
  /** Scan the workspace folders first (default true). */
  scan?: boolean;
}

/** Custom request: explain one or more torch APIs (the same text as `mindport explain`). */
export const ExplainRequest = 'mindport/explain';
export interface ExplainParams {
  /** Fully-qualified torch names; or, with uri+position, the API at that position. */
  names?: string[];
  uri?: string;
  position?: { line: number; character: number };
}
export interface ExplainResult {
  entries: { torchApi: string; markdown: string; found: boolean }[];
}

/** Notification server → client: settings problems (a bad value, a broken project file or mapping file). */
export const ConfigProblemsNotification = 'mindport/configProblems';
export interface ConfigProblemsParams {
  problems: { setting: string; message: string }[];
}
