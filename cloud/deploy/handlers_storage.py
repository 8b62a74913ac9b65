"""S3 buckets and objects, IAM roles and instance profiles, the EC2 launch template."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

from cloud.aws import aws_errors
from cloud.deploy.clients import Clients
from cloud.deploy.handlers_base import missing
from cloud.deploy.resources import Resource, glue_script
from lakehouse.errors import ConfigError

_NO_BUCKET = ("NoSuchBucket", "404", "NotFound")


class BucketHandler:
    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        s3, bucket = clients("s3"), resource.name
        with aws_errors(f"s3 HeadBucket {bucket}"):
            try:
                s3.head_bucket(Bucket=bucket)
            except ClientError as error:
                if missing(error, *_NO_BUCKET):
                    return None
                raise
            state: dict[str, Any] = {}
            try:
                state["PublicAccessBlock"] = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
            except ClientError as error:
                if not missing(error, "NoSuchPublicAccessBlockConfiguration"):
                    raise
            try:
                rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
                state["Encryption"] = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
            except ClientError as error:
                if not missing(error, "ServerSideEncryptionConfigurationNotFoundError"):
                    raise
            try:
                state["Policy"] = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
            except ClientError as error:
                if not missing(error, "NoSuchBucketPolicy"):
                    raise
            enabled = s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled"
            state["Versioning"] = "Enabled" if enabled else None
        return state

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        s3, bucket, spec = clients("s3"), resource.name, resource.spec
        with aws_errors(f"s3 bucket {bucket}"):
            if observed is None:
                region = clients.settings.region
                where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
                s3.create_bucket(Bucket=bucket, **where)
                observed = {}
            if observed.get("PublicAccessBlock") != spec["PublicAccessBlock"]:
                s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=spec["PublicAccessBlock"])
            if observed.get("Encryption") != spec["Encryption"]:
                s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": spec["Encryption"]}}]})
            if spec["Policy"] is not None and observed.get("Policy") != spec["Policy"]:
                s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(spec["Policy"]))
            if spec["Versioning"] and observed.get("Versioning") != spec["Versioning"]:
                s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": spec["Versioning"]})

    def delete(self, clients: Clients, resource: Resource) -> bool:
        """Every object version and delete marker, then the bucket."""
        s3, bucket = clients("s3"), resource.name
        with aws_errors(f"s3 DeleteBucket {bucket}"):
            try:
                for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                    doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                              for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
                    if doomed:
                        s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
                s3.delete_bucket(Bucket=bucket)
            except ClientError as error:
                if missing(error, *_NO_BUCKET):
                    return False
                raise
        return True


class ScriptHandler:
    """The Glue job's script object; its SHA-256 is kept in the object's metadata."""

    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        bucket, key = resource.name.split("/", 1)
        with aws_errors(f"s3 HeadObject {resource.name}"):
            try:
                head = clients("s3").head_object(Bucket=bucket, Key=key)
            except ClientError as error:
                if missing(error, "404", "NoSuchKey", "NotFound", *_NO_BUCKET):
                    return None
                raise
        return {"Source": resource.spec["Source"], "SHA256": head.get("Metadata", {}).get("sha256")}

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        script = glue_script()
        if script is None:
            raise ConfigError(f"{resource.spec['Source']}: the Glue job's PySpark script does not exist yet")
        bucket, key = resource.name.split("/", 1)
        with aws_errors(f"s3 PutObject {resource.name}"):
            clients("s3").put_object(Bucket=bucket, Key=key, Body=script, ContentType="text/x-python",
                                     Metadata={"sha256": hashlib.sha256(script).hexdigest()})

    def delete(self, clients: Clients, resource: Resource) -> bool:
        return False  # goes with its bucket


class RoleHandler:
    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        iam = clients("iam")
        with aws_errors(f"iam GetRole {resource.name}"):
            try:
                role = iam.get_role(RoleName=resource.name)["Role"]
            except ClientError as error:
                if missing(error, "NoSuchEntity"):
                    return None
                raise
            names = iam.list_role_policies(RoleName=resource.name)["PolicyNames"]
            attached = {name: _document(iam.get_role_policy(RoleName=resource.name, PolicyName=name)["PolicyDocument"])
                        for name in names}
        return {"AssumeRolePolicyDocument": _document(role["AssumeRolePolicyDocument"]), "Policies": attached}

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        iam, spec = clients("iam"), resource.spec
        with aws_errors(f"iam role {resource.name}"):
            trust = json.dumps(spec["AssumeRolePolicyDocument"])
            if observed is None:
                iam.create_role(RoleName=resource.name, AssumeRolePolicyDocument=trust,
                                Description="3-1-1 lakehouse (lakehouse cloud deploy)",
                                Tags=[{"Key": "lakehouse", "Value": "3-1-1"}])
                observed = {"Policies": {}}
            elif observed["AssumeRolePolicyDocument"] != spec["AssumeRolePolicyDocument"]:
                iam.update_assume_role_policy(RoleName=resource.name, PolicyDocument=trust)
            for name, document in spec["Policies"].items():
                if observed["Policies"].get(name) != document:
                    iam.put_role_policy(RoleName=resource.name, PolicyName=name, PolicyDocument=json.dumps(document))
            for name in set(observed["Policies"]) - set(spec["Policies"]):
                iam.delete_role_policy(RoleName=resource.name, PolicyName=name)

    def delete(self, clients: Clients, resource: Resource) -> bool:
        iam = clients("iam")
        with aws_errors(f"iam DeleteRole {resource.name}"):
            try:
                for name in iam.list_role_policies(RoleName=resource.name)["PolicyNames"]:
                    iam.delete_role_policy(RoleName=resource.name, PolicyName=name)
                for profile in iam.list_instance_profiles_for_role(RoleName=resource.name)["InstanceProfiles"]:
                    iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"],
                                                          RoleName=resource.name)
                iam.delete_role(RoleName=resource.name)
            except ClientError as error:
                if missing(error, "NoSuchEntity"):
                    return False
                raise
        return True


class InstanceProfileHandler:
    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        with aws_errors(f"iam GetInstanceProfile {resource.name}"):
            try:
                profile = clients("iam").get_instance_profile(InstanceProfileName=resource.name)["InstanceProfile"]
            except ClientError as error:
                if missing(error, "NoSuchEntity"):
                    return None
                raise
        return {"Roles": sorted(role["RoleName"] for role in profile["Roles"])}

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        iam = clients("iam")
        with aws_errors(f"iam instance profile {resource.name}"):
            if observed is None:
                iam.create_instance_profile(InstanceProfileName=resource.name)
                observed = {"Roles": []}
            for role in observed["Roles"]:
                if role not in resource.spec["Roles"]:
                    iam.remove_role_from_instance_profile(InstanceProfileName=resource.name, RoleName=role)
            for role in resource.spec["Roles"]:
                if role not in observed["Roles"]:
                    iam.add_role_to_instance_profile(InstanceProfileName=resource.name, RoleName=role)

    def delete(self, clients: Clients, resource: Resource) -> bool:
        iam = clients("iam")
        with aws_errors(f"iam DeleteInstanceProfile {resource.name}"):
            try:
                profile = iam.get_instance_profile(InstanceProfileName=resource.name)["InstanceProfile"]
                for role in profile["Roles"]:
                    iam.remove_role_from_instance_profile(InstanceProfileName=resource.name, RoleName=role["RoleName"])
                iam.delete_instance_profile(InstanceProfileName=resource.name)
            except ClientError as error:
                if missing(error, "NoSuchEntity"):
                    return False
                raise
        return True


class LaunchTemplateHandler:
    """The publishing instance as a launch template: role, user data, IMDSv2. Launching it
    (and paying for it) is the operator's choice: `aws ec2 run-instances --launch-template …`."""

    _GONE = ("InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateName.NotFound")

    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        ec2 = clients("ec2")
        with aws_errors(f"ec2 DescribeLaunchTemplateVersions {resource.name}"):
            try:
                versions = ec2.describe_launch_template_versions(LaunchTemplateName=resource.name,
                                                                 Versions=["$Latest"])["LaunchTemplateVersions"]
            except ClientError as error:
                if missing(error, *self._GONE):
                    return None
                raise
        data = versions[0]["LaunchTemplateData"] if versions else {}
        return {key: data.get(key) for key in resource.spec}

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        ec2 = clients("ec2")
        with aws_errors(f"ec2 launch template {resource.name}"):
            if observed is None:
                ec2.create_launch_template(LaunchTemplateName=resource.name, LaunchTemplateData=resource.spec)
                return
            version = ec2.create_launch_template_version(LaunchTemplateName=resource.name,
                                                         LaunchTemplateData=resource.spec)
            number = str(version["LaunchTemplateVersion"]["VersionNumber"])
            ec2.modify_launch_template(LaunchTemplateName=resource.name, DefaultVersion=number)

    def delete(self, clients: Clients, resource: Resource) -> bool:
        if self.observe(clients, resource) is None:
            return False  # asked first: some endpoints answer a missing name with another code
        with aws_errors(f"ec2 DeleteLaunchTemplate {resource.name}"):
            try:
                clients("ec2").delete_launch_template(LaunchTemplateName=resource.name)
            except ClientError as error:
                if missing(error, *self._GONE):
                    return False
                raise
        return True


def _document(value: Any) -> Any:
    """IAM documents come back parsed, or URL-encoded JSON text from some endpoints."""
    if isinstance(value, str):
        from urllib.parse import unquote

        return json.loads(unquote(value))
    return value
