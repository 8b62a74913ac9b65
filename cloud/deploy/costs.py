"""The monthly cost estimate of a deployment, from the prices in AWS_NOTES.md (November 2026):

- Glue ETL: $0.44 per DPU-hour, 1-minute minimum, at least 2 DPU.
- DataBrew: $0.48 per node-hour.
- Athena: $5 per TB scanned, 10 MB minimum per query.

Other charges (S3 storage and requests, CloudWatch logs, the EC2 instance) have no figure in
the notes and are listed as not estimated rather than guessed."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

GLUE_DPU_HOUR = 0.44
GLUE_MIN_DPU = 2
GLUE_MIN_MINUTES = 1
DATABREW_NODE_HOUR = 0.48
ATHENA_PER_TB = 5.0
ATHENA_MIN_BYTES = 10 * 1024**2
TB = 1024**4
NOT_ESTIMATED = ("S3 storage and requests", "CloudWatch Logs", "EC2 publishing instance (launched from the template)")


@dataclass(frozen=True)
class Volume:
    """What the estimate assumes about one month."""

    gb_per_run: float = 1.0          # size of the export each run ingests
    runs_per_month: int = 30
    queries_per_run: int = 4         # the dataset's saved queries
    databrew_nodes: int = 5          # the recipe job's MaxCapacity (and the profile job's)
    validation_runs: bool = True     # a profile job validates each run's output (datasets with a ruleset)
    glue_dpus: int = GLUE_MIN_DPU    # the Glue job's workers (2 × G.1X, 1 DPU each: resources.GLUE_CAPACITY)
    minutes_per_gb: float = 10.0     # assumed processing time of both jobs per GB (a guess: measure yours)


@dataclass(frozen=True)
class Estimate:
    volume: Volume
    databrew_usd: float
    glue_usd: float
    athena_usd: float
    profile_usd: float = 0.0  # the validating profile job

    @property
    def total_usd(self) -> float:
        return self.databrew_usd + self.profile_usd + self.glue_usd + self.athena_usd

    def to_json(self) -> dict[str, object]:
        return {"assumptions": asdict(self.volume), "databrew_usd": round(self.databrew_usd, 2),
                "glue_usd": round(self.glue_usd, 2), "athena_usd": round(self.athena_usd, 2),
                "databrew_profile_usd": round(self.profile_usd, 2),
                "total_usd": round(self.total_usd, 2), "not_estimated": list(NOT_ESTIMATED),
                "prices": {"glue_dpu_hour": GLUE_DPU_HOUR, "databrew_node_hour": DATABREW_NODE_HOUR,
                           "athena_per_tb": ATHENA_PER_TB, "source": "AWS_NOTES.md (November 2026)"}}


def estimate(volume: Volume) -> Estimate:
    minutes = max(volume.gb_per_run * volume.minutes_per_gb, GLUE_MIN_MINUTES)
    databrew = volume.runs_per_month * volume.databrew_nodes * (minutes / 60) * DATABREW_NODE_HOUR
    # The profile job reads the recipe's output, never larger than the export: the same minutes at most.
    profile = databrew if volume.validation_runs else 0.0
    glue = volume.runs_per_month * max(volume.glue_dpus, GLUE_MIN_DPU) * (minutes / 60) * GLUE_DPU_HOUR
    # Each saved query scans at most the curated data, which is never larger than the export.
    scanned = max(volume.gb_per_run * 1024**3, ATHENA_MIN_BYTES)
    athena = volume.runs_per_month * volume.queries_per_run * math.ceil(scanned) / TB * ATHENA_PER_TB
    return Estimate(volume, databrew, glue, athena, profile)
