"""Stage function: a validated survey -> :class:`Demand` by year, tenant class and GPU model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aidc import data
from aidc.demand import catalog
from aidc.demand import translate as tr
from aidc.errors import InputError, Problem
from aidc.scenario.demand import DemandSection
from aidc.survey import SurveyTable
from aidc.units import H_PER_DAY, H_PER_YEAR

NO_GPU = "none"  # gpu_model of CPU-only needs (cloud)
BY_YEAR_COLUMNS = ["year", "tenant_class", "gpu_model", "gpu_hours", "peak_gpus", "cpu_vcpus", "memory_gb",
                   "storage_tb"]
BY_NEED_COLUMNS = [
    "need_id", "kind", "respondent_id", "tenant_class", "support_programme", "gpu_model", "start_year",
    "growth_frac_per_y", "gpu_h_per_y", "peak_gpus", "job_mode", "job_n_gpus", "n_jobs_per_y",
    "n_semesters_per_y", "cpu_vcpus", "memory_gb", "storage_tb",
]


@dataclass(frozen=True, slots=True)
class Demand:
    """What the survey means in GPUs, CPUs and storage over the planning years.

    Attributes
    ----------
    by_year : pandas.DataFrame
        One row per year × tenant_class × gpu_model: ``gpu_hours`` [GPU·h], ``peak_gpus``
        [GPU], ``cpu_vcpus``, ``memory_gb``, ``storage_tb``. CPU-only needs have
        ``gpu_model == "none"``.
    by_need : pandas.DataFrame
        One row per survey need, in its start year: ``gpu_h_per_y``, ``peak_gpus``, how it
        becomes jobs (``job_mode``, ``job_n_gpus``, ``n_jobs_per_y``) and its growth.
    years : tuple of int
        The planning years.
    source : str
        The survey file the demand comes from.
    """

    by_year: pd.DataFrame
    by_need: pd.DataFrame
    years: tuple[int, ...]
    source: str = ""

    def gpu_hours(self, year: int) -> float:
        """Return the total GPU-hours of ``year`` [GPU·h]."""
        return float(self.by_year.loc[self.by_year["year"] == year, "gpu_hours"].sum())


def _base(df: pd.DataFrame, kind: str, section: DemandSection) -> pd.DataFrame:
    out = pd.DataFrame({
        "need_id": [f"{kind}:{r}:{s}" for r, s in zip(df["respondent_id"], df["source_row"], strict=True)],
        "kind": kind,
        "respondent_id": df["respondent_id"].astype(str),
        "tenant_class": df["tenant_class"].astype(str),
        "support_programme": df["support_programme"].astype(str),
        "start_year": df["start_year"].astype(int),
        "growth_frac_per_y": df["growth_frac_per_y"].astype(float),
    }, index=df.index)
    if "gpu_model" in df:
        out["gpu_model"] = df["gpu_model"].fillna(section.default_gpu_model).astype(str)
    else:
        out["gpu_model"] = NO_GPU
    for col in ("cpu_vcpus", "memory_gb", "storage_tb", "n_semesters_per_y"):
        out[col] = 0.0
    return out


def _runs(df: pd.DataFrame, out: pd.DataFrame, flops: pd.Series, section: DemandSection) -> pd.DataFrame:
    peak = catalog.peak_tflops(out["gpu_model"], df["precision"])
    gh_run = tr.gpu_hours(flops, peak, section.mfu_frac)
    n_gpus = tr.gpus_for_deadline(gh_run, df["deadline_days"])
    runs = df["n_runs_per_y"].astype(float)
    concurrent = np.maximum(np.ceil(runs * df["deadline_days"] * H_PER_DAY / H_PER_YEAR - 1e-9), 1.0)
    return out.assign(gpu_h_per_y=gh_run * runs, peak_gpus=n_gpus * concurrent, job_mode="runs",
                      job_n_gpus=n_gpus, n_jobs_per_y=runs)


def _training(df: pd.DataFrame, section: DemandSection) -> pd.DataFrame:
    out = _base(df, "training", section)
    return _runs(df, out, tr.training_flops(df["model_params"], df["training_tokens"]), section)


def _finetuning(df: pd.DataFrame, section: DemandSection) -> pd.DataFrame:
    out = _base(df, "finetuning", section)
    frac = np.where(df["method"] == "peft", section.peft_compute_frac, 1.0)
    return _runs(df, out, tr.finetuning_flops(df["model_params"], df["training_tokens"], frac), section)


def _inference(df: pd.DataFrame, section: DemandSection) -> pd.DataFrame:
    out = _base(df, "inference", section)
    spec = catalog.gpus().loc[out["gpu_model"]].set_index(df.index)
    n_params = df["model_params"].astype(float)
    bytes_pp = df["precision"].map(catalog.precision_table()["bytes_per_param"]).astype(float)
    peak = catalog.peak_tflops(out["gpu_model"], df["precision"])
    batch = df["latency_class"].map(lambda c: catalog.value(f"latency_batch.{c}")).astype(float)
    per_replica = tr.gpus_per_replica(n_params, bytes_pp, spec["hbm_gb"], section.kv_cache_overhead_frac)
    decode = tr.decode_tokens_per_gpu_s(n_params, bytes_pp, spec["mem_bw_tb_per_s"], peak, batch,
                                        section.inference_mbu_frac, section.inference_mfu_frac)
    prefill = tr.prefill_tokens_per_gpu_s(n_params, peak, section.inference_mfu_frac)
    avg_gpus = tr.inference_gpu_h_per_day(df["requests_per_day"], df["tokens_in_per_request"],
                                          df["tokens_out_per_request"], prefill, decode) / H_PER_DAY
    # Serving keeps at least one replica up all year; the peak is met with whole replicas.
    held = np.maximum(avg_gpus, per_replica)
    peak_gpus = np.ceil(np.maximum(avg_gpus * df["peak_to_average"], per_replica) / per_replica - 1e-9)
    return out.assign(gpu_h_per_y=held * H_PER_YEAR, peak_gpus=peak_gpus * per_replica, job_mode="service",
                      job_n_gpus=per_replica, n_jobs_per_y=np.ceil(held / per_replica - 1e-9))


def _education(df: pd.DataFrame, section: DemandSection) -> pd.DataFrame:
    out = _base(df, "education", section)
    sem = df["n_semesters_per_y"].astype(float)
    gh = tr.education_gpu_hours(df["n_courses"], df["n_students_per_course"], df["gpu_h_per_student"], sem)
    peak = tr.education_peak_gpus(gh, sem, section.semester_weeks, section.education_duty_frac)
    return out.assign(gpu_h_per_y=gh, peak_gpus=peak, job_mode="batch", job_n_gpus=np.nan,
                      n_jobs_per_y=np.nan, n_semesters_per_y=sem)


def _cloud(df: pd.DataFrame, section: DemandSection) -> pd.DataFrame:
    out = _base(df, "cloud", section)
    return out.assign(gpu_h_per_y=0.0, peak_gpus=0.0, job_mode="none", job_n_gpus=np.nan, n_jobs_per_y=0.0,
                      cpu_vcpus=df["cpu_vcpus"].astype(float), memory_gb=df["memory_gb"].astype(float),
                      storage_tb=df["storage_tb"].astype(float))


def _gpu_direct(df: pd.DataFrame, section: DemandSection) -> pd.DataFrame:
    out = _base(df, "gpu_direct", section)
    n = pd.to_numeric(df["n_gpus"], errors="coerce")
    reserved = n.notna() & (n > 0)
    gh_batch = pd.to_numeric(df["gpu_h_per_y"], errors="coerce").fillna(0.0)
    gh = np.where(reserved, n.fillna(0) * H_PER_YEAR, gh_batch)
    peak = np.where(reserved, n.fillna(0),
                    np.ceil(gh_batch / H_PER_YEAR * section.batch_peak_to_average - 1e-9))
    return out.assign(gpu_h_per_y=gh, peak_gpus=peak, job_mode=np.where(reserved, "service", "batch"),
                      job_n_gpus=np.where(reserved, n, np.nan), n_jobs_per_y=np.where(reserved, 1.0, np.nan))


#: Translation of each kind of need (one function per sheet of the survey).
TRANSLATORS: dict[str, Callable[[pd.DataFrame, DemandSection], pd.DataFrame]] = {
    "training": _training,
    "finetuning": _finetuning,
    "inference": _inference,
    "education": _education,
    "cloud": _cloud,
    "gpu_direct": _gpu_direct,
}


def need_bounds() -> tuple[float, float]:
    """Return the most one need may ask for: (GPUs at its peak [GPU], GPU-hours per year [GPU·h]).

    A stated multiple of the country's GPU fleet (``data/demand/bounds.yaml``), running all year.
    """
    bounds = data.load_yaml("demand/bounds.yaml")
    max_gpus = bounds["national_gpu_fleet"]["value"] * bounds["need_max_fleet_multiple"]["value"]
    return max_gpus, max_gpus * H_PER_YEAR


def check_bounds(by_need: pd.DataFrame) -> None:
    """Raise :class:`InputError` naming each need that asks for more than :func:`need_bounds` allows.

    A need of 1e8 GPU-hours a year was accepted with a warning and made the planner's run
    need more than 8 GiB; past these bounds an answer cannot be meant, so it is an error.
    """
    max_gpus, max_gpu_h = need_bounds()
    problems = [
        Problem(
            f"this {row.kind} need asks for more than {max_gpus:,.0f} GPUs (the country's fleet) at once "
            "or all year",
            field=f"{row.respondent_id}.{row.need_id}",
            found=f"{row.gpu_h_per_y:.3g} GPU·h/y, {row.peak_gpus:.3g} GPUs",
            expected=f"at most {max_gpu_h:.4g} GPU·h/y and {max_gpus:,.0f} GPUs",
        )
        for row in by_need.itertuples(index=False)
        if not (float(row.gpu_h_per_y) <= max_gpu_h and float(row.peak_gpus) <= max_gpus)
    ]
    if problems:
        raise InputError(problems)


def translate_needs(survey: SurveyTable, section: DemandSection) -> pd.DataFrame:
    """Return one row per need with its first-year GPU-hours, peak GPUs and job shape."""
    catalog.check_gpu_models(pd.Series([section.default_gpu_model]), "demand.default_gpu_model")
    frames = [fn(survey.needs[kind].reset_index(drop=True), section)
              for kind, fn in TRANSLATORS.items() if len(survey.needs.get(kind, ())) > 0]
    if not frames:
        return pd.DataFrame(columns=BY_NEED_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[BY_NEED_COLUMNS]
    catalog.check_gpu_models(out.loc[out["gpu_model"] != NO_GPU, "gpu_model"], "survey gpu_model")
    check_bounds(out)
    return out


def by_year(by_need: pd.DataFrame, years: tuple[int, ...]) -> pd.DataFrame:
    """Grow each need over ``years`` and sum by year × tenant_class × gpu_model."""
    if by_need.empty:
        return pd.DataFrame(columns=BY_YEAR_COLUMNS)
    y = np.asarray(years)[:, None]
    f = tr.growth_factor(y, by_need["start_year"].to_numpy()[None, :],
                         by_need["growth_frac_per_y"].to_numpy())
    n_years, n_needs = f.shape
    grown = pd.DataFrame({
        "year": np.repeat(years, n_needs),
        "tenant_class": np.tile(by_need["tenant_class"].to_numpy(), n_years),
        "gpu_model": np.tile(by_need["gpu_model"].to_numpy(), n_years),
    })
    flat = f.ravel()
    grown["gpu_hours"] = np.tile(by_need["gpu_h_per_y"].to_numpy(float), n_years) * flat
    # Whole GPUs: each need's grown peak is rounded up; peaks of a group are summed (coincident).
    grown["peak_gpus"] = np.ceil(np.tile(by_need["peak_gpus"].to_numpy(float), n_years) * flat - 1e-9)
    for col in ("cpu_vcpus", "memory_gb", "storage_tb"):
        grown[col] = np.tile(by_need[col].to_numpy(float), n_years) * flat
    out = grown.groupby(["year", "tenant_class", "gpu_model"], as_index=False, sort=True).sum()
    out["peak_gpus"] = out["peak_gpus"].astype(int)
    return out[BY_YEAR_COLUMNS]


def planning_years(scenario: object) -> tuple[int, ...]:
    """Return the planning years: ``start_year`` for ``plan.horizon_y`` years."""
    start = int(scenario.start_year)  # type: ignore[attr-defined]
    return tuple(range(start, start + int(scenario.plan.horizon_y)))  # type: ignore[attr-defined]


def estimate(survey: SurveyTable, scenario: object) -> Demand:
    """Translate a validated survey into demand over the scenario's planning years.

    Parameters
    ----------
    survey : SurveyTable
        From :func:`aidc.survey.read`.
    scenario : aidc.scenario.Scenario
        Supplies ``demand`` (translation constants), ``start_year`` and ``plan.horizon_y``.

    Returns
    -------
    Demand
    """
    section: DemandSection = scenario.demand  # type: ignore[attr-defined]
    needs = translate_needs(survey, section)
    years = planning_years(scenario)
    return Demand(by_year=by_year(needs, years), by_need=needs, years=years, source=survey.source)
