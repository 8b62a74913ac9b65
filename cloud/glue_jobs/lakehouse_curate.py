"""The curate job as a Glue PySpark script: the local job's transform (lakehouse/etl/runner.py) on Spark.

One self-contained file, uploaded as the Glue job's ScriptLocation: it imports neither
`lakehouse` nor anything else that Glue workers lack. The tables' schemas (names, Glue
types, comments, partition keys, natural key) are generated from `lakehouse.etl.models`
into the MODELS block below (`python -m cloud.glue_jobs.generate` rewrites it, a test
checks it is current); the builders are the models' Polars code written in Spark.

Job arguments (Glue passes them as `--key value`):
    --lakehouse-job-spec   Inputs, Transform and Outputs of the job document (JSON)
    --database             the Glue database of the curated tables
    --landing-location     URI of the landing zone (file:// in tests); default s3://<bucket prefix>landing/
    --curated-location     URI of the curated zone; default s3://<bucket prefix>curated/
    --bucket-prefix        the deployment's bucket name prefix (LAKEHOUSE_BUCKET_PREFIX), default none
    --full-refresh true | --job-bookmark-option job-bookmark-disable   rebuild from every source
    --snapshots-to-keep N  snapshot folders kept per table (default 5)

What a run does, as the local job: every landing source not yet processed is built into
base rows and upserted into the current base table by the natural key (later sources
win); the aggregates are rebuilt from the whole base; each table is written as Parquet
into a new snapshot folder (partitioned as the job's Outputs say) and published by one
catalog update per table. The processed sources are remembered in the base table's
catalog parameters, published by the same update (Glue's own job bookmarks only track
Glue DynamicFrame sources, and this job reads landing Parquet with Spark directly).

With `awsglue` present (a Glue worker) the run goes through GlueContext and Job; without
it, a plain SparkSession runs the same code (tests, spark-submit).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

try:  # a Glue worker
    from awsglue.context import GlueContext  # type: ignore[import-not-found]
    from awsglue.job import Job  # type: ignore[import-not-found]
    from awsglue.utils import getResolvedOptions  # type: ignore[import-not-found]
    HAVE_AWSGLUE = True
except ImportError:
    HAVE_AWSGLUE = False

# BEGIN GENERATED MODELS (python -m cloud.glue_jobs.generate; do not edit by hand)
MODELS: dict[str, dict[str, Any]] = {'3-1-1-inquiry-volume': {'dataset': '3-1-1-inquiry-volume',
                          'natural_key': ['department', 'inquiry_type', 'channel', 'month_start'],
                          'summed': ['inquiries'],
                          'tables': [{'name': 'inquiry_volume',
                                      'description': '3-1-1 inquiries by department, inquiry type, channel and '
                                                     'month',
                                      'columns': [{'name': 'department',
                                                   'glue_type': 'string',
                                                   'comment': "department as published, e.g. 'ENG - Sanitation "
                                                              "Services'"},
                                                  {'name': 'department_code',
                                                   'glue_type': 'string',
                                                   'comment': 'prefix of the department name (ENG, DBL, ...); null '
                                                              'without one'},
                                                  {'name': 'inquiry_type', 'glue_type': 'string', 'comment': ''},
                                                  {'name': 'channel', 'glue_type': 'string', 'comment': ''},
                                                  {'name': 'month_start',
                                                   'glue_type': 'date',
                                                   'comment': 'first day of the month'},
                                                  {'name': 'inquiries',
                                                   'glue_type': 'bigint',
                                                   'comment': 'number of inquiries'}],
                                      'partition_keys': [{'name': 'year',
                                                          'glue_type': 'int',
                                                          'comment': 'calendar year of month_start'}]},
                                     {'name': 'department_monthly',
                                      'description': 'inquiries by department and month',
                                      'columns': [{'name': 'department',
                                                   'glue_type': 'string',
                                                   'comment': "department as published, e.g. 'ENG - Sanitation "
                                                              "Services'"},
                                                  {'name': 'department_code',
                                                   'glue_type': 'string',
                                                   'comment': 'prefix of the department name (ENG, DBL, ...); null '
                                                              'without one'},
                                                  {'name': 'month_start',
                                                   'glue_type': 'date',
                                                   'comment': 'first day of the month'},
                                                  {'name': 'inquiries',
                                                   'glue_type': 'bigint',
                                                   'comment': 'number of inquiries'}],
                                      'partition_keys': [{'name': 'year',
                                                          'glue_type': 'int',
                                                          'comment': 'calendar year of month_start'}]},
                                     {'name': 'monthly_volume',
                                      'description': 'inquiries by month, all departments',
                                      'columns': [{'name': 'month_start',
                                                   'glue_type': 'date',
                                                   'comment': 'first day of the month'},
                                                  {'name': 'year',
                                                   'glue_type': 'int',
                                                   'comment': 'calendar year of month_start'},
                                                  {'name': 'inquiries',
                                                   'glue_type': 'bigint',
                                                   'comment': 'number of inquiries'},
                                                  {'name': 'departments',
                                                   'glue_type': 'bigint',
                                                   'comment': 'departments with inquiries'}],
                                      'partition_keys': []},
                                     {'name': 'channel_monthly',
                                      'description': 'inquiries by channel and month',
                                      'columns': [{'name': 'channel', 'glue_type': 'string', 'comment': ''},
                                                  {'name': 'month_start',
                                                   'glue_type': 'date',
                                                   'comment': 'first day of the month'},
                                                  {'name': 'year',
                                                   'glue_type': 'int',
                                                   'comment': 'calendar year of month_start'},
                                                  {'name': 'inquiries',
                                                   'glue_type': 'bigint',
                                                   'comment': 'number of inquiries'}],
                                      'partition_keys': []},
                                     {'name': 'yearly_volume',
                                      'description': 'inquiries by year, with the months of data each year holds',
                                      'columns': [{'name': 'year',
                                                   'glue_type': 'int',
                                                   'comment': 'calendar year of month_start'},
                                                  {'name': 'inquiries',
                                                   'glue_type': 'bigint',
                                                   'comment': 'number of inquiries'},
                                                  {'name': 'months',
                                                   'glue_type': 'int',
                                                   'comment': 'months with data'},
                                                  {'name': 'first_month', 'glue_type': 'date', 'comment': ''},
                                                  {'name': 'last_month', 'glue_type': 'date', 'comment': ''},
                                                  {'name': 'departments', 'glue_type': 'bigint', 'comment': ''},
                                                  {'name': 'complete',
                                                   'glue_type': 'boolean',
                                                   'comment': 'all twelve months present'}],
                                      'partition_keys': []},
                                     {'name': 'department_yearly',
                                      'description': "inquiries by department and year, with the department's "
                                                     'share and rank in that year',
                                      'columns': [{'name': 'department',
                                                   'glue_type': 'string',
                                                   'comment': "department as published, e.g. 'ENG - Sanitation "
                                                              "Services'"},
                                                  {'name': 'department_code',
                                                   'glue_type': 'string',
                                                   'comment': 'prefix of the department name (ENG, DBL, ...); null '
                                                              'without one'},
                                                  {'name': 'year',
                                                   'glue_type': 'int',
                                                   'comment': 'calendar year of month_start'},
                                                  {'name': 'inquiries',
                                                   'glue_type': 'bigint',
                                                   'comment': 'number of inquiries'},
                                                  {'name': 'share_pct',
                                                   'glue_type': 'double',
                                                   'comment': "percent of the year's inquiries"},
                                                  {'name': 'rank',
                                                   'glue_type': 'int',
                                                   'comment': '1 = most inquiries that year'}],
                                      'partition_keys': []},
                                     {'name': 'department_year_over_year',
                                      'description': "inquiries by department and year against the department's "
                                                     'previous year',
                                      'columns': [{'name': 'department',
                                                   'glue_type': 'string',
                                                   'comment': "department as published, e.g. 'ENG - Sanitation "
                                                              "Services'"},
                                                  {'name': 'department_code',
                                                   'glue_type': 'string',
                                                   'comment': 'prefix of the department name (ENG, DBL, ...); null '
                                                              'without one'},
                                                  {'name': 'year',
                                                   'glue_type': 'int',
                                                   'comment': 'calendar year of month_start'},
                                                  {'name': 'inquiries',
                                                   'glue_type': 'bigint',
                                                   'comment': 'number of inquiries'},
                                                  {'name': 'previous_year_inquiries',
                                                   'glue_type': 'bigint',
                                                   'comment': 'null when the department had none the year before'},
                                                  {'name': 'change', 'glue_type': 'bigint', 'comment': ''},
                                                  {'name': 'change_pct',
                                                   'glue_type': 'double',
                                                   'comment': 'percent change from the previous year'}],
                                      'partition_keys': []}]},
 '3-1-1-contact-centre-metrics': {'dataset': '3-1-1-contact-centre-metrics',
                                  'natural_key': ['call_date'],
                                  'summed': [],
                                  'tables': [{'name': 'contact_centre_daily',
                                              'description': '3-1-1 contact centre calls, speed of answer and '
                                                             'service level by day',
                                              'columns': [{'name': 'call_date',
                                                           'glue_type': 'date',
                                                           'comment': 'the day (Vancouver time) the figures cover'},
                                                          {'name': 'calls_offered',
                                                           'glue_type': 'bigint',
                                                           'comment': 'calls that reached the 3-1-1 queue'},
                                                          {'name': 'calls_handled',
                                                           'glue_type': 'bigint',
                                                           'comment': 'calls answered by an agent'},
                                                          {'name': 'calls_abandoned',
                                                           'glue_type': 'bigint',
                                                           'comment': 'callers who hung up before an answer'},
                                                          {'name': 'avg_speed_of_answer_s',
                                                           'glue_type': 'double',
                                                           'comment': 'average seconds to answer a handled call'},
                                                          {'name': 'service_level',
                                                           'glue_type': 'double',
                                                           'comment': 'fraction of calls answered within the '
                                                                      'service-level target'}],
                                              'partition_keys': [{'name': 'year',
                                                                  'glue_type': 'int',
                                                                  'comment': 'calendar year of call_date'}]},
                                             {'name': 'contact_centre_monthly',
                                              'description': '3-1-1 contact centre figures by month: volumes, '
                                                             'abandonment, speed of answer, service level',
                                              'columns': [{'name': 'month_start',
                                                           'glue_type': 'date',
                                                           'comment': 'first day of the month'},
                                                          {'name': 'year',
                                                           'glue_type': 'int',
                                                           'comment': 'calendar year of call_date'},
                                                          {'name': 'days',
                                                           'glue_type': 'int',
                                                           'comment': 'days with figures (two days are missing '
                                                                      'from the source)'},
                                                          {'name': 'calls_offered',
                                                           'glue_type': 'bigint',
                                                           'comment': 'calls that reached the 3-1-1 queue'},
                                                          {'name': 'calls_handled',
                                                           'glue_type': 'bigint',
                                                           'comment': 'calls answered by an agent'},
                                                          {'name': 'calls_abandoned',
                                                           'glue_type': 'bigint',
                                                           'comment': 'callers who hung up before an answer'},
                                                          {'name': 'calls_unaccounted',
                                                           'glue_type': 'bigint',
                                                           'comment': 'offered - handled - abandoned; the source '
                                                                      'does not always balance'},
                                                          {'name': 'abandonment_rate',
                                                           'glue_type': 'double',
                                                           'comment': 'calls abandoned / calls offered'},
                                                          {'name': 'avg_speed_of_answer_s',
                                                           'glue_type': 'double',
                                                           'comment': 'seconds to answer, daily averages weighted '
                                                                      'by calls handled'},
                                                          {'name': 'mean_service_level',
                                                           'glue_type': 'double',
                                                           'comment': 'mean of the daily service levels (fraction '
                                                                      '0-1)'},
                                                          {'name': 'service_level_weighted',
                                                           'glue_type': 'double',
                                                           'comment': 'daily service levels weighted by calls '
                                                                      'offered'},
                                                          {'name': 'worst_day_service_level',
                                                           'glue_type': 'double',
                                                           'comment': 'lowest daily service level'},
                                                          {'name': 'complete',
                                                           'glue_type': 'boolean',
                                                           'comment': 'every calendar day of the period has '
                                                                      'figures'}],
                                              'partition_keys': []},
                                             {'name': 'contact_centre_yearly',
                                              'description': '3-1-1 contact centre figures by year',
                                              'columns': [{'name': 'year',
                                                           'glue_type': 'int',
                                                           'comment': 'calendar year of call_date'},
                                                          {'name': 'days',
                                                           'glue_type': 'int',
                                                           'comment': 'days with figures (two days are missing '
                                                                      'from the source)'},
                                                          {'name': 'calls_offered',
                                                           'glue_type': 'bigint',
                                                           'comment': 'calls that reached the 3-1-1 queue'},
                                                          {'name': 'calls_handled',
                                                           'glue_type': 'bigint',
                                                           'comment': 'calls answered by an agent'},
                                                          {'name': 'calls_abandoned',
                                                           'glue_type': 'bigint',
                                                           'comment': 'callers who hung up before an answer'},
                                                          {'name': 'calls_unaccounted',
                                                           'glue_type': 'bigint',
                                                           'comment': 'offered - handled - abandoned; the source '
                                                                      'does not always balance'},
                                                          {'name': 'abandonment_rate',
                                                           'glue_type': 'double',
                                                           'comment': 'calls abandoned / calls offered'},
                                                          {'name': 'avg_speed_of_answer_s',
                                                           'glue_type': 'double',
                                                           'comment': 'seconds to answer, daily averages weighted '
                                                                      'by calls handled'},
                                                          {'name': 'mean_service_level',
                                                           'glue_type': 'double',
                                                           'comment': 'mean of the daily service levels (fraction '
                                                                      '0-1)'},
                                                          {'name': 'service_level_weighted',
                                                           'glue_type': 'double',
                                                           'comment': 'daily service levels weighted by calls '
                                                                      'offered'},
                                                          {'name': 'worst_day_service_level',
                                                           'glue_type': 'double',
                                                           'comment': 'lowest daily service level'},
                                                          {'name': 'complete',
                                                           'glue_type': 'boolean',
                                                           'comment': 'every calendar day of the period has '
                                                                      'figures'}],
                                              'partition_keys': []}]},
 '3-1-1-service-requests': {'dataset': '3-1-1-service-requests',
                            'natural_key': ['department',
                                            'service_request_type',
                                            'opened_at',
                                            'channel',
                                            'address',
                                            'local_area',
                                            'request_seq'],
                            'summed': [],
                            'tables': [{'name': 'service_requests',
                                        'description': '3-1-1 service requests, one row per request, timestamps in '
                                                       'UTC',
                                        'columns': [{'name': 'department',
                                                     'glue_type': 'string',
                                                     'comment': "department as published, e.g. 'ENG - Sanitation "
                                                                "Services'"},
                                                    {'name': 'service_request_type',
                                                     'glue_type': 'string',
                                                     'comment': ''},
                                                    {'name': 'status',
                                                     'glue_type': 'string',
                                                     'comment': 'Open or Closed'},
                                                    {'name': 'closure_reason',
                                                     'glue_type': 'string',
                                                     'comment': ''},
                                                    {'name': 'opened_at',
                                                     'glue_type': 'timestamp',
                                                     'comment': 'when the request was opened, UTC'},
                                                    {'name': 'opened_date',
                                                     'glue_type': 'date',
                                                     'comment': 'the local (Vancouver) date the request was '
                                                                'opened'},
                                                    {'name': 'closed_date',
                                                     'glue_type': 'date',
                                                     'comment': 'the local date it was closed; null while open'},
                                                    {'name': 'days_to_close',
                                                     'glue_type': 'int',
                                                     'comment': 'closed_date - opened_date in days; null while '
                                                                'open'},
                                                    {'name': 'last_modified_at',
                                                     'glue_type': 'timestamp',
                                                     'comment': 'last update, UTC'},
                                                    {'name': 'address',
                                                     'glue_type': 'string',
                                                     'comment': 'block-level address; null for about two thirds of '
                                                                'requests'},
                                                    {'name': 'local_area',
                                                     'glue_type': 'string',
                                                     'comment': "one of Vancouver's 22 local areas; null when not "
                                                                'recorded'},
                                                    {'name': 'channel',
                                                     'glue_type': 'string',
                                                     'comment': 'Web, Phone, Mobile App, E-mail, Chat, Social '
                                                                'Media, Mail Out or Unknown'},
                                                    {'name': 'latitude', 'glue_type': 'double', 'comment': ''},
                                                    {'name': 'longitude', 'glue_type': 'double', 'comment': ''},
                                                    {'name': 'request_seq',
                                                     'glue_type': 'int',
                                                     'comment': '1, or 2, 3 … for requests sharing every other key '
                                                                'column'}],
                                        'partition_keys': [{'name': 'year',
                                                            'glue_type': 'int',
                                                            'comment': 'calendar year the request was opened '
                                                                       '(Vancouver time)'},
                                                           {'name': 'month',
                                                            'glue_type': 'int',
                                                            'comment': 'month (1-12) the request was opened '
                                                                       '(Vancouver time)'}]},
                                       {'name': 'service_requests_by_area',
                                        'description': 'service requests and days to close by local area and month '
                                                       'opened',
                                        'columns': [{'name': 'local_area',
                                                     'glue_type': 'string',
                                                     'comment': "one of Vancouver's 22 local areas; null when not "
                                                                'recorded'},
                                                    {'name': 'year',
                                                     'glue_type': 'int',
                                                     'comment': 'calendar year the request was opened (Vancouver '
                                                                'time)'},
                                                    {'name': 'month',
                                                     'glue_type': 'int',
                                                     'comment': 'month (1-12) the request was opened (Vancouver '
                                                                'time)'},
                                                    {'name': 'month_start',
                                                     'glue_type': 'date',
                                                     'comment': 'first day of the month the requests were opened'},
                                                    {'name': 'requests',
                                                     'glue_type': 'bigint',
                                                     'comment': 'requests opened'},
                                                    {'name': 'closed_requests',
                                                     'glue_type': 'bigint',
                                                     'comment': 'of those, closed (with a close date)'},
                                                    {'name': 'open_requests',
                                                     'glue_type': 'bigint',
                                                     'comment': 'of those, still open'},
                                                    {'name': 'median_days_to_close',
                                                     'glue_type': 'double',
                                                     'comment': 'median days to close of the closed requests'},
                                                    {'name': 'p90_days_to_close',
                                                     'glue_type': 'double',
                                                     'comment': '90th percentile (linear interpolation) of days to '
                                                                'close'},
                                                    {'name': 'mean_days_to_close',
                                                     'glue_type': 'double',
                                                     'comment': 'mean days to close of the closed requests'}],
                                        'partition_keys': []},
                                       {'name': 'service_requests_by_type',
                                        'description': 'service requests and days to close by department, request '
                                                       'type and month opened',
                                        'columns': [{'name': 'department',
                                                     'glue_type': 'string',
                                                     'comment': "department as published, e.g. 'ENG - Sanitation "
                                                                "Services'"},
                                                    {'name': 'service_request_type',
                                                     'glue_type': 'string',
                                                     'comment': ''},
                                                    {'name': 'year',
                                                     'glue_type': 'int',
                                                     'comment': 'calendar year the request was opened (Vancouver '
                                                                'time)'},
                                                    {'name': 'month',
                                                     'glue_type': 'int',
                                                     'comment': 'month (1-12) the request was opened (Vancouver '
                                                                'time)'},
                                                    {'name': 'month_start',
                                                     'glue_type': 'date',
                                                     'comment': 'first day of the month the requests were opened'},
                                                    {'name': 'requests',
                                                     'glue_type': 'bigint',
                                                     'comment': 'requests opened'},
                                                    {'name': 'closed_requests',
                                                     'glue_type': 'bigint',
                                                     'comment': 'of those, closed (with a close date)'},
                                                    {'name': 'open_requests',
                                                     'glue_type': 'bigint',
                                                     'comment': 'of those, still open'},
                                                    {'name': 'median_days_to_close',
                                                     'glue_type': 'double',
                                                     'comment': 'median days to close of the closed requests'},
                                                    {'name': 'p90_days_to_close',
                                                     'glue_type': 'double',
                                                     'comment': '90th percentile (linear interpolation) of days to '
                                                                'close'},
                                                    {'name': 'mean_days_to_close',
                                                     'glue_type': 'double',
                                                     'comment': 'mean days to close of the closed requests'}],
                                        'partition_keys': []}]}}
# END GENERATED MODELS

SNAPSHOT_PARAMETER = "lakehouse.snapshot_id"
RUN_PARAMETER = "lakehouse.job_run_id"
PROCESSED_PARAMETER = "lakehouse.processed_sources"  # {raw sha256: "<sha256>@<recipe version>"}
BOOKMARK_DISABLED = "job-bookmark-disable"
MANIFEST = "_manifest.json"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
# Glue types as Spark writes them to Parquet; timestamps are written as Polars writes
# them (microseconds, not adjusted to UTC), so both jobs' files carry the same types.
SPARK_TYPES: dict[str, T.DataType] = {
    "string": T.StringType(), "bigint": T.LongType(), "int": T.IntegerType(), "double": T.DoubleType(),
    "date": T.DateType(), "boolean": T.BooleanType(), "timestamp": T.TimestampNTZType(),
}
# The same semantics on Glue 5.0 (Spark 3.5) and Spark 4 (ANSI by default there).
SESSION_CONF = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.parquet.compression.codec": "zstd",
    # Partition folders are read back as strings and cast to the catalog's types.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
}


class JobError(Exception):
    """A run that cannot go on; its message is the run's ErrorMessage."""


# ---------------------------------------------------------------- builders (the models' Polars code)

def psum(column: str | SparkColumn) -> SparkColumn:
    """Polars' sum: 0, not null, over no values or only nulls."""
    return F.coalesce(F.sum(column), F.lit(0))


def n_unique(column: str) -> SparkColumn:
    """Polars' n_unique: null counts as one more distinct value."""
    return F.countDistinct(column) + F.max(F.when(F.col(column).isNull(), 1).otherwise(0))


def divide(dividend: SparkColumn, divisor: SparkColumn) -> SparkColumn:
    """Polars' float division: by zero gives ±inf or NaN (0/0), where Spark gives null."""
    quotient = dividend.cast("double") / divisor.cast("double")
    return (F.when((divisor == 0) & (dividend > 0), F.lit(float("inf")))
            .when((divisor == 0) & (dividend < 0), F.lit(float("-inf")))
            .when((divisor == 0) & (dividend == 0), F.lit(float("nan")))
            .otherwise(quotient))


def round_half_even(value: SparkColumn, decimals: int) -> SparkColumn:
    """Polars' float round: the value times 10^decimals rounded half to even, divided back.
    (Spark's round is half up on the decimal text, which differs on ties such as 8.345.)"""
    scale = 10.0 ** decimals
    return F.bround(value * scale, 0) / scale


DEPARTMENT_CODE = r"^([A-Z0-9]{2,6}) - "


def inquiry_volume(landing: DataFrame) -> DataFrame:
    # Polars' extract gives null without a match, Spark's regexp_extract an empty string.
    code = F.when(F.col("department").rlike(DEPARTMENT_CODE), F.regexp_extract("department", DEPARTMENT_CODE, 1))
    return (
        landing.groupBy("department", "inquiry_type", "channel", "month_start")
        .agg(psum("inquiries").cast("bigint").alias("inquiries"))
        .withColumn("department_code", code)
        .withColumn("year", F.year("month_start"))
    )


def department_monthly(volume: DataFrame) -> DataFrame:
    return volume.groupBy("department", "department_code", "month_start", "year").agg(psum("inquiries").alias("inquiries"))


def monthly_volume(volume: DataFrame) -> DataFrame:
    return volume.groupBy("month_start", "year").agg(
        psum("inquiries").alias("inquiries"), n_unique("department").alias("departments"))


def channel_monthly(volume: DataFrame) -> DataFrame:
    return volume.groupBy("channel", "month_start", "year").agg(psum("inquiries").alias("inquiries"))


def yearly_volume(volume: DataFrame) -> DataFrame:
    return volume.groupBy("year").agg(
        psum("inquiries").alias("inquiries"),
        n_unique("month_start").alias("months"),
        F.min("month_start").alias("first_month"),
        F.max("month_start").alias("last_month"),
        n_unique("department").alias("departments"),
    ).withColumn("complete", F.col("months") == 12)


def _department_year(volume: DataFrame) -> DataFrame:
    return volume.groupBy("department", "department_code", "year").agg(psum("inquiries").alias("inquiries"))


def department_yearly(volume: DataFrame) -> DataFrame:
    year = Window.partitionBy("year")
    return _department_year(volume).withColumn(
        "share_pct", divide(F.col("inquiries") * 100.0, F.sum("inquiries").over(year))
    ).withColumn("rank", F.rank().over(year.orderBy(F.col("inquiries").desc())))


def department_year_over_year(volume: DataFrame) -> DataFrame:
    yearly = _department_year(volume)
    previous = yearly.select(
        "department", (F.col("year") + 1).alias("year"), F.col("inquiries").alias("previous_year_inquiries"))
    change = F.col("inquiries") - F.col("previous_year_inquiries")
    percent = divide(change * 100.0, F.col("previous_year_inquiries"))
    return yearly.join(previous, on=["department", "year"], how="left").withColumn("change", change).withColumn(
        "change_pct", round_half_even(percent, 2))


CONTACT_MEASURES = ("call_date", "calls_offered", "calls_handled", "calls_abandoned", "avg_speed_of_answer_s",
                    "service_level")


def contact_centre_daily(landing: DataFrame) -> DataFrame:
    """One row per day, the first in landing order (the file's row order, as Polars keeps it)."""
    first = Window.partitionBy("call_date").orderBy("_row")
    return (
        landing.select(*CONTACT_MEASURES).withColumn("_row", F.monotonically_increasing_id())
        .withColumn("_nth", F.row_number().over(first)).where(F.col("_nth") == 1).drop("_row", "_nth")
        .withColumn("year", F.year("call_date"))
    )


def _contact_summary(daily: DataFrame, keys: list[str]) -> DataFrame:
    handled = F.col("calls_handled")
    answered = F.col("avg_speed_of_answer_s").isNotNull() & (handled > 0)
    return daily.groupBy(*keys).agg(
        F.count(F.lit(1)).cast("int").alias("days"),
        psum("calls_offered").alias("calls_offered"),
        psum("calls_handled").alias("calls_handled"),
        psum("calls_abandoned").alias("calls_abandoned"),
        psum(F.col("calls_offered") - handled - F.col("calls_abandoned")).alias("calls_unaccounted"),
        divide(psum("calls_abandoned"), psum("calls_offered")).alias("abandonment_rate"),
        divide(psum(F.when(answered, F.col("avg_speed_of_answer_s") * handled)),
               psum(F.when(answered, handled))).alias("avg_speed_of_answer_s"),
        F.avg("service_level").alias("mean_service_level"),
        divide(psum(F.col("service_level") * F.col("calls_offered")), psum("calls_offered"))
        .alias("service_level_weighted"),
        F.min("service_level").alias("worst_day_service_level"),
    )


def contact_centre_monthly(daily: DataFrame) -> DataFrame:
    monthly = _contact_summary(daily.withColumn("month_start", F.trunc("call_date", "month")), ["month_start", "year"])
    return monthly.withColumn("complete", F.col("days") == F.dayofmonth(F.last_day("month_start")))


def contact_centre_yearly(daily: DataFrame) -> DataFrame:
    yearly = _contact_summary(daily, ["year"])
    return yearly.withColumn("complete", F.col("days") == F.dayofyear(F.make_date("year", F.lit(12), F.lit(31))))


REQUEST_LANDING = ("department", "service_request_type", "status", "closure_reason", "opened_at", "closed_date",
                   "last_modified_at", "address", "local_area", "channel", "latitude", "longitude")
REQUEST_IDENTITY = ("department", "service_request_type", "opened_at", "channel", "address", "local_area")
REQUEST_TWIN_ORDER = ("last_modified_at", "closed_date", "status", "closure_reason", "latitude", "longitude")


def service_requests(landing: DataFrame) -> DataFrame:
    """One row per request; twins (same identity) numbered in the same order as the local job."""
    twins = Window.partitionBy(*REQUEST_IDENTITY).orderBy(*[F.col(c).asc_nulls_last() for c in REQUEST_TWIN_ORDER])
    # opened_at is UTC wall time; the calendar fields use Vancouver's local date.
    opened_local = F.from_utc_timestamp(F.col("opened_at").cast("timestamp"), "America/Vancouver")
    return (
        landing.select(*REQUEST_LANDING)
        .withColumn("request_seq", F.row_number().over(twins))
        .withColumn("opened_date", F.to_date(opened_local))
        .withColumn("days_to_close", F.datediff("closed_date", "opened_date"))
        .withColumn("year", F.year("opened_date"))
        .withColumn("month", F.month("opened_date"))
    )


def _days_to_close(base: DataFrame, keys: list[str]) -> DataFrame:
    days = F.col("days_to_close")
    return base.groupBy(*keys, "year", "month").agg(
        F.count(F.lit(1)).alias("requests"),
        F.count(days).alias("closed_requests"),
        psum(F.when(F.col("status") == "Open", 1).otherwise(0)).alias("open_requests"),
        F.percentile(days, F.lit(0.5)).alias("median_days_to_close"),  # exact, linear between ranks
        F.percentile(days, F.lit(0.9)).alias("p90_days_to_close"),
        F.avg(days).alias("mean_days_to_close"),
    ).withColumn("month_start", F.make_date("year", "month", F.lit(1)))


def service_requests_by_area(base: DataFrame) -> DataFrame:
    return _days_to_close(base, ["local_area"])


def service_requests_by_type(base: DataFrame) -> DataFrame:
    return _days_to_close(base, ["department", "service_request_type"])


BUILDERS: dict[str, Callable[[DataFrame], DataFrame]] = {
    builder.__name__: builder for builder in (
        inquiry_volume, department_monthly, monthly_volume, channel_monthly, yearly_volume, department_yearly,
        department_year_over_year, contact_centre_daily, contact_centre_monthly, contact_centre_yearly,
        service_requests, service_requests_by_area, service_requests_by_type,
    )
}


# ---------------------------------------------------------------- the job specification

class Layout:
    """A curated table as this job writes it: its model entry and its partition keys."""

    def __init__(self, table: dict[str, Any], partition_keys: list[str]) -> None:
        self.table = table
        self.name: str = table["name"]
        self.partition_keys = partition_keys
        self.all_columns: list[dict[str, str]] = table["columns"] + table["partition_keys"]
        typed_by_name = {c["name"]: c for c in self.all_columns}
        self.key_columns = [typed_by_name[k] for k in partition_keys]
        self.data_columns = [c for c in self.all_columns if c["name"] not in partition_keys]


def parse_spec(text: str) -> tuple[dict[str, Any], list[Layout]]:
    """The model and output layouts named by the job's Inputs/Transform/Outputs."""
    try:
        spec = json.loads(text)
        model = MODELS[spec["Transform"]["Model"]]
    except (ValueError, KeyError, TypeError):
        raise JobError("--lakehouse-job-spec must be the job's JSON Inputs/Transform/Outputs "
                       f"with Transform.Model one of {', '.join(MODELS)}") from None
    landing = [i for i in spec.get("Inputs", []) if isinstance(i, dict) and i.get("Zone") == "landing"]
    if len(landing) != 1 or landing[0].get("Dataset") != model["dataset"]:
        raise JobError(f"the job must read the landing rows of {model['dataset']}")
    tables = {t["name"]: t for t in model["tables"]}
    layouts = []
    for output in spec.get("Outputs") or [{"Table": name} for name in tables]:
        table = tables.get(output.get("Table"))
        if table is None:
            raise JobError(f"output {output.get('Table')!r} is not a table of model {model['dataset']}")
        keys = output.get("PartitionKeys", [c["name"] for c in table["partition_keys"]])
        names = {c["name"] for c in table["columns"] + table["partition_keys"]}
        if any(key not in names for key in keys):
            raise JobError(f"output {table['name']}: partition keys {keys} must be columns")
        layouts.append(Layout(table, keys))
    if layouts[0].name != model["tables"][0]["name"]:
        raise JobError(f"the first output must be the base table {model['tables'][0]['name']}")
    return model, layouts


def typed(layout: Layout, frame: DataFrame) -> DataFrame:
    """The table's columns, in order, in the catalog's types."""
    return frame.select(*[F.col(c["name"]).cast(SPARK_TYPES[c["glue_type"]]).alias(c["name"])
                          for c in layout.all_columns])


# ---------------------------------------------------------------- zones: s3:// on Glue, file:// in tests

class Zone:
    """Listing, reading and deleting objects under a zone's URI (the data itself goes through Spark)."""

    def __init__(self, uri: str, s3: Any = None) -> None:
        if not uri.endswith("/"):
            uri += "/"
        parts = urlsplit(uri)
        if parts.scheme not in ("s3", "file"):
            raise JobError(f"zone location {uri!r} must be an s3:// or file:// URI")
        self.uri, self.scheme, self.bucket, self.root = uri, parts.scheme, parts.netloc, parts.path
        self._s3 = s3

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            import boto3
            self._s3 = boto3.client("s3")
        return self._s3

    def keys(self, prefix: str) -> list[str]:
        if self.scheme == "s3":
            start = self.root.lstrip("/") + prefix
            pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start)
            return sorted(o["Key"][len(self.root.lstrip("/")):] for page in pages for o in page.get("Contents", []))
        found = []
        top = self.root + prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        for folder, _, files in os.walk(top):
            for name in files:
                key = os.path.relpath(os.path.join(folder, name), self.root).replace(os.sep, "/")
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)

    def read(self, key: str) -> bytes:
        if self.scheme == "s3":
            return self.s3.get_object(Bucket=self.bucket, Key=self.root.lstrip("/") + key)["Body"].read()
        with open(self.root + key, "rb") as file:
            return file.read()

    def delete_prefix(self, prefix: str) -> None:
        if self.scheme == "file":
            shutil.rmtree(self.root + prefix, ignore_errors=True)
            return
        keys = [self.root.lstrip("/") + key for key in self.keys(prefix)]
        for start in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=self.bucket,
                                   Delete={"Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})


# ---------------------------------------------------------------- the Glue Data Catalog (boto3)

def _glue_columns(columns: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    return [{"Name": c["name"], "Type": c["glue_type"], "Comment": c["comment"]} for c in columns]


def storage_descriptor(columns: list[dict[str, str]], location: str) -> dict[str, Any]:
    return {
        "Columns": columns, "Location": location, "InputFormat": PARQUET_INPUT, "OutputFormat": PARQUET_OUTPUT,
        "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
        "Compressed": True, "StoredAsSubDirectories": False,
    }


def table_input(layout: Layout, location: str, parameters: dict[str, str]) -> dict[str, Any]:
    """The same Parquet EXTERNAL_TABLE document the local job commits (lakehouse/catalog/glue_shapes.py)."""
    return {
        "Name": layout.name,
        "Description": layout.table["description"],
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE", "parquet.compression": "ZSTD", **parameters},
        "PartitionKeys": _glue_columns(layout.key_columns),
        "StorageDescriptor": storage_descriptor(_glue_columns(layout.data_columns), location),
    }


class Catalog:
    def __init__(self, glue: Any, database: str) -> None:
        self.glue, self.database = glue, database

    def ensure_database(self) -> None:
        try:
            self.glue.create_database(DatabaseInput={"Name": self.database})
        except self.glue.exceptions.AlreadyExistsException:
            pass

    def table(self, name: str) -> dict[str, Any] | None:
        try:
            return self.glue.get_table(DatabaseName=self.database, Name=name)["Table"]
        except self.glue.exceptions.EntityNotFoundException:
            return None

    def publish(self, document: dict[str, Any], partitions: list[list[str]]) -> None:
        """Point the table at its new snapshot, then replace its partitions."""
        name = document["Name"]
        if self.table(name) is None:
            self.glue.create_table(DatabaseName=self.database, TableInput=document)
        else:
            self.glue.update_table(DatabaseName=self.database, TableInput=document)
        stale = [p["Values"] for page in self.glue.get_paginator("get_partitions").paginate(
            DatabaseName=self.database, TableName=name) for p in page["Partitions"]]
        for start in range(0, len(stale), 25):
            self.glue.batch_delete_partition(DatabaseName=self.database, TableName=name,
                                             PartitionsToDelete=[{"Values": v} for v in stale[start:start + 25]])
        descriptor = document["StorageDescriptor"]
        keys = [k["Name"] for k in document["PartitionKeys"]]
        inputs = [{
            "Values": values, "Parameters": {},
            "StorageDescriptor": storage_descriptor(
                descriptor["Columns"],
                descriptor["Location"] + "/".join(f"{k}={v}" for k, v in zip(keys, values)) + "/"),
        } for values in partitions]
        for start in range(0, len(inputs), 100):
            answer = self.glue.batch_create_partition(DatabaseName=self.database, TableName=name,
                                                      PartitionInputList=inputs[start:start + 100])
            if answer.get("Errors"):
                error = answer["Errors"][0]["ErrorDetail"]
                raise JobError(f"{name}: BatchCreatePartition {error.get('ErrorCode')}: {error.get('ErrorMessage')}")

    def snapshots_in_use(self, name: str, keep: int) -> set[str]:
        """Snapshot ids of the table's newest `keep` versions."""
        pages = self.glue.get_paginator("get_table_versions").paginate(DatabaseName=self.database, TableName=name)
        versions = sorted((v for page in pages for v in page["TableVersions"]),
                          key=lambda v: int(v["VersionId"]), reverse=True)
        return {v["Table"].get("Parameters", {}).get(SNAPSHOT_PARAMETER, "") for v in versions[:keep]}


# ---------------------------------------------------------------- the run

def source_version(manifest: dict[str, Any]) -> str:
    return f"{manifest['raw_sha256']}@{manifest['recipe_version']}"


def landing_sources(landing: Zone, dataset: str) -> list[dict[str, Any]]:
    """Every prepared source's manifest, in the order they were prepared."""
    manifests = [json.loads(landing.read(key)) for key in landing.keys(f"{dataset}/source=")
                 if key.endswith("/" + MANIFEST)]
    return sorted(manifests, key=lambda m: (m["prepared_at"], m["raw_sha256"]))


def new_snapshot_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def read_current(spark: SparkSession, layout: Layout, document: dict[str, Any]) -> DataFrame:
    """The table's current snapshot, partition columns restored from its folders."""
    location = document["StorageDescriptor"]["Location"]
    frame = spark.read.option("basePath", location).parquet(location)
    return typed(layout, frame)


def build_base(
    spark: SparkSession, model: dict[str, Any], layout: Layout, current: DataFrame | None, landing: Zone,
    fresh: list[dict[str, Any]],
) -> DataFrame:
    """Current base rows and each fresh source's rows; later sources replace earlier rows by natural key."""
    build = BUILDERS[layout.name]
    parts = [] if current is None else [current.withColumn("_source", F.lit(0))]
    for order, manifest in enumerate(fresh, start=1):
        rows = spark.read.parquet(landing.uri + manifest["data_key"])
        parts.append(typed(layout, build(rows)).withColumn("_source", F.lit(order)))
    union = parts[0]
    for part in parts[1:]:
        union = union.unionByName(part)
    latest = Window.partitionBy(*model["natural_key"]).orderBy(F.col("_source").desc())
    return typed(layout, union.withColumn("_nth", F.row_number().over(latest)).where(F.col("_nth") == 1))


def write_table(frame: DataFrame, layout: Layout, location: str) -> tuple[list[list[str]], int]:
    """Parquet files under `location`, one folder per partition; the partitions' values and the rows."""
    keys = layout.partition_keys
    # One file per partition (one in all when unpartitioned), rows in the local job's order.
    # (The partition keys lead, so Spark's writer keeps this order instead of re-sorting by them.)
    order = [F.col(name).asc_nulls_last() for name in [*keys, *(c["name"] for c in layout.all_columns)]]
    writer = (frame.repartition(*keys) if keys else frame.coalesce(1)).sortWithinPartitions(*order).write
    writer.mode("errorifexists").partitionBy(*keys).parquet(location)
    counts = frame.groupBy(*keys).count().collect()  # one small job: partitions and rows together
    partitions = sorted([str(value) for value in row[:-1]] for row in counts) if keys else []
    return partitions, sum(row["count"] for row in counts)


def checked(arguments: dict[str, str]) -> dict[str, str]:
    """The job's arguments with the zone locations filled in; a JobError names a missing or bad one."""
    for name in ("lakehouse-job-spec", "database"):
        if not arguments.get(name):
            raise JobError(f"missing job argument --{name}")
    prefix = arguments.get("bucket-prefix", "")
    complete = {"landing-location": f"s3://{prefix}landing/", "curated-location": f"s3://{prefix}curated/",
                **arguments}
    parse_spec(complete["lakehouse-job-spec"])
    for name in ("landing-location", "curated-location"):
        Zone(complete[name])
    if not complete.get("snapshots-to-keep", "5").isdigit():
        raise JobError(f"--snapshots-to-keep must be a whole number, not {complete['snapshots-to-keep']!r}")
    return complete


def run(spark: SparkSession, arguments: dict[str, str], glue: Any, s3: Any = None,
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """One job run; returns what it did ({"NewInputs": n, "Tables": {table: rows}})."""
    arguments = checked(arguments)
    for key, value in SESSION_CONF.items():
        spark.conf.set(key, value)
    model, layouts = parse_spec(arguments["lakehouse-job-spec"])
    landing = Zone(arguments["landing-location"], s3)
    curated = Zone(arguments["curated-location"], s3)
    catalog = Catalog(glue, arguments["database"])
    full_refresh = (arguments.get("full-refresh") == "true"
                    or arguments.get("job-bookmark-option") == BOOKMARK_DISABLED)
    keep = int(arguments.get("snapshots-to-keep", "5"))
    run_id = arguments.get("JOB_RUN_ID", "")

    sources = landing_sources(landing, model["dataset"])
    if not sources:
        raise JobError(f"no landing data for {model['dataset']} under {landing.uri}")
    base_layout = layouts[0]
    current_document = catalog.table(base_layout.name)
    processed: dict[str, str] = {}
    if current_document is not None and not full_refresh:
        processed = json.loads(current_document.get("Parameters", {}).get(PROCESSED_PARAMETER, "{}"))
    fresh = [s for s in sources if processed.get(s["raw_sha256"]) != source_version(s)]
    log(f"{len(sources)} landing sources, {len(fresh)} new" + (" (full refresh)" if full_refresh else ""))
    if not fresh:
        return {"NewInputs": 0, "Tables": {}}
    catalog.ensure_database()
    current = None if full_refresh or current_document is None else read_current(spark, base_layout, current_document)
    base = build_base(spark, model, base_layout, current, landing, fresh).cache()
    frames = [base, *[typed(layout, BUILDERS[layout.name](base)) for layout in layouts[1:]]]
    processed.update({s["raw_sha256"]: source_version(s) for s in fresh})

    snapshot_id = new_snapshot_id()
    database = arguments["database"]
    written = []
    for layout, frame in zip(layouts, frames):
        prefix = f"{database}/{layout.name}/snapshots/{snapshot_id}/"
        partitions, rows = write_table(frame, layout, curated.uri + prefix)
        written.append((layout, prefix, partitions, rows))
    # Published only after every table is written: a failed run leaves unreferenced folders.
    tables = {}
    for layout, prefix, partitions, rows in written:
        parameters = {SNAPSHOT_PARAMETER: snapshot_id, RUN_PARAMETER: run_id}
        if layout is base_layout:
            parameters[PROCESSED_PARAMETER] = json.dumps(processed, sort_keys=True)
        catalog.publish(table_input(layout, curated.uri + prefix, parameters), partitions)
        tables[layout.name] = rows
        log(f"published {layout.name}: {rows} rows in {len(partitions) or 1} partitions")
    base.unpersist()
    for layout in layouts:
        root = f"{database}/{layout.name}/snapshots/"
        in_use = catalog.snapshots_in_use(layout.name, keep)
        folders = {key[len(root):].split("/", 1)[0] for key in curated.keys(root)}
        for folder in sorted(folders - in_use):
            curated.delete_prefix(f"{root}{folder}/")
            log(f"pruned snapshot {folder} of {layout.name}")
    return {"NewInputs": len(fresh), "Tables": tables}


def parse_arguments(argv: list[str]) -> dict[str, str]:
    """`--key value` pairs as Glue passes job arguments (keys without their dashes)."""
    arguments: dict[str, str] = {}
    index = 1
    while index < len(argv):
        item = argv[index]
        if item.startswith("--"):
            key, equals, value = item[2:].partition("=")
            if not equals and index + 1 < len(argv) and not argv[index + 1].startswith("--"):
                index += 1
                value = argv[index]
            arguments[key] = value
        index += 1
    return arguments


def main(argv: list[str]) -> dict[str, Any]:
    """Run the job as Glue starts it: `script --JOB_NAME name --key value …`."""
    import boto3

    arguments = parse_arguments(argv)
    checked(arguments)  # a bad argument fails in a second, before Spark starts
    if HAVE_AWSGLUE:
        from pyspark.context import SparkContext

        arguments.update(getResolvedOptions(argv, ["JOB_NAME"]))
        context = GlueContext(SparkContext.getOrCreate())
        job = Job(context)
        job.init(arguments["JOB_NAME"], arguments)
        outcome = run(context.spark_session, arguments, boto3.client("glue"))
        job.commit()
        return outcome
    spark = SparkSession.builder.appName(arguments.get("JOB_NAME", "lakehouse-curate")).getOrCreate()
    return run(spark, arguments, boto3.client("glue"))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except JobError as error:
        # One line for the run's ErrorMessage; Glue marks the run FAILED on the exit status.
        print(f"lakehouse curate: {error}", file=sys.stderr)
        raise SystemExit(1) from None
