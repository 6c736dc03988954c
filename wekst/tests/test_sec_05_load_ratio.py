"""The load run's consent ÷ floor-INSERT figures (bench/ratio_load.py, issue 23): the ratios
are taken over the closed-loop phases summed per endpoint, never over a paced phase, and a paced
phase whose pace was not kept says so beside its latency."""

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def ratio_load(monkeypatch):
    # The bench's modules have short names (common, server, database): imported for this test
    # only, and forgotten after it with the path that found them.
    monkeypatch.syspath_prepend(str(BENCH))
    yield importlib.import_module("ratio_load")
    for name, module in list(sys.modules.items()):
        if BENCH in Path(getattr(module, "__file__", None) or "/").parents:
            del sys.modules[name]


def phase(module, endpoint, requests, seconds, web, *, rate=None, database=0.0):
    cpu = {"web": web, "database": database, "redis": 0.0, "other": 0.0}
    latency = {"mean": 5.0, "p50": 4.0, "p90": 8.0, "p99": 20.0, "max": 30.0}
    return module.Phase(endpoint, 50, requests, seconds, 0, requests, rate, cpu, latency)


def test_sec_05_closed_loop_phases_alternate_so_drift_falls_on_both(ratio_load):
    floor, consent = ratio_load.FLOOR, ratio_load.CONSENT

    assert ratio_load.closed_loop_order(2) == [floor, consent, consent, floor]


def test_sec_05_load_ratios_come_from_the_closed_loop_phases_summed(ratio_load):
    floor, consent = ratio_load.FLOOR, ratio_load.CONSENT
    phases = [
        phase(ratio_load, floor, 6000, 10.0, 9.0, database=3.0),
        phase(ratio_load, consent, 4000, 10.0, 8.0, database=2.0),
        phase(ratio_load, consent, 2000, 10.0, 4.0, database=1.0),
        phase(ratio_load, floor, 4000, 10.0, 6.0, database=2.0),
        phase(ratio_load, floor, 2500, 10.0, 99.0, rate=250.0),  # paced: not in the ratios
    ]

    figures = ratio_load.totals(phases)
    ratios = ratio_load.ratios(figures)

    assert figures[floor]["rate"] == pytest.approx(500.0)  # 10,000 requests in 20 s
    assert figures[floor]["web_cpu_ms"] == pytest.approx(1.5)  # 15 s of CPU, 10,000 requests
    assert figures[consent]["rate"] == pytest.approx(300.0)
    assert figures[consent]["web_cpu_ms"] == pytest.approx(2.0)
    assert figures[consent]["web_cores"] == pytest.approx(0.6)  # 12 s of CPU in 20 s
    assert ratios["throughput"] == pytest.approx(0.6)
    assert ratios["web_cpu"] == pytest.approx(2.0 / 1.5)
    # Serving a floor request costs 2.0 ms of CPU (web and database), a decision 2.5 ms.
    assert ratios["cpu_bound_throughput"] == pytest.approx(0.8)


def test_sec_05_a_paced_phase_behind_its_pace_is_marked(ratio_load):
    floor, consent = ratio_load.FLOOR, ratio_load.CONSENT
    phases = [
        phase(ratio_load, floor, 5000, 10.0, 7.5),
        phase(ratio_load, consent, 4000, 10.0, 8.0),
        phase(ratio_load, floor, 2500, 10.0, 4.0, rate=250.0),
        phase(ratio_load, consent, 2000, 10.0, 4.0, rate=250.0),  # 200/s answered of 250
    ]
    figures = ratio_load.totals(phases)
    report = {
        "database": "db",
        "redis": True,
        "server": "granian",
        "clients": 50,
        "duration": 10,
        "fraction": 0.5,
        "phases": [{**vars(p), "rate": p.rate} for p in phases],
        "totals": figures,
        "ratios": ratio_load.ratios(figures),
        "server_tracebacks": 0,
        "load_average_before": "1 1 1",
        "load_average_after": "1 1 1",
    }

    text = ratio_load.markdown(report, "bench/run ratio")

    assert "throughput **0.80×**" in text
    assert "| floor-INSERT | 250 | 250 | yes |" in text
    assert "| consent decision | 250 | 200 | **no** |" in text
