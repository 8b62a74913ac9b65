"""Athena workgroups and named queries, kept as JSON in the catalog bucket.

`primary` always exists, with results under `s3://<prefix>athena-results/`. The saved
analytic queries (lakehouse/sql/queries) are named queries of `primary` with stable ids.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from emulation.athena.exceptions import InvalidRequestException
from emulation.athena.executions import ENGINE_VERSION, PREFIX, IdempotencyTokens, fingerprint, iso_now
from emulation.documents import JsonDocuments
from lakehouse.config import Settings
from lakehouse.sql.saved import saved_queries
from lakehouse.zones import RESULTS_ZONE

PRIMARY = "primary"
NO_OUTPUT_LOCATION = ("No output location provided. An output location is required either through the Workgroup "
                      "result configuration setting or as an API input.")
_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")
_SAVED_NAMESPACE = uuid.UUID("7c1e4f0e-3a11-4c0b-9d0d-311311311311")  # names saved queries' stable ids


def saved_query_id(name: str) -> str:
    return str(uuid.uuid5(_SAVED_NAMESPACE, f"saved-query:{name}"))


def check_batch(ids: list[str], what: str) -> None:
    if not 1 <= len(ids) <= 50:
        raise InvalidRequestException(f"{what} must hold 1 to 50 ids (got {len(ids)})")


def page_of(items: list[str], next_token: str | None, max_results: int) -> tuple[list[str], str | None]:
    """A page of ids and the token of the next one (tokens are offsets: ids only grow at one end)."""
    if not 0 < max_results <= 50:
        raise InvalidRequestException("MaxResults must be between 1 and 50")
    start = int(next_token) if next_token and next_token.isdigit() else 0
    end = start + max_results
    return items[start:end], (str(end) if end < len(items) else None)


class WorkGroupsMixin:
    """CreateWorkGroup/GetWorkGroup/ListWorkGroups and the named-query operations."""

    settings: Settings
    athena_documents: JsonDocuments

    # -- workgroups ------------------------------------------------------------------

    def _primary(self) -> dict[str, Any]:
        created = getattr(self, "_primary_created", None)  # written once, never changed: kept after the first read
        if created is None:
            created = self.athena_documents.find(f"{PREFIX}/primary-workgroup.json")
        if created is None:  # primary exists from the first use of the API on
            created = {"CreationTime": iso_now()}
            self.athena_documents.write(f"{PREFIX}/primary-workgroup.json", created)
        self._primary_created = created
        return {
            "Name": PRIMARY, "State": "ENABLED", "Description": "", "CreationTime": created["CreationTime"],
            "Configuration": {
                "ResultConfiguration": {"OutputLocation": f"s3://{self.settings.bucket(RESULTS_ZONE)}/"},
                "EnforceWorkGroupConfiguration": False, "PublishCloudWatchMetricsEnabled": False,
                "RequesterPaysEnabled": False, "EngineVersion": dict(ENGINE_VERSION),
            },
        }

    def create_work_group(self, name: str, configuration: dict[str, Any] | None = None,
                          description: str = "", tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        if not _NAME.match(name or ""):
            raise InvalidRequestException(f"WorkGroup name {name!r} must be 1-128 letters, digits, '.', '_' or '-'")
        if name == PRIMARY or self.athena_documents.find(f"{PREFIX}/workgroups/{name}.json"):
            raise InvalidRequestException(f"WorkGroup {name} is already created")
        settings = copy.deepcopy(configuration or {})
        location = settings.get("ResultConfiguration", {}).get("OutputLocation")
        if location is not None and not str(location).startswith("s3://"):
            raise InvalidRequestException(f"OutputLocation must be an s3:// URI (got {location!r})")
        settings.setdefault("EnforceWorkGroupConfiguration", True)  # Athena's default for new workgroups
        settings.setdefault("PublishCloudWatchMetricsEnabled", False)
        settings.setdefault("RequesterPaysEnabled", False)
        settings.setdefault("EngineVersion", dict(ENGINE_VERSION))
        self.athena_documents.write(f"{PREFIX}/workgroups/{name}.json", {
            "Name": name, "State": "ENABLED", "Description": description, "Configuration": settings,
            "CreationTime": iso_now(), "Tags": tags or [],
        })
        return {}

    def get_work_group(self, work_group: str) -> dict[str, Any]:
        if work_group == PRIMARY:
            return {"WorkGroup": self._primary()}
        document = None
        if _NAME.match(work_group or ""):
            document = self.athena_documents.find(f"{PREFIX}/workgroups/{work_group}.json")
        if document is None:
            raise InvalidRequestException(f"WorkGroup {work_group} is not found.")
        document.pop("Tags", None)
        return {"WorkGroup": document}

    def list_work_groups(self) -> dict[str, Any]:
        keys = self.athena_documents.keys(f"{PREFIX}/workgroups/")
        groups = [self._primary()] + [self.athena_documents.find(key) for key in keys]
        summaries = [
            {"Name": g["Name"], "State": g["State"], "Description": g.get("Description", ""),
             "CreationTime": g.get("CreationTime"), "EngineVersion": g["Configuration"]["EngineVersion"]}
            for g in groups if g
        ]
        return {"WorkGroups": sorted(summaries, key=lambda g: g["Name"])}

    def delete_work_group(self, work_group: str, recursive: bool = False) -> None:
        """As Athena: primary stays; a workgroup holding named queries goes only with RecursiveDeleteOption."""
        if work_group == PRIMARY:
            raise InvalidRequestException("primary workgroup could not be deleted")
        self.get_work_group(work_group)
        held = [key for key in self.athena_documents.keys(f"{PREFIX}/named-queries/")
                if (self.athena_documents.find(key) or {}).get("WorkGroup") == work_group]
        if held and not recursive:
            raise InvalidRequestException(f"WorkGroup {work_group} is not empty")
        for key in held:
            self.athena_documents.delete(key)
        self.athena_documents.delete(f"{PREFIX}/workgroups/{work_group}.json")

    # -- named queries ---------------------------------------------------------------

    def _saved_named_queries(self) -> dict[str, dict[str, Any]]:
        return {
            saved_query_id(name): {
                "Name": name, "Description": saved.title + (f": {saved.description}" if saved.description else ""),
                "Database": self.settings.database, "QueryString": saved.sql, "NamedQueryId": saved_query_id(name),
                "WorkGroup": PRIMARY,
            }
            for name, saved in saved_queries().items()
        }

    def create_named_query(self, name: str, query_string: str, database: str, description: str = "",
                           client_request_token: str | None = None, work_group: str = PRIMARY) -> str:
        self.get_work_group(work_group)
        if not name or len(name) > 128 or not query_string or not database:
            raise InvalidRequestException("a named query needs a Name (≤ 128), a QueryString and a Database")
        tokens = IdempotencyTokens(self.athena_documents, "named-queries")
        request = fingerprint(name, query_string, database, description, work_group)
        if client_request_token is not None:
            known = tokens.find(client_request_token, request)
            if known is not None:
                return known
        named_query_id = str(uuid.uuid4())
        self.athena_documents.write(f"{PREFIX}/named-queries/{named_query_id}.json", {
            "Name": name, "Description": description, "Database": database, "QueryString": query_string,
            "NamedQueryId": named_query_id, "WorkGroup": work_group,
        })
        if client_request_token is not None:
            tokens.remember(client_request_token, request, named_query_id)
        return named_query_id

    def _named_query(self, named_query_id: str) -> dict[str, Any] | None:
        saved = self._saved_named_queries().get(named_query_id)
        if saved is not None or not re.fullmatch(r"[0-9a-f-]{36}", named_query_id or ""):
            return saved
        return self.athena_documents.find(f"{PREFIX}/named-queries/{named_query_id}.json")

    def get_named_query(self, named_query_id: str) -> dict[str, Any]:
        named = self._named_query(named_query_id)
        if named is None:
            raise InvalidRequestException(f"NamedQuery {named_query_id} was not found")
        return {"NamedQuery": named}

    def delete_named_query(self, named_query_id: str) -> None:
        if named_query_id in self._saved_named_queries():
            raise InvalidRequestException(f"NamedQuery {named_query_id} is a saved query of the platform")
        if self._named_query(named_query_id) is None:
            raise InvalidRequestException(f"NamedQuery {named_query_id} was not found")
        self.athena_documents.delete(f"{PREFIX}/named-queries/{named_query_id}.json")

    def list_named_queries(self, work_group: str | None = None, next_token: str | None = None,
                           max_results: int = 50) -> dict[str, Any]:
        group = work_group or PRIMARY
        self.get_work_group(group)
        saved = list(self._saved_named_queries()) if group == PRIMARY else []
        created = [self.athena_documents.find(key) for key in self.athena_documents.keys(f"{PREFIX}/named-queries/")]
        ids = saved + [q["NamedQueryId"] for q in created if q and q["WorkGroup"] == group]
        page, token = page_of(ids, next_token, max_results)
        return {"NamedQueryIds": page, **({"NextToken": token} if token else {})}

    def batch_get_named_query(self, named_query_ids: list[str]) -> dict[str, Any]:
        check_batch(named_query_ids, "NamedQueryIds")
        found, missing = [], []
        for named_query_id in named_query_ids:
            named = self._named_query(named_query_id)
            if named is None:
                missing.append({"NamedQueryId": named_query_id, "ErrorCode": "INVALID_INPUT",
                                "ErrorMessage": f"NamedQuery {named_query_id} was not found"})
            else:
                found.append(named)
        return {"NamedQueries": found, "UnprocessedNamedQueryIds": missing}


def output_prefix(configuration: dict[str, Any], result_configuration: dict[str, Any] | None) -> str:
    """Where results go: the workgroup's location when it enforces its configuration, else the client's."""
    group_location = configuration.get("ResultConfiguration", {}).get("OutputLocation")
    client_location = (result_configuration or {}).get("OutputLocation")
    enforced = configuration.get("EnforceWorkGroupConfiguration") and group_location
    location = group_location if enforced else (client_location or group_location)
    if not location:
        raise InvalidRequestException(NO_OUTPUT_LOCATION)
    if not location.startswith("s3://"):
        raise InvalidRequestException(f"OutputLocation must be an s3:// URI (got {location!r})")
    return location if location.endswith("/") else location + "/"
