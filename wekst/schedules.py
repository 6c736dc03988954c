"""Every schedule of the platform, in one place: what runs by itself, and when.

`manage.py run_scheduler` (started by bin/run beside the worker) enqueues each task when due;
the worker (`manage.py db_worker`) runs it. Times are Oslo time.
"""

import datetime

from wekst.scheduler import Schedule

SCHEDULES = (
    # Retention (policy §7; RET-02): erase what the retention rules say has expired, daily, at a
    # quiet hour. The sweep works in small batches, so the site stays responsive if it runs late.
    Schedule(
        name="retention_sweep",
        task="retention.tasks.sweep_retention",
        daily_at=datetime.time(3, 30),
    ),
    # Data from other sources (GDPR Art. 14(3); TP-02): give each Art. 14 notice that has become
    # possible (an address was added), and tell staff of any near or past its one-month deadline.
    Schedule(
        name="art14_notices",
        task="leads.tasks.check_art14_notices",
        daily_at=datetime.time(7, 0),
    ),
    # Retention at processors (RT-09): list what a processor still holds beyond its rule (Brevo
    # asked in bounded pages; erasures passed on and not confirmed), after the sweep.
    Schedule(
        name="reconcile_processors",
        task="retention.tasks.reconcile_processors",
        daily_at=datetime.time(4, 30),
    ),
    # Email (docs/adr/0002): re-enqueue an email whose delivery task was lost (a worker stopped
    # mid-task, a database restored from a backup), so that no stored email waits forever.
    Schedule(
        name="resend_stuck_email",
        task="mail.tasks.resend_stuck_email",
        every=datetime.timedelta(minutes=15),
    ),
    # Background tasks (wekst/workers.py): a task left RUNNING by a worker that died mid-task
    # (killed, out of memory) is set back to READY, so that it runs again and finishes.
    Schedule(
        name="recover_stuck_tasks",
        task="wekst.tasks.recover_stuck_tasks",
        every=datetime.timedelta(minutes=5),
    ),
)
