// Who and when, injected everywhere a run records itself (locks, runbook_runs, evidence), so tests can fix both.

export type Clock = {readonly now: () => Date};

/** Who we are, for the run lock and runbook_runs (host, pid) and whether another pid on this host still lives. */
export type ProcessIdentity = {readonly host: string; readonly pid: number; readonly isAlive: (pid: number) => boolean};
