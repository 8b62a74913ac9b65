"""The IAM and bucket policies deploy attaches: least privilege, scoped to the deployment's own
buckets, database and log groups."""

from __future__ import annotations

import json
from typing import Any

from cloud.deploy.names import Names

Policy = dict[str, Any]
VERSION = "2012-10-17"


def _bucket_arns(names: Names, zone: str, objects: bool = True) -> list[str]:
    arn = f"arn:aws:s3:::{names.bucket(zone)}"
    return [arn, f"{arn}/*"] if objects else [arn]


def tls_only_bucket_policy(bucket: str) -> Policy:
    """Refuse every request not made over TLS (aws:SecureTransport false)."""
    arn = f"arn:aws:s3:::{bucket}"
    return {"Version": VERSION, "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]}


def trust_policy(service: str) -> Policy:
    return {"Version": VERSION, "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def _logs(group_prefix: str) -> dict[str, Any]:
    return {"Sid": "WriteItsLogs", "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:*:*:log-group:{group_prefix}*"}


def databrew_policy(names: Names) -> Policy:
    """DataBrew reads raw and writes landing; nothing else."""
    return {"Version": VERSION, "Statement": [
        {"Sid": "ReadRaw", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": _bucket_arns(names, "raw")},
        {"Sid": "WriteLanding", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": _bucket_arns(names, "landing")},
        _logs("/aws-glue-databrew/"),
    ]}


def glue_policy(names: Names) -> Policy:
    """The Glue job reads landing and its script, writes curated, and publishes its tables."""
    database = names.database
    return {"Version": VERSION, "Statement": [
        {"Sid": "ReadLanding", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": _bucket_arns(names, "landing")},
        {"Sid": "ReadItsScript", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": f"arn:aws:s3:::{names.bucket('catalog')}/glue/scripts/*"},
        {"Sid": "WriteCurated", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": _bucket_arns(names, "curated")},
        {"Sid": "PublishTables", "Effect": "Allow",
         "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
                    "glue:GetPartitions", "glue:BatchCreatePartition", "glue:BatchDeletePartition"],
         "Resource": ["arn:aws:glue:*:*:catalog", f"arn:aws:glue:*:*:database/{database}",
                      f"arn:aws:glue:*:*:table/{database}/*"]},
        _logs("/aws-glue/"),
    ]}


def publisher_policy(names: Names) -> Policy:
    """The dashboard instance's policy, from dashboards/deploy/iam-policy.json with this
    deployment's bucket prefix, database and workgroup."""
    from dashboards.userdata import DEPLOY

    text = (DEPLOY / "iam-policy.json").read_text(encoding="utf-8")
    text = text.replace("LAKEHOUSE_PREFIX", names.prefix).replace("vancouver_311", names.database)
    policy: Policy = json.loads(text)
    for statement in policy["Statement"]:
        if statement.get("Sid") == "RunAthenaQueries":
            statement["Resource"] = [statement["Resource"], f"arn:aws:athena:*:*:workgroup/{names.work_group}"]
    return policy
