"""`timeline` command line: run the DAGs once in-process, write the report, extract dates from a text.

    timeline run [--source DIR]... [--lake DIR] [--warehouse FILE] [--reports DIR] [--verbose]
    timeline report [--warehouse FILE] [--out DIR]
    timeline extract [--dct YYYY-MM-DD] [FILE] [--jsonl]
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from transforms.orchestration.processes import alive, die_with_parent
from transforms.settings import CHECKOUT, Settings, SettingsError, process_environment

# Airflow's DAG folder for in-process runs: the checkout's dags/ (thin files), else the package's own
DAGS_FOLDER = CHECKOUT / "dags" if CHECKOUT else Path(__file__).with_name("dags")
SHOW_MARKETS = 15  # the run summary names the markets with most events; the rest are counted
DAG_MODULES = {"timeline_ingest": "transforms.orchestration.dags.timeline_ingest",
               "timeline_warehouse": "transforms.orchestration.dags.timeline_warehouse"}


def prepare_airflow(settings: Settings) -> Path:
    """A project-local Airflow (SQLite metadata db, our dags/ folder); migrated once per Airflow version,
    by one process at a time (runs on two lakes may share the Airflow home)."""
    import fcntl

    process_environment(settings, DAGS_FOLDER)
    home = settings.airflow_home
    from importlib.metadata import version

    marker = home / f".migrated-{version('apache-airflow-core')}"
    if not marker.exists():
        home.mkdir(parents=True, exist_ok=True)
        with open(home / ".migrate.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if not marker.exists():
                proc = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], capture_output=True, text=True,
                                      preexec_fn=die_with_parent)  # ends with the run, however it ends
                if proc.returncode != 0:
                    sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
                    raise SystemExit("timeline: could not migrate the Airflow metadata database (see above)")
                marker.touch()
    return home


# --- stopping cleanly ---------------------------------------------------------------------------------

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def supervised(work) -> int:
    """Run ``work()`` in a child process that this one stops at once on SIGINT/SIGTERM/SIGHUP.

    Airflow's task runner turns a signal into a failed try and retries it 30 s later; here the signal
    reaches only this supervisor, which SIGKILLs the child's process group (the run, its forked workers):
    the lake is left exactly as by a kill -9, the lock is released with the processes, and the next run
    removes the leftovers. The child dies with this process too (kill -9 of the supervisor, OOM killer).
    Returns the child's exit status, or 128 + the signal number.
    """
    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # the run
        code = 1
        try:
            os.setpgid(0, 0)  # its own process group: terminal signals reach the supervisor only
            die_with_parent(parent)
            code = work()
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
        except BaseException:  # noqa: BLE001 - report it, never return into the supervisor's code
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    received: list[int] = []

    def stop(signum, _frame) -> None:
        received.append(signum)
        try:
            os.killpg(child, signal.SIGKILL)
        except ProcessLookupError:
            pass

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS
                if signal.getsignal(sig) is not signal.SIG_IGN}  # nohup: a hangup stays ignored
    try:
        try:
            os.setpgid(child, child)  # also here: no window in which a signal misses the child's group
        except (PermissionError, ProcessLookupError):
            pass
        _, status = os.waitpid(child, 0)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        name = signal.Signals(received[0]).name
        print(f"\ntimeline: stopped by {name}; the run and its workers were ended and the lake lock released. "
              "Nothing of this run is published unless its commit had completed; the next run removes its "
              "leftovers and redoes it.", file=sys.stderr, flush=True)
        return 128 + received[0]
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def remove_leftovers(settings: Settings) -> list[str]:
    """Temporary files of killed runs beside the warehouse and the report (the lake's own leftovers are
    removed by transforms.lake.store.recover): ``*.tmp-<pid>`` and their ``.wal``, when <pid> is gone."""
    import re

    from transforms.report.render import REPORT_NAME

    removed = []
    for folder, prefix in ((settings.warehouse.parent, f"{settings.warehouse.name}.tmp-"),
                           (settings.reports, f".{REPORT_NAME}.tmp-")):
        for path in folder.glob(f"{glob.escape(prefix)}*") if folder.is_dir() else ():
            m = re.match(r"(\d+)(\.wal)?$", path.name[len(prefix):])
            if m and not alive(int(m.group(1))):
                path.unlink(missing_ok=True)
                removed.append(str(path))
    return removed


def _run_dag(module: str, conf: dict, log_path: Path, verbose: bool):
    """dag.test() one of the package's DAGs with a run conf; returns the DagRun. Runs on other lakes that
    share the Airflow home may write the same DAG rows to its metadata db at the same moment: the loser's
    write fails before any task ran, and it tries once more."""
    from sqlalchemy.exc import IntegrityError, PendingRollbackError

    try:
        return _dag_test(module, conf, log_path, verbose)
    except (IntegrityError, PendingRollbackError) as exc:
        from airflow import settings as airflow_settings

        airflow_settings.Session.remove()  # a fresh session for the second try
        print(f"timeline: Airflow's metadata db was being written by another run ({type(exc).__name__}); "
              "trying again", file=sys.stderr)
        time.sleep(1)
        return _dag_test(module, conf, log_path, verbose)


def _dag_test(module: str, conf: dict, log_path: Path, verbose: bool):
    import importlib

    mod = importlib.import_module(DAG_MODULES[module])
    if verbose:
        return mod.dag.test(run_conf=conf)
    with open(log_path, "a") as fh:
        fd_out, fd_err = os.dup(1), os.dup(2)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            return mod.dag.test(run_conf=conf)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(fd_out, 1)
            os.dup2(fd_err, 2)
            os.close(fd_out)
            os.close(fd_err)


def command_line_params(args: argparse.Namespace) -> dict:
    """The run's conf from `timeline run` options. Paths typed on the command line are relative to the
    current folder (the TIMELINE_* variables' to TIMELINE_HOME)."""
    params: dict = {}
    for key in ("source", "lake", "warehouse", "reports"):
        given = getattr(args, key)
        for value in given if isinstance(given, list) else [given]:
            if value is not None and not value.strip():  # `--source "$UNSET"` would have read the current folder
                raise SettingsError(f"--{key} is empty (an unset variable?)")
    if args.source:
        params["sources"] = [str(Path(s).expanduser().resolve()) for s in args.source]
    for key in ("lake", "warehouse", "reports"):
        if getattr(args, key):
            params[key] = str(Path(getattr(args, key)).expanduser().resolve())
    return params


def cmd_run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from transforms.lake import store as lake_mod
    from transforms.orchestration.extract_batch import kept_workers, warm_up
    from transforms.orchestration.pipeline import IN_PROCESS_BATCH_PER_WORKER
    from transforms.orchestration.lock import RunLocked, run_lock
    from transforms.quality import background
    from transforms.quality.validate import data_docs_index
    from transforms.report.render import REPORT_NAME
    from transforms.warehouse.builder import ForeignFile, refuse_foreign, summary

    console = Console(highlight=False, soft_wrap=True)
    try:
        settings = Settings.from_params(command_line_params(args))
        refuse_foreign(settings.warehouse)  # before any work: the run would end by replacing it
    except (SettingsError, ForeignFile) as exc:
        console.print(f"[red]timeline:[/] {exc}")
        return 2
    if settings.workers == 0:  # in-process run: every core shares each batch
        settings = replace(settings, workers=os.cpu_count() or 1)
    if settings.batch_size == 0:  # in-process: few large batches (measured: 50k documents in 52 s, not 56)
        settings = replace(settings, batch_size=IN_PROCESS_BATCH_PER_WORKER * settings.workers)
    conf = settings.as_params()
    t_all = time.perf_counter()
    try:
        with run_lock(settings.lake), kept_workers():  # the lock first: a second run exits 2 before it touches Airflow
            home = prepare_airflow(settings)
            background.start(settings.expectations, settings.workers)  # GX loads on the other core meanwhile
            warm_up()                                 # ... and the extractor is set up on this one
            for leftover in remove_leftovers(settings):
                console.print(f"removed a leftover of an interrupted run: {leftover}")
            log_path = home / "logs" / f"timeline-run-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            before = set(lake_mod.committed_runs(settings.lake))
            from transforms.orchestration.dag_support import failure_reason, stamp, what_was_published

            wh_before = stamp(settings.warehouse)
            for label, module in (("ingest (timeline_ingest DAG)", "timeline_ingest"),
                                  ("warehouse (timeline_warehouse DAG)", "timeline_warehouse")):
                t0 = time.perf_counter()
                with console.status(f"[bold]{label}[/] running …") as status, \
                        _progress(settings.lake, lambda text, lb=label: status.update(f"[bold]{lb}[/] {text}")):
                    dag_run = _run_dag(module, conf, log_path, args.verbose)
                console.print(f"{label}: {dag_run.state} in {time.perf_counter() - t0:.1f} s")
                if dag_run.state != "success":
                    console.print(f"[red]timeline: run failed, {what_was_published(settings, before, wh_before)}:[/] "
                                  f"{failure_reason(dag_run, settings.lake)}")
                    console.print(f"Airflow log: {log_path}")
                    return 1
    except RunLocked as exc:
        console.print(f"[red]timeline:[/] {exc}")
        return 2
    except OSError as exc:  # a full disk, a read-only folder: one line, no traceback
        console.print(f"[red]timeline: cannot run:[/] {exc.strerror or exc}"
                      + (f": {exc.filename}" if exc.filename else ""))
        return 1
    new_runs = sorted(set(lake_mod.committed_runs(settings.lake)) - before)
    docs_errors = background.finish()  # the Data Docs were built beside the warehouse DAG
    s = summary(settings.warehouse)
    console.print()
    console.print(f"[bold]Run complete[/] in {time.perf_counter() - t_all:.1f} s "
                  f"({'new lake run ' + new_runs[-1] if new_runs else 'no new input'})")
    console.print(f"  documents   {s['documents']}")
    console.print(f"  events      {s['events']}")
    console.print(f"  quarantined {s['quarantined']}")
    for stage, reason, n in s["quarantine_reasons"]:
        console.print(f"    {n:>4} × {stage}: {reason}")
    run = lake_mod.run_summary(settings.lake, new_runs[-1]) if new_runs else {}
    if run.get("inbox_files"):
        console.print(f"  inbox       {run['inbox_files']} files taken, archived under {settings.sources[0]}")
    if run.get("feed_lines_read"):
        console.print(f"  feed lines  {run['feed_lines_read']} read in this run")
    if run.get("feed_lines_incomplete"):
        n = run["feed_lines_incomplete"]
        console.print(f"  {n} incomplete last line{'s' * (n > 1)} left for the next run")
    shown = s["per_market"][:SHOW_MARKETS]
    more = len(s["per_market"]) - len(shown)
    console.print("  events per market: " + ", ".join(f"{m} {n}" for m, n in shown)
                  + (f" … and {more} more markets (market_summary)" if more else ""))
    console.print(f"  warehouse   {settings.warehouse}")
    docs = data_docs_index(settings.expectations)
    if docs.exists():
        console.print(f"  data docs   {docs}")
    report = settings.reports / REPORT_NAME
    if report.exists():
        console.print(f"  report      {report}")
    console.print(f"  airflow log {log_path}")
    for error in docs_errors:  # the data is published; its Data Docs page is not up to date
        console.print(f"[red]timeline: the Data Docs of this run could not be built:[/] {error}")
    return 1 if docs_errors else 0


@contextmanager
def _progress(lake_dir: Path, show, every: float = 0.5):
    """Report extraction progress (staged batch parts vs. planned batches) while a DAG runs."""
    from transforms.lake.store import STAGING

    done = threading.Event()

    def watch() -> None:
        staging = Path(lake_dir) / STAGING
        while not done.wait(every):
            planned = len(list(staging.glob("*/batches/batch-*.json")))
            if planned:
                staged = {p.stem.removeprefix("part-").split("-")[0] for p in staging.glob("*/sources/part-*.parquet")}
                show(f"{len(staged)}/{planned} batches extracted …")

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def cmd_report(args: argparse.Namespace) -> int:
    from transforms.quality.validate import data_docs_index
    from transforms.report.render import render

    settings = Settings.from_env()
    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse
    out = Path(args.out).resolve() if args.out else settings.reports
    try:
        path = render(warehouse, out, data_docs_index(settings.expectations))
    except FileNotFoundError as exc:
        print(f"timeline: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - not a warehouse of this version: one line, not a traceback
        print(f"timeline: {warehouse} is not a warehouse this version can read "
              f"({type(exc).__name__}: {str(exc).splitlines()[0]}); rebuild it with `timeline run`", file=sys.stderr)
        return 1
    print(path)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from transforms.temporal import run_jsonl, tag

    if args.jsonl:
        return run_jsonl(sys.stdin, sys.stdout)
    try:
        dct = dt.date.fromisoformat(args.dct) if args.dct else None
    except ValueError:
        print(f"timeline: --dct {args.dct!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    if args.file and args.file != "-":
        from transforms.ingest.sources import BadInput, decode  # the ingest's decoding: BOMs, legacy encodings

        try:
            text, _ = decode(Path(args.file).read_bytes())
        except (OSError, BadInput) as exc:
            print(f"timeline: cannot read {args.file}: {exc}", file=sys.stderr)
            return 2
    else:
        text = sys.stdin.read()
    for t in tag(text, dct):
        span = f"{t.date_start}..{t.date_end}" if t.date_start else ""
        print(f"{t.start:>6}-{t.end:<6} {t.type:<8} {t.value:<16} {t.precision or '':<8} {t.anchor:<9} {span:<23} {t.text!r}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="timeline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the ingest and warehouse DAGs once, in-process (the source folders and the inbox, TIMELINE_INBOX)")
    run.add_argument("--source", action="append", metavar="DIR", help="source folder (repeatable; default seeds/)")
    run.add_argument("--lake", metavar="DIR", help="Parquet lake folder (default lake/)")
    run.add_argument("--warehouse", metavar="FILE", help="DuckDB file (default warehouse/timeline.duckdb)")
    run.add_argument("--reports", metavar="DIR", help="folder for the HTML report (default reports/)")
    run.add_argument("--verbose", action="store_true", help="show Airflow's own log instead of writing it to a file")
    run.set_defaults(func=lambda a: supervised(lambda: cmd_run(a)))
    rep = sub.add_parser("report", help="write the self-contained HTML report of a warehouse")
    rep.add_argument("--warehouse", metavar="FILE", help="DuckDB file (default warehouse/timeline.duckdb)")
    rep.add_argument("--out", metavar="DIR", help="output folder (default reports/)")
    rep.set_defaults(func=cmd_report)
    ext = sub.add_parser("extract", help="print the temporal expressions of a text")
    ext.add_argument("file", nargs="?", help="text file (default: standard input)")
    ext.add_argument("--dct", help="document creation time YYYY-MM-DD")
    ext.add_argument("--jsonl", action="store_true", help="batch mode: the JSONL contract of timex_eval.py")
    ext.set_defaults(func=cmd_extract)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        Settings.from_env()  # a bad TIMELINE_* value is one line here, before any work starts
        return args.func(args)
    except SettingsError as exc:
        print(f"timeline: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
